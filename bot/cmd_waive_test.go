package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
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

// set moves the ticking clock to t.
func (c *tickingClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// lapseNotices counts the lapse posts in the channel and the lapse DMs.
func lapseNotices(h *harness) (channel, dms int) {
	for _, c := range h.slack.callsOf("chat.postMessage") {
		text := c.Form.Get("text")
		switch {
		case c.Form.Get("channel") == testChan && strings.HasPrefix(text, "1 waiver of Checkout v2 ended"):
			channel++
		case strings.HasPrefix(c.Form.Get("channel"), "D") && strings.HasPrefix(text, "Your waived item in Checkout v2"):
			dms++
		}
	}
	return channel, dms
}

// TestWaiverLapsesOnTheClock runs delivery on a fake clock past
// a waiver's last day: the item reopens at local midnight, the GO that
// counted it goes stale, and the channel and the item's owner are told
// once each, also after a restart.
func TestWaiverLapsesOnTheClock(t *testing.T) {
	ctx := context.Background()
	clock := &tickingClock{t: testNow}
	h := newHarness(t, func(c *Config) { c.Now = clock.Now })
	h.store.Now = clock.Now
	dr := h.drive(clock.Now)

	l := h.newLaunch()
	h.tickAll()
	require.Contains(t, h.command(creator, "untick 89").Answer.Text, "You unticked")
	require.Contains(t, h.command(creator, "owner 89 <@UDANA>").Answer.Text, "UDANA")
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	a := h.command(uSec, `waive 89 until 2026-11-22 "Probe ships on the 22nd"`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	require.Eventually(t, func() bool {
		rows, err := h.store.Reminders(ctx, l.ID)
		require.NoError(t, err)
		kinds := map[schedule.Kind]string{}
		for _, r := range rows {
			kinds[r.Kind] = r.Key
		}
		return kinds[schedule.KindWaiverLapse] == "2026-11-23" && kinds[schedule.KindWaiverLapseDM] == "2026-11-23 UDANA"
	}, settle, 5*time.Millisecond, "the lapse notices are planned for the day after")

	dms := h.askApprovals()
	for role, user := range map[string]string{"Product Manager": uPM, "Security Lead": uSec} {
		require.Equal(t, http.StatusOK, h.interact(h.dmClick(user, dms[role], render.ActionApprove)).Status)
	}
	h.waitPosts("GO with 1 waiver for Checkout v2", 1)

	// The last minute of the 22nd in Paris: the waiver still counts.
	dr.runTo(clock.set, clock.Now, time.Date(2026, 11, 22, 22, 59, 0, 0, time.UTC))
	assert.True(t, gatePassedAt(t, h.launch(), healthGate, clock.Now()))
	assert.False(t, h.launch().Stale(clock.Now()))
	// Midnight in Paris: it lapsed, before any notice, and the GO no longer stands.
	clock.set(time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC))
	got := h.launch()
	assert.False(t, got.Checklist.Item(89).WaivedOn(got.Today(clock.Now())))
	assert.True(t, got.Stale(clock.Now()), "the GO counted the waiver")
	assert.Equal(t, checklist.OutcomeNoGo, got.Decide(clock.Now()).Decision.Outcome)
	channel, dmsSent := lapseNotices(h)
	assert.Zero(t, channel+dmsSent, "told at the reminder time, not at midnight")

	dr.runTo(clock.set, clock.Now, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	channel, dmsSent = lapseNotices(h)
	assert.Equal(t, 1, channel, "the channel is told once")
	assert.Equal(t, 1, dmsSent, "the owner is told once")
	post := h.channelPosts("1 waiver of Checkout v2 ended")[0]
	text := allText(t, post)
	assert.Contains(t, text, "*89.*")
	assert.Contains(t, text, "waived by <@"+uSec+"> until 2026-11-22: Probe ships on the 22nd")
	assert.Contains(t, text, "Decision now: 🔴 *NO-GO*")
	var dmTo []string
	for _, c := range h.slack.callsOf("conversations.open") {
		dmTo = append(dmTo, c.Form.Get("users"))
	}
	assert.Contains(t, dmTo, "UDANA")
	h.waitPosts("The GO was given on different facts", 1)
	lapses := h.audited(l.ID, "waiver-lapse")
	require.Len(t, lapses, 1)
	assert.Equal(t, "item 89", lapses[0].Subject())
	assert.True(t, h.launch().Checklist.Item(89).Waiver.Noticed)
	assert.False(t, gatePassedAt(t, h.launch(), healthGate, clock.Now()))

	// Another pass, a day later, then a restart: nothing is told again.
	dr.runTo(clock.set, clock.Now, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	h.stop()
	h2 := h.another(func(c *Config) { c.Now = clock.Now })
	dr2 := h2.drive(clock.Now)
	require.NoError(t, dr2.d.SyncAll(ctx))
	dr2.runTo(clock.set, clock.Now, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	channel, dmsSent = lapseNotices(h2)
	assert.Equal(t, 1, channel, "once, also after a restart")
	assert.Equal(t, 1, dmsSent)
	assert.Len(t, h2.audited(l.ID, "waiver-lapse"), 1)
	assert.Len(t, h2.channelPosts("The GO was given on different facts"), 1)
}

func gatePassedAt(t *testing.T, l *launch.Launch, name string, now time.Time) bool {
	t.Helper()
	for _, g := range l.Decide(now).Gates {
		if g.Gate.Name == name {
			return g.Passed
		}
	}
	require.Failf(t, "no gate", "gate %q", name)
	return false
}

// lapseRenderer renders as the bot does and, at its first rendering of a
// waiver-lapse notice, moves the clock past the claim's lease, so that
// finishing that claim is refused; it counts its renderings, and checks
// before each later one that the lost claim recorded nothing.
type lapseRenderer struct {
	delivery.Renderer
	t      *testing.T
	h      *harness
	clock  *tickingClock
	launch int64
	calls  int
}

func (r *lapseRenderer) Render(ctx context.Context, l *launch.Launch, rem schedule.Reminder, now time.Time) (delivery.Rendered, error) {
	if rem.Kind == schedule.KindWaiverLapse {
		r.calls++
		if r.calls > 1 {
			assert.Empty(r.t, r.h.audited(r.launch, "waiver-lapse"), "the lost claim recorded the lapse")
			assert.False(r.t, r.h.launch().Checklist.Item(89).Waiver.Noticed, "the lost claim marked the waiver noticed")
		}
	}
	out, err := r.Renderer.Render(ctx, l, rem, now)
	if rem.Kind == schedule.KindWaiverLapse && r.calls == 1 {
		r.clock.set(r.clock.Now().Add(3 * time.Minute))
	}
	return out, err
}

// TestWaiverLapseIsRecordedWithItsNotice: the lapse a notice tells of is
// recorded in the transaction that queues the notice, so a claim lost
// between the rendering and the queueing records nothing; the reminder's
// next holder records it and queues the notice, once each.
func TestWaiverLapseIsRecordedWithItsNotice(t *testing.T) {
	ctx := context.Background()
	h := waiverHarness(t)
	l := h.launch()
	a := h.command(uSec, `waive 89 until 2026-11-22 "Probe ships on the 22nd"`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)

	h.stopSender()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) // 09:00 in Paris, the day after
	clock := &tickingClock{t: at}
	h.store.Now = clock.Now
	rem := schedule.Reminder{LaunchID: l.ID, Kind: schedule.KindWaiverLapse, Key: "2026-11-23", DueAt: at,
		Payload: schedule.Payload{Day: "2026-11-23"}}
	require.NoError(t, h.store.PlanReminders(ctx, l.ID, []schedule.Reminder{rem}, at))
	r := &lapseRenderer{Renderer: h.bot.ReminderRenderer(schedule.DefaultTimeOfDay), t: t, h: h, clock: clock, launch: l.ID}
	_, err := h.sender(clock.Now, func(c *delivery.Config) { c.Renderer = r }).RunDue(ctx)
	require.NoError(t, err)

	require.Equal(t, 2, r.calls, "rendered by the lost claim, then by the next")
	assert.Len(t, h.audited(l.ID, "waiver-lapse"), 1)
	assert.True(t, h.launch().Checklist.Item(89).Waiver.Noticed)
	channel, _ := lapseNotices(h)
	assert.Equal(t, 1, channel, "the channel is told once")
}
