package bot

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A section name is typed by the user and quoted back in the error: it must
// stay text, while the mentions golive writes from stored ids stay live.
func TestTypedSectionNameStaysInertInTheAnswer(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	const typed = "<!channel> <@U999>"
	for _, text := range []string{
		"checklist " + typed,
		"signoff " + typed,
		"owner " + typed + " none",
	} {
		a := h.command(creator, text)
		require.Equal(t, http.StatusOK, a.Status, text)
		assert.Equal(t, "ephemeral", a.Answer.ResponseType, text)
		body := unJSON(string(a.Body))
		assert.Contains(t, a.Answer.Text, `There is no section "‹!channel› ‹@U999›"`, text)
		assert.NotContains(t, body, "<!channel>", text)
		assert.NotContains(t, body, "<@U999>", "%s: the typed mention must not ping", text)
		assert.NotContains(t, body, "&lt;@U999&gt;", text)
	}
	a := h.command("UEVE", "owner 1 none")
	assert.Contains(t, unJSON(string(a.Body)), "<@"+creator+">", "a mention golive writes from a stored id stays live")
	assert.Zero(t, h.slack.total(), "nothing was posted")
}

// A role name is typed by the user too: the channel notice of `approvals`
// names it inertly beside the live mention of its holder.
func TestTypedRoleNameStaysInertInTheChannel(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	a := h.command(creator, `role add "<!here> <@U999> Legal"`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	h.holders(map[string]string{"<!here> <@U999> Legal": "UDANA"})

	a = h.command(creator, "approvals")
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "‹!here› ‹@U999› Legal (<@UDANA>)")
	body := unJSON(string(a.Body))
	assert.NotContains(t, body, "<@U999>")
	assert.NotContains(t, body, "<!here>")
}
