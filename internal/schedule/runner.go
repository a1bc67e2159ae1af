package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golive/golive/internal/claim"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// Poster delivers reminders to Slack.
type Poster interface {
	// Post posts r for launch l as it stands at now: a window or countdown
	// in the launch's channel, an overdue list to its owner by DM. Wrap a
	// rate-limited failure with RetryAfter and a hopeless one with
	// Permanent; any other error is retried with backoff.
	Post(ctx context.Context, l *launch.Launch, r Reminder, now time.Time) error
}

// Defaults of Config.
const (
	defaultLease       = 2 * time.Minute
	defaultPostTimeout = 30 * time.Second
	defaultMaxWait     = 15 * time.Second
	// claimBatch bounds the reminders one pass claims, and so the launches
	// worked on at once.
	claimBatch = 100
	// maxRounds bounds the passes of one RunDue, which goes on while a pass
	// claims anything: a digest's DMs are claimed in the pass after it, and
	// a launch with more due reminders than one claim takes needs several.
	maxRounds = 1000
)

// Config is what New needs: Store and Poster are required, the rest have
// defaults.
type Config struct {
	Store  Store
	Poster Poster
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
	// PostTimeout, default 30 s, bounds one post and must be shorter, so
	// that a post in flight never outlives its claim: the lease is extended
	// to a full one when the post starts. A claim takes as many reminders of
	// a launch as can be posted one after another within the lease, less one
	// post for the database work (3 by default).
	Lease       time.Duration
	PostTimeout time.Duration
	// MaxWait is the longest Run sleeps between passes; default 15 s.
	MaxWait time.Duration
	Logger  *slog.Logger
	// Metrics may be nil.
	Metrics *metrics.Metrics
}

// Runner claims due reminders from the store and posts them. Run is its
// loop; RunDue is one pass, which tests call with a fake clock to go
// through a launch's month, restarts included, in under a second.
type Runner struct {
	store       Store
	poster      Poster
	tod         TimeOfDay
	now         func() time.Time
	after       func(time.Duration) <-chan time.Time
	renewAfter  func(time.Duration) <-chan time.Time
	lease       time.Duration
	perLaunch   int
	postTimeout time.Duration
	maxWait     time.Duration
	log         *slog.Logger
	metrics     *metrics.Metrics

	poke chan struct{}
	mu   sync.Mutex
	busy map[int64]bool
}

// New checks the configuration and returns a Runner.
func New(cfg Config) (*Runner, error) {
	if cfg.Store == nil || cfg.Poster == nil {
		return nil, errors.New("schedule: a runner needs a store and a poster")
	}
	tod := DefaultTimeOfDay
	if cfg.At != "" {
		var err error
		if tod, err = ParseTimeOfDay(cfg.At); err != nil {
			return nil, fmt.Errorf("schedule: %w", err)
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
	if cfg.PostTimeout <= 0 {
		cfg.PostTimeout = defaultPostTimeout
	}
	if cfg.PostTimeout >= cfg.Lease {
		return nil, fmt.Errorf("schedule: the post timeout (%s) must be shorter than the lease (%s)", cfg.PostTimeout, cfg.Lease)
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = defaultMaxWait
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{
		store: cfg.Store, poster: cfg.Poster, tod: tod, now: cfg.Now, after: cfg.After, renewAfter: cfg.RenewAfter,
		lease: cfg.Lease, perLaunch: max(1, int(cfg.Lease/cfg.PostTimeout)-1),
		postTimeout: cfg.PostTimeout, maxWait: cfg.MaxWait,
		log: cfg.Logger, metrics: cfg.Metrics,
		poke: make(chan struct{}, 1),
		busy: map[int64]bool{},
	}, nil
}

// TimeOfDay returns the local time reminders are posted.
func (r *Runner) TimeOfDay() TimeOfDay { return r.tod }

// Poke wakes Run early: something was planned or has finished.
func (r *Runner) Poke() {
	select {
	case r.poke <- struct{}{}:
	default:
	}
}

// Run posts due reminders until ctx ends, waking when the next one is due
// (at least every MaxWait) or when poked; then it waits for the posts in
// flight. It first plans every active launch again (SyncAll), to catch up
// on changes made while it was down. One launch's slow or failing posts
// never hold up another's: each launch is worked on by its own goroutine,
// and a pass skips launches still busy.
func (r *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	if err := r.syncAll(ctx); err != nil {
		r.log.Error("reminders: sync at start", "err", err)
	}
	for {
		if _, err := r.dispatch(ctx, &wg, nil); err != nil {
			r.log.Error("reminders: pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.after(r.wait(ctx)):
		case <-r.poke:
		}
	}
}

// RunDue posts every reminder due now and waits for the posts; it returns
// how many it posted. It is Run's step, exposed so tests can drive the
// runner with a fake clock.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	var posted atomic.Int64
	for range maxRounds {
		var wg sync.WaitGroup
		n, err := r.dispatch(ctx, &wg, &posted)
		wg.Wait()
		if err != nil || n == 0 {
			return int(posted.Load()), err
		}
	}
	return int(posted.Load()), nil
}

// wait returns how long Run sleeps: until the next reminder is claimable,
// at most MaxWait.
func (r *Runner) wait(ctx context.Context) time.Duration {
	next, ok, err := r.store.NextReminderAt(ctx, r.busyLaunches())
	if err != nil {
		r.log.Error("reminders: find the next due time", "err", err)
		return r.maxWait
	}
	if !ok {
		return r.maxWait
	}
	return min(max(next.Sub(r.now()), 0), r.maxWait)
}

func (r *Runner) busyLaunches() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]int64, 0, len(r.busy))
	for id := range r.busy {
		ids = append(ids, id)
	}
	return ids
}

// dispatch claims the due reminders of launches not busy, no more of each
// than it can post within the lease, and starts one goroutine per launch to
// work through them and one that renews the claim's lease while they do,
// all tracked by wg. It returns how many it claimed; posted (when not nil)
// counts the posts made.
func (r *Runner) dispatch(ctx context.Context, wg *sync.WaitGroup, posted *atomic.Int64) (int, error) {
	now := r.now()
	rows, err := r.store.ClaimReminders(ctx, Claim{Now: now, Lease: r.lease, PerLaunch: r.perLaunch,
		Limit: claimBatch, Busy: r.busyLaunches()})
	if err != nil {
		return 0, fmt.Errorf("claim reminders: %w", err)
	}
	r.metrics.SchedulerTick(now)
	r.observeBacklog(ctx, now)
	if len(rows) == 0 {
		return 0, nil
	}
	order, byLaunch := claim.Group(rows, func(rem Reminder) int64 { return rem.LaunchID })
	r.mu.Lock()
	for _, id := range order {
		r.busy[id] = true
	}
	r.mu.Unlock()
	// Posts go on when Run's context ends, each within its timeout: a
	// shutdown waits for them rather than leaving claims to expire. A slow
	// post, or a slow database, never lets the reminders still to post run
	// out and be taken by another runner while this one is alive.
	token := rows[0].Token
	claim.Run(context.WithoutCancel(ctx), wg, order, byLaunch, claim.Renewal{
		Every:  func() <-chan time.Time { return r.renewAfter(r.lease / 3) },
		Renew:  func(ctx context.Context) (int, error) { return r.store.RenewClaim(ctx, token, r.now(), r.lease) },
		Failed: func(err error) { r.log.Error("reminders: renew the lease", "err", err) },
	}, func(ctx context.Context, id int64, rems []Reminder) {
		defer r.done(id)
		n := r.work(ctx, id, rems)
		if posted != nil {
			posted.Add(int64(n))
		}
	})
	return len(rows), nil
}

// observeBacklog sets the gauge of how long the oldest unsent due reminder
// has waited: a post failing again and again shows there before anyone
// misses it.
func (r *Runner) observeBacklog(ctx context.Context, now time.Time) {
	if r.metrics == nil {
		return
	}
	oldest, ok, err := r.store.OldestUnsentDue(ctx, now)
	if err != nil {
		r.log.Error("reminders: find the oldest due", "err", err)
		return
	}
	var age time.Duration
	if ok {
		age = now.Sub(oldest)
	}
	r.metrics.RemindersOldestPending(age)
}

// done marks a launch free again and wakes Run for what came due meanwhile.
func (r *Runner) done(launchID int64) {
	r.mu.Lock()
	delete(r.busy, launchID)
	r.mu.Unlock()
	r.Poke()
}

// work goes through one launch's claimed reminders, oldest due first, and
// returns how many it posted.
func (r *Runner) work(ctx context.Context, launchID int64, rows []Reminder) int {
	l, err := r.store.LaunchByID(ctx, launchID)
	if launch.ErrorCode(err) == launch.ENOTFOUND {
		l, err = nil, nil
	}
	if err != nil {
		r.log.Error("reminders: load launch", "launch", launchID, "err", err)
		r.releaseAll(ctx, rows, "load launch: "+err.Error())
		return 0
	}
	var asks Asks
	if l != nil && needsAsks(rows) {
		if asks, err = r.store.ApprovalDMs(ctx, launchID); err != nil {
			r.log.Error("reminders: load approval DMs", "launch", launchID, "err", err)
			r.releaseAll(ctx, rows, "load approval DMs: "+err.Error())
			return 0
		}
	}
	covered := map[Ref]bool{}
	posted := 0
	for _, rem := range rows {
		if r.handle(ctx, l, asks, rem, covered) {
			posted++
		}
	}
	return posted
}

// needsAsks tells whether handling rows reads the approval requests: a
// digest plans nudges, and an approval DM checks it is still wanted.
func needsAsks(rows []Reminder) bool {
	for _, rem := range rows {
		if rem.Kind == KindDigest || rem.Kind == KindApprovalDM {
			return true
		}
	}
	return false
}

// releaseAll puts rows back to be tried again after a pause, with why.
func (r *Runner) releaseAll(ctx context.Context, rows []Reminder, why string) {
	for _, rem := range rows {
		now := r.now()
		r.release(ctx, rem, Release{At: now, RetryAt: now.Add(backoffBase), Error: why})
	}
}

// handle does what Decide says with one claimed reminder and tells whether
// it posted it.
func (r *Runner) handle(ctx context.Context, l *launch.Launch, asks Asks, rem Reminder, covered map[Ref]bool) bool {
	now := r.now()
	if covered[rem.Ref()] {
		r.finish(ctx, rem, Finish{State: StateSkipped, At: now, Note: "covered by a window post the same day"})
		return false
	}
	d := Decide(l, asks, rem, r.tod, now)
	switch {
	case d.Action == Wait:
		r.release(ctx, rem, Release{At: now, DueAt: d.DueAt})
		return false
	case d.Action == Skip:
		f := Finish{State: StateSkipped, At: now, Note: d.Reason}
		if next, ok := Next(l, asks, rem, r.tod, now); ok {
			f.Next = []Reminder{next}
		}
		r.finish(ctx, rem, f)
		r.log.Info("reminders: skipped", "reminder", rem.String(), "reason", d.Reason)
		return false
	case rem.Kind == KindDigest:
		f := Finish{State: StateSent, At: now, Next: FanOut(l, asks, rem, r.tod, now)}
		if next, ok := Next(l, asks, rem, r.tod, now); ok {
			f.Next = append(f.Next, next)
		}
		r.finish(ctx, rem, f)
		return false
	}
	return r.post(ctx, l, rem, now, covered)
}

// post posts one reminder. Just before the call, StartPosting checks in the
// database that this runner still holds the claim and extends its lease
// past the post timeout: a reminder whose claim ran out or was taken by
// another runner is left to that runner. The posting state is committed
// before the call: a lease that runs out in it means a crash or hang during
// the post, when Slack may or may not have the message. Such a reminder is
// posted again (logged as a possible duplicate): a rare visible duplicate,
// carrying the same reminder id in its metadata, is better than a silently
// lost reminder, and a post that timed out is in the same doubt anyway.
func (r *Runner) post(ctx context.Context, l *launch.Launch, rem Reminder, now time.Time, covered map[Ref]bool) bool {
	if rem.State == StatePosting {
		r.log.Warn("reminders: a post was interrupted; posting again, Slack may show it twice",
			"reminder", rem.String(), "id", rem.ID)
	}
	if err := r.store.StartPosting(ctx, rem, r.now(), r.lease); err != nil {
		r.logStoreError("reminders: record the post", rem, err)
		return false
	}
	rem.Attempts++
	if err := r.callPoster(ctx, l, rem, now); err != nil {
		r.metrics.ReminderFailed()
		at := r.now()
		rel := Release{At: at, RetryAt: at.Add(retryDelay(rem.Attempts, err)), Error: err.Error(), Dead: IsPermanent(err)}
		r.log.Warn("reminders: post failed", "reminder", rem.String(), "attempt", rem.Attempts,
			"retry_at", rel.RetryAt, "dead", rel.Dead, "err", err)
		r.release(ctx, rem, rel)
		return false
	}
	sent := r.now()
	covers := Covers(l, rem, now)
	for _, c := range covers {
		covered[c] = true
	}
	r.metrics.ReminderSent(sent.Sub(rem.DueAt))
	r.finish(ctx, rem, Finish{State: StateSent, At: sent, Covers: covers})
	return true
}

// callPoster posts within the post timeout. A panic in the poster (a
// message that cannot be rendered, say) becomes a permanent failure: the
// reminder is kept dead rather than crash the process at every retry.
func (r *Runner) callPoster(ctx context.Context, l *launch.Launch, rem Reminder, now time.Time) (err error) {
	ctx, cancel := context.WithTimeout(ctx, r.postTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("post %s: panic: %v", rem, p))
		}
	}()
	return r.poster.Post(ctx, l, rem, now)
}

func (r *Runner) finish(ctx context.Context, rem Reminder, f Finish) {
	if err := r.store.FinishReminder(ctx, rem, f); err != nil {
		r.logStoreError("reminders: finish "+string(f.State), rem, err)
	}
}

func (r *Runner) release(ctx context.Context, rem Reminder, rel Release) {
	if err := r.store.ReleaseReminder(ctx, rem, rel); err != nil {
		r.logStoreError("reminders: release", rem, err)
	}
}

// logStoreError logs a failed change to a claimed reminder: a lost claim as
// a warning (the runner left the reminder to whoever holds it now), any
// other failure as an error.
func (r *Runner) logStoreError(msg string, rem Reminder, err error) {
	if errors.Is(err, ErrLeaseLost) {
		r.log.Warn(msg+": claim lost, left to its new holder", "reminder", rem.String(), "id", rem.ID)
		return
	}
	r.log.Error(msg, "reminder", rem.String(), "err", err)
}
