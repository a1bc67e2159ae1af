package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const hostile = "<!channel> <@U123> <http://evil|x> & co"

func TestEscape(t *testing.T) {
	assert.Equal(t, "&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|x&gt; &amp; co", Escape(hostile))
	assert.Equal(t, "plain text", Escape("plain text"))
	assert.Equal(t, "&amp;amp;", Escape("&amp;"), "an entity the user typed stays literal")
}

func TestMention(t *testing.T) {
	assert.Equal(t, "<@U0DANA>", mention("U0DANA"))
	assert.Equal(t, "<@W12AB>", mention("W12AB"))
	for _, bad := range []string{"u0dana", "U0DANA>", "<!channel>", "Dana <@U1>", "U", "C0CHAN", ""} {
		assert.NotContains(t, mention(bad), "<", "mention(%q)", bad)
	}
	assert.Equal(t, "<#C0LAUNCH>", channelRef("C0LAUNCH"))
	assert.Equal(t, "&lt;!here&gt;", channelRef("<!here>"))
}

// TestNoticeKeepsOurMentionsOnly: a notice is ours (a domain message that
// names people by stored id), so strict <@U…> mentions stay live; everything
// else in it, such as a section name someone typed, is inert.
func TestNoticeKeepsOurMentionsOnly(t *testing.T) {
	m := Notice(`Item 4 is owned by <@U0DANA>; there is no section "<!channel> <!here> <@U1|x> <http://evil|x>" & co.`)
	s := mrkdwnText(t, m)
	assert.Contains(t, s, "<@U0DANA>")
	assertInert(t, s)
	assert.Contains(t, s, `&lt;@U1|x&gt;`)
}

// assertInert checks that no user-written control sequence survived in s.
func assertInert(t *testing.T, s string) {
	t.Helper()
	for _, live := range []string{"<!channel>", "<!here>", "<@U123>", "<http://evil|x>", "& co", "<!everyone>"} {
		assert.NotContains(t, s, live)
	}
}

// TestHostileItemTextRendersInert puts the hostile text in every place user
// text reaches: item, group, section, launch and role names, notes.
func TestHostileItemTextRendersInert(t *testing.T) {
	c := &checklist.Checklist{
		Title: hostile,
		Sections: []*checklist.Section{{Title: hostile, Kind: checklist.KindReadiness, HasSignoff: true, Owner: "<!here>",
			Signoff: &checklist.Signoff{By: "<!channel>", At: fixedNow},
			Groups: []*checklist.Group{{Title: hostile, Owner: hostile, Priority: "P0", Items: []*checklist.Item{
				{Number: 1, Text: hostile, Owner: "U0DANA", Note: hostile},
				{Number: 2, Text: hostile, Owner: hostile, Subgroup: hostile, Done: true},
			}}}}},
		Gates: []checklist.Gate{{Name: hostile, Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: 0, Group: -1}}},
		Roles: []*checklist.Role{{Name: hostile, Holder: "U0DANA", Verdict: checklist.VerdictRejected, Note: hostile, By: hostile}},
	}
	l := &launch.Launch{Name: hostile, Date: "2026-03-02", Timezone: "UTC", ChannelID: "<!channel>", Creator: "U0DANA", ReviewDate: hostile, Checklist: c}
	for name, c := range map[string]struct {
		msg       any
		mentioned bool // the message names Dana, who is stored by id
	}{
		"status":    {Status(l, testTOD, fixedNow), true},
		"checklist": {Checklist(l, View{}, "<@U0DANA> ticked 2."), true},
		"home":      {Home("U0DANA", []*launch.Launch{l}, nil, fixedNow), false},
	} {
		t.Run(name, func(t *testing.T) {
			s := mrkdwnText(t, c.msg)
			assertInert(t, s)
			if c.mentioned {
				assert.Contains(t, s, "<@U0DANA>", "our own mention of a stored id stays live")
			}
		})
	}
}

// mrkdwnText returns the text of every mrkdwn text object of a message or
// view, and the message's fallback text: plain_text is not interpreted by
// Slack, so escaping does not apply there.
func mrkdwnText(t *testing.T, msg any) string {
	t.Helper()
	raw, err := json.Marshal(msg)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "mrkdwn" {
				b.WriteString(v["text"].(string) + "\n")
			}
			if txt, ok := v["text"].(string); ok && v["type"] == nil {
				b.WriteString(txt + "\n") // a message's fallback text
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return b.String()
}
