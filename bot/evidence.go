package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// errEvidenceUnsure: the change was taken into a transaction that had not
// committed by the deadline; it may still be stored.
var errEvidenceUnsure = fmt.Errorf("the evidence was not confirmed stored in time: %w", context.DeadlineExceeded)

// RecordEvidence stores a pipeline's report on item n of the launch of
// token t, through the same path as a tick: the change shares the ticks'
// transactions, tells the channel when it voids a sign-off or leaves an
// announced GO stale, and refreshes the launch's live messages with a note
// saying which token did what. It returns the launch as stored. When ctx
// ends before the change is confirmed, the error wraps ctx's.
func (b *Bot) RecordEvidence(ctx context.Context, t launch.Token, n int, r launch.Report) (*launch.Launch, error) {
	actor := t.Actor()
	var team string
	events, err := b.batch.apply(ctx, t.LaunchID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		team = l.TeamID
		return l.RecordEvidence(actor, n, r, now)
	})
	var u *unsureError
	if errors.As(err, &u) {
		return nil, errEvidenceUnsure
	}
	if err != nil {
		return nil, err
	}
	verb := "reported on"
	if changed := changedItems(events); len(changed) > 0 {
		verb = map[bool]string{true: "ticked", false: "unticked"}[r.Pass]
	}
	b.refreshLaunch(team, t.LaunchID, fmt.Sprintf("%s %s item %d: %s", actorRef(actor), verb, n, render.Escape(inert(clipWord(r.Summary)))))
	b.log.Info("evidence", "launch", t.LaunchID, "item", n, "token", t.Name, "pass", r.Pass, "changed", len(events) > 1)
	return b.store.LaunchByID(ctx, t.LaunchID)
}
