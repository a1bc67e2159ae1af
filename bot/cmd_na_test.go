package bot

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// naClick builds user's click on the button actionID of the latest N/A
// confirmation DM about item n, with its own trigger id.
func (h *harness) naClick(user string, n int, actionID string) map[string]any {
	h.t.Helper()
	var blocks []map[string]any
	require.Eventually(h.t, func() bool {
		for _, c := range h.slack.callsOf("chat.postMessage") {
			if strings.HasPrefix(c.Form.Get("channel"), "D") && strings.HasPrefix(c.Form.Get("text"), "Confirm item "+itoa(n)+" ") {
				blocks = nil
				require.NoError(h.t, json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks))
			}
		}
		return blocks != nil
	}, 5*time.Second, 5*time.Millisecond, "an N/A confirmation DM about item %d", n)
	for _, b := range blocks {
		for _, el := range elementsOf(b) {
			if el["action_id"] == actionID {
				return h.dmPayload(user, launch.ApprovalDM{ChannelID: "D1", TS: "1.1"}, blocks,
					map[string]any{"type": "button", "action_id": actionID, "block_id": b["block_id"], "value": el["value"], "action_ts": "1.1"})
			}
		}
	}
	h.t.Fatalf("no button %s", actionID)
	return nil
}

// toldUser waits for a message to user (ephemeral or DM) containing want.
func (h *harness) toldUser(user, want string) {
	h.t.Helper()
	require.Eventually(h.t, func() bool {
		for _, m := range []string{"chat.postEphemeral", "chat.postMessage"} {
			for _, c := range h.slack.callsOf(m) {
				if (c.Form.Get("user") == user || m == "chat.postMessage") && strings.Contains(c.Form.Get("text")+c.Form.Get("blocks"), want) {
					return true
				}
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "%s is told %q", user, want)
}

// freeItem is an item whose N/A needs no confirmation.
func freeItem(t *testing.T, l *launch.Launch) int {
	t.Helper()
	for _, it := range l.Checklist.Items() {
		if !l.NeedsConfirmation(it.Number) {
			return it.Number
		}
	}
	require.Fail(t, "every item needs confirmation")
	return 0
}

func TestNACommand(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	n := freeItem(t, l)
	ref := itoa(n)
	total := l.Decide(testNow).Readiness.Total
	ts := h.postChecklist("")

	a := h.command("USTRANGER", "na "+ref+` "Not in this release"`)
	assert.Contains(t, a.Answer.Text, "Only the launch's creator")
	assert.Nil(t, h.launch().Checklist.Item(n).NA)

	a = h.command(creator, "na "+ref)
	assert.Contains(t, a.Answer.Text, "why it does not apply")

	a = h.command(creator, "na "+ref+` "No <mobile> app in this release"`)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "You marked item "+ref+" not applicable")
	got := h.launch()
	require.NotNil(t, got.Checklist.Item(n).NA)
	assert.Equal(t, checklist.NA{By: creator, Reason: "No mobile app in this release", At: got.Checklist.Item(n).NA.At, Confirmed: true},
		*got.Checklist.Item(n).NA)
	assert.Equal(t, total-1, got.Decide(testNow).Readiness.Total, "out of the denominator")

	// The checklist shows it struck through, with who and why, escaped.
	require.Eventually(t, func() bool {
		m, ok := h.slack.message(ts)
		return ok && strings.Contains(m.Blocks, "~ N/A") && strings.Contains(m.Blocks, "N/A, \\u003c@"+creator+"\\u003e: No mobile app")
	}, 5*time.Second, 5*time.Millisecond, "the checklist message shows the item struck through")

	a = h.command(creator, "na "+ref+" off")
	assert.Contains(t, a.Answer.Text, "applies again")
	assert.Nil(t, h.launch().Checklist.Item(n).NA)
	assert.Equal(t, total, h.launch().Decide(testNow).Readiness.Total)
	a = h.command(creator, "na "+ref+" off")
	assert.Contains(t, a.Answer.Text, "applies already; nothing changed")
	assert.Len(t, h.audited(l.ID, "na"), 1)
	assert.Len(t, h.audited(l.ID, "na-off"), 1)
}

func TestNAInAFullGateNeedsARoleHolder(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	role := l.Checklist.Roles[0].Name
	h.holders(map[string]string{role: "UALICE"})
	require.True(t, l.NeedsConfirmation(89), "item 89 is in the 100%% gate %s", healthGate)
	require.Contains(t, h.command(creator, "tick 85 86 87 88").Answer.Text, "You ticked")
	assert.False(t, gatePassed(t, h.launch(), healthGate))

	a := h.command(creator, `na 89 "Covered by the load balancer's probe"`)
	assert.Contains(t, a.Answer.Text, "golive asked <@UALICE> by DM")
	got := h.launch()
	require.NotNil(t, got.Checklist.Item(89).NA)
	assert.False(t, got.Checklist.Item(89).NA.Confirmed)
	assert.False(t, gatePassed(t, got, healthGate), "until accepted, it counts as open")

	accept := h.naClick("UALICE", 89, render.ActionNAAccept)
	assert.Equal(t, "UALICE", h.slack.callsOf("conversations.open")[0].Form.Get("users"))

	// Someone holding no role cannot accept, even with the button's value.
	stranger := h.naClick("UBOB", 89, render.ActionNAAccept)
	require.Equal(t, http.StatusOK, h.interact(stranger).Status)
	h.responseWith("Only someone holding one of the launch's roles")
	assert.False(t, h.launch().Checklist.Item(89).NA.Confirmed)

	before := h.launch().Decide(testNow)
	require.Equal(t, http.StatusOK, h.interact(accept).Status)
	h.responseWith("You accepted item 89 as not applicable")
	got = h.launch()
	assert.True(t, got.Checklist.Item(89).NA.Confirmed)
	assert.Equal(t, "UALICE", got.Checklist.Item(89).NA.ConfirmedBy)
	assert.True(t, gatePassed(t, got, healthGate), "accepted, it leaves the gate")
	assert.Equal(t, before.Readiness.Total-1, got.Decide(testNow).Readiness.Total)
	assert.NotEqual(t, before.Gates, got.Decide(testNow).Gates, "the decision's inputs changed")
	h.toldUser(creator, "<@UALICE> confirmed item 89 as not applicable")

	// The same click again is a replay; a new click on the answered request is stale.
	require.Equal(t, http.StatusOK, h.interact(accept).Status)
	h.responseWith(msgReplayed)
	again := h.naClick("UALICE", 89, render.ActionNARefuse)
	require.Equal(t, http.StatusOK, h.interact(again).Status)
	h.responseWith("already answered or withdrawn")
	assert.True(t, h.launch().Checklist.Item(89).NA.Confirmed, "a stale refusal changes nothing")

	// A refusal: the item applies again, and who asked is told.
	require.Contains(t, h.command(creator, `na 88 "Same as 87"`).Answer.Text, "golive asked")
	refuse := h.naClick("UALICE", 88, render.ActionNARefuse)
	require.Equal(t, http.StatusOK, h.interact(refuse).Status)
	h.responseWith("You refused item 88 as not applicable")
	assert.Nil(t, h.launch().Checklist.Item(88).NA)
	h.toldUser(creator, "<@UALICE> refused to mark item 88 not applicable")
	assert.Len(t, h.audited(l.ID, "na-accept"), 1)
	assert.Len(t, h.audited(l.ID, "na-refuse"), 1)
	assert.NotEmpty(t, h.audited(l.ID, "na-answer-refused"), "refused clicks are audited")
}

func TestNAWithNobodyToConfirm(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	h.holders(map[string]string{})
	a := h.command(creator, `na 89 "Covered by the probe"`)
	assert.Contains(t, a.Answer.Text, "nobody else holds a role in this launch to ask: it counts as open")
	assert.False(t, h.launch().Checklist.Item(89).NA.Confirmed)
	assert.False(t, gatePassed(t, h.launch(), healthGate))

	// A role holder's own N/A needs another holder: there is none here.
	require.Equal(t, "in_channel", h.command(creator, `role add "Release Lead"`).Answer.ResponseType)
	a = h.command(creator, `role "Release Lead" <@`+creator+`>`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	a = h.command(creator, `na 89 "Covered by the probe"`)
	assert.Contains(t, a.Answer.Text, "nobody else holds a role")
	assert.Empty(t, h.slack.callsOf("conversations.open"), "nobody is asked")
}
