package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// cmdDecide announces the decision in the channel. Anyone in the channel may
// ask: the decision is computed from the gates and the answers, not chosen.
// It is frozen with its inputs in the audit log, and its announcement
// enqueued in the outbox, before the acknowledgement.
func (b *Bot) cmdDecide(ctx context.Context, c *call, _ []string) reply {
	l, err := b.change(ctx, c, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := l.Announce(c.user, now)
		if err != nil {
			return nil, err
		}
		return events, b.tellAnnouncement(l)
	})
	if err != nil {
		return b.fail(c, err)
	}
	b.refreshLaunch(l.ID, "")
	b.freezeDMs(c.log, l)
	return reply{}
}

// cmdReview sets the date of the next review after a NO-GO.
func (b *Bot) cmdReview(ctx context.Context, c *call, args []string) reply {
	if len(args) != 1 {
		return b.usage(c, "review", "Say the date of the next review.")
	}
	l, changed, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (bool, []launch.Event, error) {
		events, err := l.SetReview(c.user, args[0], now)
		return len(events) > 0, events, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	if !changed {
		return notice(fmt.Sprintf("The next review is already set for %s; nothing changed.", l.ReviewDate))
	}
	b.refreshLaunch(l.ID, fmt.Sprintf("<@%s> set the next review for %s", c.user, l.ReviewDate))
	msg := render.Notice(fmt.Sprintf("<@%s> set the next review for %s.", c.user, l.ReviewDate))
	return reply{msg: &msg, inChannel: true}
}

// tellAnnouncement tells the channel the decision l.Announce just took, in
// the transaction that takes it: the announcement is delivered by the
// outbox once committed, however the process or Slack fares after. Its key
// is the announcement's instant, so one announcement is posted once.
func (b *Bot) tellAnnouncement(l *launch.Launch) error {
	key := launch.PostKey(launch.PostAnnouncement, l.ID, launch.InstantKey(l.Announced.At))
	return enqueue(l, launch.PostAnnouncement, key, render.Announcement(l, b.now()))
}

// freezeDMs redraws the approval DMs after an announcement, which froze
// their answers, after the acknowledgement.
func (b *Bot) freezeDMs(log *slog.Logger, l *launch.Launch) {
	b.later(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, slackTimeout)
		defer cancel()
		b.updateDMs(ctx, log, l)
	})
}

// noticeIfStale makes sure the channel is told, once per announcement, that
// an announced GO was given on facts that have changed since. A change
// stored through the bot tells it in its own transaction (tellIfStale);
// this catches what no change did, a waiver lapsing with the date, at the
// refresh that follows. It looks on the readers first: once told, a stale
// launch costs no write.
func (b *Bot) noticeIfStale(ctx context.Context, log *slog.Logger, l *launch.Launch) {
	if !l.Stale(b.now()) {
		return
	}
	told, err := b.store.Told(ctx, staleKey(l))
	if err != nil {
		log.Error("look for the stale notice", "launch", l.ID, "err", err)
		return
	}
	if told {
		return
	}
	if _, err := b.store.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return nil, tellIfStale(l, now)
	}); err != nil {
		log.Error("tell the stale notice", "launch", l.ID, "err", err)
	}
}

// tellVoided tells the channel, with the change user made at now, which
// sign-offs its unticks voided: the sections need signing off again.
func tellVoided(l *launch.Launch, now time.Time, user string, events []launch.Event) error {
	voided := launch.SectionsOf(events, launch.KindSignoffVoid)
	if len(voided) == 0 {
		return nil
	}
	text := fmt.Sprintf("%s unticked an item of %s: its sign-off is void now, and the section needs signing off again (`signoff <section>`).",
		capitalized(actorRef(user)), inert(strings.Join(voided, ", ")))
	return tellNotice(l, now, "void:"+user+":"+strings.Join(voided, ","), text)
}
