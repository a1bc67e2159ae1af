// Package ops serves the endpoints operators and orchestrators poll:
// liveness (/livez, /healthz), readiness (/readyz) and Prometheus metrics
// (/metrics). It knows nothing of Slack: readiness checks come from the caller.
package ops

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Check is one readiness condition, such as "database" or "slack".
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// ErrShuttingDown is what readiness reports once shutdown has begun.
var ErrShuttingDown = errors.New("shutting down")

// Health answers readiness from its checks and the shutdown flag.
type Health struct {
	// Timeout bounds each /readyz evaluation of all checks together.
	Timeout time.Duration

	stopping atomic.Bool
	mu       sync.Mutex
	checks   []Check
}

// NewHealth returns a Health with the given checks and a 2-second timeout.
func NewHealth(checks ...Check) *Health {
	return &Health{Timeout: 2 * time.Second, checks: checks}
}

// Add adds a check, for conditions that appear after start (a Slack connection).
func (h *Health) Add(c Check) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks = append(h.checks, c)
}

// ShuttingDown makes readiness fail from now on, so that load balancers stop
// sending traffic while requests in flight finish.
func (h *Health) ShuttingDown() { h.stopping.Store(true) }

// CheckResult is the outcome of one check; Err is nil when it passed.
type CheckResult struct {
	Name string
	Err  error
}

// Ready runs every check and returns each result, in order, and whether all
// passed. The checks run side by side and Ready returns by h.Timeout even
// when a check ignores its context: such a check fails as timed out and
// finishes in the background. During shutdown it runs nothing and reports
// ErrShuttingDown.
func (h *Health) Ready(ctx context.Context) ([]CheckResult, bool) {
	if h.stopping.Load() {
		return []CheckResult{{Name: "shutdown", Err: ErrShuttingDown}}, false
	}
	h.mu.Lock()
	checks := append([]Check(nil), h.checks...)
	h.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, h.Timeout)
	defer cancel()
	answers := make([]chan error, len(checks))
	for i, c := range checks {
		answers[i] = make(chan error, 1)
		go func() { answers[i] <- run(ctx, c) }()
	}
	results := make([]CheckResult, len(checks))
	ok := true
	for i, c := range checks {
		results[i] = CheckResult{Name: c.Name, Err: wait(ctx, answers[i], h.Timeout)}
		ok = ok && results[i].Err == nil
	}
	return results, ok
}

// wait returns a check's answer, or a timeout error once ctx is done. A
// check can be stuck where no context reaches: SQLite waits out its busy
// timeout inside one cgo call.
func wait(ctx context.Context, answer <-chan error, timeout time.Duration) error {
	select {
	case err := <-answer:
		return err
	case <-ctx.Done():
	}
	select {
	case err := <-answer: // it answered at the last moment
		return err
	default:
		return fmt.Errorf("no answer within %s: %w", timeout, ctx.Err())
	}
}

// run calls a check, turning a panic into a failure: a broken check must not
// take the health endpoint down with it.
func run(ctx context.Context, c Check) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("check panicked: %v", p)
		}
	}()
	return c.Run(ctx)
}

// Cached wraps a check that is costly or rate-limited (Slack's auth.test)
// so that it runs at most once per ttl; in between, the last result stands.
// Callers may wait for a check in progress: it runs one at a time.
// now is the clock, time.Now in production.
func Cached(ttl time.Duration, now func() time.Time, check func(ctx context.Context) error) func(ctx context.Context) error {
	var (
		mu      sync.Mutex
		checked time.Time
		last    error
		done    bool
	)
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if t := now(); !done || t.Sub(checked) >= ttl || t.Before(checked) {
			last = check(ctx)
			// A check cut short by its caller's deadline says nothing: retry next time.
			checked, done = t, ctx.Err() == nil
		}
		return last
	}
}
