package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golive/golive/internal/claim"
	"github.com/golive/golive/internal/outbox"
)

// postBackoffBase and postBackoffMax bound the wait before a post that failed is
// tried again: 2 s, 4 s, ... up to 5 minutes.
const (
	postBackoffBase = 2 * time.Second
	postBackoffMax  = 5 * time.Minute
)

// dispatchPosts claims due posts of conversations not busy and starts one
// goroutine per conversation, which sends its posts in order, and one that
// renews the claim's lease while they work, all tracked by wg. It returns
// how many it claimed.
func (d *Delivery) dispatchPosts(ctx context.Context, wg *sync.WaitGroup) (int, error) {
	now := d.now()
	busy := d.dests.list()
	// A look first, on the readers: the claim takes the single writer, and
	// most wake-ups (every change pokes) find nothing due.
	next, ok, err := d.store.NextPostAt(ctx, busy)
	if err != nil {
		return 0, fmt.Errorf("look for due posts: %w", err)
	}
	if !ok || next.After(now) {
		d.observeDepth(ctx)
		return 0, nil
	}
	rows, err := d.store.ClaimPosts(ctx, outbox.Claim{Now: now, Lease: d.lease, PerDest: d.perClaim, Limit: claimBatch, Busy: busy})
	if err != nil {
		return 0, fmt.Errorf("claim posts: %w", err)
	}
	d.observeDepth(ctx)
	if len(rows) == 0 {
		return 0, nil
	}
	order, byDest := claim.Group(rows, func(r outbox.Row) string { return outbox.Dest(r.Post) })
	d.dests.add(order)
	// Calls go on when Run's context ends, each within its timeout: a
	// shutdown waits for them rather than leave claims to lapse.
	token := rows[0].Token
	claim.Run(context.WithoutCancel(ctx), wg, order, byDest, claim.Renewal{
		Every:  func() <-chan time.Time { return d.renewAfter(d.lease / 3) },
		Renew:  func(ctx context.Context) (int, error) { return d.store.RenewPosts(ctx, token, d.now(), d.lease) },
		Failed: func(err error) { d.log.Error("outbox: renew the lease", "err", err) },
	}, func(ctx context.Context, dest string, rows []outbox.Row) {
		defer d.destDone(dest)
		for _, r := range rows {
			d.deliver(ctx, r)
		}
	})
	return len(rows), nil
}

func (d *Delivery) destDone(dest string) {
	d.dests.remove(dest)
	d.Poke()
}

func (d *Delivery) observeDepth(ctx context.Context) {
	if d.metrics == nil {
		return
	}
	n, err := d.store.PostsWaiting(ctx)
	if err != nil {
		d.log.Error("outbox: count the posts waiting", "err", err)
		return
	}
	d.metrics.OutboxDepth(n)
}

// deliver sends one claimed row, or finds it already sent. A row whose
// earlier attempt has an unknown outcome (marked in doubt, or left being
// sent by a sender that died) is looked for first when look-ups are on,
// and otherwise ends unknown: it is never sent a second time blindly.
func (d *Delivery) deliver(ctx context.Context, r outbox.Row) {
	doubt := r.InDoubt || r.State == outbox.StateSending
	if doubt {
		if d.finder == nil {
			d.finishPost(ctx, r, outbox.Finish{State: outbox.StateUnknown, At: d.now(), Error: "interrupted while sending; Slack may or may not have it"})
			d.metrics.OutboxPost("unknown")
			d.log.Warn("outbox: a send was interrupted and cannot be checked; not sending it again", "post", r.String(), "kind", r.Kind)
			return
		}
		if d.found(ctx, r) {
			return
		}
	}
	if err := d.store.StartSending(ctx, r, d.now(), d.lease); err != nil {
		d.logPostError("outbox: start sending", r, err)
		return
	}
	r.Attempts++
	ts, err := d.send(ctx, r)
	at := d.now()
	if err == nil {
		d.finishPost(ctx, r, outbox.Finish{State: outbox.StateSent, At: at, TS: ts})
		d.metrics.OutboxPost("sent")
		return
	}
	switch {
	case outbox.IsRetryAfter(err):
		d.retry(ctx, r, at, at.Add(max(outbox.RetryAfterOf(err), time.Second)), false, err)
	case outbox.IsRefused(err):
		d.finishPost(ctx, r, outbox.Finish{State: outbox.StateFailed, At: at, Error: err.Error()})
		d.metrics.OutboxPost("failed")
		d.log.Error("outbox: Slack refused the post; giving up", "post", r.String(), "kind", r.Kind, "err", err)
	case outbox.IsNotSent(err):
		d.retry(ctx, r, at, at.Add(backoff(r.Attempts)), false, err)
	case d.finder != nil:
		d.retry(ctx, r, at, at.Add(backoff(r.Attempts)), true, err)
		d.log.Warn("outbox: outcome unknown; looking for the post before sending it again", "post", r.String(), "kind", r.Kind, "err", err)
	default:
		d.finishPost(ctx, r, outbox.Finish{State: outbox.StateUnknown, At: at, Error: err.Error()})
		d.metrics.OutboxPost("unknown")
		d.log.Warn("outbox: outcome unknown; not sending it again, Slack may or may not show it", "post", r.String(), "kind", r.Kind, "err", err)
	}
}

// found looks r up and, when it is in Slack, finishes it as sent. A
// failed look-up is tried again later, still in doubt.
func (d *Delivery) found(ctx context.Context, r outbox.Row) bool {
	findCtx, cancel := context.WithTimeout(ctx, d.callTimeout)
	ts, ok, err := d.finder.Find(findCtx, r)
	cancel()
	at := d.now()
	switch {
	case err != nil:
		d.retry(ctx, r, at, at.Add(backoff(r.Attempts+1)), true, fmt.Errorf("look for the post: %w", err))
		return true
	case ok:
		d.finishPost(ctx, r, outbox.Finish{State: outbox.StateSent, At: at, TS: ts})
		d.metrics.OutboxPost("sent")
		d.log.Info("outbox: found in Slack, not sent again", "post", r.String(), "kind", r.Kind, "ts", ts)
		return true
	}
	return false
}

// retry puts r back to be tried at retryAt, unless it has waited MaxAge.
func (d *Delivery) retry(ctx context.Context, r outbox.Row, at, retryAt time.Time, doubt bool, err error) {
	if at.Sub(r.CreatedAt) >= d.maxAge {
		state := outbox.StateFailed
		if doubt {
			state = outbox.StateUnknown
		}
		d.finishPost(ctx, r, outbox.Finish{State: state, At: at, Error: err.Error()})
		d.metrics.OutboxPost(string(state))
		d.log.Error("outbox: giving up on a post", "post", r.String(), "kind", r.Kind, "age", at.Sub(r.CreatedAt).String(), "err", err)
		return
	}
	d.finishPost(ctx, r, outbox.Finish{State: outbox.StatePending, At: at, RetryAt: retryAt, InDoubt: doubt, Error: err.Error()})
	d.log.Warn("outbox: post failed; trying again", "post", r.String(), "kind", r.Kind, "attempt", r.Attempts, "retry_at", retryAt, "err", err)
}

// send calls the transport within the call timeout, fenced when posts
// are looked up. A panic (a body that
// cannot be decoded, say) happens before any call to Slack, the transport
// building the request first: it is retried like a failure known not to
// have taken effect, and the row is kept.
func (d *Delivery) send(ctx context.Context, r outbox.Row) (ts string, err error) {
	// The call's bound ends before the lease StartSending extended does
	// (CallTimeout < Lease). When posts are looked up, another sender may
	// send this one once the lease ended: a call that has not left by the
	// end of its bound, on this sender's clock, must not leave at all
	// (outbox.Fenced). Without look-ups nobody sends it again, and a late
	// call is its only chance.
	if d.finder != nil {
		ctx = outbox.Fenced(ctx, d.now().Add(d.callTimeout))
	}
	ctx, cancel := context.WithTimeout(ctx, d.callTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			ts, err = "", outbox.NotSent(fmt.Errorf("send %s: panic: %v", r, p))
		}
	}()
	return d.transport.Send(ctx, r)
}

func (d *Delivery) finishPost(ctx context.Context, r outbox.Row, f outbox.Finish) {
	if err := d.store.FinishPost(ctx, r, f); err != nil {
		d.logPostError("outbox: finish "+string(f.State), r, err)
	}
}

func (d *Delivery) logPostError(msg string, r outbox.Row, err error) {
	if errors.Is(err, outbox.ErrLeaseLost) {
		d.log.Warn(msg+": claim lost, left to its new holder", "post", r.String())
		return
	}
	d.log.Error(msg, "post", r.String(), "err", err)
}

// backoff is the wait before attempt n+1 of a post: postBackoffBase doubled
// per attempt, at most postBackoffMax.
func backoff(attempts int) time.Duration {
	d := postBackoffBase
	for i := 1; i < attempts && d < postBackoffMax; i++ {
		d *= 2
	}
	return min(d, postBackoffMax)
}
