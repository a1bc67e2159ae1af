package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/store"
)

func reminder(launchID int64, kind schedule.Kind, key string, due time.Time) schedule.Reminder {
	return schedule.Reminder{LaunchID: launchID, Kind: kind, Key: key, DueAt: due, Payload: schedule.Payload{Day: key}}
}

func claimReminders(s *store.Store, now time.Time, perLaunch, limit int) ([]schedule.Reminder, error) {
	return s.ClaimReminders(context.Background(),
		delivery.ReminderClaim{Now: now, Lease: time.Minute, PerLaunch: perLaunch, Limit: limit})
}

// reminderStates maps "kind key" to "state HH:MM" (the due time).
func reminderStates(t *testing.T, s *store.Store, launchID int64) map[string]string {
	t.Helper()
	rows, err := s.Reminders(context.Background(), launchID)
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range rows {
		out[string(r.Kind)+" "+r.Key] = string(r.State) + " " + r.DueAt.UTC().Format("15:04")
	}
	return out
}

// Replicas claiming due reminders at once claim disjoint sets that cover
// every due reminder, and nothing that is not due.
func testReminderClaimsAreDisjoint(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	const launches, perLaunch = 4, 10
	now := t0
	due := 0
	for i := range launches {
		l := newLaunch(fmt.Sprintf("C%d", i), 1)
		create(t, stores[0], l)
		var plan []schedule.Reminder
		for k := range perLaunch {
			plan = append(plan, reminder(l.ID, schedule.KindCountdown, fmt.Sprintf("2026-11-%02d", k+1), now.Add(-time.Duration(k)*time.Minute)))
		}
		plan = append(plan, reminder(l.ID, schedule.KindWindow, "1.0", now.Add(time.Hour))) // not due
		require.NoError(t, stores[1].PlanReminders(ctx, l.ID, plan, now))
		due += perLaunch
	}

	var mu sync.Mutex
	claimed := map[int64]int{}
	inParallel(t, 4, func(i int) error {
		for {
			got, err := claimReminders(stores[i%2], now, 2, 3)
			if err != nil || len(got) == 0 {
				return err
			}
			mu.Lock()
			for _, r := range got {
				claimed[r.ID]++
				if r.State != schedule.StateClaimed || r.Token == "" || r.DueAt.After(now) {
					mu.Unlock()
					return fmt.Errorf("claimed %+v", r)
				}
			}
			mu.Unlock()
		}
	})
	assert.Len(t, claimed, due, "every due reminder claimed")
	for id, n := range claimed {
		assert.Equal(t, 1, n, "reminder %d claimed %d times", id, n)
	}
	waiting, err := stores[0].RemindersWaiting(ctx)
	require.NoError(t, err)
	assert.Equal(t, due+launches, waiting, "held and pending ones are all still to do")
}

// A claim whose lease ran out cannot finish: the database refuses it once
// another claim holds the reminder, and the new holder finishes it once.
func testStaleReminderClaimIsFenced(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 1)
	create(t, stores[0], l)
	now := t0
	require.NoError(t, stores[0].PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminder(l.ID, schedule.KindCountdown, "2026-11-20", now),
	}, now))

	stale, err := claimReminders(stores[0], now, 10, 10)
	require.NoError(t, err)
	require.Len(t, stale, 1)
	held, err := claimReminders(stores[1], now.Add(30*time.Second), 10, 10)
	require.NoError(t, err)
	assert.Empty(t, held, "held under its lease")

	later := now.Add(2 * time.Minute)
	fresh, err := claimReminders(stores[1], later, 10, 10)
	require.NoError(t, err)
	require.Len(t, fresh, 1, "the lapsed lease is claimed again")
	assert.NotEqual(t, stale[0].Token, fresh[0].Token)

	err = stores[0].FinishReminder(ctx, stale[0], delivery.ReminderFinish{State: schedule.StateSent, At: later})
	assert.ErrorIs(t, err, delivery.ErrLeaseLost, "the stale claim")
	require.NoError(t, stores[1].FinishReminder(ctx, fresh[0], delivery.ReminderFinish{State: schedule.StateSent, At: later}))
	err = stores[0].FinishReminder(ctx, fresh[0], delivery.ReminderFinish{State: schedule.StateSent, At: later})
	assert.ErrorIs(t, err, delivery.ErrLeaseLost, "finished already")
	assert.Equal(t, map[string]string{"countdown 2026-11-20": "sent 09:30"}, reminderStates(t, stores[0], l.ID))
}

// Planning again moves what is pending, drops what is not planned any
// more, and keeps what was sent.
func testPlanRemindersKeepsWhatWasSent(t *testing.T, open Open) {
	ctx := context.Background()
	s := opened(t, open, 1)[0]
	l := newLaunch("C1", 1)
	create(t, s, l)
	now := t0
	h := func(n int) time.Time { return now.Truncate(time.Hour).Add(time.Duration(n) * time.Hour) }

	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminder(l.ID, schedule.KindWindow, "1.0", h(-1)),
		reminder(l.ID, schedule.KindWindow, "1.1", h(2)),
		reminder(l.ID, schedule.KindCountdown, "2026-11-20", h(3)),
		reminder(l.ID, schedule.KindCountdown, "2026-11-21", h(4)),
	}, now))
	held, err := claimReminders(s, now, 10, 10)
	require.NoError(t, err)
	require.Len(t, held, 1)
	require.NoError(t, s.FinishReminder(ctx, held[0], delivery.ReminderFinish{State: schedule.StateSent, At: now}))

	require.NoError(t, s.PlanReminders(ctx, l.ID, []schedule.Reminder{
		reminder(l.ID, schedule.KindWindow, "1.0", h(5)),
		reminder(l.ID, schedule.KindWindow, "1.1", h(6)),
		reminder(l.ID, schedule.KindCountdown, "2026-11-21", h(7)),
	}, now))
	assert.Equal(t, map[string]string{
		"window 1.0":           "sent 08:00",
		"window 1.1":           "pending 15:00",
		"countdown 2026-11-21": "pending 16:00",
	}, reminderStates(t, s, l.ID))
	next, ok, err := s.NextReminderAt(ctx, nil)
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, h(6).Equal(next), "the next due is %s, not %s", h(6), next)

	err = s.PlanReminders(ctx, 999_999, []schedule.Reminder{reminder(999_999, schedule.KindWindow, "1.0", h(1))}, now)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
}

// tell returns a change that tells a notice keyed key to the launch's channel.
func tell(key string) change {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		l.Tell(launch.Post{Key: key, Kind: launch.PostNotice, Channel: l.ChannelID, Body: []byte(`{"text":"hi"}`)})
		return nil, nil
	}
}

func claimPosts(s *store.Store, now time.Time) ([]outbox.Row, error) {
	return s.ClaimPosts(context.Background(), outbox.Claim{Now: now, Lease: time.Minute, PerDest: 1, Limit: 3})
}

// Posts told by changes are stored once per cause, claimed once by the
// replicas claiming at once, and finished once.
func testPostsAreClaimedOnce(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	const n = 12
	var ids []int64
	for i := range n {
		l := newLaunch(fmt.Sprintf("C%d", i), 1)
		create(t, stores[i%2], l)
		ids = append(ids, l.ID)
		for range 2 { // the same cause told twice is one post
			_, err := stores[(i+1)%2].Update(ctx, l.ID, tell(fmt.Sprintf("notice:%d", i)))
			require.NoError(t, err)
		}
	}
	waiting, err := stores[0].PostsWaiting(ctx)
	require.NoError(t, err)
	assert.Equal(t, n, waiting)

	now := time.Now()
	var mu sync.Mutex
	var rows []outbox.Row
	inParallel(t, 4, func(i int) error {
		for {
			got, err := claimPosts(stores[i%2], now)
			if err != nil || len(got) == 0 {
				return err
			}
			mu.Lock()
			rows = append(rows, got...)
			mu.Unlock()
		}
	})
	seen := map[int64]int{}
	for _, r := range rows {
		seen[r.ID]++
	}
	assert.Len(t, seen, n, "every post claimed")
	for id, c := range seen {
		assert.Equal(t, 1, c, "post %d claimed %d times", id, c)
	}

	for i, r := range rows {
		s := stores[i%2]
		require.NoError(t, s.StartSending(ctx, r, now, time.Minute))
		require.NoError(t, s.FinishPost(ctx, r, outbox.Finish{State: outbox.StateSent, At: now, TS: fmt.Sprintf("1.%d", i)}))
		assert.ErrorIs(t, s.FinishPost(ctx, r, outbox.Finish{State: outbox.StateSent, At: now, TS: "9.9"}), outbox.ErrLeaseLost, "finished already")
		told, err := stores[(i+1)%2].Told(ctx, r.Key)
		require.NoError(t, err)
		assert.True(t, told, r.Key)
	}
	waiting, err = stores[1].PostsWaiting(ctx)
	require.NoError(t, err)
	assert.Zero(t, waiting)
	posts, err := stores[0].Posts(ctx, ids[0])
	require.NoError(t, err)
	require.Len(t, posts, 1)
	assert.Equal(t, outbox.StateSent, posts[0].State)
	assert.Equal(t, "notice:0", posts[0].Key)
	assert.Equal(t, 1, posts[0].Attempts)
	told, err := stores[0].Told(ctx, "notice:never")
	require.NoError(t, err)
	assert.False(t, told)
}

// A claim whose lease ran out can neither start nor finish its post once
// another claim holds it.
func testStalePostClaimIsFenced(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 1)
	create(t, stores[0], l)
	_, err := stores[0].Update(ctx, l.ID, tell("notice:x"))
	require.NoError(t, err)
	now := time.Now()

	mine, err := claimPosts(stores[0], now)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	late := now.Add(3 * time.Minute)
	theirs, err := claimPosts(stores[1], late)
	require.NoError(t, err)
	require.Len(t, theirs, 1)

	assert.ErrorIs(t, stores[0].StartSending(ctx, mine[0], late, time.Minute), outbox.ErrLeaseLost)
	require.NoError(t, stores[1].StartSending(ctx, theirs[0], late, time.Minute))
	assert.ErrorIs(t, stores[0].FinishPost(ctx, mine[0], outbox.Finish{State: outbox.StateSent, At: late, TS: "1.2"}), outbox.ErrLeaseLost)
	require.NoError(t, stores[1].FinishPost(ctx, theirs[0], outbox.Finish{State: outbox.StateSent, At: late, TS: "1.3"}))

	posts, err := stores[0].Posts(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, posts, 1)
	assert.Equal(t, "1.3", posts[0].TS, "the holder's send is the one recorded")
}
