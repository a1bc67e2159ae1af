package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/internal/schedule"
)

// The lease tests take place on 2025-03-11, when "3 Days Before Launch" of
// a launch on the 14th (UTC) opens at 09:00: the window, the day's countdown
// (covered by the window) and the digest are due, then the digest's eight
// overdue DMs, due at once, claimed by the pass after it.
var (
	leaseDay = time.Date(2025, 3, 11, 8, 0, 0, 0, time.UTC)
	nineAM   = time.Date(2025, 3, 11, 9, 0, 0, 0, time.UTC)
)

// crowdedLaunch is testLaunch, dated on 2025-03-01, with six more owners of
// tasks in "1 Week Before Launch": with UBOB and UCAROL, eight owners have
// overdue tasks once "3 Days Before Launch" opens.
func crowdedLaunch(channel string) *launch.Launch {
	l := datedOn(testLaunch(channel, "2025-03-14", "UTC"), "2025-03-01")
	c := l.Checklist
	number := 0
	for _, s := range c.Sections {
		for _, g := range s.Groups {
			number += len(g.Items)
		}
	}
	week := c.Sections[1].Groups[0]
	for i := 1; i <= 6; i++ {
		number++
		week.Items = append(week.Items, &checklist.Item{Number: number, Text: fmt.Sprintf("Task %d", number),
			Owner: fmt.Sprintf("UOWNER%d", i), Task: true})
		c.Windows[0].Items = append(c.Windows[0].Items, number)
	}
	return l
}

// postsByID counts the posts made of each reminder, and checks that the
// window and the eight DMs of 2025-03-11 are among them.
func postsByID(t *testing.T, p *poster) map[int64]int {
	t.Helper()
	out := map[int64]int{}
	dms := 0
	windows := 0
	for _, x := range p.Posts() {
		out[x.ID]++
		if x.Local[:10] != "2025-03-11" {
			continue
		}
		switch x.Kind {
		case schedule.KindOverdueDM:
			dms++
		case schedule.KindWindow:
			windows++
		}
	}
	assert.GreaterOrEqual(t, dms, 8, "the day's overdue DMs")
	assert.GreaterOrEqual(t, windows, 2, "the late 1-week window at 08:00 and the 3-day one at 09:00")
	return out
}

// slowRenderer is the fake renderer taking d of the fake clock for each
// reminder of a launch, and running another instance's pass meanwhile.
func slowRenderer(c *clock, d time.Duration, slow *atomic.Bool, other **delivery.Delivery, t *testing.T) delivery.Renderer {
	return rendererFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
		if slow.Load() {
			c.Set(c.Now().Add(d))
			_, err := (*other).RunDue(ctx)
			assert.NoError(t, err)
		}
		return renderer{}.messages(ctx, l, r, now)
	})
}

// TestSlowRenderingDoesNotLetAnotherInstanceEnqueueTwice: instance A takes
// 25 s to render each reminder (a busy database), and instance B, on the
// same file, passes during each of them. A claim takes only what it can
// finish within its lease, and B takes the reminders A has not claimed:
// every reminder is posted once.
func TestSlowRenderingDoesNotLetAnotherInstanceEnqueueTwice(t *testing.T) {
	ctx := context.Background()
	c := newClock(leaseDay)
	p := newPoster(c)
	path := dbPath(t)
	var slow atomic.Bool
	var other *delivery.Delivery
	a := startWith(t, path, c, delivery.Config{Transport: p, Renderer: slowRenderer(c, 25*time.Second, &slow, &other, t)})
	byB := &counting{Transport: p}
	b := start(t, path, c, byB)
	other = b.runner
	a.create(t, crowdedLaunch("C1"))
	runUntil(t, c, nineAM.Add(-time.Minute), a)

	c.Set(nineAM)
	slow.Store(true)
	_, err := a.runner.RunDue(ctx)
	require.NoError(t, err)
	slow.Store(false)
	runUntil(t, c, nineAM.Add(time.Hour), a, b)

	for id, n := range postsByID(t, p) {
		assert.Equal(t, 1, n, "reminder %d posted %d times", id, n)
	}
	assert.Positive(t, byB.n.Load(), "B posted some of the day's reminders")
}

// channelRenderer is the fake renderer posting every reminder, DMs
// included, in the launch's channel: one conversation with a long queue.
func channelRenderer() delivery.Renderer {
	return rendererFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
		msgs, err := renderer{}.messages(ctx, l, r, now)
		for i := range msgs {
			msgs[i].Channel, msgs[i].User = l.ChannelID, ""
		}
		return msgs, err
	})
}

// TestSlowSlackTwoInstancesPostEachReminderOnce: two instances, each with
// its reminders and its sender, share one database file; Slack takes 50 s
// of the fake clock to answer each of A's posts, all in one channel, and B
// passes during each of them. A's claim takes as many posts as fit its
// 2-minute lease at the 10 s call timeout (11), so that they outlast it,
// and its lease is not renewed (a stalled renewal): the posts whose lease
// ran out before A reached them are B's, A's check before each post finds
// them lost, and every reminder is posted exactly once, none in doubt.
func TestSlowSlackTwoInstancesPostEachReminderOnce(t *testing.T) {
	ctx := context.Background()
	c := newClock(leaseDay)
	p := newPoster(c)
	path := dbPath(t)
	var down, slow atomic.Bool
	var other *delivery.Delivery
	slack := transportFunc(func(ctx context.Context, r outbox.Row) (string, error) {
		if down.Load() {
			return "", outbox.NotSent(errors.New("connection refused"))
		}
		if slow.Load() {
			c.Set(c.Now().Add(50 * time.Second))
			_, err := other.RunDue(ctx)
			assert.NoError(t, err)
		}
		return p.Send(ctx, r)
	})
	a := startWith(t, path, c, delivery.Config{Renderer: channelRenderer(), CallTimeout: 10 * time.Second,
		RenewAfter: func(time.Duration) <-chan time.Time { return nil }, Transport: slack})
	byB := &counting{Transport: p}
	b := startWith(t, path, c, delivery.Config{Transport: byB, Renderer: channelRenderer()})
	other = b.runner
	l := a.create(t, crowdedLaunch("C1"))
	runUntil(t, c, nineAM.Add(-time.Minute), a)

	// Slack is down at 09:00: the day's reminders queue up in the channel.
	c.Set(nineAM)
	down.Store(true)
	_, err := a.runner.RunDue(ctx)
	require.NoError(t, err)
	waiting, err := a.store.PostsWaiting(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, waiting, 9, "the window and the eight DMs")

	// Back, but slow: A claims them all and works through them one by one.
	down.Store(false)
	c.Set(nineAM.Add(time.Minute))
	slow.Store(true)
	_, err = a.runner.RunDue(ctx)
	require.NoError(t, err)
	slow.Store(false)
	runUntil(t, c, nineAM.Add(time.Hour), a, b)

	for id, n := range postsByID(t, p) {
		assert.Equal(t, 1, n, "reminder %d posted %d times", id, n)
	}
	assert.Positive(t, byB.n.Load(), "B posted what A's lapsed claim still held")
	posts, err := a.store.Posts(ctx, l.ID)
	require.NoError(t, err)
	for _, r := range posts {
		assert.Equal(t, outbox.StateSent, r.State, r.Key)
	}
}

// acceptThenFail is the fake Slack answering 500 after taking the first
// window post: the post is in the channel, and the caller cannot know it.
// With history it can look posts up by key (conversations.history).
type acceptThenFail struct {
	*poster
	failed atomic.Bool
}

func (a *acceptThenFail) Send(ctx context.Context, r outbox.Row) (string, error) {
	ts, err := a.poster.Send(ctx, r)
	if err == nil && reminderOf(r).Kind == schedule.KindWindow && a.failed.CompareAndSwap(false, true) {
		return "", errors.New("slack server error: 500 Internal Server Error")
	}
	return ts, err
}

type withHistory struct{ *acceptThenFail }

func (h withHistory) Find(_ context.Context, r outbox.Row) (string, bool, error) {
	for _, x := range h.Posts() {
		if x.PostKey == r.Key {
			return fmt.Sprint(x.At.Unix()), true, nil
		}
	}
	return "", false, nil
}

// TestSlackErrorAfterAcceptPostsReminderOnce: Slack answers 500 to a window
// reminder it did post. With the history scopes the sender looks it up by
// its key, finds it and records it sent; without them it records its
// outcome as unknown and never sends it again. Either way the channel
// shows it once (a runner that posted reminders itself sent it again).
func TestSlackErrorAfterAcceptPostsReminderOnce(t *testing.T) {
	for _, history := range []bool{true, false} {
		t.Run(fmt.Sprintf("history=%v", history), func(t *testing.T) {
			ctx := context.Background()
			c := newClock(time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC))
			p := newPoster(c)
			slack := &acceptThenFail{poster: p}
			cfg := delivery.Config{Transport: slack}
			if history {
				cfg = delivery.Config{Transport: withHistory{slack}, Lookup: true}
			}
			in := startWith(t, dbPath(t), c, cfg)
			l := in.create(t, datedOn(testLaunch("C1", "2025-03-14", "UTC"), "2025-03-01"))
			runUntil(t, c, time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC), in)

			require.True(t, slack.failed.Load())
			var windows []string
			for _, x := range p.Posts(schedule.KindWindow) {
				windows = append(windows, x.Window)
			}
			assert.Equal(t, []string{"3 Days Before Launch", "1 Day Before Launch"}, windows, "each once")
			posts, err := in.store.Posts(ctx, l.ID)
			require.NoError(t, err)
			first := posts[0]
			for _, r := range posts {
				if r.Key == fmt.Sprintf("remind:%d:window:1.1", l.ID) {
					first = r
				}
			}
			want := outbox.StateUnknown
			if history {
				want = outbox.StateSent
			}
			assert.Equal(t, want, first.State, first.Key)
		})
	}
}

// leaseLog collects what a runner logs, to see the claims it lost.
type leaseLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *leaseLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *leaseLog) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}

// TestExpiredRunnerCannotCompleteWhatAnotherHolds: instance A hangs in its
// first DM's rendering past the lease (a stalled process), and instance B
// takes A's DMs over and sends them. When A goes on, the database refuses
// A's completion of each DM it had claimed, and none of what A rendered
// reaches the outbox: nothing is posted twice, and nothing is left to retry.
func TestExpiredRunnerCannotCompleteWhatAnotherHolds(t *testing.T) {
	ctx := context.Background()
	c := newClock(leaseDay)
	p := newPoster(c)
	path := dbPath(t)
	var stalled atomic.Bool
	var other *delivery.Delivery
	logs := &leaseLog{}
	a := startWith(t, path, c, delivery.Config{
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
		Transport: p,
		Renderer: rendererFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
			if r.Kind == schedule.KindOverdueDM && stalled.CompareAndSwap(false, true) {
				c.Set(c.Now().Add(3 * time.Minute))
				_, err := other.RunDue(ctx)
				assert.NoError(t, err)
			}
			return renderer{}.messages(ctx, l, r, now)
		}),
	})
	b := start(t, path, c, p)
	other = b.runner
	l := a.create(t, crowdedLaunch("C1"))
	runUntil(t, c, nineAM.Add(-time.Minute), a)

	c.Set(nineAM)
	_, err := a.runner.RunDue(ctx)
	require.NoError(t, err)
	require.True(t, stalled.Load())
	// The stalled DM and the other two A had claimed.
	assert.Equal(t, 3, logs.count("claim lost"), logs.buf.String())

	runUntil(t, c, nineAM.Add(time.Hour), a, b)
	for id, n := range postsByID(t, p) {
		assert.Equal(t, 1, n, "reminder %d posted %d times", id, n)
	}
	rows, err := a.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	dms := 0
	for _, r := range rows {
		if r.Kind == schedule.KindOverdueDM {
			dms++
			assert.Equal(t, schedule.StateSent, r.State, "%s: B's send stands", r)
		}
	}
	assert.Equal(t, 8, dms)
}

// TestRenewalKeepsALongBatchFromBeingStolen: instance A's first DM hangs in
// its rendering while the clock runs past the lease A took its DMs with;
// its renewal, made meanwhile, keeps them. Instance B, passing then, takes
// only the DMs A had not claimed, and A enqueues its own once it goes on.
func TestRenewalKeepsALongBatchFromBeingStolen(t *testing.T) {
	ctx := context.Background()
	c := newClock(leaseDay)
	p := newPoster(c)
	path := dbPath(t)
	renewals := make(chan chan time.Time, 100)
	inPost := make(chan struct{})
	goOn := make(chan struct{})
	var armed, blocked atomic.Bool
	var mine sync.Map // reminder id -> posted by A
	a := startWith(t, path, c, delivery.Config{
		RenewAfter: func(d time.Duration) <-chan time.Time {
			assert.Equal(t, 40*time.Second, d, "a third of the lease")
			ch := make(chan time.Time, 1)
			renewals <- ch
			return ch
		},
		Transport: p,
		Renderer: rendererFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
			if armed.Load() && r.Kind == schedule.KindOverdueDM {
				if blocked.CompareAndSwap(false, true) {
					close(inPost)
					<-goOn
				}
				mine.Store(r.ID, true)
			}
			return renderer{}.messages(ctx, l, r, now)
		}),
	})
	byB := &counting{Transport: p}
	b := start(t, path, c, byB)
	l := a.create(t, crowdedLaunch("C1"))
	runUntil(t, c, nineAM.Add(-time.Minute), a)
	for len(renewals) > 0 {
		<-renewals
	}

	c.Set(nineAM)
	armed.Store(true)
	done := make(chan error)
	go func() {
		_, err := a.runner.RunDue(ctx)
		done <- err
	}()
	waitFor(t, inPost, "A's first DM")
	// Each claim asks for its first renewal before its work starts: the
	// last one asked for is the DMs' claim, alive; the digest's is over.
	var live chan time.Time
	for len(renewals) > 0 {
		live = <-renewals
	}
	require.NotNil(t, live)

	c.Set(nineAM.Add(100 * time.Second))
	live <- c.Now()
	waitFor(t, renewals, "the renewal, and the wait for the next one")
	rows, err := a.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	held := 0
	for _, r := range rows {
		if r.State == schedule.StateClaimed {
			held++
			assert.Equal(t, nineAM.Add(220*time.Second), r.LeaseUntil, "%s: renewed for 2 minutes from 09:01:40", r)
		}
	}
	assert.Equal(t, 3, held, "A's claim: as many DMs as it can render within its lease")

	// Past the lease A took the DMs with (09:02): B takes none of A's.
	c.Set(nineAM.Add(3 * time.Minute))
	n, err := b.runner.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 10, n, "B enqueues the five DMs A had not claimed, then posts them")
	close(goOn)
	require.NoError(t, <-done)

	for id, n := range postsByID(t, p) {
		assert.Equal(t, 1, n, "reminder %d posted %d times", id, n)
	}
	heldByA := 0
	mine.Range(func(any, any) bool { heldByA++; return true })
	assert.Equal(t, 3, heldByA, "A rendered the three DMs it held")
	assert.Equal(t, int64(5), byB.n.Load())
}

// waitFor waits for ch to deliver, failing the test after a generous bound
// that only a hang reaches.
func waitFor[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
