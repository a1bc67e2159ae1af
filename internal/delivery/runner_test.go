package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/store"
)

// TestTwoRunnersShareOneDatabase runs two processes on one database file
// through a month of four launches, both passing at every due time at once:
// what they post together is what one runner posts alone, nothing twice.
func TestTwoRunnersShareOneDatabase(t *testing.T) {
	month := func(t *testing.T, runners int) []string {
		c := newClock(time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC))
		p := newPoster(c)
		path := dbPath(t)
		var ins []*instance
		counts := make([]*counting, runners)
		for i := range runners {
			counts[i] = &counting{Transport: p}
			ins = append(ins, start(t, path, c, counts[i]))
		}
		for i, zone := range []string{"America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "Asia/Kathmandu"} {
			ins[0].create(t, testLaunch(fmt.Sprintf("C%d", i), "2025-03-14", zone))
		}
		runUntil(t, c, time.Date(2025, 3, 23, 0, 0, 0, 0, time.UTC), ins...)
		for i, n := range counts {
			t.Logf("runner %d of %d posted %d", i+1, runners, n.n.Load())
		}

		var out []string
		calls := map[int64]int{}
		for _, x := range p.Posts() {
			calls[x.ID]++
			out = append(out, fmt.Sprintf("%d %s %s %s", x.Launch, x.Kind, x.Key, x.Local))
		}
		for id, n := range calls {
			assert.Equal(t, 1, n, "reminder %d posted %d times", id, n)
		}
		sort.Strings(out)
		return out
	}
	alone := month(t, 1)
	together := month(t, 2)
	assert.Greater(t, len(alone), 100)
	assert.Equal(t, alone, together)
}

// counting counts the posts that went through it.
type counting struct {
	outbox.Transport
	n atomic.Int64
}

func (c *counting) Send(ctx context.Context, r outbox.Row) (string, error) {
	ts, err := c.Transport.Send(ctx, r)
	if err == nil {
		c.n.Add(1)
	}
	return ts, err
}

// failFor makes the fake Slack fail the given launch's window posts as
// fails says (by call number, from 1), and take the others.
func failFor(launchID *int64, fails func(call int) error) func(x post, call int) error {
	return func(x post, call int) error {
		if x.Launch == atomic.LoadInt64(launchID) && x.Kind == schedule.KindWindow {
			return fails(call)
		}
		return nil
	}
}

// TestFailedPostsAreRetriedWithBackoff: a window post rate limited three
// times (Retry-After 30 s) then refused a connection twice (2 s doubled
// per attempt) is sent once, at 08:02:18; another launch's posts are on
// time.
func TestFailedPostsAreRetriedWithBackoff(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
	p := newPoster(c)
	var failing int64
	p.fail = failFor(&failing, func(call int) error {
		switch {
		case call <= 3:
			return outbox.RetryAfter(30*time.Second, errors.New("slack: ratelimited"))
		case call <= 5:
			return outbox.NotSent(errors.New("chat.postMessage: connection refused"))
		}
		return nil
	})
	in := start(t, dbPath(t), c, p)
	a := in.create(t, datedOn(testLaunch("CA", "2025-03-14", "UTC"), "2025-03-01"))
	b := in.create(t, datedOn(testLaunch("CB", "2025-03-14", "UTC"), "2025-03-01"))
	atomic.StoreInt64(&failing, a.ID)
	runUntil(t, c, time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC), in)

	var got []string
	for _, x := range p.Posts(schedule.KindWindow) {
		got = append(got, fmt.Sprintf("%d %s %s", x.Launch, x.Window, x.At.Format("15:04:05")))
	}
	assert.Equal(t, []string{
		// Dated before it opened and planned after it (golive was down), the
		// current window is posted at once.
		fmt.Sprintf("%d 3 Days Before Launch 08:00:00", b.ID),
		// Retried at 08:00:30, 08:01:00, 08:01:30 after each 429; then after 16 and 32 s.
		fmt.Sprintf("%d 3 Days Before Launch 08:02:18", a.ID),
		fmt.Sprintf("%d 1 Day Before Launch 09:00:00", b.ID),
		fmt.Sprintf("%d 1 Day Before Launch 09:02:18", a.ID),
	}, got)
	posts, err := in.store.Posts(ctx, a.ID)
	require.NoError(t, err)
	sent := 0
	for _, r := range posts {
		if rem := reminderOf(r.Row); rem.Kind == schedule.KindWindow {
			sent++
			assert.Equal(t, outbox.StateSent, r.State)
			assert.Equal(t, 6, r.Attempts)
			assert.Equal(t, 6, p.calls[rem.ID])
		}
	}
	assert.Equal(t, 2, sent)
}

// TestPermanentFailureIsKeptFailed: a post Slack can never take (the
// channel is gone) is not retried, and kept with its error.
func TestPermanentFailureIsKeptFailed(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
	p := newPoster(c)
	var failing int64
	p.fail = failFor(&failing, func(int) error { return outbox.Refused(errors.New("slack: channel_not_found")) })
	in := start(t, dbPath(t), c, p)
	a := in.create(t, datedOn(testLaunch("CA", "2025-03-14", "UTC"), "2025-03-01"))
	atomic.StoreInt64(&failing, a.ID)
	runUntil(t, c, time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC), in)

	posts, err := in.store.Posts(ctx, a.ID)
	require.NoError(t, err)
	var failed []string
	for _, r := range posts {
		if r.State == outbox.StateFailed {
			failed = append(failed, r.Key+": "+r.LastError)
			assert.Equal(t, 1, p.calls[reminderOf(r.Row).ID], "one attempt only")
		}
	}
	// The current window, posted at once, and the one opening at 09:00.
	assert.Equal(t, []string{
		fmt.Sprintf("remind:%d:window:1.1: slack: channel_not_found", a.ID),
		fmt.Sprintf("remind:%d:window:1.2: slack: channel_not_found", a.ID),
	}, failed)
}

// rendererFunc is a Renderer made of a function returning messages.
type rendererFunc func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error)

func (f rendererFunc) Render(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) (delivery.Rendered, error) {
	msgs, err := f(ctx, l, r, now)
	return delivery.Rendered{Messages: msgs}, err
}

// TestUnrenderableReminderIsKeptDead: a reminder the renderer can never
// render is not retried, and kept dead with its error.
func TestUnrenderableReminderIsKeptDead(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
	p := newPoster(c)
	calls := 0
	in := startWith(t, dbPath(t), c, delivery.Config{Transport: p,
		Renderer: rendererFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
			if r.Kind == schedule.KindWindow {
				calls++
				return nil, delivery.Permanent(errors.New("no such window"))
			}
			return renderer{}.messages(ctx, l, r, now)
		})})
	a := in.create(t, datedOn(testLaunch("CA", "2025-03-14", "UTC"), "2025-03-01"))
	runUntil(t, c, time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC), in)

	rows, err := in.store.Reminders(ctx, a.ID)
	require.NoError(t, err)
	var dead []string
	for _, r := range rows {
		if r.State == schedule.StateDead {
			dead = append(dead, r.Key+": "+r.LastError)
			assert.Equal(t, 1, r.Attempts)
		}
	}
	assert.Equal(t, []string{"1.1: no such window", "1.2: no such window"}, dead)
	assert.Equal(t, 2, calls, "one attempt each")
	assert.Empty(t, p.Posts(schedule.KindWindow))
}

// TestOldestPendingGauge: while a due reminder cannot be rendered, the
// gauge of the oldest unsent reminder grows with its wait; once it is
// handed to the outbox, it is 0.
func TestOldestPendingGauge(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
	p := newPoster(c)
	var failing atomic.Bool
	m := metrics.New("test")
	in := startWith(t, dbPath(t), c, delivery.Config{Transport: p, Metrics: m,
		Renderer: rendererFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
			if r.Kind == schedule.KindWindow && failing.Load() {
				return nil, errors.New("database is locked")
			}
			return renderer{}.messages(ctx, l, r, now)
		})})
	in.create(t, testLaunch("CA", "2025-03-14", "UTC"))
	runUntil(t, c, time.Date(2025, 3, 13, 8, 30, 0, 0, time.UTC), in)
	assert.Equal(t, 0.0, gauge(t, m, "golive_reminders_oldest_pending_seconds"))

	// "1 Day Before Launch" opens at 09:00 and fails until 10:00.
	failing.Store(true)
	runUntil(t, c, time.Date(2025, 3, 13, 9, 10, 0, 0, time.UTC), in)
	_, err := in.runner.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 600.0, gauge(t, m, "golive_reminders_oldest_pending_seconds"))
	pending := gauge(t, m, "golive_reminders_pending")
	assert.Positive(t, pending, "the window and the days still to come")

	failing.Store(false)
	c.Set(time.Date(2025, 3, 13, 10, 0, 0, 0, time.UTC))
	n, err := in.runner.RunDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n, "the window's reminder, then its post")
	assert.Equal(t, 0.0, gauge(t, m, "golive_reminders_oldest_pending_seconds"))
	assert.Less(t, gauge(t, m, "golive_reminders_pending"), pending)
	assert.Equal(t, 0.0, gauge(t, m, "golive_outbox_depth"))
}

// gauge reads an unlabelled gauge from m's registry.
func gauge(t *testing.T, m *metrics.Metrics, name string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no gauge %s", name)
	return 0
}

// TestSlowPostDoesNotHoldUpAnotherLaunch: while one launch's post hangs
// until its timeout, another launch's post goes out.
func TestSlowPostDoesNotHoldUpAnotherLaunch(t *testing.T) {
	c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
	p := newPoster(c)
	var slow int64
	otherPosted := make(chan struct{})
	var sawOther atomic.Bool
	p.fail = func(x post, call int) error {
		if x.Kind != schedule.KindWindow {
			return nil
		}
		if x.Launch != atomic.LoadInt64(&slow) {
			close(otherPosted)
			return nil
		}
		if call > 1 {
			return nil
		}
		// Hang like a dead connection, but notice the other launch's post.
		select {
		case <-otherPosted:
			sawOther.Store(true)
		case <-time.After(5 * time.Second):
		}
		return errors.New("timeout")
	}
	in := startWith(t, dbPath(t), c, delivery.Config{Transport: p, CallTimeout: 10 * time.Second})
	a := in.create(t, testLaunch("CA", "2025-03-14", "UTC"))
	in.create(t, testLaunch("CB", "2025-03-14", "UTC"))
	atomic.StoreInt64(&slow, a.ID)
	c.Set(time.Date(2025, 3, 13, 9, 0, 0, 0, time.UTC))
	_, err := in.runner.RunDue(context.Background())
	require.NoError(t, err)
	assert.True(t, sawOther.Load(), "the other launch posted while the first one hung")
}

// TestDailyRemindersOncePerLocalDay goes through the last two weeks and the
// first days after launch in zones west and east of UTC and across
// daylight-saving changes: one channel post per local day, at 09:00.
func TestDailyRemindersOncePerLocalDay(t *testing.T) {
	cases := []struct{ zone, date, change string }{
		{"America/New_York", "2025-03-14", "2025-03-09"},
		{"America/New_York", "2025-11-10", "2025-11-02"},
		{"Australia/Lord_Howe", "2025-04-10", "2025-04-06"},
		{"Australia/Lord_Howe", "2025-10-10", "2025-10-05"},
		{"Asia/Kathmandu", "2025-03-14", ""},
		{"America/Los_Angeles", "2025-11-10", "2025-11-02"},
		{"Asia/Tokyo", "2025-03-14", ""},
	}
	for _, tc := range cases {
		t.Run(tc.zone+" "+tc.date, func(t *testing.T) {
			launchDay := local(t, tc.zone, tc.date+" 00:00")
			c := newClock(launchDay.AddDate(0, 0, -20))
			p := newPoster(c)
			in := start(t, dbPath(t), c, p)
			in.create(t, testLaunch("C1", tc.date, tc.zone))
			runUntil(t, c, launchDay.AddDate(0, 0, 2), in)

			var days []string
			for _, x := range p.Posts(schedule.KindWindow, schedule.KindCountdown) {
				assert.Equal(t, "09:00", x.Local[11:], x.Local)
				days = append(days, x.Local[:10])
			}
			first := launchDay.AddDate(0, 0, -14).Format("2006-01-02")
			last := launchDay.AddDate(0, 0, 1).Format("2006-01-02")
			assert.Equal(t, daysFrom(first, last), days, "one post a day, -14 to +1")
			if tc.change != "" {
				assert.Contains(t, days, tc.change)
			}
		})
	}
}

// TestRemindersOffAndOn: switching the daily reminders off drops the
// countdowns still to come; on brings them back; windows are unaffected.
func TestRemindersOffAndOn(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	p := newPoster(c)
	in := start(t, dbPath(t), c, p)
	l := in.create(t, testLaunch("C1", "2025-03-14", "UTC"))
	set := func(off bool) {
		_, err := in.store.Update(ctx, l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
			l.RemindersOff = off
			return []launch.Event{{Actor: "UCREATOR", Kind: launch.KindReminders}}, nil
		})
		require.NoError(t, err)
		require.NoError(t, in.runner.Sync(ctx, l.ID))
	}
	set(true)
	runUntil(t, c, time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC), in)
	set(false)
	runUntil(t, c, time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC), in)

	var got []string
	for _, x := range p.Posts(schedule.KindWindow, schedule.KindCountdown) {
		got = append(got, x.Local+" "+string(x.Kind))
	}
	assert.Equal(t, []string{
		"2025-03-06 09:00 countdown",
		"2025-03-07 09:00 window",
		"2025-03-08 09:00 countdown",
	}, got)
}

// TestRunLoop drives Run with a fake timer: it sleeps until the next due
// time (at most 15 s), wakes early when poked, posts, and stops cleanly.
func TestRunLoop(t *testing.T) {
	c := newClock(time.Date(2025, 3, 13, 8, 59, 50, 0, time.UTC))
	p := newPoster(c)
	waits := make(chan time.Duration, 10)
	fire := make(chan time.Time)
	in := startWith(t, dbPath(t), c, delivery.Config{Transport: p, After: func(d time.Duration) <-chan time.Time {
		select {
		case waits <- d:
		default: // the test looks no further
		}
		return fire
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.runner.Run(ctx)
	}()

	// Every pass ends in a wait; a poke may add a pass, never a different wait.
	nextWait := func(want time.Duration, why string) {
		t.Helper()
		for {
			select {
			case d := <-waits:
				if d == want {
					return
				}
				require.Equal(t, 15*time.Second, d, why)
			case <-time.After(5 * time.Second):
				t.Fatalf("no wait of %s: %s", want, why)
			}
		}
	}
	nextWait(15*time.Second, "nothing planned yet")
	in.create(t, testLaunch("C1", "2025-03-20", "UTC")) // Sync pokes
	nextWait(10*time.Second, "the week's window opens at 09:00")

	c.Set(time.Date(2025, 3, 13, 9, 0, 0, 0, time.UTC))
	fire <- c.Now()
	require.Eventually(t, func() bool { return len(p.Posts(schedule.KindWindow)) == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	waitFor(t, done, "Run to stop")
}

// TestPanickingRendererDoesNotCrash: a reminder whose rendering panics is
// kept dead with the panic as its error, and the other reminders go on.
func TestPanickingRendererDoesNotCrash(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
	p := newPoster(c)
	var failing int64
	in := startWith(t, dbPath(t), c, delivery.Config{Transport: p,
		Renderer: rendererFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
			if l.ID == atomic.LoadInt64(&failing) && r.Kind == schedule.KindWindow {
				panic("cannot render")
			}
			return renderer{}.messages(ctx, l, r, now)
		})})
	a := in.create(t, datedOn(testLaunch("CA", "2025-03-14", "UTC"), "2025-03-01"))
	b := in.create(t, datedOn(testLaunch("CB", "2025-03-14", "UTC"), "2025-03-01"))
	atomic.StoreInt64(&failing, a.ID)
	runUntil(t, c, time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC), in)

	rows, err := in.store.Reminders(ctx, a.ID)
	require.NoError(t, err)
	dead := 0
	for _, r := range rows {
		if r.State == schedule.StateDead {
			dead++
			assert.Contains(t, r.LastError, "panic: cannot render")
		}
	}
	assert.Equal(t, 2, dead)
	var others []string
	for _, x := range p.Posts(schedule.KindWindow) {
		assert.Equal(t, b.ID, x.Launch)
		others = append(others, x.Window)
	}
	assert.Equal(t, []string{"3 Days Before Launch", "1 Day Before Launch"}, others)
}

// legacyStore is the real store whose claims return the window reminders
// in StatePosting, as the claim returns those a version that posted
// reminders itself left while posting.
type legacyStore struct{ *store.Store }

func (s legacyStore) ClaimReminders(ctx context.Context, c delivery.ReminderClaim) ([]schedule.Reminder, error) {
	rows, err := s.Store.ClaimReminders(ctx, c)
	for i := range rows {
		if rows[i].Kind == schedule.KindWindow {
			rows[i].State = schedule.StatePosting
		}
	}
	return rows, err
}

// TestReminderLeftPostingIsQueuedInDoubt: a window reminder an older
// version was posting when it stopped may be in Slack already. It is
// queued in doubt: without the history it is not posted again (unknown);
// with it, it is looked for first, and posted as it is not there.
func TestReminderLeftPostingIsQueuedInDoubt(t *testing.T) {
	for _, history := range []bool{false, true} {
		t.Run(fmt.Sprintf("history=%v", history), func(t *testing.T) {
			ctx := context.Background()
			c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
			p := newPoster(c)
			path := dbPath(t)
			in := start(t, path, c, p)
			l := in.create(t, datedOn(testLaunch("C1", "2025-03-14", "UTC"), "2025-03-01"))
			cfg := delivery.Config{Store: legacyStore{in.store}, Renderer: renderer{}, Transport: p, Now: c.Now}
			if history {
				slack := &acceptThenFail{poster: p}
				slack.failed.Store(true) // Slack answers every post
				cfg.Transport, cfg.Lookup = withHistory{slack}, true
			}
			d, err := delivery.New(cfg)
			require.NoError(t, err)
			_, err = d.RunDue(ctx)
			require.NoError(t, err)

			posts, err := in.store.Posts(ctx, l.ID)
			require.NoError(t, err)
			key := fmt.Sprintf("remind:%d:window:1.1", l.ID)
			var state outbox.State
			for _, r := range posts {
				if r.Key == key {
					state = r.State
				}
			}
			if history {
				assert.Equal(t, outbox.StateSent, state)
				assert.Len(t, p.Posts(schedule.KindWindow), 1, "looked for, not found, posted")
				return
			}
			assert.Equal(t, outbox.StateUnknown, state)
			assert.Empty(t, p.Posts(schedule.KindWindow), "never sent blindly again")
		})
	}
}

// TestArchivingDropsRemindersWaiting: a window reminder queued while Slack
// refuses connections is dropped when the launch is archived meanwhile: an
// archived launch is reminded of nothing more.
func TestArchivingDropsRemindersWaiting(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
	p := newPoster(c)
	var down atomic.Bool
	down.Store(true)
	p.fail = func(post, int) error {
		if down.Load() {
			return outbox.NotSent(errors.New("connection refused"))
		}
		return nil
	}
	in := start(t, dbPath(t), c, p)
	l := in.create(t, datedOn(testLaunch("C1", "2025-03-14", "UTC"), "2025-03-01"))
	_, err := in.runner.RunDue(ctx)
	require.NoError(t, err)
	posts, err := in.store.Posts(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, posts, 1, "the window's reminder, waiting for Slack")

	_, err = in.store.Update(ctx, l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Archived = true
		return []launch.Event{{Actor: "UCREATOR", Kind: launch.KindArchive, Launch: l.Name, Before: "active", After: "archived"}}, nil
	})
	require.NoError(t, err)
	require.NoError(t, in.runner.Sync(ctx, l.ID))
	down.Store(false)
	runUntil(t, c, time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), in)
	assert.Empty(t, p.Posts())
	posts, err = in.store.Posts(ctx, l.ID)
	require.NoError(t, err)
	assert.Empty(t, posts)
}
