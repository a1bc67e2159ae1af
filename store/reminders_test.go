package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

func reminderAt(launchID int64, kind schedule.Kind, key string, due time.Time) schedule.Reminder {
	return schedule.Reminder{LaunchID: launchID, Kind: kind, Key: key, DueAt: due, Payload: schedule.Payload{Day: key}}
}

func reminderStates(t *testing.T, s *Store, launchID int64) map[string]string {
	t.Helper()
	rows, err := s.Reminders(context.Background(), launchID)
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range rows {
		out[string(r.Kind)+" "+r.Key] = string(r.State) + " " + r.DueAt.Format("15:04")
	}
	return out
}

func TestPlanRemindersKeepsWhatWasSent(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	now := t0
	h := func(n int) time.Time { return now.Truncate(time.Hour).Add(time.Duration(n) * time.Hour) }

	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminderAt(l.ID, schedule.KindWindow, "1.0", h(-1)),
		reminderAt(l.ID, schedule.KindWindow, "1.1", h(2)),
		reminderAt(l.ID, schedule.KindCountdown, "2026-11-20", h(3)),
		reminderAt(l.ID, schedule.KindCountdown, "2026-11-21", h(4)),
	}, now))
	held, err := s.ClaimReminders(ctx, now, time.Minute, 10, nil)
	require.NoError(t, err)
	require.Len(t, held, 1)
	require.NoError(t, s.FinishReminder(ctx, held[0], schedule.Finish{State: schedule.StateSent, At: now}))

	// The date moved: every window later, one countdown gone. What was sent
	// stays sent; what is pending moves; what is not planned any more goes.
	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminderAt(l.ID, schedule.KindWindow, "1.0", h(5)),
		reminderAt(l.ID, schedule.KindWindow, "1.1", h(6)),
		reminderAt(l.ID, schedule.KindCountdown, "2026-11-21", h(7)),
	}, now))
	assert.Equal(t, map[string]string{
		"window 1.0":           "sent 08:00",
		"window 1.1":           "pending 15:00",
		"countdown 2026-11-21": "pending 16:00",
	}, reminderStates(t, s, l.ID))

	err = s.PlanReminders(ctx, 999, []schedule.Reminder{reminderAt(999, schedule.KindWindow, "1.0", h(1))}, now)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
}

func TestPlanRemindersLeavesDueOnesToTheRunner(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	due := reminderAt(l.ID, schedule.KindCountdown, "2026-11-20", t0.Add(-time.Minute))
	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{due}, t0))
	require.NoError(t, s.PlanReminders(ctx, l.ID, nil, t0))
	assert.Len(t, reminderStates(t, s, l.ID), 1, "a due reminder is not dropped by a re-plan")
}

func TestClaimLeaseAndRecovery(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	other, err := Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	a, b := fullLaunch("C1"), fullLaunch("C2")
	require.NoError(t, s.CreateLaunch(ctx, a, "UCREATOR"))
	require.NoError(t, s.CreateLaunch(ctx, b, "UCREATOR"))
	now := t0
	require.NoError(t, s.PlanReminders(ctx, a.ID, []schedule.Reminder{
		reminderAt(a.ID, schedule.KindWindow, "1.0", now.Add(-time.Hour)),
		reminderAt(a.ID, schedule.KindWindow, "1.1", now.Add(time.Hour)),
	}, now))
	require.NoError(t, s.PlanReminders(ctx, b.ID, []schedule.Reminder{
		reminderAt(b.ID, schedule.KindWindow, "1.0", now.Add(-time.Minute)),
	}, now))

	// Launch a is busy here: only b's reminder is claimed.
	got, err := s.ClaimReminders(ctx, now, time.Minute, 10, []int64{a.ID})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, b.ID, got[0].LaunchID)
	assert.Equal(t, schedule.StateClaimed, got[0].State)
	assert.NotEmpty(t, got[0].Token)

	got, err = other.ClaimReminders(ctx, now, time.Minute, 10, nil)
	require.NoError(t, err)
	require.Len(t, got, 1, "b's is held")
	first := got[0]
	assert.Equal(t, a.ID, first.LaunchID)
	require.NoError(t, other.StartPosting(ctx, first))

	next, ok, err := s.NextReminderAt(ctx, nil)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, now.Add(time.Minute), next, "the first lease to run out")

	// The process holding a's reminder dies while posting; its lease runs out.
	later := now.Add(time.Minute)
	got, err = s.ClaimReminders(ctx, later, time.Minute, 10, nil)
	require.NoError(t, err)
	require.Len(t, got, 2, "both expired leases")
	var again schedule.Reminder
	for _, r := range got {
		if r.LaunchID == a.ID {
			again = r
		}
	}
	assert.Equal(t, schedule.StatePosting, again.State, "the runner learns a post may have gone out")
	assert.Equal(t, 1, again.Attempts)

	// The old holder cannot finish what it lost.
	err = other.FinishReminder(ctx, first, schedule.Finish{State: schedule.StateSent, At: later})
	assert.ErrorIs(t, err, schedule.ErrLeaseLost)
	require.NoError(t, s.FinishReminder(ctx, again, schedule.Finish{State: schedule.StateSent, At: later}))
	assert.ErrorIs(t, s.FinishReminder(ctx, again, schedule.Finish{State: schedule.StateSent, At: later}), schedule.ErrLeaseLost)
}

func TestFinishAddsNextAndSkipsCovered(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	now := t0.Truncate(time.Hour)
	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminderAt(l.ID, schedule.KindDigest, "2026-11-20", now),
		reminderAt(l.ID, schedule.KindCountdown, "2026-11-20", now.Add(time.Hour)),
	}, now))
	got, err := s.ClaimReminders(ctx, now, time.Minute, 10, nil)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.NoError(t, s.FinishReminder(ctx, got[0], schedule.Finish{
		State: schedule.StateSent, At: now,
		Next: []schedule.Reminder{
			reminderAt(l.ID, schedule.KindOverdueDM, "2026-11-20 UBOB", now),
			reminderAt(l.ID, schedule.KindDigest, "2026-11-21", now.Add(24*time.Hour)),
		},
		Covers: []schedule.Ref{{Kind: schedule.KindCountdown, Key: "2026-11-20"}},
	}))
	assert.Equal(t, map[string]string{
		"digest 2026-11-20":          "sent 09:00",
		"digest 2026-11-21":          "pending 09:00",
		"overdue-dm 2026-11-20 UBOB": "pending 09:00",
		"countdown 2026-11-20":       "skipped 10:00",
	}, reminderStates(t, s, l.ID))
}

func TestReleaseRetriesLaterOrKeepsDead(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	now := t0
	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminderAt(l.ID, schedule.KindWindow, "1.0", now),
		reminderAt(l.ID, schedule.KindWindow, "1.1", now),
	}, now))
	got, err := s.ClaimReminders(ctx, now, time.Minute, 10, nil)
	require.NoError(t, err)
	require.Len(t, got, 2)
	for _, r := range got {
		require.NoError(t, s.StartPosting(ctx, r))
	}
	require.NoError(t, s.ReleaseReminder(ctx, got[0], schedule.Release{RetryAt: now.Add(30 * time.Second), Error: "ratelimited"}))
	require.NoError(t, s.ReleaseReminder(ctx, got[1], schedule.Release{Dead: true, Error: "channel_not_found"}))

	again, err := s.ClaimReminders(ctx, now.Add(29*time.Second), time.Minute, 10, nil)
	require.NoError(t, err)
	assert.Empty(t, again, "backing off")
	next, ok, err := s.NextReminderAt(ctx, nil)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, now.Add(30*time.Second).Truncate(time.Millisecond), next)
	again, err = s.ClaimReminders(ctx, now.Add(30*time.Second), time.Minute, 10, nil)
	require.NoError(t, err)
	require.Len(t, again, 1)
	assert.Equal(t, got[0].ID, again[0].ID)
	assert.Equal(t, "ratelimited", again[0].LastError)
	assert.Equal(t, 1, again[0].Attempts)
	assert.Equal(t, schedule.StateClaimed, again[0].State)
}
