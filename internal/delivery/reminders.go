package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golive/golive/internal/claim"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// Renderer says what a due reminder posts: the adapter's messages, rendered
// from the launch as it stands at now. It posts nothing itself.
type Renderer interface {
	// Render returns what reminder r of launch l posts at now: a window or
	// countdown in the launch's channel, an overdue list to its owner by
	// DM, ... Wrap an error with Permanent when no retry can fix it; any
	// other error is retried with backoff.
	Render(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) (Rendered, error)
}

// Rendered is what a due reminder does: the messages it posts and, for
// some, a change it records in its launch.
type Rendered struct {
	Messages []Message
	// Change, when set, is made to the launch as it stands in the
	// transaction that enqueues Messages and finishes the reminder, and
	// stored there with its audit events and the posts it tells; a lost
	// claim stores none of it. (A waiver-lapse notice records the lapses
	// it tells of.)
	Change func(l *launch.Launch, now time.Time) ([]launch.Event, error)
	// Stored, when set, is called once the change and the messages are
	// committed.
	Stored func()
}

// Message is one post a reminder makes.
type Message struct {
	// Kind is the outbox post's kind (launch.PostReminder, ...).
	Kind string
	// Channel is the conversation posted in; User, the person sent a
	// direct message instead. Exactly one is set.
	Channel string
	User    string
	// Part tells apart the messages of one reminder (an approval nudge
	// asks for each role in its own DM); "" when it makes one.
	Part string
	Body []byte
}

// ReminderKey is the outbox key of reminder r's post (of part, when a
// reminder makes several): "remind:<launch>:<kind>:<key>", the reminder's
// unique name, so that a reminder is enqueued once whatever happens.
func ReminderKey(r schedule.Reminder, part string) string {
	key := launch.PostKey(launch.PostReminder, r.LaunchID, string(r.Kind)+":"+r.Key)
	if part != "" {
		key += ":" + part
	}
	return key
}

// dispatchReminders claims the due reminders of launches not busy, no more
// of each than it can work through within the lease, and starts one
// goroutine per launch to work through them and one that renews the
// claim's lease while they do, all tracked by wg. It returns how many it
// claimed.
func (d *Delivery) dispatchReminders(ctx context.Context, wg *sync.WaitGroup) (int, error) {
	now := d.now()
	busy := d.launches.list()
	d.metrics.SchedulerTick(now)
	// A look first, on the readers: the claim takes the single writer, and
	// most wake-ups find nothing due.
	next, ok, err := d.store.NextReminderAt(ctx, busy)
	if err != nil {
		return 0, fmt.Errorf("look for due reminders: %w", err)
	}
	if !ok || next.After(now) {
		d.observeReminders(ctx, now)
		return 0, nil
	}
	rows, err := d.store.ClaimReminders(ctx, ReminderClaim{Now: now, Lease: d.lease, PerLaunch: d.perClaim,
		Limit: claimBatch, Busy: busy})
	if err != nil {
		return 0, fmt.Errorf("claim reminders: %w", err)
	}
	d.observeReminders(ctx, now)
	if len(rows) == 0 {
		return 0, nil
	}
	order, byLaunch := claim.Group(rows, func(rem schedule.Reminder) int64 { return rem.LaunchID })
	d.launches.add(order)
	// The work goes on when Run's context ends, each rendering within its
	// timeout: a shutdown waits for it rather than leave claims to expire.
	token := rows[0].Token
	claim.Run(context.WithoutCancel(ctx), wg, order, byLaunch, claim.Renewal{
		Every:  func() <-chan time.Time { return d.renewAfter(d.lease / 3) },
		Renew:  func(ctx context.Context) (int, error) { return d.store.RenewClaim(ctx, token, d.now(), d.lease) },
		Failed: func(err error) { d.log.Error("reminders: renew the lease", "err", err) },
	}, func(ctx context.Context, id int64, rems []schedule.Reminder) {
		defer d.launchDone(id)
		d.work(ctx, id, rems)
	})
	return len(rows), nil
}

// observeReminders sets the gauges of the reminders still owed: how many,
// and how long the oldest due one has waited (a reminder failing again and
// again shows there before anyone misses it).
func (d *Delivery) observeReminders(ctx context.Context, now time.Time) {
	if d.metrics == nil {
		return
	}
	oldest, ok, err := d.store.OldestUnsentDue(ctx, now)
	if err != nil {
		d.log.Error("reminders: find the oldest due", "err", err)
		return
	}
	var age time.Duration
	if ok {
		age = now.Sub(oldest)
	}
	d.metrics.RemindersOldestPending(age)
	n, err := d.store.RemindersWaiting(ctx)
	if err != nil {
		d.log.Error("reminders: count the reminders waiting", "err", err)
		return
	}
	d.metrics.RemindersPending(n)
}

// launchDone marks a launch free again and wakes Run: for what came due
// meanwhile, and for the posts just enqueued.
func (d *Delivery) launchDone(launchID int64) {
	d.launches.remove(launchID)
	d.Poke()
}

// work goes through one launch's claimed reminders, oldest due first.
func (d *Delivery) work(ctx context.Context, launchID int64, rows []schedule.Reminder) {
	l, err := d.store.LaunchByID(ctx, launchID)
	if launch.ErrorCode(err) == launch.ENOTFOUND {
		l, err = nil, nil
	}
	if err != nil {
		d.log.Error("reminders: load launch", "launch", launchID, "err", err)
		d.releaseAll(ctx, rows, "load launch: "+err.Error())
		return
	}
	var asks schedule.Asks
	if l != nil && needsAsks(rows) {
		if asks, err = d.store.ApprovalDMs(ctx, launchID); err != nil {
			d.log.Error("reminders: load approval DMs", "launch", launchID, "err", err)
			d.releaseAll(ctx, rows, "load approval DMs: "+err.Error())
			return
		}
	}
	covered := map[schedule.Ref]bool{}
	for _, rem := range rows {
		d.handle(ctx, l, asks, rem, covered)
	}
}

// needsAsks tells whether handling rows reads the approval requests: a
// digest plans nudges, and an approval DM checks it is still wanted.
func needsAsks(rows []schedule.Reminder) bool {
	for _, rem := range rows {
		if rem.Kind == schedule.KindDigest || rem.Kind == schedule.KindApprovalDM {
			return true
		}
	}
	return false
}

// releaseAll puts rows back to be tried again after a pause, with why.
func (d *Delivery) releaseAll(ctx context.Context, rows []schedule.Reminder, why string) {
	for _, rem := range rows {
		now := d.now()
		d.release(ctx, rem, ReminderRelease{At: now, RetryAt: now.Add(backoffBase), Error: why})
	}
}

// handle does what schedule.Decide says with one claimed reminder.
func (d *Delivery) handle(ctx context.Context, l *launch.Launch, asks schedule.Asks, rem schedule.Reminder, covered map[schedule.Ref]bool) {
	now := d.now()
	if covered[rem.Ref()] {
		d.finish(ctx, rem, ReminderFinish{State: schedule.StateSkipped, At: now, Note: "covered by a window post the same day"})
		return
	}
	dec := schedule.Decide(l, asks, rem, d.tod, now)
	switch {
	case dec.Action == schedule.Wait:
		d.release(ctx, rem, ReminderRelease{At: now, DueAt: dec.DueAt})
		return
	case dec.Action == schedule.Skip:
		f := ReminderFinish{State: schedule.StateSkipped, At: now, Note: dec.Reason}
		if next, ok := schedule.Next(l, asks, rem, d.tod, now); ok {
			f.Next = []schedule.Reminder{next}
		}
		d.finish(ctx, rem, f)
		d.log.Info("reminders: skipped", "reminder", rem.String(), "reason", dec.Reason)
		return
	case rem.Kind == schedule.KindProbe:
		d.probe(ctx, rem)
		return
	case rem.Kind == schedule.KindDigest:
		f := ReminderFinish{State: schedule.StateSent, At: now, Next: schedule.FanOut(l, asks, rem, d.tod, now)}
		if next, ok := schedule.Next(l, asks, rem, d.tod, now); ok {
			f.Next = append(f.Next, next)
		}
		d.finish(ctx, rem, f)
		return
	}
	d.enqueue(ctx, l, rem, now, covered)
}

// enqueue renders one reminder as the launch stands at now and, in the
// transaction that marks it sent (refused if the claim was lost), writes
// its messages to the outbox under the reminder's own keys: the sender
// posts them, once. A reminder an older version was posting when it
// stopped (StatePosting) may be in Slack already: its posts are enqueued in
// doubt, to be looked for before they are sent, or not sent at all.
func (d *Delivery) enqueue(ctx context.Context, l *launch.Launch, rem schedule.Reminder, now time.Time, covered map[schedule.Ref]bool) {
	out, err := d.render(ctx, l, rem, now)
	if err != nil {
		d.metrics.ReminderFailed()
		rem.Attempts++
		at := d.now()
		rel := ReminderRelease{At: at, RetryAt: at.Add(retryDelay(rem.Attempts)), Error: err.Error(), Dead: IsPermanent(err)}
		d.log.Warn("reminders: cannot render", "reminder", rem.String(), "attempt", rem.Attempts,
			"retry_at", rel.RetryAt, "dead", rel.Dead, "err", err)
		d.release(ctx, rem, rel)
		return
	}
	posts := make([]launch.Post, len(out.Messages))
	for i, m := range out.Messages {
		posts[i] = launch.Post{Key: ReminderKey(rem, m.Part), LaunchID: rem.LaunchID, Channel: m.Channel, User: m.User,
			Kind: m.Kind, Body: m.Body}
	}
	covers := schedule.Covers(l, rem, now)
	at := d.now()
	f := ReminderFinish{State: schedule.StateSent, At: at, Covers: covers, Change: out.Change, Posts: posts,
		InDoubt: rem.State == schedule.StatePosting}
	if !d.finish(ctx, rem, f) {
		return
	}
	if out.Stored != nil {
		out.Stored()
	}
	for _, c := range covers {
		covered[c] = true
	}
	d.metrics.ReminderSent(at.Sub(rem.DueAt))
}

// render calls the renderer within the call timeout. A panic (a message
// that cannot be rendered, say) becomes a permanent failure: the reminder
// is kept dead rather than crash the process at every retry.
func (d *Delivery) render(ctx context.Context, l *launch.Launch, rem schedule.Reminder, now time.Time) (out Rendered, err error) {
	ctx, cancel := context.WithTimeout(ctx, d.callTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			out, err = Rendered{}, Permanent(fmt.Errorf("render %s: panic: %v", rem, p))
		}
	}()
	return d.renderer.Render(ctx, l, rem, now)
}

// finish ends a claim as f says and tells whether the store took it.
func (d *Delivery) finish(ctx context.Context, rem schedule.Reminder, f ReminderFinish) bool {
	if err := d.store.FinishReminder(ctx, rem, f); err != nil {
		d.logStoreError("reminders: finish "+string(f.State), rem, err)
		return false
	}
	return true
}

func (d *Delivery) release(ctx context.Context, rem schedule.Reminder, rel ReminderRelease) {
	if err := d.store.ReleaseReminder(ctx, rem, rel); err != nil {
		d.logStoreError("reminders: release", rem, err)
	}
}

// logStoreError logs a failed change to a claimed reminder: a lost claim as
// a warning (the reminder was left to whoever holds it now), any other
// failure as an error.
func (d *Delivery) logStoreError(msg string, rem schedule.Reminder, err error) {
	if errors.Is(err, ErrLeaseLost) {
		d.log.Warn(msg+": claim lost, left to its new holder", "reminder", rem.String(), "id", rem.ID)
		return
	}
	d.log.Error(msg, "reminder", rem.String(), "err", err)
}
