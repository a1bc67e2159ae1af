package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/golive/golive/internal/launch"
)

// Errors of work that did not finish before the acknowledgement was due.
var (
	// errTimeout: the store gave up at the deadline; nothing was saved.
	errTimeout = launch.Errorf(launch.EINTERNAL, "timed out")
	// errUnsure: the store had not answered at the deadline; for a
	// change, an *unsureError tells the outcome later.
	errUnsure = launch.Errorf(launch.EINTERNAL, "no answer")
)

const (
	msgReplayedCommand = "This command was already received once; a repeat of it is refused, and nothing was changed."
	msgTimeout         = "I could not save that in time, so nothing was changed. Please try again in a moment."
	// msgUnsure is said when the outcome will follow: most such changes
	// fail at their deadline, some are saved a moment later.
	msgUnsure = "Saving is taking longer than it should, so I cannot tell yet whether it went through. I will tell you here as soon as I know; please do not repeat it meanwhile."
	// msgUnsureSilent is said when no follow-up can come (a modal has no
	// response_url).
	msgUnsureSilent = "Saving is taking longer than it should, so I cannot tell whether it went through. Check with `checklist` in a minute before trying again."
	// msgSlow is said when a request that changes nothing ran out of time.
	msgSlow = "That is taking longer than it should, so I stopped; nothing was changed. Please try again in a moment."
)

// userMessage is what the user reads about err: the domain's message, a
// word about the deadline, or a generic text for our own faults.
func userMessage(err error) string {
	var u *unsureError
	switch {
	case errors.As(err, &u) && u.followUp:
		return msgUnsure
	case errors.As(err, &u):
		return msgUnsureSilent
	case errors.Is(err, errUnsure):
		return msgSlow
	case errors.Is(err, errTimeout), errors.Is(err, context.DeadlineExceeded):
		return msgTimeout
	}
	return launch.ErrorMessage(err)
}

// within runs op with the acknowledgement's budget: Slack waits 3 s for an
// answer however slow the database is. op gets a context with that
// deadline; if op has not returned by then, within returns errUnsure and op
// finishes in the background. So op must write nothing the caller reads:
// an op with a result uses withinValue, which hands it over only when op
// finished in time.
func (b *Bot) within(ctx context.Context, op func(ctx context.Context) error) error {
	_, err := withinValue(b, ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, op(ctx) })
	return err
}

// withinValue is within for an op with a result, handed over only when op
// finished in time. It is for reads and for writes the user does not wait
// on; a change the user asked for goes through changeWithin.
func withinValue[T any](b *Bot, ctx context.Context, op func(ctx context.Context) (T, error)) (T, error) {
	v, err := runWithin(b, ctx, op)
	var u *unsureError
	if errors.As(err, &u) {
		return v, errUnsure
	}
	return v, err
}

// changeWithin is withinValue for a change the user asked for: when its
// outcome is not known by the deadline, the user is told so and, where the
// request has a response_url, told the outcome once it is known.
func changeWithin[T any](b *Bot, ctx context.Context, op func(ctx context.Context) (T, error)) (T, error) {
	v, err := runWithin(b, ctx, op)
	var u *unsureError
	if errors.As(err, &u) {
		b.followUp(ctx, u)
	}
	return v, err
}

// runWithin runs op within the budget; when op has not answered in time,
// or answered that its own outcome is not known yet, it returns an
// *unsureError that waits for op's final outcome.
func runWithin[T any](b *Bot, ctx context.Context, op func(ctx context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.ackBudget)
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				// An internal error: the user gets the generic message,
				// the log gets the detail.
				var zero T
				done <- result{zero, fmt.Errorf("operation panicked: %v\n%s", p, debug.Stack())}
			}
		}()
		v, err := op(ctx)
		if err != nil && ctx.Err() != nil && launch.ErrorCode(err) == launch.EINTERNAL && !errors.Is(err, errUnsure) {
			// The deadline, not the request, made op fail.
			err = errTimeout
		}
		done <- result{v, err}
	}()
	timer := time.NewTimer(b.ackBudget + 50*time.Millisecond)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, &unsureError{wait: func() error { return outcome((<-done).err) }}
	}
}

// change applies fn to the channel's active launch and stores the result
// with its events, all before the acknowledgement.
func (b *Bot) change(ctx context.Context, c *call, fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	l, _, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (struct{}, []launch.Event, error) {
		events, err := fn(l, now)
		return struct{}{}, events, err
	})
	return l, err
}

// changeWith is change for an fn that also tells the caller what it saw
// (the date before a move, the people asked): that value comes back with
// the launch, and only when the change finished in time.
func changeWith[T any](b *Bot, ctx context.Context, c *call, fn func(l *launch.Launch, now time.Time) (T, []launch.Event, error)) (*launch.Launch, T, error) {
	type changed struct {
		l    *launch.Launch
		seen T
	}
	r, err := changeWithin(b, ctx, func(ctx context.Context) (changed, error) {
		l, err := b.store.LaunchByChannel(ctx, c.team, c.channel)
		if err != nil {
			return changed{}, noLaunchHere(err)
		}
		var seen T
		l, err = b.updateCommand(ctx, c, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			if l.Archived {
				return nil, archivedMeanwhile(l)
			}
			var events []launch.Event
			var err error
			seen, events, err = fn(l, now)
			return events, err
		})
		return changed{l, seen}, err
	})
	return r.l, r.seen, err
}

// updateCommand stores a command's change, refusing a replay of it: the
// command's trigger id is recorded in the same transaction, so the same
// signed command sent again (Slack accepts a signature for 5 minutes)
// changes nothing, after a restart or on another instance too. A command
// without a trigger id cannot be told apart from its replay, and runs.
func (b *Bot) updateCommand(ctx context.Context, c *call, id int64, fn changeFunc) (*launch.Launch, error) {
	if c.triggerID == "" {
		return b.store.Update(ctx, id, fn)
	}
	return b.store.UpdateOnce(ctx, id, c.team, c.triggerID, func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
		if replay {
			c.log.Warn("command-refused", "reason", "replay")
			return nil, launch.Errorf(launch.ECONFLICT, msgReplayedCommand)
		}
		return fn(l, now)
	})
}

// firstCommand refuses the replay of a command whose change shares its
// transaction with others' (ticks): its trigger id is recorded first, on
// its own.
func (b *Bot) firstCommand(ctx context.Context, c *call) error {
	if c.triggerID == "" {
		return nil
	}
	first, err := b.store.FirstRequest(ctx, c.team, c.triggerID)
	if err != nil {
		return err
	}
	if !first {
		c.log.Warn("command-refused", "reason", "replay")
		return launch.Errorf(launch.ECONFLICT, msgReplayedCommand)
	}
	return nil
}

// createLaunch stores a new launch before the acknowledgement and returns
// it with its id. The store works on a copy, so that a store still busy
// after the deadline writes nothing the caller holds.
func (b *Bot) createLaunch(ctx context.Context, l *launch.Launch, by string) (*launch.Launch, error) {
	return changeWithin(b, ctx, func(ctx context.Context) (*launch.Launch, error) {
		created := *l
		if err := b.store.CreateLaunch(ctx, &created, by); err != nil {
			return nil, err
		}
		return &created, nil
	})
}

// batchedChange is what changeBatched stored.
type batchedChange struct {
	launch *launch.Launch // as it was before the change
	events []launch.Event
}

// changeBatched is change for changes that share transactions with the
// changes made at the same moment (ticks); each still stands alone: one that
// fails or panics is undone without touching the others.
func (b *Bot) changeBatched(ctx context.Context, c *call, fn changeFunc) (batchedChange, error) {
	return changeWithin(b, ctx, func(ctx context.Context) (batchedChange, error) {
		l, err := b.store.LaunchByChannel(ctx, c.team, c.channel)
		if err != nil {
			return batchedChange{}, noLaunchHere(err)
		}
		if err := b.firstCommand(ctx, c); err != nil {
			return batchedChange{}, err
		}
		events, err := b.batch.apply(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			if l.Archived {
				return nil, archivedMeanwhile(l)
			}
			return fn(l, now)
		})
		return batchedChange{launch: l, events: events}, err
	})
}

func archivedMeanwhile(l *launch.Launch) error {
	return launch.Errorf(launch.ECONFLICT, "The launch “%s” was archived meanwhile; nothing was changed.", inert(l.Name))
}

// channelLaunch reads the channel's active launch within the budget.
func (b *Bot) channelLaunch(ctx context.Context, c *call) (*launch.Launch, error) {
	return withinValue(b, ctx, func(ctx context.Context) (*launch.Launch, error) {
		l, err := b.store.LaunchByChannel(ctx, c.team, c.channel)
		return l, noLaunchHere(err)
	})
}

// noLaunchHere words a missing launch for the slash command's user.
func noLaunchHere(err error) error {
	if launch.ErrorCode(err) == launch.ENOTFOUND {
		return launch.Errorf(launch.ENOTFOUND,
			"There is no launch in this channel yet. Start one with `new \"Checkout v2\" 2026-12-01`, or paste your own checklist with `import`.")
	}
	return err
}

// requestID returns a short random id that ties a request's log lines together.
func requestID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
