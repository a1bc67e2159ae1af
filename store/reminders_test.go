package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

func reminderAt(launchID int64, kind schedule.Kind, key string, due time.Time) schedule.Reminder {
	return schedule.Reminder{LaunchID: launchID, Kind: kind, Key: key, DueAt: due, Payload: schedule.Payload{Day: key}}
}

// claim claims up to limit reminders at now for a minute, leaving out the
// launches in busy.
func claim(ctx context.Context, s *Store, now time.Time, limit int, busy ...int64) ([]schedule.Reminder, error) {
	return s.ClaimReminders(ctx, delivery.ReminderClaim{Now: now, Lease: time.Minute, PerLaunch: limit, Limit: limit, Busy: busy})
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
	held, err := claim(ctx, s, now, 10)
	require.NoError(t, err)
	require.Len(t, held, 1)
	require.NoError(t, s.FinishReminder(ctx, held[0], delivery.ReminderFinish{State: schedule.StateSent, At: now}))

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
	got, err := claim(ctx, s, now, 10, a.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, b.ID, got[0].LaunchID)
	assert.Equal(t, schedule.StateClaimed, got[0].State)
	assert.NotEmpty(t, got[0].Token)

	got, err = claim(ctx, other, now, 10)
	require.NoError(t, err)
	require.Len(t, got, 1, "b's is held")
	first := got[0]
	assert.Equal(t, a.ID, first.LaunchID)
	// An older version starting its post: the row is left "posting".
	_, err = other.writer.ExecContext(ctx, `UPDATE reminders SET state = 'posting' WHERE id = ?`, first.ID)
	require.NoError(t, err)

	next, ok, err := s.NextReminderAt(ctx, nil)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, now.Add(time.Minute), next, "the first lease to run out")

	// The process holding a's reminder dies while posting; its lease runs out.
	later := now.Add(time.Minute)
	got, err = claim(ctx, s, later, 10)
	require.NoError(t, err)
	require.Len(t, got, 2, "both expired leases")
	var again schedule.Reminder
	for _, r := range got {
		if r.LaunchID == a.ID {
			again = r
		}
	}
	assert.Equal(t, schedule.StatePosting, again.State, "delivery learns a post may have gone out")

	// The old holder cannot finish what it lost.
	err = other.FinishReminder(ctx, first, delivery.ReminderFinish{State: schedule.StateSent, At: later})
	assert.ErrorIs(t, err, delivery.ErrLeaseLost)
	require.NoError(t, s.FinishReminder(ctx, again, delivery.ReminderFinish{State: schedule.StateSent, At: later}))
	assert.ErrorIs(t, s.FinishReminder(ctx, again, delivery.ReminderFinish{State: schedule.StateSent, At: later}), delivery.ErrLeaseLost)
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
	got, err := claim(ctx, s, now, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.NoError(t, s.FinishReminder(ctx, got[0], delivery.ReminderFinish{
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
	got, err := claim(ctx, s, now, 10)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.NoError(t, s.ReleaseReminder(ctx, got[0], delivery.ReminderRelease{At: now, RetryAt: now.Add(30 * time.Second), Error: "ratelimited"}))
	require.NoError(t, s.ReleaseReminder(ctx, got[1], delivery.ReminderRelease{At: now, Dead: true, Error: "channel_not_found"}))

	again, err := claim(ctx, s, now.Add(29*time.Second), 10)
	require.NoError(t, err)
	assert.Empty(t, again, "backing off")
	next, ok, err := s.NextReminderAt(ctx, nil)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, now.Add(30*time.Second).Truncate(time.Millisecond), next)
	again, err = claim(ctx, s, now.Add(30*time.Second), 10)
	require.NoError(t, err)
	require.Len(t, again, 1)
	assert.Equal(t, got[0].ID, again[0].ID)
	assert.Equal(t, "ratelimited", again[0].LastError)
	assert.Equal(t, 1, again[0].Attempts)
	assert.Equal(t, schedule.StateClaimed, again[0].State)
}

func TestOldestUnsentDueAndTroubledReminders(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	now := t0
	_, ok, err := s.OldestUnsentDue(ctx, now)
	require.NoError(t, err)
	assert.False(t, ok, "nothing planned")

	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminderAt(l.ID, schedule.KindWindow, "1.0", now.Add(-time.Hour)),
		reminderAt(l.ID, schedule.KindWindow, "1.1", now.Add(-time.Hour)),
		reminderAt(l.ID, schedule.KindCountdown, "2026-11-20", now.Add(-10*time.Minute)),
		reminderAt(l.ID, schedule.KindCountdown, "2026-11-21", now.Add(time.Hour)),
		{LaunchID: l.ID, Kind: schedule.KindApprovalDM, Key: "2026-11-20 UERIN", DueAt: now.Add(-5 * time.Minute),
			Payload: schedule.Payload{Day: "2026-11-20", Owner: "UERIN"}},
	}, now))
	oldest, ok, err := s.OldestUnsentDue(ctx, now)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, now.Add(-time.Hour).Truncate(time.Millisecond), oldest)

	held, err := claim(ctx, s, now, 2)
	require.NoError(t, err)
	require.Len(t, held, 2, "the two windows")
	oldest, _, err = s.OldestUnsentDue(ctx, now)
	require.NoError(t, err)
	assert.Equal(t, now.Add(-time.Hour).Truncate(time.Millisecond), oldest, "a claimed reminder is not sent yet")
	require.NoError(t, s.ReleaseReminder(ctx, held[0], delivery.ReminderRelease{At: now, RetryAt: now.Add(time.Minute), Error: "ratelimited"}))
	require.NoError(t, s.ReleaseReminder(ctx, held[1], delivery.ReminderRelease{At: now, Dead: true, Error: "channel_not_found"}))

	troubled, err := s.TroubledReminders(ctx, l.ID)
	require.NoError(t, err)
	var got []string
	for _, r := range troubled {
		got = append(got, r.Key+" "+string(r.State)+" "+r.LastError)
	}
	assert.Equal(t, []string{"1.0 pending ratelimited", "1.1 dead channel_not_found"}, got)
	oldest, _, err = s.OldestUnsentDue(ctx, now)
	require.NoError(t, err)
	assert.Equal(t, now.Add(-time.Hour).Truncate(time.Millisecond), oldest, "the window waiting for its retry; the dead one is given up")
}

// TestRemindersAndMessagesSurviveTheirMigrations: the reminders and
// bot_messages tables are copied to widen their kinds (0005, 0006); rows
// made before are kept as they were, and the new kinds are taken.
func TestRemindersAndMessagesSurviveTheirMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	old, err := open(ctx, path, ms[:4])
	require.NoError(t, err)
	l := fullLaunch("C1")
	createLegacyLaunch(ctx, t, old.writer, l)
	require.NoError(t, old.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminderAt(l.ID, schedule.KindWindow, "1.0", t0),
		reminderAt(l.ID, schedule.KindCountdown, "2026-11-21", t0.Add(time.Hour)),
	}, t0))
	held, err := claim(ctx, old, t0, 10)
	require.NoError(t, err)
	require.Len(t, held, 1)
	require.NoError(t, old.ReleaseReminder(ctx, held[0], delivery.ReminderRelease{At: t0, RetryAt: t0.Add(time.Minute), Error: "ratelimited"}))
	page := launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1700000000.000100", Kind: launch.MessageChecklist, View: "0.1", PostedAt: t0}
	require.NoError(t, old.SaveMessage(ctx, page))
	before, err := old.Reminders(ctx, l.ID)
	require.NoError(t, err)
	require.NoError(t, old.Close())

	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	after, err := s.Reminders(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	got, err := s.Message(ctx, "C1", page.TS)
	require.NoError(t, err)
	assert.Equal(t, page, got)

	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{{LaunchID: l.ID, Kind: schedule.KindApprovalDM,
		Key: "2026-11-21 UERIN", DueAt: t0.Add(time.Hour), Payload: schedule.Payload{Day: "2026-11-21", Owner: "UERIN"}}}, t0))
	require.NoError(t, s.SaveMessage(ctx, launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1700000000.000200",
		Kind: launch.MessageReminder, View: "1.0", PostedAt: t0}))
	next, ok, err := s.NextReminderAt(ctx, nil)
	require.NoError(t, err)
	require.True(t, ok, "the claim's indexes were made again")
	assert.Equal(t, t0.Add(time.Minute).Truncate(time.Millisecond), next)
}

// TestClaimIsFenced: a claim's token and lease fence every change to its
// rows. Renewal extends a lease still held; once it has run out, the
// database refuses the old holder's renewal, finish (and the posts it
// would enqueue) and release, even before anyone else claims the row, and
// after another instance has, that instance's token alone is taken.
func TestClaimIsFenced(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	other, err := Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	now := t0.Truncate(time.Second)
	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminderAt(l.ID, schedule.KindWindow, "1.0", now),
		reminderAt(l.ID, schedule.KindWindow, "1.1", now),
	}, now))
	at := func(d time.Duration) time.Time { return now.Add(d * time.Second) }
	leases := func() map[string]time.Time {
		rows, err := s.Reminders(ctx, l.ID)
		require.NoError(t, err)
		out := map[string]time.Time{}
		for _, r := range rows {
			out[r.Key] = r.LeaseUntil
		}
		return out
	}

	held, err := claim(ctx, s, now, 10)
	require.NoError(t, err)
	require.Len(t, held, 2)
	first, second := held[0], held[1]
	n, err := s.RenewClaim(ctx, first.Token, at(30), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, map[string]time.Time{"1.0": at(90), "1.1": at(90)}, leases())

	got, err := claim(ctx, other, at(89), 10)
	require.NoError(t, err)
	assert.Empty(t, got, "both leases were extended")

	// At 90 s the leases have run out; nobody has claimed the rows yet.
	post := launch.Post{Key: "remind:1:window:1.1", Kind: launch.PostReminder, Channel: "C1", Body: []byte(`{}`)}
	err = s.FinishReminder(ctx, second, delivery.ReminderFinish{State: schedule.StateSent, At: at(90), Posts: []launch.Post{post}})
	assert.ErrorIs(t, err, delivery.ErrLeaseLost)
	told, err := s.Told(ctx, post.Key)
	require.NoError(t, err)
	assert.False(t, told, "a refused finish enqueues nothing")
	err = s.ReleaseReminder(ctx, second, delivery.ReminderRelease{At: at(100), RetryAt: at(130)})
	assert.ErrorIs(t, err, delivery.ErrLeaseLost)
	n, err = s.RenewClaim(ctx, first.Token, at(100), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "a lease that ran out is never brought back")
	assert.Equal(t, map[string]time.Time{"1.0": at(90), "1.1": at(90)}, leases(), "the refused changes changed nothing")

	// Another instance claims the rows; the old token is refused on them
	// for good, the new one taken.
	got, err = claim(ctx, other, at(100), 10)
	require.NoError(t, err)
	require.Len(t, got, 2)
	taken := got[1]
	assert.Equal(t, second.ID, taken.ID)
	assert.NotEqual(t, second.Token, taken.Token)
	err = s.FinishReminder(ctx, second, delivery.ReminderFinish{State: schedule.StateSent, At: at(101)})
	assert.ErrorIs(t, err, delivery.ErrLeaseLost)
	err = s.ReleaseReminder(ctx, second, delivery.ReminderRelease{At: at(101), Dead: true, Error: "stale"})
	assert.ErrorIs(t, err, delivery.ErrLeaseLost)
	require.NoError(t, other.FinishReminder(ctx, taken, delivery.ReminderFinish{State: schedule.StateSent, At: at(102), Posts: []launch.Post{post}}))
	require.NoError(t, other.FinishReminder(ctx, got[0], delivery.ReminderFinish{State: schedule.StateSkipped, At: at(102)}))
	assert.ErrorIs(t, s.FinishReminder(ctx, first, delivery.ReminderFinish{State: schedule.StateSent, At: at(102)}), delivery.ErrLeaseLost)
	assert.Equal(t, map[string]string{"window 1.0": "skipped 09:30", "window 1.1": "sent 09:30"}, reminderStates(t, s, l.ID))
	posts, err := s.Posts(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, posts, 1, "enqueued with the finish that was taken")
	assert.Equal(t, post.Key, posts[0].Key)
}

// TestClaimTakesAFewOfEachLaunch: a claim takes at most PerLaunch due
// reminders of each launch, the oldest due first, so that no launch's share
// outlasts the lease; other launches' are taken in the same claim.
func TestClaimTakesAFewOfEachLaunch(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	a, b := fullLaunch("C1"), fullLaunch("C2")
	require.NoError(t, s.CreateLaunch(ctx, a, "UCREATOR"))
	require.NoError(t, s.CreateLaunch(ctx, b, "UCREATOR"))
	now := t0.Truncate(time.Hour)
	for _, l := range []*launch.Launch{a, b} {
		var plan []schedule.Reminder
		for i := range 5 {
			plan = append(plan, reminderAt(l.ID, schedule.KindWindow, fmt.Sprintf("1.%d", i), now.Add(-time.Duration(i)*time.Minute)))
		}
		require.NoError(t, s.PlanReminders(ctx, l.ID, plan, now))
	}
	got, err := s.ClaimReminders(ctx, delivery.ReminderClaim{Now: now, Lease: time.Minute, PerLaunch: 2, Limit: 100})
	require.NoError(t, err)
	var keys []string
	for _, r := range got {
		keys = append(keys, fmt.Sprintf("%s %s", r.Key, map[int64]string{a.ID: "a", b.ID: "b"}[r.LaunchID]))
	}
	assert.Equal(t, []string{"1.4 a", "1.4 b", "1.3 a", "1.3 b"}, keys)

	got, err = s.ClaimReminders(ctx, delivery.ReminderClaim{Now: now, Lease: time.Minute, PerLaunch: 2, Limit: 3})
	require.NoError(t, err)
	assert.Len(t, got, 3, "the limit in all")
}
