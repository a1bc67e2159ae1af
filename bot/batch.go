package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// changeFunc is one change to a launch, as store.Update takes it. In a
// batch it runs on the launch as the changes before it left it, and when it
// fails or panics the store undoes whatever it did, so a change may fail
// halfway without spoiling the others of its batch.
type changeFunc func(l *launch.Launch, now time.Time) ([]launch.Event, error)

// Bounds of one transaction of the batcher: the changes waiting beyond
// them go to the next one, so that no transaction holds the single writer
// (and the answers of the changes it carries) for long. Each launch costs
// a load and an encoding of its rows, each change a copy of its launch.
const (
	maxBatchLaunches = 32
	maxBatchChanges  = 128
	// parallelBatchLaunches bounds a transaction's launches when several
	// run at once (PostgreSQL): batches lock what they write.
	parallelBatchLaunches = 4
)

// batcher groups the changes that arrive while a transaction is running
// into the next transaction, whatever their launch: under a burst of clicks
// the database syncs to disk once per batch instead of once per click, and
// loads each launch once per batch. Transactions take the launches in the
// order their first waiting change arrived, each launch's changes in order.
// Each change still gets its own answer, and only after the transaction
// holding it has committed.
//
// On SQLite one transaction runs at a time (it has one writer anyway). On
// PostgreSQL, which runs writers side by side, up to parallel transactions
// run at once on launches no other running one holds, each of at most
// perTx launches: a small batch locks few launches, so that the batches of
// other replicas on the same database rarely wait for it.
type batcher struct {
	store    Store
	budget   time.Duration
	wg       *sync.WaitGroup
	metrics  *metrics.Metrics
	parallel int
	perTx    int

	mu sync.Mutex
	// waiting holds, per launch, the changes waiting for a transaction;
	// order, the launches of waiting, oldest first.
	waiting map[int64][]*pendingChange
	order   []int64
	// running counts the transactions running; held, the launches they hold.
	running int
	held    map[int64]bool
}

// pendingChange is one change waiting for, or taken into, a transaction.
type pendingChange struct {
	fn     changeFunc
	taken  bool // in a transaction already: it may commit
	events []launch.Event
	err    error
	done   chan struct{}
}

// newBatcher returns a batcher running one transaction at a time, of up to
// maxBatchLaunches launches; see parallelWrites for PostgreSQL's.
func newBatcher(s Store, budget time.Duration, wg *sync.WaitGroup, m *metrics.Metrics) *batcher {
	return &batcher{store: s, budget: budget, wg: wg, metrics: m, parallel: 1, perTx: maxBatchLaunches,
		waiting: map[int64][]*pendingChange{}, held: map[int64]bool{}}
}

// apply runs fn on launch id in a transaction, together with the changes
// others apply at the same moment, and returns fn's events. When ctx ends
// first it returns ctx's error if fn was never run, and an *unsureError if
// it was (its transaction may yet commit), which tells the outcome later.
func (bt *batcher) apply(ctx context.Context, id int64, fn changeFunc) ([]launch.Event, error) {
	p := &pendingChange{fn: fn, done: make(chan struct{})}
	bt.mu.Lock()
	q := bt.waiting[id]
	if len(q) == 0 {
		bt.order = append(bt.order, id)
	}
	bt.waiting[id] = append(q, p)
	// With room for a transaction, the caller runs it itself, within its
	// own deadline: a change alone is stored without a goroutine switch, and
	// a store that gives up at the deadline is answered as such in time
	// (the others taken along arrived later, so their deadlines are no
	// earlier). What waits beyond goes to new runs.
	var batch []launchBatch
	if bt.running < bt.parallel {
		if batch = bt.take(); len(batch) > 0 {
			bt.running++
		}
	}
	bt.mu.Unlock()
	if len(batch) > 0 {
		deadline, _ := ctx.Deadline()
		bt.run(batch, deadline)
	}
	select {
	case <-p.done:
		return p.events, p.err
	case <-ctx.Done():
		bt.mu.Lock()
		defer bt.mu.Unlock()
		select {
		case <-p.done:
			return p.events, p.err
		default:
		}
		if !p.taken {
			bt.forget(id, p)
			return nil, ctx.Err()
		}
		return nil, &unsureError{wait: func() error {
			<-p.done
			return p.err
		}}
	}
}

// forget takes p, which no transaction took, out of launch id's waiting
// changes. bt.mu is held.
func (bt *batcher) forget(id int64, p *pendingChange) {
	q := remove(bt.waiting[id], p)
	if len(q) > 0 {
		bt.waiting[id] = q
		return
	}
	delete(bt.waiting, id)
	bt.order = slices.DeleteFunc(bt.order, func(x int64) bool { return x == id })
}

// startRuns starts transactions for the changes waiting on launches no
// running transaction holds, while fewer than parallel run. bt.mu is held.
func (bt *batcher) startRuns() {
	for bt.running < bt.parallel {
		batch := bt.take()
		if len(batch) == 0 {
			return
		}
		bt.running++
		bt.wg.Add(1)
		go func() {
			defer bt.wg.Done()
			bt.run(batch, time.Time{})
		}()
	}
}

// run commits batch, answers its changes, and starts what waits meanwhile.
// A transaction ends within the batcher's budget, or by deadline when sooner.
func (bt *batcher) run(batch []launchBatch, deadline time.Time) {
	err := bt.commit(batch, deadline)
	for _, lb := range batch {
		for _, p := range lb.changes {
			if err != nil {
				p.events, p.err = nil, err
			}
			close(p.done)
		}
	}

	bt.mu.Lock()
	defer bt.mu.Unlock()
	for _, lb := range batch {
		delete(bt.held, lb.id)
	}
	bt.running--
	bt.startRuns()
}

// launchBatch is the changes to one launch taken into a transaction.
type launchBatch struct {
	id      int64
	changes []*pendingChange
}

// take takes the oldest waiting changes of launches no running
// transaction holds, within the bounds of one transaction, and marks them
// taken and their launches held. A launch with more changes than fit keeps
// the rest first in line. bt.mu is held.
func (bt *batcher) take() []launchBatch {
	var batch []launchBatch
	room := maxBatchChanges
	for i := 0; i < len(bt.order) && len(batch) < bt.perTx && room > 0; {
		id := bt.order[i]
		if bt.held[id] {
			i++
			continue
		}
		q := bt.waiting[id]
		n := min(len(q), room)
		for _, p := range q[:n] {
			p.taken = true
		}
		batch = append(batch, launchBatch{id: id, changes: q[:n:n]})
		bt.held[id] = true
		room -= n
		if n < len(q) {
			bt.waiting[id] = q[n:]
			break
		}
		delete(bt.waiting, id)
		bt.order = slices.Delete(bt.order, i, i+1)
	}
	return batch
}

// commit applies the batch in one transaction, each change on its own:
// one that fails or panics is undone and answered alone, as is a launch
// whose changes cannot be stored, and the others are stored. A panic of
// the store itself (a bug) fails the batch like an error would, so that
// its waiters are answered and the queue keeps moving.
func (bt *batcher) commit(batch []launchBatch, deadline time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("commit panicked: %v\n%s", r, debug.Stack())
		}
	}()
	if limit := time.Now().Add(bt.budget); deadline.IsZero() || limit.Before(deadline) {
		deadline = limit
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	changes := make([]launch.Changes, len(batch))
	for i, lb := range batch {
		fns := make([]func(*launch.Launch, time.Time) ([]launch.Event, error), len(lb.changes))
		for j, p := range lb.changes {
			fns[j] = func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				events, err := p.fn(l, now)
				p.events = events
				return events, err
			}
		}
		changes[i] = launch.Changes{ID: lb.id, Fns: fns}
	}
	errs, err := bt.store.UpdateMany(ctx, changes)
	if err != nil {
		return err
	}
	stored, launches := 0, 0
	for i, lb := range batch {
		n := 0
		for j, p := range lb.changes {
			if p.err = errs[i][j]; p.err != nil {
				p.events = nil
				continue
			}
			n++
		}
		stored += n
		if n > 0 {
			launches++
		}
	}
	if stored > 0 {
		bt.metrics.WriteBatch(stored, launches)
	}
	return nil
}

func remove(q []*pendingChange, p *pendingChange) []*pendingChange {
	for i, x := range q {
		if x == p {
			return append(q[:i:i], q[i+1:]...)
		}
	}
	return q
}
