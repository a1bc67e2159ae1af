package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// appEvent is the part of an Events API event golive acts on.
type appEvent struct {
	id   string // event_id, the same on Slack's retries
	team string
	kind string // the inner event's type
	user string
	tab  string
	// botRevoked says a tokens_revoked event names bot tokens.
	botRevoked bool
}

// event handles a verified event after it was acknowledged; a retry of an
// event already handled is dropped (firstEvent).
func (b *Bot) event(e appEvent) {
	start := time.Now()
	defer func() { b.metrics.ObserveRequest("event", time.Since(start)) }()
	if e.team == "" {
		b.log.Warn("event without a team ignored", "event", clip(e.kind))
		return
	}
	switch e.kind {
	case "app_home_opened":
		if e.tab != "" && e.tab != "home" {
			return
		}
		log := b.log.With("request_id", requestID(), "team", e.team, "user", e.user, "event", e.kind)
		b.later(func(ctx context.Context) {
			if b.firstEvent(ctx, log, e) {
				b.publishHome(ctx, log, e.team, e.user)
			}
		})
	case "app_uninstalled", "tokens_revoked":
		// Handling a retry again does nothing more: no need to record it.
		if !b.distributed || e.kind == "tokens_revoked" && !e.botRevoked {
			return
		}
		b.later(func(ctx context.Context) { b.uninstalled(ctx, e.team, e.kind) })
	}
}

// firstEvent records e's event_id in the store and tells whether this is
// its first delivery. Slack retries a delivery it saw no timely answer to
// (X-Slack-Retry-Num), to whichever replica the load balancer or Socket
// Mode picks, so the ids handled are kept where every replica sees them.
// When the store cannot say, the event is handled: the events golive acts
// on are safe to handle twice, and worse to drop.
func (b *Bot) firstEvent(ctx context.Context, log *slog.Logger, e appEvent) bool {
	if e.id == "" {
		return true
	}
	first, err := b.store.FirstRequest(ctx, e.team, eventRequest(e.id))
	if err != nil {
		log.Warn("could not check whether the event was handled already; handling it", "event_id", clip(e.id), "err", err)
		return true
	}
	if !first {
		log.Info("event already handled", "event_id", clip(e.id))
	}
	return first
}

// eventRequest is the request identity an event_id is recorded under,
// apart from the trigger ids of interactions kept in the same table.
func eventRequest(id string) string { return "event:" + id }

// publishHome shows user their launches in this team on the Home tab.
func (b *Bot) publishHome(ctx context.Context, log *slog.Logger, team, user string) {
	ctx, cancel := context.WithTimeout(ctx, slackTimeout)
	defer cancel()
	ls, err := b.store.LaunchesOfUser(ctx, team, user)
	if err != nil {
		log.Error("home: list launches", "err", err)
		return
	}
	view := render.Home(user, ls, b.askedOf(ctx, log, user, ls), b.now())
	if _, err := b.api(ctx, team).PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view}); err != nil {
		log.Error("home: publish", "err", err)
	}
}

// askedOf returns which of user's pending roles in launches ls were asked
// for by DM, so that the Home tab says where to answer. A launch whose DMs
// cannot be read counts as not asked.
func (b *Bot) askedOf(ctx context.Context, log *slog.Logger, user string, ls []*launch.Launch) render.Asked {
	type key struct {
		launch int64
		role   string
	}
	asked := map[key]bool{}
	for _, l := range ls {
		if !waitsFor(l, user) {
			continue
		}
		dms, err := b.store.ApprovalDMs(ctx, l.ID)
		if err != nil {
			log.Error("home: list approval requests", "launch", l.ID, "err", err)
			continue
		}
		for _, dm := range dms {
			if dm.Holder == user {
				asked[key{l.ID, dm.Role}] = true
			}
		}
	}
	return func(id int64, role string) bool { return asked[key{id, role}] }
}

// waitsFor tells whether user holds a role of l that has not answered.
func waitsFor(l *launch.Launch, user string) bool {
	for _, r := range l.Checklist.Roles {
		if r.Holder == user && (r.Verdict == checklist.VerdictPending || r.Verdict == "") {
			return true
		}
	}
	return false
}
