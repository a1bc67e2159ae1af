package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/golive/golive/internal/claim"
	"github.com/golive/golive/internal/metrics"
)

// Defaults of Config.
const (
	defaultLease       = 2 * time.Minute
	defaultSendTimeout = 30 * time.Second
	defaultMaxWait     = 15 * time.Second
	defaultMaxAge      = 24 * time.Hour
	// claimBatch bounds the rows one pass claims.
	claimBatch = 100
	// maxRounds bounds the passes of one RunDue.
	maxRounds = 1000
	// backoffBase and backoffMax bound the wait before a post that failed
	// is tried again: 2 s, 4 s, ... up to 5 minutes.
	backoffBase = 2 * time.Second
	backoffMax  = 5 * time.Minute
)

// Config is what NewSender needs: Store and Transport are required.
type Config struct {
	Store     Store
	Transport Transport
	// Lookup says the transport may look posts up (it must implement
	// Finder): a post whose outcome is unknown is looked for, and sent
	// again only when it is not there. Without it such a post is never
	// sent again and ends StateUnknown.
	Lookup bool
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// After waits in Run; default time.After.
	After func(time.Duration) <-chan time.Time
	// RenewAfter waits between renewals of a claim's lease, every third of
	// it; default time.After.
	RenewAfter func(time.Duration) <-chan time.Time
	// Lease is how long a claim lasts unless renewed; default 2 min.
	// SendTimeout, default 30 s, bounds one call and must be shorter: the
	// row's lease is extended to a full one when its call starts, so that
	// a call in flight never outlives its claim. A claim takes, per
	// destination, as many rows as can be sent one after another within
	// the lease, less one for the database work.
	Lease       time.Duration
	SendTimeout time.Duration
	// MaxWait is the longest Run sleeps between passes; default 15 s.
	MaxWait time.Duration
	// MaxAge is how long a post known not to have gone out is tried again
	// before it is failed; default 24 h.
	MaxAge  time.Duration
	Logger  *slog.Logger
	Metrics *metrics.Metrics
}

// Sender claims due posts and delivers them. Run is its loop; RunDue one
// pass, for tests with a fake clock.
type Sender struct {
	store       Store
	transport   Transport
	finder      Finder
	now         func() time.Time
	after       func(time.Duration) <-chan time.Time
	renewAfter  func(time.Duration) <-chan time.Time
	lease       time.Duration
	sendTimeout time.Duration
	perDest     int
	maxWait     time.Duration
	maxAge      time.Duration
	log         *slog.Logger
	metrics     *metrics.Metrics

	poke chan struct{}
	mu   sync.Mutex
	busy map[string]bool
}

// NewSender checks the configuration and returns a Sender.
func NewSender(cfg Config) (*Sender, error) {
	if cfg.Store == nil || cfg.Transport == nil {
		return nil, errors.New("outbox: a sender needs a store and a transport")
	}
	var finder Finder
	if cfg.Lookup {
		f, ok := cfg.Transport.(Finder)
		if !ok {
			return nil, errors.New("outbox: look-ups are on but the transport cannot look posts up")
		}
		finder = f
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
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = defaultSendTimeout
	}
	if cfg.SendTimeout >= cfg.Lease {
		return nil, fmt.Errorf("outbox: the send timeout (%s) must be shorter than the lease (%s)", cfg.SendTimeout, cfg.Lease)
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
	return &Sender{
		store: cfg.Store, transport: cfg.Transport, finder: finder,
		now: cfg.Now, after: cfg.After, renewAfter: cfg.RenewAfter,
		lease: cfg.Lease, sendTimeout: cfg.SendTimeout, perDest: max(1, int(cfg.Lease/cfg.SendTimeout)-1),
		maxWait: cfg.MaxWait, maxAge: cfg.MaxAge, log: cfg.Logger, metrics: cfg.Metrics,
		poke: make(chan struct{}, 1), busy: map[string]bool{},
	}, nil
}

// Poke wakes Run early: a change enqueued a post.
func (s *Sender) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// Run delivers due posts until ctx ends, waking when the next one is due
// (at least every MaxWait) or when poked; then it waits for the calls in
// flight, each bounded by SendTimeout, so that the store outlives them.
// One destination's slow or failing posts never hold up another's.
func (s *Sender) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if _, err := s.dispatch(ctx, &wg); err != nil && ctx.Err() == nil {
			s.log.Error("outbox: pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.after(s.wait(ctx)):
		case <-s.poke:
		}
	}
}

// RunDue delivers every post due now and waits for the calls; it returns
// how many rows it claimed. It is Run's step, for tests.
func (s *Sender) RunDue(ctx context.Context) (int, error) {
	claimed := 0
	for range maxRounds {
		var wg sync.WaitGroup
		n, err := s.dispatch(ctx, &wg)
		wg.Wait()
		claimed += n
		if err != nil || n == 0 {
			return claimed, err
		}
	}
	return claimed, nil
}

func (s *Sender) wait(ctx context.Context) time.Duration {
	next, ok, err := s.store.NextPostAt(ctx, s.busyDests())
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("outbox: find the next due time", "err", err)
		}
		return s.maxWait
	}
	if !ok {
		return s.maxWait
	}
	return min(max(next.Sub(s.now()), 0), s.maxWait)
}

func (s *Sender) busyDests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.busy))
	for d := range s.busy {
		out = append(out, d)
	}
	return out
}

// dispatch claims due rows of destinations not busy and starts one
// goroutine per destination, which sends its rows in order, and one that
// renews the claim's lease while they work, all tracked by wg.
func (s *Sender) dispatch(ctx context.Context, wg *sync.WaitGroup) (int, error) {
	now := s.now()
	busy := s.busyDests()
	// A look first, on the readers: the claim takes the single writer, and
	// most wake-ups (every change pokes the sender) find nothing due.
	next, ok, err := s.store.NextPostAt(ctx, busy)
	if err != nil {
		return 0, fmt.Errorf("look for due posts: %w", err)
	}
	if !ok || next.After(now) {
		s.observeDepth(ctx)
		return 0, nil
	}
	rows, err := s.store.ClaimPosts(ctx, Claim{Now: now, Lease: s.lease, PerDest: s.perDest, Limit: claimBatch, Busy: busy})
	if err != nil {
		return 0, fmt.Errorf("claim posts: %w", err)
	}
	s.observeDepth(ctx)
	if len(rows) == 0 {
		return 0, nil
	}
	order, byDest := claim.Group(rows, func(r Row) string { return Dest(r.Post) })
	s.mu.Lock()
	for _, d := range order {
		s.busy[d] = true
	}
	s.mu.Unlock()
	// Calls go on when Run's context ends, each within its timeout: a
	// shutdown waits for them rather than leave claims to lapse.
	token := rows[0].Token
	claim.Run(context.WithoutCancel(ctx), wg, order, byDest, claim.Renewal{
		Every:  func() <-chan time.Time { return s.renewAfter(s.lease / 3) },
		Renew:  func(ctx context.Context) (int, error) { return s.store.RenewPosts(ctx, token, s.now(), s.lease) },
		Failed: func(err error) { s.log.Error("outbox: renew the lease", "err", err) },
	}, func(ctx context.Context, d string, rows []Row) {
		defer s.done(d)
		for _, r := range rows {
			s.deliver(ctx, r)
		}
	})
	return len(rows), nil
}

func (s *Sender) done(dest string) {
	s.mu.Lock()
	delete(s.busy, dest)
	s.mu.Unlock()
	s.Poke()
}

func (s *Sender) observeDepth(ctx context.Context) {
	if s.metrics == nil {
		return
	}
	n, err := s.store.PostsWaiting(ctx)
	if err != nil {
		s.log.Error("outbox: count the posts waiting", "err", err)
		return
	}
	s.metrics.OutboxDepth(n)
}

// deliver sends one claimed row, or finds it already sent. A row whose
// earlier attempt has an unknown outcome (marked in doubt, or left being
// sent by a sender that died) is looked for first when look-ups are on,
// and otherwise ends unknown: it is never sent a second time blindly.
func (s *Sender) deliver(ctx context.Context, r Row) {
	doubt := r.InDoubt || r.State == StateSending
	if doubt {
		if s.finder == nil {
			s.finish(ctx, r, Finish{State: StateUnknown, At: s.now(), Error: "interrupted while sending; Slack may or may not have it"})
			s.metrics.OutboxPost("unknown")
			s.log.Warn("outbox: a send was interrupted and cannot be checked; not sending it again", "post", r.String(), "kind", r.Kind)
			return
		}
		if s.found(ctx, r) {
			return
		}
	}
	if err := s.store.StartSending(ctx, r, s.now(), s.lease); err != nil {
		s.logStoreError("outbox: start sending", r, err)
		return
	}
	r.Attempts++
	ts, err := s.send(ctx, r)
	at := s.now()
	if err == nil {
		s.finish(ctx, r, Finish{State: StateSent, At: at, TS: ts})
		s.metrics.OutboxPost("sent")
		return
	}
	var ra *retryAfter
	var ns *notSent
	var no *refused
	switch {
	case errors.As(err, &ra):
		s.retry(ctx, r, at, at.Add(max(ra.d, time.Second)), false, err)
	case errors.As(err, &no):
		s.finish(ctx, r, Finish{State: StateFailed, At: at, Error: err.Error()})
		s.metrics.OutboxPost("failed")
		s.log.Error("outbox: Slack refused the post; giving up", "post", r.String(), "kind", r.Kind, "err", err)
	case errors.As(err, &ns):
		s.retry(ctx, r, at, at.Add(backoff(r.Attempts)), false, err)
	case s.finder != nil:
		s.retry(ctx, r, at, at.Add(backoff(r.Attempts)), true, err)
		s.log.Warn("outbox: outcome unknown; looking for the post before sending it again", "post", r.String(), "kind", r.Kind, "err", err)
	default:
		s.finish(ctx, r, Finish{State: StateUnknown, At: at, Error: err.Error()})
		s.metrics.OutboxPost("unknown")
		s.log.Warn("outbox: outcome unknown; not sending it again, Slack may or may not show it", "post", r.String(), "kind", r.Kind, "err", err)
	}
}

// found looks r up and, when it is in Slack, finishes it as sent. A
// failed look-up is tried again later, still in doubt.
func (s *Sender) found(ctx context.Context, r Row) bool {
	findCtx, cancel := context.WithTimeout(ctx, s.sendTimeout)
	ts, ok, err := s.finder.Find(findCtx, r)
	cancel()
	at := s.now()
	switch {
	case err != nil:
		s.retry(ctx, r, at, at.Add(backoff(r.Attempts+1)), true, fmt.Errorf("look for the post: %w", err))
		return true
	case ok:
		s.finish(ctx, r, Finish{State: StateSent, At: at, TS: ts})
		s.metrics.OutboxPost("sent")
		s.log.Info("outbox: found in Slack, not sent again", "post", r.String(), "kind", r.Kind, "ts", ts)
		return true
	}
	return false
}

// retry puts r back to be tried at retryAt, unless it has waited MaxAge.
func (s *Sender) retry(ctx context.Context, r Row, at, retryAt time.Time, doubt bool, err error) {
	if at.Sub(r.CreatedAt) >= s.maxAge {
		state := StateFailed
		if doubt {
			state = StateUnknown
		}
		s.finish(ctx, r, Finish{State: state, At: at, Error: err.Error()})
		s.metrics.OutboxPost(string(state))
		s.log.Error("outbox: giving up on a post", "post", r.String(), "kind", r.Kind, "age", at.Sub(r.CreatedAt).String(), "err", err)
		return
	}
	s.finish(ctx, r, Finish{State: StatePending, At: at, RetryAt: retryAt, InDoubt: doubt, Error: err.Error()})
	s.log.Warn("outbox: post failed; trying again", "post", r.String(), "kind", r.Kind, "attempt", r.Attempts, "retry_at", retryAt, "err", err)
}

// send calls the transport within the send timeout. A panic (a body that
// cannot be decoded, say) happens before any call to Slack, the transport
// building the request first: it is retried like a failure known not to
// have taken effect, and the row is kept.
func (s *Sender) send(ctx context.Context, r Row) (ts string, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.sendTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			ts, err = "", NotSent(fmt.Errorf("send %s: panic: %v", r, p))
		}
	}()
	return s.transport.Send(ctx, r)
}

func (s *Sender) finish(ctx context.Context, r Row, f Finish) {
	if err := s.store.FinishPost(ctx, r, f); err != nil {
		s.logStoreError("outbox: finish "+string(f.State), r, err)
	}
}

func (s *Sender) logStoreError(msg string, r Row, err error) {
	if errors.Is(err, ErrLeaseLost) {
		s.log.Warn(msg+": claim lost, left to its new holder", "post", r.String())
		return
	}
	s.log.Error(msg, "post", r.String(), "err", err)
}

// backoff is the wait before attempt n+1: backoffBase doubled per attempt,
// at most backoffMax.
func backoff(attempts int) time.Duration {
	d := backoffBase
	for i := 1; i < attempts && d < backoffMax; i++ {
		d *= 2
	}
	return min(d, backoffMax)
}
