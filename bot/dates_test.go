package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// TestLaunchDatesOutOfRangeAreRefused: dates far from today (testNow is
// 2026-11-20) are refused with the range allowed, for new and date alike,
// and nothing is stored.
func TestLaunchDatesOutOfRangeAreRefused(t *testing.T) {
	h := newHarness(t)
	for _, date := range []string{"0000-01-01", "0001-01-01", "9999-12-31", "2025-11-19", "2031-11-21"} {
		a := h.command(creator, `new "Absurd" `+date)
		require.Equal(t, http.StatusOK, a.Status)
		assert.Equal(t, "ephemeral", a.Answer.ResponseType, date)
		assert.Contains(t, a.Answer.Text, "is too far from today (2026-11-20): golive takes dates from 2025-11-20 to 2031-11-20.", date)
		_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
		assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), date)
	}
	h.newLaunch()
	a := h.command(creator, "date 9999-12-31")
	assert.Contains(t, a.Answer.Text, "9999-12-31 is too far from today")
	assert.Equal(t, "2026-12-01", h.launch().Date)
	// The edges of the range are accepted.
	require.Contains(t, h.command(creator, "date 2031-11-20").Answer.Text, "moved the launch")
	require.Contains(t, h.command(creator, "date 2025-11-20 confirm").Answer.Text, "moved the launch")
}

// TestPastLaunchDateAsksToConfirm: a date before today is not taken at
// once: golive says what will happen and how to go ahead, for new and date.
func TestPastLaunchDateAsksToConfirm(t *testing.T) {
	h := newHarness(t)
	a := h.command(creator, `new "Late" 2026-11-10 14:00`)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "2026-11-10 is 10 days ago, in the past.")
	assert.Contains(t, a.Answer.Text, "skipped, not posted")
	assert.Contains(t, a.Answer.Text, "`/golive new “Late” 2026-11-10 14:00 confirm`")
	_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	require.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "nothing is created before confirmation")

	a = h.command(creator, `new "Late" 2026-11-10 14:00 confirm`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	l := h.launch()
	assert.Equal(t, "2026-11-10", l.Date)
	assert.Equal(t, "14:00", l.Time)
	assert.Equal(t, testNow, l.DatedAt.UTC())

	a = h.command(creator, "date 2026-11-01")
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "`/golive date 2026-11-01 confirm`")
	assert.Equal(t, "2026-11-10", h.launch().Date, "not moved before confirmation")
	a = h.command(creator, "date 2026-11-01 confirm")
	assert.Contains(t, a.Answer.Text, "moved the launch “Late” from 2026-11-10 14:00 to 2026-11-01 14:00 (19 days ago)")
}

// TestLaunchTimeOfDay: new and date take a time of day; without one a
// launch is at the reminder time; status shows it.
func TestLaunchTimeOfDay(t *testing.T) {
	h := newHarness(t)
	a := h.command(creator, `new "Cutover" 2026-12-08 14:00`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "for 2026-12-08 14:00 (Europe/Paris)")
	assert.Equal(t, "14:00", h.launch().Time)
	h.command(creator, "status")
	require.Eventually(t, func() bool {
		for _, c := range h.slack.callsOf("chat.postMessage") {
			if strings.Contains(c.Form.Get("blocks"), `*Launch date*\n2026-12-08 14:00 (Europe/Paris)`) {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "status shows the launch's time")

	a = h.command(creator, "date 2026-12-09 7:30")
	assert.Contains(t, a.Answer.Text, "from 2026-12-08 14:00 to 2026-12-09 07:30 (in 19 days)")
	assert.Equal(t, "07:30", h.launch().Time)
	a = h.command(creator, "date 2026-12-10")
	assert.Contains(t, a.Answer.Text, "to 2026-12-10 07:30", "a date alone keeps the time")
	a = h.command(creator, "date 2026-12-10 25:00")
	assert.Contains(t, a.Answer.Text, `"25:00" is not a time of day: write it as HH:MM on a 24-hour clock`)
	a = h.command(creator, `new "Other" 2026-12-10 9:5`)
	assert.Contains(t, a.Answer.Text, `"9:5" is not a time of day`)

	h2 := newHarness(t)
	h2.command(creator, `new "Default" 2026-12-08`)
	assert.Equal(t, schedule.DefaultTimeOfDay.String(), h2.launch().Time, "the reminder time")
}

// TestPastLaunchPostsNoBacklog runs delivery on the bot's
// database and poster with a fake clock: a launch dated three weeks ago,
// confirmed, posts no window, no countdown and no overdue DM, at once or
// in the month after.
func TestPastLaunchPostsNoBacklog(t *testing.T) {
	ctx := context.Background()
	clock := &settableClock{t: testNow}
	h := newHarness(t, func(c *Config) { c.Now = clock.Now })
	h.store.Now = clock.Now
	dr := h.drive(clock.Now)

	a := h.command(creator, `new "Late" 2026-10-30 confirm`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	l := h.launch()
	require.Eventually(t, func() bool {
		rows, err := h.store.Reminders(ctx, l.ID)
		require.NoError(t, err)
		return len(rows) > 0
	}, 5*time.Second, 5*time.Millisecond, "the launch's reminders are planned")
	// Give every owner something overdue, were it counted.
	for _, n := range []int{1, 2, 3} {
		require.Equal(t, http.StatusOK, h.command(creator, "owner "+itoa(n)+" <@UDANA>").Status)
	}
	before := len(h.slack.callsOf("chat.postMessage"))

	dr.runTo(clock.Set, clock.Now, testNow.Add(30*24*time.Hour))
	assert.Equal(t, before, len(h.slack.callsOf("chat.postMessage")), "no backlog is posted")
	assert.Empty(t, h.slack.callsOf("conversations.open"), "no overdue DM")
	rows, err := h.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	skipped := 0
	for _, r := range rows {
		if r.Kind == schedule.KindWindow {
			assert.Equal(t, schedule.StateSkipped, r.State, r.Key)
			skipped++
		}
	}
	assert.Equal(t, len(l.Checklist.Windows), skipped, "every passed window is recorded as skipped")
}
