package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/store"
)

// transport is a fake Transport: send decides each call's fate.
type transport struct {
	mu    sync.Mutex
	sent  []string
	calls int
	send  func(n int, r outbox.Row) error
}

func (tr *transport) Send(_ context.Context, r outbox.Row) (string, error) {
	tr.mu.Lock()
	tr.calls++
	n := tr.calls
	tr.mu.Unlock()
	if tr.send != nil {
		if err := tr.send(n, r); err != nil {
			return "", err
		}
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.sent = append(tr.sent, r.Key)
	return fmt.Sprintf("1700000000.%06d", n), nil
}

func (tr *transport) keys() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.sent...)
}

// setup opens a store with a launch in channel C1 and the posts keys told
// to it, in one change.
func setup(t *testing.T, keys ...string) (*store.Store, int64) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "golive.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	list, _, err := checklist.Parse([]byte("# Plan\n\n## Checks\n\n- [ ] One\n"))
	require.NoError(t, err)
	l := &launch.Launch{TeamID: "T1", ChannelID: "C1", Name: "L", Date: "2026-12-08", Timezone: "UTC", Creator: "U1", Checklist: list}
	require.NoError(t, s.CreateLaunch(ctx, l, "U1"))
	_, err = s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		for _, k := range keys {
			l.Tell(launch.Post{Key: k, Kind: launch.PostNotice, Channel: l.ChannelID, Body: []byte(`{"text":"x"}`)})
		}
		return nil, nil
	})
	require.NoError(t, err)
	return s, l.ID
}

func newSender(t *testing.T, s *store.Store, tr outbox.Transport, c *clock, m *metrics.Metrics) *delivery.Delivery {
	t.Helper()
	sender, err := delivery.New(delivery.Config{Store: s, Renderer: renderer{}, Transport: tr, Now: c.Now, Metrics: m,
		RenewAfter: func(time.Duration) <-chan time.Time { return nil }})
	require.NoError(t, err)
	return sender
}

func states(t *testing.T, s *store.Store, id int64) []outbox.State {
	t.Helper()
	posts, err := s.Posts(context.Background(), id)
	require.NoError(t, err)
	var out []outbox.State
	for _, p := range posts {
		out = append(out, p.State)
	}
	return out
}

// TestPanicKeepsThePost: a transport that panics (a message it cannot
// build) does not lose the post: it is tried again, and sent.
func TestPanicKeepsThePost(t *testing.T) {
	ctx := context.Background()
	s, id := setup(t, "notice:1")
	c := newClock(time.Now())
	tr := &transport{send: func(n int, _ outbox.Row) error {
		if n == 1 {
			panic("cannot render")
		}
		return nil
	}}
	sender := newSender(t, s, tr, c, nil)
	_, err := sender.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, []outbox.State{outbox.StatePending}, states(t, s, id))
	c.Add(time.Minute)
	_, err = sender.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"notice:1"}, tr.keys())
	assert.Equal(t, []outbox.State{outbox.StateSent}, states(t, s, id))
}

// TestLapsedClaimPostsNothingMore: a sender checks it still holds its
// claim before each post: once the lease ran out (a stalled process, no
// renewal), the rows it has not posted yet are left to whoever claims them.
func TestLapsedClaimPostsNothingMore(t *testing.T) {
	ctx := context.Background()
	s, id := setup(t, "notice:1", "notice:2", "notice:3")
	c := newClock(time.Now())
	fresh := &transport{}
	second := newSender(t, s, fresh, c, nil)
	slow := &transport{send: func(n int, _ outbox.Row) error {
		if n == 1 {
			// The first post takes longer than the lease, and meanwhile
			// another sender claims what the first one holds.
			c.Add(5 * time.Minute)
			_, err := second.RunDue(ctx)
			require.NoError(t, err)
		}
		return nil
	}}
	first := newSender(t, s, slow, c, nil)
	_, err := first.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"notice:1"}, slow.keys(), "nothing more once the claim lapsed")
	assert.ElementsMatch(t, []string{"notice:2", "notice:3"}, fresh.keys())
	// The first post was being sent when its lease lapsed: the second
	// sender cannot look it up, and does not send it again; the first
	// sender's late finish is refused.
	assert.Equal(t, []outbox.State{outbox.StateUnknown, outbox.StateSent, outbox.StateSent}, states(t, s, id))
}

// TestRenewalKeepsALongBatch: renewed in time, a claim keeps its rows
// however long the batch takes.
func TestRenewalKeepsALongBatch(t *testing.T) {
	ctx := context.Background()
	s, id := setup(t, "notice:1", "notice:2", "notice:3")
	c := newClock(time.Now())
	renew := make(chan time.Time)
	var rivalSent []string
	rival := &transport{}
	rivalSender := newSender(t, s, rival, c, nil)
	tr := &transport{send: func(n int, _ outbox.Row) error {
		c.Add(90 * time.Second) // each post takes most of the 2-minute lease
		renew <- c.Now()        // the renewal fires, and is done before the next post
		renew <- c.Now()
		_, err := rivalSender.RunDue(ctx)
		require.NoError(t, err)
		return nil
	}}
	sender, err := delivery.New(delivery.Config{Store: s, Renderer: renderer{}, Transport: tr, Now: c.Now,
		RenewAfter: func(time.Duration) <-chan time.Time { return renew }})
	require.NoError(t, err)
	_, err = sender.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"notice:1", "notice:2", "notice:3"}, tr.keys())
	assert.Equal(t, rivalSent, rival.keys(), "the rival took nothing")
	assert.Equal(t, []outbox.State{outbox.StateSent, outbox.StateSent, outbox.StateSent}, states(t, s, id))
}

// TestNotSentIsRetriedUntilMaxAge: a post that never reaches Slack is
// tried again with backoff, and failed once it is a day old.
func TestNotSentIsRetriedUntilMaxAge(t *testing.T) {
	ctx := context.Background()
	s, id := setup(t, "notice:1")
	c := newClock(time.Now())
	m := metrics.New("test")
	tr := &transport{send: func(int, outbox.Row) error { return outbox.NotSent(errors.New("connection refused")) }}
	sender := newSender(t, s, tr, c, m)
	for range 10 {
		_, err := sender.RunDue(ctx)
		require.NoError(t, err)
		c.Add(10 * time.Minute)
	}
	assert.Equal(t, []outbox.State{outbox.StatePending}, states(t, s, id))
	calls := tr.calls
	assert.Equal(t, 10, calls, "tried at every pass once the backoff passed")
	c.Add(24 * time.Hour)
	_, err := sender.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, []outbox.State{outbox.StateFailed}, states(t, s, id))
}

// TestRunStopsWithItsContext: Run returns once its context ends, after the
// call in flight.
func TestRunStopsWithItsContext(t *testing.T) {
	s, _ := setup(t, "notice:1")
	started, release := make(chan struct{}), make(chan struct{})
	tr := &transport{send: func(int, outbox.Row) error {
		close(started)
		<-release
		return nil
	}}
	sender, err := delivery.New(delivery.Config{Store: s, Renderer: renderer{}, Transport: tr})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sender.Run(ctx)
	}()
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned with a call in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-done
	assert.Equal(t, []string{"notice:1"}, tr.keys())
}

// fenceSeer is a fake transport that records whether each send's context
// was fenced, and can look posts up when asked to.
type fenceSeer struct {
	mu     sync.Mutex
	fenced []bool
	by     []time.Time
}

func (f *fenceSeer) Send(ctx context.Context, _ outbox.Row) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	by, fenced := outbox.FencedBy(ctx)
	f.fenced = append(f.fenced, fenced)
	f.by = append(f.by, by)
	return "1700000000.000001", nil
}

func (f *fenceSeer) Find(context.Context, outbox.Row) (string, bool, error) { return "", false, nil }

// TestSendsAreFencedWhenPostsAreLookedUp: with look-ups on, another sender
// may send a post once its lease lapsed, so each send carries the end of
// its bound as a fence (a call that has not left by then must not leave);
// without them, nobody sends it again, and a late send is not fenced.
func TestSendsAreFencedWhenPostsAreLookedUp(t *testing.T) {
	for _, lookup := range []bool{true, false} {
		ctx := context.Background()
		s, _ := setup(t, "notice:1")
		c := newClock(time.Now())
		tr := &fenceSeer{}
		sender, err := delivery.New(delivery.Config{Store: s, Renderer: renderer{}, Transport: tr, Lookup: lookup, Now: c.Now,
			RenewAfter: func(time.Duration) <-chan time.Time { return nil }})
		require.NoError(t, err)
		_, err = sender.RunDue(ctx)
		require.NoError(t, err)
		assert.Equal(t, []bool{lookup}, tr.fenced, "look-ups %v", lookup)
		if lookup {
			assert.Equal(t, c.Now().Add(30*time.Second), tr.by[0], "by the end of the call's bound, on the sender's clock")
		}
	}
}
