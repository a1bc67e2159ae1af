package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// fakeScheduler records the launches the bot asks to plan again.
type fakeScheduler struct {
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
	s := &fakeScheduler{}
	h.bot.SetScheduler(s)
	return s
}

// windowReminder returns the reminder of the launch's window opened last at now.
func windowReminder(t *testing.T, l *launch.Launch, now time.Time) schedule.Reminder {
	t.Helper()
	cur := schedule.Current(l, schedule.DefaultTimeOfDay, now)
	require.NotEmpty(t, cur)
	return schedule.Reminder{ID: 41, LaunchID: l.ID, Kind: schedule.KindWindow, Key: cur[0].Key, DueAt: cur[0].Due}
}

func TestReminderPosterPostsWindowWithMetadata(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	require.Equal(t, http.StatusOK, h.command(creator, "date 2026-11-22").Status)
	l := h.launch()
	r := windowReminder(t, l, testNow)

	p := h.bot.ReminderPoster(schedule.DefaultTimeOfDay)
	require.NoError(t, p.Post(context.Background(), l, r, testNow))
	posts := h.slack.callsOf("chat.postMessage")
	require.NotEmpty(t, posts)
	call := posts[len(posts)-1]
	assert.Equal(t, testChan, call.Form.Get("channel"))
	assert.True(t, strings.HasPrefix(call.Form.Get("text"), "3 Days Before Launch: "), call.Form.Get("text"))
	var meta slack.SlackMetadata
	require.NoError(t, json.Unmarshal([]byte(call.Form.Get("metadata")), &meta))
	assert.Equal(t, ReminderEventType, meta.EventType)
	assert.Equal(t, float64(41), meta.EventPayload["reminder_id"])

	// A click on the reminder's checkboxes ticks the task like the checklist's.
	w, ok := schedule.Window(l, schedule.DefaultTimeOfDay, r.Key)
	require.True(t, ok)
	ts := h.slack.lastTS()
	a := h.interact(h.toggle(creator, ts, w.Items[0]))
	require.Equal(t, http.StatusOK, a.Status)
	assert.True(t, h.launch().Checklist.Item(w.Items[0]).Done)
}

func TestReminderPosterSendsOverdueByDM(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	require.Equal(t, http.StatusOK, h.command(creator, "date 2026-11-22").Status)
	l := h.launch()
	week := schedule.Windows(l, schedule.DefaultTimeOfDay)[0]
	l.Checklist.Item(week.Items[0]).Owner = "UDANA"
	r := schedule.Reminder{ID: 42, LaunchID: l.ID, Kind: schedule.KindOverdueDM, Key: "2026-11-20 UDANA",
		Payload: schedule.Payload{Day: "2026-11-20", Owner: "UDANA"}}

	p := h.bot.ReminderPoster(schedule.DefaultTimeOfDay)
	require.NoError(t, p.Post(context.Background(), l, r, testNow))
	opens := h.slack.callsOf("conversations.open")
	require.Len(t, opens, 1)
	assert.Equal(t, "UDANA", opens[0].Form.Get("users"))
	posts := h.slack.callsOf("chat.postMessage")
	call := posts[len(posts)-1]
	assert.Equal(t, "D1", call.Form.Get("channel"))
	assert.Contains(t, call.Form.Get("text"), "1 task overdue in Checkout v2")
}

func TestReminderPosterFailures(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	r := schedule.Reminder{ID: 43, LaunchID: l.ID, Kind: schedule.KindCountdown, Key: "2026-11-20", Payload: schedule.Payload{Day: "2026-11-20"}}
	p := h.bot.ReminderPoster(schedule.DefaultTimeOfDay)

	h.slack.failNext("chat.postMessage", 1, fault{slackError: "channel_not_found"})
	err := p.Post(context.Background(), l, r, testNow)
	require.Error(t, err)
	assert.True(t, schedule.IsPermanent(err), "a deleted channel never takes the post")

	h.slack.failNext("chat.postMessage", 1, fault{slackError: "not_in_channel"})
	err = p.Post(context.Background(), l, r, testNow)
	require.Error(t, err)
	assert.False(t, schedule.IsPermanent(err), "inviting the bot back fixes it: retried")

	limited := slackFailure("post", &slack.RateLimitedError{RetryAfter: 30 * time.Second})
	assert.False(t, schedule.IsPermanent(limited))
	assert.ErrorContains(t, limited, "retry after 30s")
	assert.False(t, schedule.IsPermanent(slackFailure("post", errors.New("connection reset"))))
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
	withScheduler(t, h)
	h.newLaunch()

	a := h.command("USOMEONE", "schedule")
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "Coming reminders for Checkout v2")

	before := h.slack.count("chat.postMessage")
	a = h.command("USOMEONE", "remind now")
	assert.Contains(t, a.Answer.Text, "No window has opened yet: the first, “1 Week Before Launch”, opens on Tue 24 Nov at 09:00 (Europe/Paris).")

	require.Equal(t, http.StatusOK, h.command(creator, "date 2026-11-22").Status)
	a = h.command("USOMEONE", "remind now")
	require.Equal(t, http.StatusOK, a.Status)
	require.Eventually(t, func() bool { return h.slack.count("chat.postMessage") > before }, 5*time.Second, time.Millisecond)
	posts := h.slack.callsOf("chat.postMessage")
	assert.True(t, strings.HasPrefix(posts[len(posts)-1].Form.Get("text"), "3 Days Before Launch: "))

	a = h.command("USOMEONE", "remind later")
	assert.Contains(t, a.Answer.Text, "Type `remind now`.")
}
