// Package delivery is where everything golive says to Slack goes out: the
// reminders that come due (planned by package schedule) and the outbox of
// posts changes told (launch.Tell). One loop serves both queues.
//
// A due reminder is claimed under a fenced, renewed lease, checked against
// the launch as it is then (schedule.Decide), rendered by the adapter and,
// in the transaction that marks it done, written to the outbox under a key
// of its own. The outbox's posts are then claimed the same way and handed
// to a Transport (the bot), at most once unless the transport can look a
// post up by its key before sending it again. So the sender is the only
// thing that posts, and what one says is posted once.
//
// It reads no clock of its own and knows nothing of Slack: time comes
// through Config.Now, and the transport says, through the errors it
// returns, whether a failed call is known not to have taken effect.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/internal/schedule"
)

// Defaults of Config.
const (
	defaultLease       = 2 * time.Minute
	defaultCallTimeout = 30 * time.Second
	defaultMaxWait     = 15 * time.Second
	defaultMaxAge      = 24 * time.Hour
	// claimBatch bounds the rows one pass claims from either queue.
	claimBatch = 100
	// maxRounds bounds the passes of one RunDue.
	maxRounds = 1000
)

// Store is what delivery needs from persistence: the launches, the
// reminders table and the outbox.
type Store interface {
	ReminderStore
	outbox.Store
}

// Config is what New needs: Store, Renderer and Transport are required,
// the rest have defaults.
type Config struct {
	Store     Store
	Renderer  Renderer
	Transport outbox.Transport
	// Lookup says the transport may look posts up (it must implement
	// outbox.Finder): a post whose outcome is unknown is looked for, and
	// sent again only when it is not there. Without it such a post is
	// never sent again and ends outbox.StateUnknown.
	Lookup bool
	// At is the local time reminders are posted, HH:MM (GOLIVE_REMINDER_TIME); default 09:00.
	At string
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// After waits in Run; default time.After. Tests drive RunDue instead.
	After func(d time.Duration) <-chan time.Time
	// RenewAfter waits between renewals of a claim's lease, every third of
	// it: it is called once when the claim is taken, before any of its
	// work starts, and again after each renewal; default time.After.
	RenewAfter func(d time.Duration) <-chan time.Time
	// Lease is how long a claim lasts unless renewed; default 2 min.
	// CallTimeout, default 30 s, bounds one call to Slack or one rendering
	// of a reminder, and must be shorter: a row's lease is extended to a
	// full one when its call starts, so that a call in flight never
	// outlives its claim. A claim takes, per launch or conversation, as
	// many rows as can be worked through one after another within the
	// lease, less one for the database work (3 by default).
	Lease       time.Duration
	CallTimeout time.Duration
	// MaxWait is the longest Run sleeps between passes; default 15 s.
	MaxWait time.Duration
	// MaxAge is how long a post known not to have gone out is tried again
	// before it is failed; default 24 h.
	MaxAge time.Duration
	Logger *slog.Logger
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// Prober runs the launches' probes when a run is due; nil when probes
	// are off, and due runs are skipped.
	Prober Prober
}

// Delivery works through due reminders and the outbox. Run is its loop;
// RunDue is one pass over both queues, which tests call with a fake clock
// to go through a launch's month, restarts included, in under a second.
type Delivery struct {
	store       Store
	renderer    Renderer
	transport   outbox.Transport
	finder      outbox.Finder
	tod         schedule.TimeOfDay
	now         func() time.Time
	after       func(time.Duration) <-chan time.Time
	renewAfter  func(time.Duration) <-chan time.Time
	lease       time.Duration
	callTimeout time.Duration
	perClaim    int
	maxWait     time.Duration
	maxAge      time.Duration
	log         *slog.Logger
	metrics     *metrics.Metrics
	prober      Prober

	poke chan struct{}
	// The launches and conversations whose claimed rows are being worked
	// on: a pass leaves them out, so that their order holds.
	launches busySet[int64]
	dests    busySet[string]
}

// New checks the configuration and returns a Delivery.
func New(cfg Config) (*Delivery, error) {
	if cfg.Store == nil || cfg.Renderer == nil || cfg.Transport == nil {
		return nil, errors.New("delivery: a store, a renderer and a transport are required")
	}
	var finder outbox.Finder
	if cfg.Lookup {
		f, ok := cfg.Transport.(outbox.Finder)
		if !ok {
			return nil, errors.New("delivery: look-ups are on but the transport cannot look posts up")
		}
		finder = f
	}
	tod := schedule.DefaultTimeOfDay
	if cfg.At != "" {
		var err error
		if tod, err = schedule.ParseTimeOfDay(cfg.At); err != nil {
			return nil, fmt.Errorf("delivery: %w", err)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	if cfg.RenewAfter == nil {
		cfg.RenewAfter = time.After
	}
	if cfg.Lease <= 0 {
		cfg.Lease = defaultLease
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = defaultCallTimeout
	}
	if cfg.CallTimeout >= cfg.Lease {
		return nil, fmt.Errorf("delivery: the call timeout (%s) must be shorter than the lease (%s)", cfg.CallTimeout, cfg.Lease)
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = defaultMaxWait
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = defaultMaxAge
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Delivery{
		store: cfg.Store, renderer: cfg.Renderer, transport: cfg.Transport, finder: finder, tod: tod,
		now: cfg.Now, after: cfg.After, renewAfter: cfg.RenewAfter,
		lease: cfg.Lease, callTimeout: cfg.CallTimeout, perClaim: max(1, int(cfg.Lease/cfg.CallTimeout)-1),
		maxWait: cfg.MaxWait, maxAge: cfg.MaxAge, log: cfg.Logger, metrics: cfg.Metrics, prober: cfg.Prober,
		poke:     make(chan struct{}, 1),
		launches: busySet[int64]{set: map[int64]bool{}},
		dests:    busySet[string]{set: map[string]bool{}},
	}, nil
}

// TimeOfDay returns the local time reminders are posted.
func (d *Delivery) TimeOfDay() schedule.TimeOfDay { return d.tod }

// Poke wakes Run early: something was planned or enqueued, or has finished.
func (d *Delivery) Poke() {
	select {
	case d.poke <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, waking when the next reminder or post is
// due (at least every MaxWait) or when poked; then it waits for the work
// in flight, each call bounded by CallTimeout, so that the store outlives
// it. It first plans every active launch again (SyncAll), to catch up on
// changes made while it was down. One launch's or conversation's slow or
// failing work never holds up another's: each is worked on by its own
// goroutine, and a pass leaves out those still busy.
func (d *Delivery) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	if err := d.syncAll(ctx); err != nil && ctx.Err() == nil {
		d.log.Error("reminders: sync at start", "err", err)
	}
	for {
		if _, err := d.dispatchReminders(ctx, &wg); err != nil && ctx.Err() == nil {
			d.log.Error("reminders: pass failed", "err", err)
		}
		if _, err := d.dispatchPosts(ctx, &wg); err != nil && ctx.Err() == nil {
			d.log.Error("outbox: pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-d.after(d.wait(ctx)):
		case <-d.poke:
		}
	}
}

// RunDue works through every reminder and post due now, waiting for each
// pass, until a pass of both queues claims nothing; it returns how many
// rows it claimed. It is Run's step, for tests with a fake clock.
func (d *Delivery) RunDue(ctx context.Context) (int, error) {
	claimed := 0
	for range maxRounds {
		var wg sync.WaitGroup
		n, err := d.dispatchReminders(ctx, &wg)
		wg.Wait()
		claimed += n
		if err != nil {
			return claimed, err
		}
		m, err := d.dispatchPosts(ctx, &wg)
		wg.Wait()
		claimed += m
		if err != nil || n+m == 0 {
			return claimed, err
		}
	}
	return claimed, nil
}

// NextAt returns the earliest instant a reminder or a post not being worked
// on becomes claimable; ok is false when there is none.
func (d *Delivery) NextAt(ctx context.Context) (at time.Time, ok bool, err error) {
	rem, okRem, err := d.store.NextReminderAt(ctx, d.launches.list())
	if err != nil {
		return time.Time{}, false, err
	}
	post, okPost, err := d.store.NextPostAt(ctx, d.dests.list())
	switch {
	case err != nil:
		return time.Time{}, false, err
	case okRem && okPost:
		return earliest(rem, post), true, nil
	case okRem:
		return rem, true, nil
	}
	return post, okPost, nil
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// wait returns how long Run sleeps: until the next reminder or post is
// claimable, at most MaxWait.
func (d *Delivery) wait(ctx context.Context) time.Duration {
	next, ok, err := d.NextAt(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("delivery: find the next due time", "err", err)
		}
		return d.maxWait
	}
	if !ok {
		return d.maxWait
	}
	return min(max(next.Sub(d.now()), 0), d.maxWait)
}

// busySet is the set of launches or conversations being worked on.
type busySet[K comparable] struct {
	mu  sync.Mutex
	set map[K]bool
}

func (b *busySet[K]) list() []K {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]K, 0, len(b.set))
	for k := range b.set {
		out = append(out, k)
	}
	return out
}

func (b *busySet[K]) add(keys []K) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		b.set[k] = true
	}
}

func (b *busySet[K]) remove(k K) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.set, k)
}
