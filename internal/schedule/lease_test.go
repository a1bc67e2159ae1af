package schedule_test

import (
	"bytes"
	"context"
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
	"github.com/golive/golive/internal/launch"
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

// posterFunc is a Poster made of a function.
type posterFunc func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) error

func (f posterFunc) Post(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) error {
	return f(ctx, l, r, now)
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

// TestSlowPostsDoNotLetAnotherRunnerPostTwice: runner A's posts take 25 s
// each, within the 30 s post timeout, and runner B, on the same database
// file, passes after each of them. When one claim took a whole batch under
// one 2-minute lease that was never renewed, A's lease ran out at its fifth
// DM, and B took that DM (and the rest) and posted it again. Now a claim
// takes only what it can post within its lease, and B posts the DMs A has
// not claimed: every reminder is posted once.
func TestSlowPostsDoNotLetAnotherRunnerPostTwice(t *testing.T) {
	ctx := context.Background()
	c := newClock(leaseDay)
	p := newPoster(c)
	path := dbPath(t)
	var slow atomic.Bool
	var other *schedule.Runner
	a := start(t, path, c, posterFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) error {
		if !slow.Load() {
			return p.Post(ctx, l, r, now)
		}
		c.Set(c.Now().Add(25 * time.Second))
		err := p.Post(ctx, l, r, now)
		// B's pass, on B's own goroutines, while A's post is in flight.
		_, passErr := other.RunDue(ctx)
		assert.NoError(t, passErr)
		return err
	}))
	byB := &counting{Poster: p}
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

// TestExpiredRunnerCannotCompleteWhatAnotherHolds: runner A hangs in its
// first DM's post past the lease (a stalled process), and runner B takes
// A's DMs over and sends them. When A's post then fails, the database
// refuses A's retry of a reminder B has sent, and A's check before each of
// its next posts finds the claim lost: A posts nothing more, nothing is
// posted twice, and nothing is left to retry.
func TestExpiredRunnerCannotCompleteWhatAnotherHolds(t *testing.T) {
	ctx := context.Background()
	c := newClock(leaseDay)
	p := newPoster(c)
	path := dbPath(t)
	var stalled atomic.Bool
	var other *schedule.Runner
	logs := &leaseLog{}
	var byA atomic.Int64
	a := startWith(t, path, c, schedule.Config{
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Poster: posterFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) error {
			if r.Kind == schedule.KindOverdueDM && stalled.CompareAndSwap(false, true) {
				c.Set(c.Now().Add(3 * time.Minute))
				_, err := other.RunDue(ctx)
				assert.NoError(t, err)
				return fmt.Errorf("chat.postMessage: %w", context.DeadlineExceeded)
			}
			byA.Add(1)
			return p.Post(ctx, l, r, now)
		}),
	})
	b := start(t, path, c, p)
	other = b.runner
	l := a.create(t, crowdedLaunch("C1"))
	runUntil(t, c, nineAM.Add(-time.Minute), a)
	before := byA.Load()

	c.Set(nineAM)
	_, err := a.runner.RunDue(ctx)
	require.NoError(t, err)
	require.True(t, stalled.Load())
	assert.Equal(t, before+1, byA.Load(), "A posted the window, and no DM")
	// The retry of the first DM, and the posts of the other two A had claimed.
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

// TestRenewalKeepsALongBatchFromBeingStolen: runner A's first DM post hangs
// while the clock runs past the lease A took its DMs with; its renewal,
// made meanwhile, keeps them. Runner B, passing then, takes only the DMs A
// had not claimed, and A posts its own once it goes on.
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
	a := startWith(t, path, c, schedule.Config{
		RenewAfter: func(d time.Duration) <-chan time.Time {
			assert.Equal(t, 40*time.Second, d, "a third of the lease")
			ch := make(chan time.Time, 1)
			renewals <- ch
			return ch
		},
		Poster: posterFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) error {
			if armed.Load() && r.Kind == schedule.KindOverdueDM {
				if blocked.CompareAndSwap(false, true) {
					close(inPost)
					<-goOn
				}
				mine.Store(r.ID, true)
			}
			return p.Post(ctx, l, r, now)
		}),
	})
	byB := &counting{Poster: p}
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
	waitFor(t, inPost, "A's first DM post")
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
		if r.State == schedule.StateClaimed || r.State == schedule.StatePosting {
			held++
			assert.Equal(t, nineAM.Add(220*time.Second), r.LeaseUntil, "%s: renewed for 2 minutes from 09:01:40", r)
		}
	}
	assert.Equal(t, 3, held, "A's claim: as many DMs as it can post within its lease")

	// Past the lease A took the DMs with (09:02): B takes none of A's.
	c.Set(nineAM.Add(3 * time.Minute))
	n, err := b.runner.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, n, "B posts the five DMs A had not claimed")
	close(goOn)
	require.NoError(t, <-done)

	for id, n := range postsByID(t, p) {
		assert.Equal(t, 1, n, "reminder %d posted %d times", id, n)
	}
	heldByA := 0
	mine.Range(func(any, any) bool { heldByA++; return true })
	assert.Equal(t, 3, heldByA, "A posted the three DMs it held")
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
