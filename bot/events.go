package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// eventMemory is how long an event id is remembered: Slack retries a
// delivery up to three times within minutes.
const eventMemory = 30 * time.Minute

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
// event already seen is dropped.
func (b *Bot) event(e appEvent) {
	start := time.Now()
	defer func() { b.metrics.ObserveRequest("event", time.Since(start)) }()
	if e.team == "" {
		b.log.Warn("event without a team ignored", "event", clip(e.kind))
		return
	}
	if e.id != "" && !b.events.first(e.id, time.Now()) {
		b.log.Info("event already handled", "event_id", clip(e.id))
		return
	}
	switch e.kind {
	case "app_home_opened":
		if e.tab != "" && e.tab != "home" {
			return
		}
		log := b.log.With("request_id", requestID(), "team", e.team, "user", e.user, "event", e.kind)
		b.later(func(ctx context.Context) { b.publishHome(ctx, log, e.team, e.user) })
	case "app_uninstalled", "tokens_revoked":
		if !b.distributed || e.kind == "tokens_revoked" && !e.botRevoked {
			return
		}
		b.later(func(ctx context.Context) { b.uninstalled(ctx, e.team, e.kind) })
	}
}

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

// maxSeenEvents bounds the event ids remembered in one generation of
// eventMemory (see recent): far more than Slack delivers to one app then.
const maxSeenEvents = 10000

// seenEvents remembers event ids for a while, to drop Slack's retries.
type seenEvents struct {
	ids     *recent[string, struct{}]
	metrics *metrics.Metrics
}

func newSeenEvents(ttl time.Duration, m *metrics.Metrics) *seenEvents {
	return &seenEvents{ids: newRecent[string, struct{}](ttl, maxSeenEvents), metrics: m}
}

// first tells whether id is new, and remembers it.
func (s *seenEvents) first(id string, now time.Time) bool {
	added := s.ids.add(id, struct{}{}, now)
	s.metrics.EventIDsRemembered(s.ids.size())
	return added
}
