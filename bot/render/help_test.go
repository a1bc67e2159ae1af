package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHelpGolden(t *testing.T) {
	m := Help("/golive")
	golden(t, "Help", m)
	assert.Empty(t, CheckMessage(m))
	s := mrkdwnText(t, m)
	for _, c := range Commands {
		assert.Contains(t, s, "`/golive "+c.Name, c.Name)
		assert.NotEmpty(t, c.Summary, c.Name)
	}
	for _, name := range []string{"help", "new", "import", "status", "checklist", "tick", "untick", "owner", "date", "templates",
		"export", "archive", "roles", "role", "approvals", "signoff", "decide", "review", "schedule", "remind now", "reminders", "timezone"} {
		_, ok := LookupCommand(name)
		assert.True(t, ok, name)
	}
}

func TestUsage(t *testing.T) {
	m := Usage("/golive", "tick")
	assert.Equal(t, "Usage: /golive tick &lt;n&gt; [&lt;n&gt; ...]", m.Text)
	assert.Contains(t, mrkdwnText(t, m), "Example: `/golive tick 12 14`")
	assert.Empty(t, CheckMessage(m))

	c, ok := LookupCommand("remind")
	require.True(t, ok)
	assert.Equal(t, "remind now", c.Name)

	assert.Equal(t, Help("/golive").Text, Usage("/golive", "frobnicate").Text, "an unknown command gets the whole help")
	assert.Equal(t, Help("/golive").Text, Help("<!channel> x").Text, "a strange command name falls back to /golive")
}
