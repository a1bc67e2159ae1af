// Package claim runs the work of a claim made under a lease (due reminders,
// outbox posts): the rows grouped by what must keep its order (a launch, a
// conversation), one goroutine per group, and the lease renewed while any
// of them still works, so that another instance never takes over rows this
// one is still working through.
package claim

import (
	"context"
	"sync"
	"time"
)

// Group splits rows by key, the keys in the order they first appear.
func Group[K comparable, R any](rows []R, key func(R) K) (order []K, groups map[K][]R) {
	groups = map[K][]R{}
	for _, r := range rows {
		k := key(r)
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	return order, groups
}

// Renewal keeps a claim's lease alive.
type Renewal struct {
	// Every returns when to renew next: a third of the lease, say.
	Every func() <-chan time.Time
	// Renew extends the lease of what the claim still holds and says how
	// many rows that is.
	Renew func(ctx context.Context) (held int, err error)
	// Failed reports a renewal that failed; the next tick tries again.
	Failed func(err error)
}

// Run starts work on each group in its own goroutine, and one more that
// renews the lease until they are all done or the claim holds nothing; wg
// tracks them all. ctx is the work's: callers that want the work to finish
// through a shutdown pass a context that is never cancelled.
func Run[K comparable, R any](ctx context.Context, wg *sync.WaitGroup, order []K, groups map[K][]R, rn Renewal, work func(ctx context.Context, k K, rows []R)) {
	tick := rn.Every()
	stop := make(chan struct{})
	var working sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		renew(ctx, rn, tick, stop)
	}()
	for _, k := range order {
		wg.Add(1)
		working.Add(1)
		go func() {
			defer wg.Done()
			defer working.Done()
			work(ctx, k, groups[k])
		}()
	}
	go func() {
		working.Wait()
		close(stop)
	}()
}

// renew extends the lease each time tick fires, until stop closes or the
// claim holds nothing.
func renew(ctx context.Context, rn Renewal, tick <-chan time.Time, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-tick:
		}
		n, err := rn.Renew(ctx)
		switch {
		case err != nil:
			rn.Failed(err)
		case n == 0:
			return
		}
		tick = rn.Every()
	}
}
