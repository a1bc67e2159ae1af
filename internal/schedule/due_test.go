package schedule_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

func TestWindowsOpenAtReminderTimeLocal(t *testing.T) {
	cases := []struct {
		name, zone, date string
		// want maps a window to the UTC instant it opens.
		want map[string]string
	}{
		{"New York spring forward", "America/New_York", "2025-03-12", map[string]string{
			"1 Week Before Launch": "2025-03-05T14:00:00Z", // EST, -5
			"3 Days Before Launch": "2025-03-09T13:00:00Z", // the change day: EDT, -4
			"Launch Day":           "2025-03-12T13:00:00Z",
		}},
		{"New York fall back", "America/New_York", "2025-11-09", map[string]string{
			"1 Week Before Launch": "2025-11-02T14:00:00Z", // the change day: EST again
			"3 Days Before Launch": "2025-11-06T14:00:00Z",
		}},
		{"Lord Howe half-hour back", "Australia/Lord_Howe", "2025-04-07", map[string]string{
			"3 Days Before Launch": "2025-04-03T22:00:00Z", // +11
			"1 Day Before Launch":  "2025-04-05T22:30:00Z", // 2025-04-06, +10:30
		}},
		{"Lord Howe half-hour forward", "Australia/Lord_Howe", "2025-10-06", map[string]string{
			"3 Days Before Launch": "2025-10-02T22:30:00Z", // +10:30
			"1 Day Before Launch":  "2025-10-04T22:00:00Z", // 2025-10-05, +11
		}},
		{"Kathmandu", "Asia/Kathmandu", "2025-03-12", map[string]string{
			"Launch Day":  "2025-03-12T03:15:00Z",
			"First Month": "2025-04-11T03:15:00Z",
		}},
		{"Los Angeles", "America/Los_Angeles", "2025-03-10", map[string]string{
			"1 Day Before Launch":  "2025-03-09T16:00:00Z", // PDT
			"1 Week Before Launch": "2025-03-03T17:00:00Z",
		}},
		{"Tokyo", "Asia/Tokyo", "2025-01-01", map[string]string{
			"Launch Day":          "2025-01-01T00:00:00Z",
			"1 Day Before Launch": "2024-12-31T00:00:00Z",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := testLaunch("C1", tc.date, tc.zone)
			ws := schedule.Windows(l, nine)
			require.Len(t, ws, 7)
			launchDay, err := time.ParseInLocation("2006-01-02", tc.date, l.Location())
			require.NoError(t, err)
			for _, w := range ws {
				local := w.Due.In(l.Location())
				assert.Equal(t, "09:00", local.Format("15:04"), w.Name)
				assert.Equal(t, launchDay.AddDate(0, 0, w.OffsetDays()).Format("2006-01-02"), local.Format("2006-01-02"), w.Name)
				if want, ok := tc.want[w.Name]; ok {
					assert.Equal(t, want, w.Due.UTC().Format(time.RFC3339), w.Name)
				}
			}
		})
	}
}

func TestCountdownDaysSkipWindowDays(t *testing.T) {
	l := testLaunch("C1", "2025-03-14", "America/New_York")
	var dates []string
	for _, o := range schedule.CountdownDays(l, nine) {
		dates = append(dates, o.Date)
		assert.Equal(t, "09:00", o.Due.In(l.Location()).Format("15:04"))
	}
	assert.Equal(t, []string{"2025-02-28", "2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04", "2025-03-05",
		"2025-03-06", "2025-03-08", "2025-03-09", "2025-03-10", "2025-03-12"}, dates)
}

func TestCountdownLine(t *testing.T) {
	l := testLaunch("C1", "2025-03-14", "UTC")
	now := time.Date(2025, 3, 11, 9, 0, 0, 0, time.UTC)
	// Security: 0 of 4 done; one gate failing; the role nobody holds is pending too.
	assert.Equal(t, "Launch in 3 days: readiness 0.0%, 1 gate failing, 2 approvals pending", schedule.CountdownLine(l, now))

	// Every item done: the windows due by launch hold more items than
	// Security, so readiness counts them too.
	for _, it := range l.Checklist.Items() {
		it.Done = true
	}
	l.Checklist.Roles[0].Verdict = checklist.VerdictApproved
	assert.Equal(t, "Launch in 1 day: readiness 100.0%, 0 gates failing, 1 approval pending",
		schedule.CountdownLine(l, now.AddDate(0, 0, 2)))
	assert.Equal(t, "Launch day: readiness 100.0%, 0 gates failing, 1 approval pending",
		schedule.CountdownLine(l, now.AddDate(0, 0, 3)))
	assert.Equal(t, "Launched 2 days ago: readiness 100.0%, 0 gates failing, 1 approval pending",
		schedule.CountdownLine(l, now.AddDate(0, 0, 5)))
}

func TestCurrentAndOverdue(t *testing.T) {
	l := testLaunch("C1", "2025-03-14", "UTC")
	beforeAll := time.Date(2025, 3, 7, 8, 59, 0, 0, time.UTC)
	assert.Empty(t, schedule.Current(l, nine, beforeAll))
	assert.Empty(t, schedule.Overdue(l, nine, beforeAll))

	// 2025-03-11 10:00: "3 Days Before Launch" is current, the week's tasks are overdue.
	now := time.Date(2025, 3, 11, 10, 0, 0, 0, time.UTC)
	cur := schedule.Current(l, nine, now)
	require.Len(t, cur, 1)
	assert.Equal(t, "3 Days Before Launch", cur[0].Name)
	assert.Equal(t, []int{5, 6}, numbers(schedule.Overdue(l, nine, now)))

	l.Checklist.Item(5).Done = true
	assert.Equal(t, []int{6}, numbers(schedule.Overdue(l, nine, now)))
	byOwner := schedule.OverdueByOwner(l, nine, now)
	require.Len(t, byOwner, 1)
	assert.Equal(t, "UCAROL", byOwner[0].Owner)

	// An item without owner falls back to its group's, then its section's.
	l.Checklist.Item(6).Owner = ""
	assert.Empty(t, schedule.OverdueByOwner(l, nine, now))
	l.Checklist.Sections[1].Owner = "USAM"
	assert.Equal(t, "USAM", schedule.OverdueByOwner(l, nine, now)[0].Owner)
}

func TestPlanAfterSomeWindowsPassed(t *testing.T) {
	l := testLaunch("C1", "2025-03-14", "UTC")
	l.ID = 7
	// Created on 2025-03-12 at 14:00: the week's and the 3 days' windows have passed.
	now := time.Date(2025, 3, 12, 14, 0, 0, 0, time.UTC)
	var windows, countdowns, digests []string
	for _, r := range schedule.Plan(l, nil, nine, now) {
		assert.Equal(t, int64(7), r.LaunchID)
		switch r.Kind {
		case schedule.KindWindow:
			windows = append(windows, r.Payload.Window)
		case schedule.KindCountdown:
			countdowns = append(countdowns, r.Key)
		case schedule.KindDigest:
			digests = append(digests, r.Key+" "+r.DueAt.Format(time.RFC3339))
		}
	}
	assert.Equal(t, []string{"3 Days Before Launch", "1 Day Before Launch", "Launch Day", "1 Day After Launch", "First Week", "First Month"}, windows)
	assert.Empty(t, countdowns, "2025-03-12 is a countdown day but its time has passed; 03-13 is a window day")
	assert.Equal(t, []string{"2025-03-13 2025-03-13T09:00:00Z"}, digests)

	l.RemindersOff = true
	for _, r := range schedule.Plan(l, nil, nine, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)) {
		assert.NotEqual(t, schedule.KindCountdown, r.Kind, "reminders off: no countdown")
	}
	l.Archived = true
	assert.Empty(t, schedule.Plan(l, nil, nine, now))
}

func TestDecide(t *testing.T) {
	l := testLaunch("C1", "2025-03-14", "UTC")
	now := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)
	window := func(offset int) schedule.Reminder {
		for _, w := range schedule.Windows(l, nine) {
			if w.OffsetMinutes == offset*1440 {
				return schedule.Reminder{Kind: schedule.KindWindow, Key: w.Key, DueAt: w.Due}
			}
		}
		t.Fatalf("no window %d", offset)
		return schedule.Reminder{}
	}
	day := func(k schedule.Kind, date string) schedule.Reminder {
		return schedule.Reminder{Kind: k, Key: date, Payload: schedule.Payload{Day: date}}
	}
	cases := []struct {
		name string
		r    schedule.Reminder
		want schedule.Action
	}{
		{"latest due window posts", window(-3), schedule.Post},
		{"an earlier window is folded", window(-7), schedule.Skip},
		{"a window not due yet waits", window(-1), schedule.Wait},
		{"yesterday's countdown is stale", day(schedule.KindCountdown, "2025-03-10"), schedule.Skip},
		{"today's countdown waits for 09:00", day(schedule.KindCountdown, "2025-03-12"), schedule.Wait},
		{"not a countdown day for this date", day(schedule.KindCountdown, "2025-03-13"), schedule.Skip},
		{"yesterday's digest is stale", day(schedule.KindDigest, "2025-03-11"), schedule.Skip},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, schedule.Decide(l, nil, tc.r, nine, now).Action)
		})
	}
	d := schedule.Decide(l, nil, day(schedule.KindCountdown, "2025-03-12"), nine, now)
	assert.Equal(t, time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC), d.DueAt)
	assert.Equal(t, schedule.Post, schedule.Decide(l, nil, day(schedule.KindCountdown, "2025-03-12"), nine, now.Add(2*time.Hour)).Action)

	l.RemindersOff = true
	assert.Equal(t, schedule.Skip, schedule.Decide(l, nil, day(schedule.KindCountdown, "2025-03-12"), nine, now.Add(2*time.Hour)).Action)
	assert.Equal(t, schedule.Skip, schedule.Decide(nil, nil, window(-3), nine, now).Action, "launch gone")

	// A stale digest's successor is today's, not the day after the stale one.
	next, ok := schedule.Next(l, nil, day(schedule.KindDigest, "2025-03-09"), nine, now)
	require.True(t, ok)
	assert.Equal(t, "2025-03-12", next.Key)
	assert.Equal(t, time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC), next.DueAt)
	next, ok = schedule.Next(l, nil, day(schedule.KindDigest, "2025-03-12"), nine, now.Add(time.Hour))
	require.True(t, ok)
	assert.Equal(t, "2025-03-13", next.Key)
}

// TestDecideApprovalDM: a nudge goes to a holder still owing an answer on
// its own day, and is skipped once they answered, left the role, were
// asked that day already, or the decision was announced.
func TestDecideApprovalDM(t *testing.T) {
	now := time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC)
	l := testLaunch("C1", "2025-03-14", "UTC")
	l.Checklist.Roles[1].Holder = "UFAY"
	erin, fay := l.Checklist.Roles[0], l.Checklist.Roles[1]
	asked := func(r *checklist.Role, at time.Time) launch.ApprovalDM {
		return launch.ApprovalDM{LaunchID: l.ID, Role: r.Name, Holder: r.Holder, ChannelID: "D1", TS: "1", AskedAt: at}
	}
	asks := schedule.Asks{asked(erin, now.AddDate(0, 0, -3)), asked(fay, now.Add(-time.Hour))}
	nudge := func(holder, day string) schedule.Reminder {
		return schedule.Reminder{Kind: schedule.KindApprovalDM, Key: day + " " + holder, DueAt: now,
			Payload: schedule.Payload{Day: day, Owner: holder}}
	}
	assert.Equal(t, []string{"UERIN", "UFAY"}, schedule.Awaiting(l, asks, now))
	assert.Empty(t, schedule.Awaiting(l, nil, now), "nobody is nudged before approvals are asked")
	assert.Equal(t, schedule.Post, schedule.Decide(l, asks, nudge("UERIN", "2025-03-12"), nine, now).Action)
	assert.Equal(t, schedule.Skip, schedule.Decide(l, asks, nudge("UFAY", "2025-03-12"), nine, now).Action, "asked an hour ago")
	assert.Equal(t, schedule.Skip, schedule.Decide(l, asks, nudge("UERIN", "2025-03-11"), nine, now).Action, "stale")
	assert.Equal(t, schedule.Skip, schedule.Decide(l, nil, nudge("UERIN", "2025-03-12"), nine, now).Action, "never asked")

	digest := schedule.Reminder{Kind: schedule.KindDigest, Key: "2025-03-12", DueAt: now}
	var keys []string
	for _, r := range schedule.FanOut(l, asks, digest, nine, now) {
		if r.Kind == schedule.KindApprovalDM {
			keys = append(keys, r.Key)
		}
	}
	assert.Equal(t, []string{"2025-03-12 UERIN"}, keys, "UFAY was asked today already")

	_, err := l.Answer("UERIN", erin.Name, checklist.VerdictApproved, "", now)
	require.NoError(t, err)
	assert.Equal(t, schedule.Skip, schedule.Decide(l, asks, nudge("UERIN", "2025-03-12"), nine, now).Action, "answered")
	assert.Equal(t, schedule.Post, schedule.Decide(l, asks, nudge("UFAY", "2025-03-13"), nine, now.AddDate(0, 0, 1)).Action)
	assert.Equal(t, schedule.Skip, schedule.Decide(l, asks, nudge("UFAY", "2025-03-15"), nine, now.AddDate(0, 0, 3)).Action, "after launch day")
	_, err = l.Announce("UCREATOR", now)
	require.NoError(t, err)
	assert.Equal(t, schedule.Skip, schedule.Decide(l, asks, nudge("UFAY", "2025-03-13"), nine, now.AddDate(0, 0, 1)).Action, "decided")
	assert.Empty(t, schedule.Awaiting(l, asks, now))
}

func TestParseTimeOfDay(t *testing.T) {
	got, err := schedule.ParseTimeOfDay(" 07:30 ")
	require.NoError(t, err)
	assert.Equal(t, schedule.TimeOfDay{Hour: 7, Minute: 30}, got)
	assert.Equal(t, "07:30", got.String())
	for _, bad := range []string{"", "9", "9:5", "24:00", "09:60", "nine", "-1:00"} {
		_, err := schedule.ParseTimeOfDay(bad)
		assert.Error(t, err, bad)
	}
}

// TestSubDayWindowsFollowLaunchTime: a window in hours opens its offset
// from the launch's instant, in elapsed time (on the day clocks go forward
// too); day-sized windows stay at the reminder time of their day; a launch
// stored without a time launches at the reminder time.
func TestSubDayWindowsFollowLaunchTime(t *testing.T) {
	cases := []struct {
		name, date, at, zone string
		want                 map[string]string // window: local opening
	}{
		{"New York, the day clocks go forward", "2025-03-09", "05:00", "America/New_York", map[string]string{
			"1 Day Before Launch": "2025-03-08 09:00 EST",
			"T-4 Hours":           "2025-03-09 00:00 EST", // four hours before 05:00 EDT: the 02:00 hour does not exist
			"Go-Live Day":         "2025-03-09 09:00 EDT",
			"T+1 Hour":            "2025-03-09 06:00 EDT",
		}},
		{"New York, the day clocks go back", "2025-11-02", "03:00", "America/New_York", map[string]string{
			"T-4 Hours": "2025-11-02 00:00 EDT", // 03:00 EST is 08:00Z; four hours before is 04:00Z
			"T+1 Hour":  "2025-11-02 04:00 EST",
		}},
		{"evening launch in Paris", "2026-12-08", "22:30", "Europe/Paris", map[string]string{
			"T-4 Hours": "2026-12-08 18:30 CET",
			"T+1 Hour":  "2026-12-08 23:30 CET",
		}},
		{"no time: the reminder time", "2026-12-08", "", "Europe/Paris", map[string]string{
			"T-4 Hours": "2026-12-08 05:00 CET",
			"T+1 Hour":  "2026-12-08 10:00 CET",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := subDayLaunch(tc.date, tc.at, tc.zone)
			got := map[string]string{}
			for _, w := range schedule.Windows(l, schedule.DefaultTimeOfDay) {
				if _, ok := tc.want[w.Name]; ok {
					got[w.Name] = w.Due.In(l.Location()).Format("2006-01-02 15:04 MST")
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestDatedOverWindowsAreSkippedNotOverdue: windows that had passed when
// the launch was dated are skipped when claimed, and their open tasks are
// overdue for nobody; a window due after the dating still posts.
func TestDatedOverWindowsAreSkippedNotOverdue(t *testing.T) {
	l := subDayLaunch("2026-12-08", "14:00", "UTC")
	// Dated at 09:30: after the day before and Go-Live Day (09:00), before T-4 Hours (10:00).
	l.DatedAt = time.Date(2026, 12, 8, 9, 30, 0, 0, time.UTC)
	tod := schedule.DefaultTimeOfDay
	now := time.Date(2026, 12, 8, 15, 30, 0, 0, time.UTC)
	byName := map[string]schedule.DueWindow{}
	for _, w := range schedule.Windows(l, tod) {
		byName[w.Name] = w
	}
	for name, want := range map[string]schedule.Action{"1 Day Before Launch": schedule.Skip, "Go-Live Day": schedule.Skip, "T+1 Hour": schedule.Post} {
		w := byName[name]
		d := schedule.Decide(l, nil, schedule.Reminder{LaunchID: 1, Kind: schedule.KindWindow, Key: w.Key, DueAt: w.Due}, tod, now)
		assert.Equal(t, want, d.Action, name)
		if want == schedule.Skip {
			assert.Equal(t, "it had passed when the launch was dated, 2026-12-08: no backlog is posted", d.Reason, name)
		}
	}
	var overdue []int
	for _, it := range schedule.Overdue(l, tod, now) {
		overdue = append(overdue, it.Number)
	}
	assert.Equal(t, []int{2}, overdue, "T-4 Hours' task; not those of the windows passed at dating")
}
