package bot

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
)

// waiverHarness is a launch with every item done but 89, the last item of
// the 100% gate Health Checks, and two role holders: a waiver on 89 is all
// a GO lacks once both approve.
func waiverHarness(t *testing.T) *harness {
	h := approvalHarness(t)
	h.newLaunch()
	h.tickAll()
	require.Contains(t, h.command(creator, "untick 89").Answer.Text, "You unticked")
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	require.False(t, gatePassed(t, h.launch(), healthGate))
	return h
}

func TestWaiveRefusals(t *testing.T) {
	h := waiverHarness(t)
	for _, tt := range []struct{ user, args, want string }{
		{creator, `89 until 2026-11-25 "Probe lands after launch"`, "Only someone holding one of the launch's roles can waive an item"},
		{uOther, `89 until 2026-11-25 "Probe lands after launch"`, "Only someone holding one of the launch's roles"},
		{uSec, `89 until 2026-11-19 "Probe lands after launch"`, "2026-11-19 is in the past"},
		{uSec, `89 until 2027-12-01 "Probe lands after launch"`, "too far ahead: a waiver runs at most a year"},
		{uSec, `88 until 2026-11-25 "Probe lands after launch"`, "Item 88 is done: it counts for its gates already and needs no waiver"},
		{uSec, `89 until 2026-11-25`, "Usage"},
		{uSec, `eighty until 2026-11-25 "why"`, "is not an item number"},
		{uSec, `89 until someday "why"`, "is not a date"},
	} {
		a := h.command(tt.user, "waive "+tt.args)
		require.Equal(t, http.StatusOK, a.Status)
		assert.Equal(t, "ephemeral", a.Answer.ResponseType, tt.args)
		assert.Contains(t, a.Answer.Text, tt.want, tt.args)
	}
	assert.Nil(t, h.launch().Checklist.Item(89).Waiver, "nothing recorded")
	assert.Empty(t, h.audited(h.launch().ID, "waive"))
}

func TestWaiverTurnsAFailingGateAndIsAnnounced(t *testing.T) {
	h := waiverHarness(t)
	l := h.launch()
	ts := h.postChecklist("Monitoring")
	readiness := l.Decide(testNow).Readiness

	a := h.command(uSec, `waive 89 until 2026-11-25 "Probe & LB ship on the 24th"`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "<@"+uSec+"> waived item 89 until 2026-11-25: Probe &amp; LB ship on the 24th.")
	assert.Contains(t, a.Answer.Text, "never for readiness")
	got := h.launch()
	require.NotNil(t, got.Checklist.Item(89).Waiver)
	assert.True(t, gatePassed(t, got, healthGate), "the waiver counts for its gate")
	assert.Equal(t, readiness, got.Decide(testNow).Readiness, "and never for readiness")
	require.Len(t, h.audited(l.ID, "waive"), 1)
	assert.Equal(t, "waived until 2026-11-25: Probe & LB ship on the 24th", h.audited(l.ID, "waive")[0].After)

	// The checklist message shows the item waived, with who, until when and why.
	require.Eventually(t, func() bool {
		m, ok := h.slack.message(ts)
		return ok && strings.Contains(m.Blocks, "🛡 Waived until 25 Nov, \\u003c@"+uSec+"\\u003e: Probe \\u0026amp; LB")
	}, settle, 5*time.Millisecond, "the checklist shows the waiver")

	// status lists it.
	require.Equal(t, http.StatusOK, h.command(uOther, "status").Status)
	status := allText(t, h.waitPosts("Launch Checkout v2: readiness", 1)[0])
	assert.Contains(t, status, "🛡 *89.*")
	assert.Contains(t, status, "<@"+uSec+">, until 2026-11-25: Probe &amp; LB ship on the 24th")
	assert.Contains(t, status, "Health Checks*: 5/5 = 100.0% (1 waived)")

	dms := h.askApprovals()
	for role, user := range map[string]string{"Product Manager": uPM, "Security Lead": uSec} {
		require.Equal(t, http.StatusOK, h.interact(h.dmClick(user, dms[role], render.ActionApprove)).Status)
	}
	post := h.waitPosts("GO with 1 waiver for Checkout v2", 1)[0]
	text := allText(t, post)
	assert.Contains(t, text, "GO with 1 waiver: Checkout v2")
	assert.Contains(t, text, "*Waivers* (1)")
	assert.Contains(t, text, "🛡 *89.*")
	assert.Contains(t, text, "until 2026-11-25: Probe &amp; LB ship on the 24th")

	// Taking it away makes the GO stale, once.
	a = h.command(uPM, "waive 89 off")
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "took the waiver of item 89 away")
	assert.False(t, gatePassed(t, h.launch(), healthGate))
	h.waitPosts("The GO was given on different facts", 1)
	assert.Len(t, h.audited(l.ID, "waive-off"), 1)
	a = h.command(uPM, "waive 89 off")
	assert.Contains(t, a.Answer.Text, "Item 89 has no waiver; nothing changed.")
}

func TestWaiverAfterTheLaunchDateIsSaid(t *testing.T) {
	h := waiverHarness(t)
	a := h.command(uSec, `waive 89 until 2026-12-15 "Probe lands after launch"`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "The waiver runs past the launch date, 2026-12-01.")
	a = h.command(uSec, `waive 89 2026-12-15 "Probe lands after launch"`)
	assert.Contains(t, a.Answer.Text, "already waived until 2026-12-15", "until may be left out")
}
