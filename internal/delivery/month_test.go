package delivery_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// TestLaunchMonth runs a launch's whole month with a fake clock: created 20
// days before its date, the date moved once, a restart, and a crash after a
// claim; every post's time and count is checked.
func TestLaunchMonth(t *testing.T) {
	began := time.Now()
	const zone = "America/New_York"
	ctx := context.Background()
	at := func(s string) time.Time { return local(t, zone, s) }
	c := newClock(at("2025-02-20 10:00"))
	p := newPoster(c)
	path := dbPath(t)

	a := start(t, path, c, p)
	l := a.create(t, testLaunch("C1", "2025-03-12", zone))

	// On 2025-03-02 at noon the launch moves two days later, to the 14th.
	runUntil(t, c, at("2025-03-02 12:00"), a)
	_, err := a.store.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.MoveDate("UCREATOR", "2025-03-14", "", now)
	})
	require.NoError(t, err)
	require.NoError(t, a.runner.Sync(ctx, l.ID))

	// On 2025-03-12 at noon UBOB ticks his overdue task 5.
	runUntil(t, c, at("2025-03-10 12:00"), a)

	// Restart: a new process on the same file.
	a.stop()
	b := start(t, path, c, p)
	runUntil(t, c, at("2025-03-12 08:59"), b)

	// A third process claims what is due at 09:00 and dies: its lease runs
	// out at 09:02.
	c.Set(at("2025-03-12 09:00"))
	crashed := start(t, path, c, p)
	held, err := crashed.store.ClaimReminders(ctx, delivery.ReminderClaim{Now: c.Now(), Lease: 2 * time.Minute, PerLaunch: 3, Limit: 100})
	require.NoError(t, err)
	require.Len(t, held, 2, "the day's countdown and digest")
	crashed.stop()

	runUntil(t, c, at("2025-03-12 12:00"), b)
	_, err = b.store.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UBOB", []int{5}, true, now)
	})
	require.NoError(t, err)
	runUntil(t, c, at("2025-04-20 00:00"), b)
	t.Logf("a launch month simulated in %s: %d posts", time.Since(began), len(p.Posts()))

	var channel []string
	for _, x := range p.Posts(schedule.KindWindow, schedule.KindCountdown) {
		what := "countdown"
		if x.Kind == schedule.KindWindow {
			what = x.Window
		}
		channel = append(channel, x.Local+" "+what)
	}
	assert.Equal(t, []string{
		// Countdowns for the first date, the 12th, until the move.
		"2025-02-26 09:00 countdown",
		"2025-02-27 09:00 countdown",
		"2025-02-28 09:00 countdown",
		"2025-03-01 09:00 countdown",
		"2025-03-02 09:00 countdown",
		// The 14th from then on; each local day once.
		"2025-03-03 09:00 countdown",
		"2025-03-04 09:00 countdown",
		"2025-03-05 09:00 countdown",
		"2025-03-06 09:00 countdown",
		"2025-03-07 09:00 1 Week Before Launch",
		"2025-03-08 09:00 countdown",
		"2025-03-09 09:00 countdown", // daylight saving starts
		"2025-03-10 09:00 countdown",
		"2025-03-11 09:00 3 Days Before Launch",
		"2025-03-12 09:02 countdown", // the crashed claim's lease ran out
		"2025-03-13 09:00 1 Day Before Launch",
		"2025-03-14 09:00 Launch Day",
		"2025-03-15 09:00 1 Day After Launch",
		"2025-03-21 09:00 First Week",
		"2025-04-13 09:00 First Month",
	}, channel)

	windows := map[string][]int{}
	for _, x := range p.Posts(schedule.KindWindow) {
		windows[x.Window] = x.Overdue
	}
	assert.Empty(t, windows["1 Week Before Launch"])
	assert.Equal(t, []int{5, 6}, windows["3 Days Before Launch"])
	assert.Equal(t, []int{6, 7, 8}, windows["1 Day Before Launch"], "5 was done on the 12th")
	assert.Equal(t, []int{6, 7, 8, 9, 10, 11, 12, 13}, windows["First Month"])

	// Overdue DMs: one a day per owner, from the day the second window opens.
	dms := map[string][]string{} // owner -> local days
	seen := map[string]bool{}
	for _, x := range p.Posts(schedule.KindOverdueDM) {
		owner := x.Key[len("2025-03-11 "):]
		day, clock := x.Local[:10], x.Local[11:]
		assert.False(t, seen[owner+day], "two DMs to %s on %s", owner, day)
		seen[owner+day] = true
		if day == "2025-03-12" {
			assert.Equal(t, "09:02", clock, "after the crashed claim")
		} else {
			assert.Equal(t, "09:00", clock, x.Key)
		}
		assert.NotEmpty(t, x.Overdue)
		dms[owner] = append(dms[owner], day)
	}
	assert.Equal(t, daysFrom("2025-03-11", "2025-04-19"), dms["UCAROL"], "task 6 stays overdue")
	assert.Equal(t, append([]string{"2025-03-11", "2025-03-12"}, daysFrom("2025-03-14", "2025-04-19")...), dms["UBOB"],
		"no DM on the 13th: task 5 was done, task 9 not overdue yet")
	assert.Equal(t, daysFrom("2025-03-15", "2025-04-19"), dms["UDAN"])
	assert.NotContains(t, dms, "UALICE", "readiness items are not window tasks")

	// Nothing was posted twice, and nothing is left stuck.
	rows, err := b.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	calls := map[int64]int{}
	for _, x := range p.Posts() {
		calls[x.ID]++
	}
	for _, r := range rows {
		assert.LessOrEqual(t, calls[r.ID], 1, r.String())
		switch {
		case r.State == schedule.StateSent && r.Kind != schedule.KindDigest:
			assert.Equal(t, 1, calls[r.ID], r.String())
		case r.State == schedule.StatePending:
			assert.True(t, r.DueAt.After(c.Now()), "%s is pending but was due %s", r, r.DueAt)
		default:
			assert.Contains(t, []schedule.State{schedule.StateSent, schedule.StateSkipped}, r.State, r.String())
		}
	}
}

// daysFrom lists the dates from first to last, both included.
func daysFrom(first, last string) []string {
	d, _ := time.Parse("2006-01-02", first)
	var out []string
	for s := first; s <= last; s = d.Format("2006-01-02") {
		out = append(out, s)
		d = d.AddDate(0, 0, 1)
	}
	return out
}

// TestDowntimeCatchUp: down four days over three windows, the bot posts
// once when back: the latest due window, with the skipped windows' open
// tasks as overdue; stale countdowns and digests are skipped.
func TestDowntimeCatchUp(t *testing.T) {
	const zone = "Asia/Tokyo"
	ctx := context.Background()
	at := func(s string) time.Time { return local(t, zone, s) }
	c := newClock(at("2025-05-25 10:00"))
	p := newPoster(c)
	path := dbPath(t)
	a := start(t, path, c, p)
	l := a.create(t, testLaunch("C1", "2025-06-10", zone))
	runUntil(t, c, at("2025-06-08 08:00"), a)
	a.stop()
	before := len(p.Posts())

	c.Set(at("2025-06-12 08:00"))
	b := start(t, path, c, p)
	runUntil(t, c, at("2025-06-13 00:00"), b)

	var after []string
	for _, x := range p.Posts()[before:] {
		after = append(after, fmt.Sprintf("%s %s %s %v", x.Local, x.Kind, x.Window, x.Overdue))
	}
	sort.Strings(after) // the DMs go out together, each to its own conversation
	assert.Equal(t, []string{
		"2025-06-12 08:00 window 1 Day After Launch [5 6 7 8 9 10 11]",
		"2025-06-12 09:00 overdue-dm  [10]",     // UDAN
		"2025-06-12 09:00 overdue-dm  [5 9 11]", // UBOB
		"2025-06-12 09:00 overdue-dm  [6 7]",    // UCAROL
	}, after)

	rows, err := b.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	notes := map[string]schedule.State{}
	for _, r := range rows {
		if r.DueAt.After(at("2025-06-08 08:00")) && r.DueAt.Before(at("2025-06-12 08:00")) {
			notes[string(r.Kind)+" "+r.Key] = r.State
		}
	}
	assert.Equal(t, map[string]schedule.State{
		"countdown 2025-06-08": schedule.StateSkipped,
		"digest 2025-06-08":    schedule.StateSkipped,
		"window 1.2":           schedule.StateSkipped, // 1 Day Before Launch
		"window 1.3":           schedule.StateSkipped, // Launch Day
		"window 2.0":           schedule.StateSent,    // 1 Day After Launch, posted late
	}, notes)
}

// TestLaunchCreatedLatePostsNoBacklog: a launch created after two windows
// passed posts neither of them: they are recorded as skipped, and their
// tasks are not overdue; the next window is posted when it opens.
func TestLaunchCreatedLatePostsNoBacklog(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 12, 14, 0, 0, 0, time.UTC))
	p := newPoster(c)
	a := start(t, dbPath(t), c, p)
	l := a.create(t, testLaunch("C1", "2025-03-14", "UTC"))
	_, err := a.runner.RunDue(ctx)
	require.NoError(t, err)
	assert.Empty(t, p.Posts())
	runUntil(t, c, time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC), a)

	var got []string
	for _, x := range p.Posts(schedule.KindWindow, schedule.KindCountdown, schedule.KindOverdueDM) {
		got = append(got, fmt.Sprintf("%s %s %v", x.Local, x.Window, x.Overdue))
	}
	assert.Equal(t, []string{"2025-03-13 09:00 1 Day Before Launch []"}, got)
	assert.Equal(t, map[string]string{"1.0": "skipped", "1.1": "skipped", "1.2": "sent"}, windowStates(t, a, l.ID))
}

// TestLaunchDatedInThePastPostsNothing: a launch dated a month ago posts
// no window, no countdown and no overdue DM, then or later.
func TestLaunchDatedInThePastPostsNothing(t *testing.T) {
	c := newClock(time.Date(2025, 4, 14, 10, 0, 0, 0, time.UTC))
	p := newPoster(c)
	a := start(t, dbPath(t), c, p)
	l := a.create(t, testLaunch("C1", "2025-03-14", "UTC"))
	runUntil(t, c, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), a)
	assert.Empty(t, p.Posts(schedule.KindWindow, schedule.KindCountdown, schedule.KindOverdueDM, schedule.KindApprovalDM))
	assert.Equal(t, map[string]string{"1.0": "skipped", "1.1": "skipped", "1.2": "skipped", "1.3": "skipped",
		"2.0": "skipped", "2.1": "skipped", "2.2": "skipped"}, windowStates(t, a, l.ID), "every window is recorded as skipped")
}

// windowStates maps a launch's window reminders, once done, to their states.
func windowStates(t *testing.T, in *instance, launchID int64) map[string]string {
	t.Helper()
	rows, err := in.store.Reminders(context.Background(), launchID)
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range rows {
		if r.Kind != schedule.KindWindow || r.State == schedule.StatePending {
			continue
		}
		out[r.Key] = string(r.State)
	}
	return out
}

// TestFoldedWindowReturnsWhenDateMovesLater: a window folded into a later
// one after downtime was never sent, so moving the launch date later plans
// it again, at its new time.
func TestFoldedWindowReturnsWhenDateMovesLater(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	p := newPoster(c)
	path := dbPath(t)
	a := start(t, path, c, p)
	l := a.create(t, testLaunch("C1", "2025-03-14", "UTC"))
	a.stop()

	// Down from the 1st to the 12th: only "3 Days Before Launch" is posted.
	c.Set(time.Date(2025, 3, 12, 12, 0, 0, 0, time.UTC))
	b := start(t, path, c, p)
	runUntil(t, c, time.Date(2025, 3, 12, 13, 0, 0, 0, time.UTC), b)
	_, err := b.store.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.MoveDate("UCREATOR", "2025-03-21", "", now)
	})
	require.NoError(t, err)
	require.NoError(t, b.runner.Sync(ctx, l.ID))
	runUntil(t, c, time.Date(2025, 3, 19, 0, 0, 0, 0, time.UTC), b)

	var got []string
	for _, x := range p.Posts(schedule.KindWindow) {
		got = append(got, x.Local+" "+x.Window)
	}
	assert.Equal(t, []string{
		"2025-03-12 12:00 3 Days Before Launch",
		"2025-03-14 09:00 1 Week Before Launch", // folded on the 12th, due again for the 21st
	}, got, "3 Days Before Launch was sent: it is not sent again on the 18th")
}

// TestHourWindowsPostAtLaunchTimeAcrossDST runs a launch at 05:00 in New
// York on the day clocks go forward: "T-4 Hours" posts at 00:00 (four
// elapsed hours before), "T+1 Hour" at 06:00, the day-sized windows at the
// reminder time of their days; each once.
func TestHourWindowsPostAtLaunchTimeAcrossDST(t *testing.T) {
	c := newClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	p := newPoster(c)
	a := start(t, dbPath(t), c, p)
	a.create(t, subDayLaunch("2025-03-09", "05:00", "America/New_York"))
	runUntil(t, c, time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC), a)
	var got []string
	for _, x := range p.Posts(schedule.KindWindow) {
		got = append(got, x.Local+" "+x.Window)
	}
	assert.Equal(t, []string{
		"2025-03-08 09:00 1 Day Before Launch",
		"2025-03-09 00:00 T-4 Hours",
		"2025-03-09 06:00 T+1 Hour",
		"2025-03-09 09:00 Go-Live Day",
	}, got)
}
