package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/golive/golive/internal/launch"
)

// changeFunc is one change to a launch, as store.Update takes it. In a
// batch it runs on the launch as the changes before it left it, and when it
// fails or panics the store undoes whatever it did, so a change may fail
// halfway without spoiling the others of its batch.
type changeFunc func(l *launch.Launch, now time.Time) ([]launch.Event, error)

// batcher groups the changes that arrive for one launch while its
// transaction is running into the next transaction: under a burst of clicks
// the database loads the launch and syncs to disk once per batch instead of
// once per click. Each change still gets its own answer, and only after
// the transaction holding it has committed.
type batcher struct {
	store  Store
	budget time.Duration
	wg     *sync.WaitGroup

	mu sync.Mutex
	// queues holds, per launch, the changes waiting for the next
	// transaction; a launch present here has a transaction running.
	queues map[int64][]*pendingChange
}

// pendingChange is one change waiting for, or taken into, a transaction.
type pendingChange struct {
	fn     changeFunc
	taken  bool // in a transaction already: it may commit
	events []launch.Event
	err    error
	done   chan struct{}
}

func newBatcher(s Store, budget time.Duration, wg *sync.WaitGroup) *batcher {
	return &batcher{store: s, budget: budget, wg: wg, queues: map[int64][]*pendingChange{}}
}

// apply runs fn on launch id in a transaction, together with the changes
// others apply at the same moment, and returns fn's events. When ctx ends
// first it returns ctx's error if fn was never run, and an *unsureError if
// it was (its transaction may yet commit), which tells the outcome later.
func (bt *batcher) apply(ctx context.Context, id int64, fn changeFunc) ([]launch.Event, error) {
	p := &pendingChange{fn: fn, done: make(chan struct{})}
	bt.mu.Lock()
	q, running := bt.queues[id]
	bt.queues[id] = append(q, p)
	bt.mu.Unlock()
	if !running {
		bt.run(id)
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
			bt.queues[id] = remove(bt.queues[id], p)
			return nil, ctx.Err()
		}
		return nil, &unsureError{wait: func() error {
			<-p.done
			return p.err
		}}
	}
}

// run commits the changes queued for launch id in one transaction, then
// hands what arrived meanwhile to a new run.
func (bt *batcher) run(id int64) {
	bt.mu.Lock()
	batch := bt.queues[id]
	bt.queues[id] = []*pendingChange{}
	for _, p := range batch {
		p.taken = true
	}
	bt.mu.Unlock()

	err := bt.commit(id, batch)
	for _, p := range batch {
		if err != nil {
			p.events, p.err = nil, err
		}
		close(p.done)
	}

	bt.mu.Lock()
	defer bt.mu.Unlock()
	if len(bt.queues[id]) == 0 {
		delete(bt.queues, id)
		return
	}
	bt.wg.Add(1)
	go func() {
		defer bt.wg.Done()
		bt.run(id)
	}()
}

// commit applies the batch in one transaction, each change on its own:
// one that fails or panics is undone and answered alone, and the others
// are stored. A panic of the store itself (a bug) fails the batch like an
// error would, so that its waiters are answered and the launch's queue
// keeps moving.
func (bt *batcher) commit(id int64, batch []*pendingChange) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("commit panicked: %v\n%s", r, debug.Stack())
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), bt.budget)
	defer cancel()
	changes := make([]func(*launch.Launch, time.Time) ([]launch.Event, error), len(batch))
	for i, p := range batch {
		changes[i] = func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			events, err := p.fn(l, now)
			p.events = events
			return events, err
		}
	}
	errs, err := bt.store.UpdateEach(ctx, id, changes)
	if err != nil {
		return err
	}
	for i, p := range batch {
		if p.err = errs[i]; p.err != nil {
			p.events = nil
		}
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
