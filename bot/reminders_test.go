package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/internal/schedule"
)

// fakeScheduler records the launches the bot asks to plan again; the
// harness's delivery sends the outbox still.
type fakeScheduler struct {
	Delivery
	mu     sync.Mutex
	synced []int64
}

func (f *fakeScheduler) Sync(_ context.Context, launchID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.synced = append(f.synced, launchID)
	return nil
}

func (f *fakeScheduler) TimeOfDay() schedule.TimeOfDay { return schedule.DefaultTimeOfDay }

func (f *fakeScheduler) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.synced)
}

func withScheduler(t *testing.T, h *harness) *fakeScheduler {
	t.Helper()
	s := &fakeScheduler{Delivery: h.bot.delivery}
	h.bot.SetDelivery(s)
	return s
}

// redateEarlier moves the launch to date as if that had been done ten days
// ago, before its windows opened: they are reminded, and their open tasks
// are overdue (windows passed when a launch is dated are skipped).
func (h *harness) redateEarlier(date string) {
	h.t.Helper()
	l := h.launch()
	_, err := h.store.Update(context.Background(), l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		return l.MoveDate(creator, date, "", testNow.AddDate(0, 0, -10))
	})
	require.NoError(h.t, err)
}

// windowReminder returns the reminder of the launch's window opened last at now.
func windowReminder(t *testing.T, l *launch.Launch, now time.Time) schedule.Reminder {
	t.Helper()
	cur := schedule.Current(l, schedule.DefaultTimeOfDay, now)
	require.NotEmpty(t, cur)
	return schedule.Reminder{ID: 41, LaunchID: l.ID, Kind: schedule.KindWindow, Key: cur[0].Key, DueAt: cur[0].Due}
}

// remind stops h's background sender and has a delivery, on a clock
// stopped at at, take reminder r (planned now, due at at unless it says)
// and send what it enqueues.
func (h *harness) remind(r schedule.Reminder, at time.Time) {
	h.t.Helper()
	ctx := context.Background()
	h.stopSender()
	if r.DueAt.IsZero() {
		r.DueAt = at
	}
	require.NoError(h.t, h.store.PlanReminders(ctx, r.LaunchID, []schedule.Reminder{r}, at))
	_, err := h.sender(func() time.Time { return at }).RunDue(ctx)
	require.NoError(h.t, err)
}

func TestWindowReminderGoesOutWithMetadata(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	h.redateEarlier("2026-11-22") // before its windows opened: they are reminded
	l := h.launch()
	r := windowReminder(t, l, testNow)

	h.remind(r, testNow)
	posts := h.slack.callsOf("chat.postMessage")
	require.NotEmpty(t, posts)
	call := posts[len(posts)-1]
	assert.Equal(t, testChan, call.Form.Get("channel"))
	assert.True(t, strings.HasPrefix(call.Form.Get("text"), "3 Days Before Launch: "), call.Form.Get("text"))
	var meta slack.SlackMetadata
	require.NoError(t, json.Unmarshal([]byte(call.Form.Get("metadata")), &meta))
	assert.Equal(t, PostEventType, meta.EventType)
	assert.Equal(t, delivery.ReminderKey(r, ""), meta.EventPayload["key"])
	assert.Equal(t, r.Key, meta.EventPayload["window"])
	assert.Equal(t, 1, h.slack.keyed()[delivery.ReminderKey(r, "")], "posted once")

	// A click on the reminder's checkboxes ticks the task like the checklist's.
	w, ok := schedule.Window(l, schedule.DefaultTimeOfDay, r.Key)
	require.True(t, ok)
	ts := h.slack.lastTS()
	a := h.interact(h.toggle(creator, ts, w.Items[0]))
	require.Equal(t, http.StatusOK, a.Status)
	assert.True(t, h.launch().Checklist.Item(w.Items[0]).Done)
}

func TestOverdueReminderGoesByDM(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	h.redateEarlier("2026-11-22")
	l := h.launch()
	week := schedule.Windows(l, schedule.DefaultTimeOfDay)[0]
	require.Contains(t, h.command(creator, fmt.Sprintf("owner %d <@UDANA>", week.Items[0])).Answer.Text, "UDANA")
	r := schedule.Reminder{LaunchID: l.ID, Kind: schedule.KindOverdueDM, Key: "2026-11-20 UDANA",
		Payload: schedule.Payload{Day: "2026-11-20", Owner: "UDANA"}}

	opens := len(h.slack.callsOf("conversations.open"))
	h.remind(r, testNow)
	calls := h.slack.callsOf("conversations.open")
	require.Len(t, calls, opens+1)
	assert.Equal(t, "UDANA", calls[opens].Form.Get("users"))
	posts := h.slack.callsOf("chat.postMessage")
	call := posts[len(posts)-1]
	assert.Equal(t, dmOf("UDANA"), call.Form.Get("channel"))
	assert.Contains(t, call.Form.Get("text"), "1 task overdue in Checkout v2")
}

// TestReminderSlackRefusesIsKeptFailed: a countdown whose channel is gone
// is given up on at once; one Slack refused while golive is not in the
// channel waits to be tried again.
func TestReminderSlackRefusesIsKeptFailed(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	countdown := func(day string) schedule.Reminder {
		return schedule.Reminder{LaunchID: l.ID, Kind: schedule.KindCountdown, Key: day, Payload: schedule.Payload{Day: day}}
	}
	state := func(key string) outbox.State {
		for _, p := range h.posts(l.ID) {
			if p.Key == key {
				return p.State
			}
		}
		return ""
	}

	h.slack.failNext("chat.postMessage", 1, fault{slackError: "channel_not_found"})
	r := countdown("2026-11-20")
	h.remind(r, testNow)
	assert.Equal(t, outbox.StateFailed, state(delivery.ReminderKey(r, "")), "a deleted channel never takes the post")

	h.slack.failNext("chat.postMessage", 1, fault{slackError: "not_in_channel"})
	r = countdown("2026-11-21")
	h.remind(r, testNow.Add(24*time.Hour))
	assert.Equal(t, outbox.StatePending, state(delivery.ReminderKey(r, "")), "inviting the bot back fixes it: retried")
}

func TestReminderCommandsPlanAgain(t *testing.T) {
	h := newHarness(t)
	s := withScheduler(t, h)
	l := h.newLaunch()
	require.Eventually(t, func() bool { return s.count() == 1 }, 5*time.Second, time.Millisecond, "new plans the launch's reminders")

	a := h.command("USOMEONE", "reminders off")
	assert.Contains(t, a.Answer.Text, "Only the launch's creator")
	assert.False(t, h.launch().RemindersOff)

	a = h.command(creator, "reminders off")
	assert.Equal(t, "in_channel", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "switched the daily countdown of “Checkout v2” off")
	assert.True(t, h.launch().RemindersOff)
	a = h.command(creator, "reminders off")
	assert.Contains(t, a.Answer.Text, "already off")
	a = h.command(creator, "reminders maybe")
	assert.Contains(t, a.Answer.Text, "Say `on` or `off`.")

	a = h.command(creator, "timezone Mars/Olympus_Mons")
	assert.Contains(t, a.Answer.Text, "is not an IANA time zone name")
	a = h.command(creator, "timezone America/New_York")
	assert.Equal(t, "in_channel", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "from Europe/Paris to America/New_York time: reminders now go out at 09:00 there. Next: “1 Week Before Launch” on Tue 24 Nov at 09:00.")
	assert.Equal(t, "America/New_York", h.launch().Timezone)
	a = h.command("USOMEONE", "timezone")
	assert.Contains(t, a.Answer.Text, "runs on America/New_York time")

	require.Equal(t, http.StatusOK, h.command(creator, "date 2026-12-03").Status)
	require.Equal(t, http.StatusOK, h.command(creator, "archive").Status)
	require.Eventually(t, func() bool { return s.count() == 5 }, 5*time.Second, time.Millisecond,
		"reminders off, time zone, date and archive plan again")
	for _, id := range s.synced {
		assert.Equal(t, l.ID, id)
	}
}

func TestScheduleAndRemindNow(t *testing.T) {
	h := newHarness(t)
	h.stopSender() // the test claims a reminder itself
	withScheduler(t, h)
	h.newLaunch()

	a := h.command("USOMEONE", "schedule")
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "Coming reminders for Checkout v2")
	assert.NotContains(t, a.Answer.Text, "failing")

	// A countdown Slack refused for good is listed, in words.
	ctx := context.Background()
	l := h.launch()
	due := testNow.Add(-time.Hour)
	require.NoError(t, h.store.PlanReminders(ctx, l.ID, []schedule.Reminder{{LaunchID: l.ID, Kind: schedule.KindCountdown,
		Key: "2026-11-20", DueAt: due, Payload: schedule.Payload{Day: "2026-11-20"}}}, testNow))
	held, err := h.store.ClaimReminders(ctx, delivery.ReminderClaim{Now: testNow, Lease: time.Minute, PerLaunch: 10, Limit: 10})
	require.NoError(t, err)
	require.Len(t, held, 1)
	require.NoError(t, h.store.ReleaseReminder(ctx, held[0], delivery.ReminderRelease{At: testNow, Dead: true, Error: "post countdown: is_archived"}))
	a = h.command("USOMEONE", "schedule")
	assert.Contains(t, a.Answer.Text, "; 1 failing")
	assert.Contains(t, string(a.Body), "daily countdown: given up on · the channel is archived")

	before := h.slack.count("chat.postMessage")
	a = h.command("USOMEONE", "remind now")
	assert.Contains(t, a.Answer.Text, "No window has opened yet: the first, “1 Week Before Launch”, opens on Tue 24 Nov at 09:00 (Europe/Paris).")

	require.Equal(t, http.StatusOK, h.command(creator, "date 2026-11-22").Status)
	a = h.command("USOMEONE", "remind now")
	require.Equal(t, http.StatusOK, a.Status)
	// Through the outbox: its sender posts it.
	_, err = h.sender(func() time.Time { return testNow }).RunDue(ctx)
	require.NoError(t, err)
	require.Greater(t, h.slack.count("chat.postMessage"), before)
	posts := h.slack.callsOf("chat.postMessage")
	assert.True(t, strings.HasPrefix(posts[len(posts)-1].Form.Get("text"), "3 Days Before Launch: "))
	ts := h.slack.lastTS()
	require.Eventually(t, func() bool {
		rec, err := h.store.Message(context.Background(), testChan, ts)
		return err == nil && rec.Kind == launch.MessageReminder
	}, 5*time.Second, time.Millisecond, "recorded as a reminder: a click on it redraws the reminder")

	a = h.command("USOMEONE", "remind later")
	assert.Contains(t, a.Answer.Text, "Type `remind now`.")
}

// TestRemindNowPostsOncePerRequest: `remind now` goes through the outbox,
// keyed by its request, with a "remind-now" audit event: the same signed
// command sent again posts nothing more, another request posts again.
func TestRemindNowPostsOncePerRequest(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	require.Equal(t, http.StatusOK, h.command(creator, "date 2026-11-22").Status)
	open := schedule.Current(h.launch(), schedule.DefaultTimeOfDay, testNow)
	require.NotEmpty(t, open)
	nowKeys := func() map[string]int {
		out := map[string]int{}
		for k, n := range h.slack.keyed() {
			if strings.HasPrefix(k, fmt.Sprintf("remind:%d:now:", l.ID)) {
				out[k] = n
			}
		}
		return out
	}

	first := h.captureCommand("USOMEONE", "remind now")
	require.Equal(t, http.StatusOK, h.send(first).Status)
	require.Eventually(t, func() bool { return len(nowKeys()) == len(open) }, settle, time.Millisecond)
	a := h.send(first)
	assert.Contains(t, a.Answer.Text, msgReplayedCommand, "the same command sent again")
	require.Equal(t, http.StatusOK, h.command("USOMEONE", "remind now").Status)
	require.Eventually(t, func() bool { return len(nowKeys()) == 2*len(open) }, settle, time.Millisecond)

	for k, n := range nowKeys() {
		assert.Equal(t, 1, n, "%s posted once", k)
	}
	var windows []string
	for _, w := range open {
		windows = append(windows, w.Name)
	}
	asked := h.audited(l.ID, string(launch.KindRemindNow))
	require.Len(t, asked, 2, "one event per request")
	for _, e := range asked {
		assert.Equal(t, "USOMEONE", e.Actor)
		assert.Equal(t, strings.Join(windows, ", "), e.After)
	}
	posts := h.slack.callsOf("chat.postMessage")
	assert.True(t, strings.HasPrefix(posts[len(posts)-1].Form.Get("text"), open[len(open)-1].Name+": "))
}

// TestReminderClickRedrawsTheReminder: a click on a window reminder's
// checkbox ticks the task, and the update that follows shows the reminder
// again, with the box ticked, not a checklist page; its record keeps its
// kind.
func TestReminderClickRedrawsTheReminder(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.newLaunch()
	h.redateEarlier("2026-11-22")
	l := h.launch()
	r := windowReminder(t, l, testNow)
	h.remind(r, testNow)
	ts := h.slack.lastTS()
	rec, err := h.store.Message(ctx, testChan, ts)
	require.NoError(t, err, "the reminder is recorded as a live message")
	assert.Equal(t, launch.MessageReminder, rec.Kind)
	assert.Equal(t, r.Key, rec.View)

	n := clickReminderTask(t, h, l, r, ts, nil)
	rec, err = h.store.Message(ctx, testChan, ts)
	require.NoError(t, err)
	assert.Equal(t, launch.MessageReminder, rec.Kind, "the click keeps the message's kind")
	assert.Equal(t, r.Key, rec.View)

	// A later change elsewhere redraws it as a reminder too.
	other := schedule.Windows(l, schedule.DefaultTimeOfDay)[0].Items[0]
	require.Equal(t, http.StatusOK, h.command(creator, fmt.Sprintf("tick %d", other)).Status)
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return strings.Contains(m.Text, "overdue") && shownDone(t, m)[n]
	}, 5*time.Second, 5*time.Millisecond)
	m, _ := h.slack.message(ts)
	assert.True(t, strings.HasPrefix(m.Text, "3 Days Before Launch: "), m.Text)
}

// TestReminderClickWithoutRecordReadsMetadata: a reminder golive posted
// but has no record of (its record failed, or an older version posted it
// with metadata of its own) is recognised by the metadata of the message
// clicked, and recorded as a reminder.
func TestReminderClickWithoutRecordReadsMetadata(t *testing.T) {
	for name, meta := range map[string]func(l *launch.Launch, r schedule.Reminder) map[string]any{
		"outbox": func(l *launch.Launch, r schedule.Reminder) map[string]any {
			return map[string]any{"event_type": PostEventType,
				"event_payload": map[string]any{"key": delivery.ReminderKey(r, ""), "launch_id": l.ID, "window": r.Key}}
		},
		"before the outbox": func(l *launch.Launch, r schedule.Reminder) map[string]any {
			return map[string]any{"event_type": ReminderEventType,
				"event_payload": map[string]any{"reminder_id": 41, "launch_id": l.ID, "kind": "window", "key": r.Key}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			h := newHarness(t)
			h.newLaunch()
			h.redateEarlier("2026-11-22") // before its windows opened: they are reminded
			l := h.launch()
			r := windowReminder(t, l, testNow)
			h.remind(r, testNow)
			ts := h.slack.lastTS()
			require.NoError(t, h.store.DeleteMessage(ctx, testChan, ts))

			clickReminderTask(t, h, l, r, ts, meta(l, r))
			require.Eventually(t, func() bool {
				rec, err := h.store.Message(ctx, testChan, ts)
				return err == nil && rec.Kind == launch.MessageReminder && rec.View == r.Key
			}, 5*time.Second, 5*time.Millisecond)
		})
	}
}

// clickReminderTask clicks the first task of the reminder's window on
// message ts (with the message metadata meta, when not nil), checks that
// it is ticked and that the message is redrawn as the reminder, and
// returns the task's number.
func clickReminderTask(t *testing.T, h *harness, l *launch.Launch, r schedule.Reminder, ts string, meta map[string]any) int {
	t.Helper()
	w, ok := schedule.Window(l, schedule.DefaultTimeOfDay, r.Key)
	require.True(t, ok)
	n := w.Items[0]
	updates := h.slack.count("chat.update")
	click := h.toggle(creator, ts, n)
	if meta != nil {
		click["message"].(map[string]any)["metadata"] = meta
	}
	require.Equal(t, http.StatusOK, h.interact(click).Status)
	assert.True(t, h.launch().Checklist.Item(n).Done)
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return h.slack.count("chat.update") > updates && shownDone(t, m)[n]
	}, 5*time.Second, 5*time.Millisecond, "the message is redrawn with the task ticked")
	m, _ := h.slack.message(ts)
	assert.True(t, strings.HasPrefix(m.Text, w.Name+": "), "still the reminder, named by its window: %s", m.Text)
	assert.Contains(t, m.Blocks, "⏰ "+w.Name)
	return n
}

// TestApprovalNudgeGoesOutAsARequest: an approval DM reminder sends the
// holder the approval request again and records it as the DM to update; a
// holder who has answered gets nothing; a person Slack cannot reach is
// given up on.
func TestApprovalNudgeGoesOutAsARequest(t *testing.T) {
	ctx := context.Background()
	h := approvalHarness(t)
	h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dms := h.askApprovals()
	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uPM, dms["Product Manager"], render.ActionApprove)).Status)
	require.Eventually(t, func() bool {
		return h.launch().Checklist.Role("Product Manager").Verdict == checklist.VerdictApproved
	}, 5*time.Second, 5*time.Millisecond)
	l := h.launch()

	at := testNow.Add(24 * time.Hour)
	opens := h.slack.count("conversations.open")
	h.nudge(l, uSec, at)
	calls := h.slack.callsOf("conversations.open")
	require.Len(t, calls, opens+1)
	assert.Equal(t, uSec, calls[opens].Form.Get("users"))
	posts := h.slack.callsOf("chat.postMessage")
	assert.True(t, strings.HasPrefix(posts[len(posts)-1].Form.Get("text"), "Your approval is requested as Security Lead"))
	dm, err := h.store.ApprovalDM(ctx, l.ID, "Security Lead")
	require.NoError(t, err)
	assert.Equal(t, h.slack.lastTS(), dm.TS, "the nudge is the DM an answer updates")
	assert.True(t, dm.AskedAt.Equal(at))

	h.nudge(l, uPM, at)
	assert.Equal(t, opens+1, h.slack.count("conversations.open"), "nothing to ask someone who answered")

	h.slack.failNext("conversations.open", 1, fault{slackError: "user_disabled"})
	h.nudge(l, uSec, at.Add(24*time.Hour))
	var failed []string
	for _, p := range h.posts(l.ID) {
		if p.State == outbox.StateFailed {
			failed = append(failed, p.Key)
		}
	}
	day := schedule.LocalDate(l, at.Add(24*time.Hour))
	assert.Equal(t, []string{fmt.Sprintf("remind:%d:approval-dm:%s %s:Security Lead", l.ID, day, uSec)}, failed)
}

// settableClock is a clock tests move by hand.
type settableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *settableClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// TestApprovalNudgesThroughTheRunner runs delivery on the bot's
// database and poster with a fake clock, from `approvals` to past launch
// day: the holder who never answers is asked again once a day, the one
// who answers on the fourth day no more.
func TestApprovalNudgesThroughTheRunner(t *testing.T) {
	ctx := context.Background()
	clock := &settableClock{t: testNow}
	h := newHarness(t, func(c *Config) { c.Now = clock.Now })
	h.store.Now = clock.Now
	dr := h.drive(clock.Now)
	h.newLaunch() // on 2026-12-01, Europe/Paris
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	l := h.launch()
	dms := h.askApprovals()
	// askHolders plans the nudges once the DMs are recorded.
	require.Eventually(t, func() bool {
		rows, err := h.store.Reminders(ctx, l.ID)
		require.NoError(t, err)
		for _, r := range rows {
			if r.Kind == schedule.KindDigest && r.Key == "2026-11-21" && r.State == schedule.StatePending {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "the next digest nudges tomorrow")

	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	runTo := func(end time.Time) { dr.runTo(clock.Set, clock.Now, end) }
	runTo(time.Date(2026, 11, 24, 12, 0, 0, 0, paris))
	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uPM, dms["Product Manager"], render.ActionApprove)).Status)
	require.Eventually(t, func() bool {
		return h.launch().Checklist.Role("Product Manager").Verdict == checklist.VerdictApproved
	}, 5*time.Second, 5*time.Millisecond)
	runTo(time.Date(2026, 12, 10, 0, 0, 0, 0, paris))

	asked := map[string]int{}
	for _, c := range h.slack.callsOf("conversations.open") {
		asked[c.Form.Get("users")]++
	}
	assert.Equal(t, 1+11, asked[uSec], "asked, then nudged each day from 21 Nov to launch day, 1 Dec")
	assert.Equal(t, 1+4, asked[uPM], "asked, then nudged from 21 to 24 Nov, when they answered")
	dm, err := h.store.ApprovalDM(ctx, l.ID, "Security Lead")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 12, 1, 9, 0, 0, 0, paris), dm.AskedAt.In(paris), "last asked on launch day at 09:00")
}
