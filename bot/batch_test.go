package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/store"
	"github.com/golive/golive/store/pgtest"
)

func TestBatcherKeepsEachChangesOwnAnswer(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	items := l.Checklist.Items()[:40]
	refused := launch.Errorf(launch.EFORBIDDEN, "no")

	var wg sync.WaitGroup
	errs := make([]error, len(items))
	for i, it := range items {
		wg.Go(func() {
			_, errs[i] = h.bot.batch.apply(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				if i%2 == 1 {
					return nil, refused
				}
				return l.SetDone("UEVE", []int{it.Number}, true, now)
			})
		})
	}
	wg.Wait()

	got := h.launch()
	for i, it := range items {
		if i%2 == 1 {
			assert.ErrorIs(t, errs[i], refused)
			assert.False(t, got.Checklist.Item(it.Number).Done)
		} else {
			assert.NoError(t, errs[i])
			assert.True(t, got.Checklist.Item(it.Number).Done)
		}
	}
	audit, err := h.store.Audit(context.Background(), l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1+len(items)/2, "one create, one tick per accepted change")
	// The last run answers its changes before it tidies its queue away.
	assert.Eventually(t, func() bool {
		h.bot.batch.mu.Lock()
		defer h.bot.batch.mu.Unlock()
		return h.bot.batch.running == 0 && len(h.bot.batch.held) == 0 && len(h.bot.batch.waiting) == 0 && len(h.bot.batch.order) == 0
	}, 5*time.Second, time.Millisecond, "no batch left running")
}

// brokenStore fails every Update, as a full disk would.
type brokenStore struct{ *store.Store }

func (brokenStore) Update(context.Context, int64, func(*launch.Launch, time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	return nil, errors.New("update launch: disk I/O error")
}

func (brokenStore) UpdateMany(context.Context, []launch.Changes) ([][]error, error) {
	return nil, errors.New("update launch: disk I/O error")
}

func TestBatcherFailedCommitFailsEveryChange(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	bt := newBatcher(brokenStore{h.store}, time.Second, &h.bot.wg, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			events, err := bt.apply(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				return l.SetDone("UEVE", []int{i + 1}, true, now)
			})
			assert.ErrorContains(t, err, "disk I/O error")
			assert.Empty(t, events)
		})
	}
	wg.Wait()
	assert.False(t, h.launch().Checklist.Item(1).Done)
}

// A change of a shared transaction that fails halfway, by a panic (a bug)
// or an error, leaves nothing of itself: the changes batched with it,
// a signed click among them, are stored with their audit rows, and its
// user is told that nothing was changed, without the panic's detail.
func TestBatcherUndoesAChangeThatFailsHalfway(t *testing.T) {
	for _, tc := range []struct {
		name string
		// fail ticks item n as UBAD, then fails.
		fail func(l *launch.Launch, n int, now time.Time) ([]launch.Event, error)
		want string // what UBAD is told
	}{
		{"panic", func(l *launch.Launch, n int, now time.Time) ([]launch.Event, error) {
			if _, err := l.SetDone("UBAD", []int{n}, true, now); err != nil {
				return nil, err
			}
			panic("a bug halfway through a change")
		}, launch.ErrorMessage(assert.AnError)},
		{"error", func(l *launch.Launch, n int, now time.Time) ([]launch.Event, error) {
			events, err := l.SetDone("UBAD", []int{n}, true, now)
			if err != nil {
				return nil, err
			}
			l.Name = "Renamed halfway"
			return events, launch.Errorf(launch.ECONFLICT, "Refused halfway; nothing was changed.")
		}, "Refused halfway; nothing was changed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			l := h.newLaunch()
			ts := h.postChecklist("")
			nums := firstItems(l, 4)
			first, bad, clicked, good := nums[0], nums[1], nums[2], nums[3]
			ctx := context.Background()
			queued := func(n int) func() bool {
				return func() bool {
					h.bot.batch.mu.Lock()
					defer h.bot.batch.mu.Unlock()
					return len(h.bot.batch.waiting[l.ID]) == n
				}
			}

			// A first change holds the launch's transaction, so that the
			// three after it queue up and share the next one.
			started, release := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				_, err := h.bot.batch.apply(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					close(started)
					<-release
					return l.SetDone("UFIRST", []int{first}, true, now)
				})
				assert.NoError(t, err)
			})
			<-started
			var badErr error
			var badEvents []launch.Event
			wg.Go(func() {
				badEvents, badErr = h.bot.batch.apply(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					return tc.fail(l, bad, now)
				})
			})
			require.Eventually(t, queued(1), 5*time.Second, time.Millisecond)
			var clickAck ack
			wg.Go(func() { clickAck = h.interact(h.toggle(creator, ts, clicked)) })
			require.Eventually(t, queued(2), 5*time.Second, time.Millisecond)
			var goodErr error
			wg.Go(func() {
				_, goodErr = h.bot.batch.apply(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					return l.SetDone("UGOOD", []int{good}, true, now)
				})
			})
			require.Eventually(t, queued(3), 5*time.Second, time.Millisecond)
			close(release)
			wg.Wait()

			require.Error(t, badErr)
			assert.Empty(t, badEvents)
			msg := userMessage(badErr)
			assert.Equal(t, tc.want, msg)
			assert.Contains(t, msg, "nothing was changed")
			assert.NotContains(t, msg, "panic")
			assert.NotContains(t, msg, "goroutine")
			assert.NoError(t, goodErr)
			assert.Equal(t, http.StatusOK, clickAck.Status)

			got := h.launch()
			assert.Equal(t, "Checkout v2", got.Name)
			assert.True(t, got.Checklist.Item(first).Done)
			assert.False(t, got.Checklist.Item(bad).Done, "nothing of the failed change is stored")
			assert.True(t, got.Checklist.Item(clicked).Done, "the click batched with it is stored")
			assert.True(t, got.Checklist.Item(good).Done)
			assert.Equal(t, "UGOOD", got.Checklist.Item(good).DoneBy)

			audit, err := h.store.Audit(ctx, l.ID)
			require.NoError(t, err)
			ticked := map[string]string{}
			for _, e := range audit {
				if e.Kind != launch.KindCreate {
					ticked[e.Actor] = e.Subject()
				}
			}
			assert.Equal(t, map[string]string{
				"UFIRST": "item " + itoa(first), creator: "item " + itoa(clicked), "UGOOD": "item " + itoa(good),
			}, ticked, "one audit row per stored change, none for the failed one")

			// The clicker gets the usual answer: the message updated, no error.
			assert.Eventually(t, func() bool { return shownDone(t, mustMessage(t, h, ts))[clicked] }, 5*time.Second, 5*time.Millisecond)
			assert.Empty(t, h.slack.responses(t), "no error told to anyone in the channel")
		})
	}
}

func mustMessage(t *testing.T, h *harness, ts string) fakeMessage {
	t.Helper()
	m, ok := h.slack.message(ts)
	require.True(t, ok)
	return m
}

// recordingStore is the real store that records what each UpdateMany
// carried: the launches, and how many changes for each.
type recordingStore struct {
	*store.Store
	mu      sync.Mutex
	batches [][]launch.Changes
}

func (s *recordingStore) UpdateMany(ctx context.Context, batch []launch.Changes) ([][]error, error) {
	s.mu.Lock()
	s.batches = append(s.batches, batch)
	s.mu.Unlock()
	return s.Store.UpdateMany(ctx, batch)
}

// transactions returns, for each UpdateMany so far, its launches' ids and
// their numbers of changes.
func (s *recordingStore) transactions() (ids [][]int64, changes [][]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.batches {
		var is []int64
		var cs []int
		for _, lc := range b {
			is = append(is, lc.ID)
			cs = append(cs, len(lc.Fns))
		}
		ids, changes = append(ids, is), append(changes, cs)
	}
	return ids, changes
}

func recording(rec **recordingStore) harnessOption {
	return func(c *Config) {
		*rec = &recordingStore{Store: c.Store.(*store.Store)}
		c.Store = *rec
	}
}

// holdWriter starts, on wg, a change to launch id that holds the writer
// until release is called, so that the changes applied meanwhile queue up
// for the next transaction.
func holdWriter(t *testing.T, h *harness, wg *sync.WaitGroup, id int64) (release func()) {
	started, held := make(chan struct{}), make(chan struct{})
	wg.Go(func() {
		_, err := h.bot.batch.apply(context.Background(), id, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			close(started)
			<-held
			return l.SetDone("UFIRST", []int{1}, true, now)
		})
		assert.NoError(t, err)
	})
	<-started
	return func() { close(held) }
}

// waitingLaunches is how many launches have changes waiting.
func waitingLaunches(bt *batcher) int {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	return len(bt.order)
}

// The changes that arrive for several launches while a transaction runs
// share the next one, each launch's in order and each on its own: a panic
// or an error in one launch's change leaves the other launches' changes,
// and its own launch's other changes, stored.
func TestBatcherSharesTransactionsAcrossLaunches(t *testing.T) {
	var rec *recordingStore
	h := newHarness(t, recording(&rec))
	ctx := context.Background()
	ids := make([]int64, 5)
	for i := range ids {
		l, _ := h.launchWithChecklist(fmt.Sprintf("CSHARE%d", i), fmt.Sprintf("Launch %d", i))
		ids[i] = l.ID
	}

	var wg sync.WaitGroup
	release := holdWriter(t, h, &wg, ids[0])
	type result struct {
		events []launch.Event
		err    error
	}
	results := make([][]result, len(ids))
	for i := range results {
		results[i] = make([]result, 3)
	}
	// Launches 4, 3, 2, 1 in that order; the second change of launch 2
	// panics and that of launch 3 is refused, each after ticking an item.
	for k, i := range []int{4, 3, 2, 1} {
		for j := range 3 {
			wg.Go(func() {
				r := &results[i][j]
				r.events, r.err = h.bot.batch.apply(ctx, ids[i], func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					events, err := l.SetDone(fmt.Sprintf("U%d%d", i, j), []int{j + 2}, true, now)
					switch {
					case err != nil:
						return nil, err
					case i == 2 && j == 1:
						panic("a bug halfway through a change")
					case i == 3 && j == 1:
						return events, launch.Errorf(launch.ECONFLICT, "Refused halfway; nothing was changed.")
					}
					return events, nil
				})
			})
			require.Eventually(t, func() bool {
				h.bot.batch.mu.Lock()
				defer h.bot.batch.mu.Unlock()
				return len(h.bot.batch.order) == k+1 && len(h.bot.batch.waiting[ids[i]]) == j+1
			}, 5*time.Second, time.Millisecond)
		}
	}
	release()
	wg.Wait()

	got, changes := rec.transactions()
	require.Len(t, got, 2, "the first transaction, then one for every launch that queued meanwhile")
	assert.Equal(t, []int64{ids[4], ids[3], ids[2], ids[1]}, got[1], "launches in the order they queued")
	assert.Equal(t, []int{3, 3, 3, 3}, changes[1])

	for i := 1; i < len(ids); i++ {
		l, err := h.store.LaunchByID(ctx, ids[i])
		require.NoError(t, err)
		audit, err := h.store.Audit(ctx, ids[i])
		require.NoError(t, err)
		var actors []string
		for _, e := range audit[1:] {
			actors = append(actors, e.Actor)
		}
		for j, r := range results[i] {
			failed := (i == 2 || i == 3) && j == 1
			assert.Equal(t, !failed, l.Checklist.Item(j+2).Done, "launch %d item %d", i, j+2)
			if failed {
				assert.Error(t, r.err)
				assert.Empty(t, r.events)
				assert.NotContains(t, userMessage(r.err), "panic")
				continue
			}
			assert.NoError(t, r.err, "launch %d change %d", i, j)
			assert.Len(t, r.events, 1)
		}
		want := []string{fmt.Sprintf("U%d0", i), fmt.Sprintf("U%d1", i), fmt.Sprintf("U%d2", i)}
		if i == 2 || i == 3 {
			want = []string{want[0], want[2]}
		}
		assert.Equal(t, want, actors, "launch %d: one audit row per stored change, none for the failed one", i)
	}
}

// More launches wait than one transaction may carry: they go in
// transactions of at most maxBatchLaunches launches and maxBatchChanges
// changes, oldest first, and every change is stored once.
func TestBatcherBoundsEachTransaction(t *testing.T) {
	var rec *recordingStore
	h := newHarness(t, recording(&rec))
	ctx := context.Background()
	const launches, perLaunch = maxBatchLaunches + 8, 5
	ids := make([]int64, launches)
	for i := range ids {
		channel := fmt.Sprintf("CBOUND%02d", i)
		a := readAck(t, h.post("/slack/commands", h.commandFormIn(channel, creator, fmt.Sprintf(`new "Launch %d" 2026-12-01`, i))))
		require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
		l, err := h.store.LaunchByChannel(ctx, testTeam, channel)
		require.NoError(t, err)
		ids[i] = l.ID
	}
	var wg sync.WaitGroup
	release := holdWriter(t, h, &wg, ids[0])
	for i, id := range ids {
		for j := range perLaunch {
			wg.Go(func() {
				_, err := h.bot.batch.apply(ctx, id, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					return l.SetDone("UBOUND", []int{j + 2}, true, now)
				})
				assert.NoError(t, err)
			})
		}
		require.Eventually(t, func() bool { return waitingLaunches(h.bot.batch) == i+1 }, 5*time.Second, time.Millisecond)
	}
	require.Eventually(t, func() bool {
		h.bot.batch.mu.Lock()
		defer h.bot.batch.mu.Unlock()
		n := 0
		for _, q := range h.bot.batch.waiting {
			n += len(q)
		}
		return n == launches*perLaunch
	}, 5*time.Second, time.Millisecond)
	release()
	wg.Wait()

	got, changes := rec.transactions()
	var order []int64
	total := 0
	for k := 1; k < len(got); k++ {
		assert.LessOrEqual(t, len(got[k]), maxBatchLaunches)
		n := 0
		for _, c := range changes[k] {
			n += c
		}
		assert.LessOrEqual(t, n, maxBatchChanges)
		total += n
		for _, id := range got[k] {
			if len(order) == 0 || order[len(order)-1] != id {
				order = append(order, id)
			}
		}
	}
	assert.Equal(t, launches*perLaunch, total)
	assert.Equal(t, ids, order, "oldest launch first; one cut short goes first in the next")
	for _, id := range ids {
		l, err := h.store.LaunchByID(ctx, id)
		require.NoError(t, err)
		for j := range perLaunch {
			assert.True(t, l.Checklist.Item(j+2).Done)
		}
		audit, err := h.store.Audit(ctx, id)
		require.NoError(t, err)
		n := 0
		for _, e := range audit {
			if e.Actor == "UBOUND" {
				n++
			}
		}
		assert.Equal(t, perLaunch, n, "launch %d: each change stored once", id)
	}
}

// Clients clicking at random on the checklists of many launches at once
// lose nothing: every acknowledged click is stored exactly once, counted
// in the audit log, and each item ends as its one clicker believes.
func TestConcurrentTicksOnManyLaunchesLoseNothing(t *testing.T) {
	var rec *recordingStore
	h := newHarness(t, recording(&rec))
	const launches, clients, clicks = 8, 16, 12
	boards := h.tickBoards(t, "CRACE", launches)
	var acked atomic.Int64
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for range clicks {
				if h.clickAtRandom(t, boards, c, clients, rng) {
					acked.Add(1)
				}
			}
		})
	}
	wg.Wait()
	h.bot.Close()

	assert.EqualValues(t, clients*clicks, acked.Load(), "every click acknowledged")
	assert.Empty(t, h.slack.responses(t), "no click refused")
	assert.EqualValues(t, acked.Load(), storedTicks(t, h, boards), "each acknowledged click stored exactly once")
	got, _ := rec.transactions()
	shared := 0
	for _, ids := range got {
		if len(ids) > 1 {
			shared++
		}
	}
	t.Logf("%d transactions, %d of them carrying several launches", len(got), shared)
}

// TestBatchSizesAreMeasured: each shared write transaction is counted in
// the histograms of its changes and its launches, refused changes left out.
func TestBatchSizesAreMeasured(t *testing.T) {
	m := metrics.New("test")
	h := newHarness(t, func(c *Config) { c.Metrics = m })
	l := h.newLaunch()
	items := l.Checklist.Items()[:20]
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Go(func() {
			_, _ = h.bot.batch.apply(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				if i%4 == 3 {
					return nil, launch.Errorf(launch.EFORBIDDEN, "no")
				}
				return l.SetDone("UEVE", []int{it.Number}, true, now)
			})
		})
	}
	wg.Wait()

	families, err := m.Registry().Gather()
	require.NoError(t, err)
	sums := map[string]float64{}
	counts := map[string]uint64{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			if hist := s.GetHistogram(); hist != nil {
				sums[f.GetName()] += hist.GetSampleSum()
				counts[f.GetName()] += hist.GetSampleCount()
			}
		}
	}
	assert.Equal(t, 15.0, sums["golive_write_batch_changes"], "the 15 changes accepted, the 5 refused left out")
	transactions := counts["golive_write_batch_changes"]
	assert.Positive(t, transactions)
	assert.Equal(t, transactions, counts["golive_write_batch_launches"])
	assert.Equal(t, float64(transactions), sums["golive_write_batch_launches"], "one launch in each")
}

// overlapStore fails a test when two transactions hold one launch at once,
// and holds the first transaction until a second one runs beside it.
type overlapStore struct {
	*store.Store
	t       *testing.T
	mu      sync.Mutex
	held    map[int64]bool
	calls   int
	overlap chan struct{}
}

func (s *overlapStore) UpdateMany(ctx context.Context, batch []launch.Changes) ([][]error, error) {
	s.mu.Lock()
	for _, lc := range batch {
		assert.False(s.t, s.held[lc.ID], "launch %d is in two transactions at once", lc.ID)
		s.held[lc.ID] = true
	}
	s.calls++
	first := s.calls == 1
	if s.calls == 2 {
		close(s.overlap)
	}
	s.mu.Unlock()
	if first {
		select {
		case <-s.overlap:
		case <-time.After(10 * time.Second):
			s.t.Error("no second transaction ran while the first was held")
		}
	}
	defer func() {
		s.mu.Lock()
		for _, lc := range batch {
			delete(s.held, lc.ID)
		}
		s.mu.Unlock()
	}()
	return s.Store.UpdateMany(ctx, batch)
}

// On PostgreSQL several transactions run at once, never two on one launch,
// and every change is stored once, in its launch's order.
func TestParallelBatcherKeepsEachLaunchInOneTransaction(t *testing.T) {
	var os *overlapStore
	h := startHarness(t, pgtest.URL(t), newFakeSlack(t), func(c *Config) {
		os = &overlapStore{Store: c.Store.(*store.Store), t: t, held: map[int64]bool{}, overlap: make(chan struct{})}
		c.Store = os
		c.ParallelWrites = 4
	})
	ctx := context.Background()
	const launches, perLaunch = 12, 8
	ids := make([]int64, launches)
	for i := range ids {
		channel := fmt.Sprintf("CPAR%02d", i)
		a := readAck(t, h.post("/slack/commands", h.commandFormIn(channel, creator, fmt.Sprintf(`new "Launch %d" 2026-12-01`, i))))
		require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
		l, err := h.store.LaunchByChannel(ctx, testTeam, channel)
		require.NoError(t, err)
		ids[i] = l.ID
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			// One after another, so that each launch's order is known:
			// item j+2 ticked then unticked, perLaunch/2 times over.
			for j := range perLaunch {
				_, err := h.bot.batch.apply(ctx, id, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					return l.SetDone("UPAR", []int{2}, j%2 == 0, now)
				})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		audit, err := h.store.Audit(ctx, id)
		require.NoError(t, err)
		var kinds []string
		for _, e := range audit {
			if e.Is(launch.KindTick, launch.KindUntick) {
				kinds = append(kinds, string(e.Kind))
			}
		}
		require.Len(t, kinds, perLaunch, "launch %d", id)
		for j, k := range kinds {
			want := launch.KindTick
			if j%2 == 1 {
				want = launch.KindUntick
			}
			assert.Equal(t, string(want), k, "launch %d change %d", id, j)
		}
	}
}
