package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// decideProbeWait bounds how long `decide` waits for the launch's probes
// before deciding on what they found by then: a probe unfinished by then
// leaves its item's evidence as it was.
const decideProbeWait = 15 * time.Second

// cmdDecide announces the decision in the channel. Anyone in the channel may
// ask: the decision is computed from the gates and the answers, not chosen.
// It is frozen with its inputs in the audit log, and its announcement
// enqueued in the outbox, before the acknowledgement. A launch with probes
// runs them first, after the acknowledgement (Slack waits 3 s, probes may
// take longer), and decides on their results: the user is told so at once,
// and the decision follows in the channel.
func (b *Bot) cmdDecide(ctx context.Context, c *call, _ []string) reply {
	if !b.ProbesOn() {
		return b.announce(ctx, c)
	}
	l, err := b.store.LaunchByChannel(ctx, c.team, c.channel)
	if err != nil {
		return b.fail(c, noLaunchHere(err))
	}
	n := len(l.Probes())
	if n == 0 || l.Archived {
		return b.announce(ctx, c)
	}
	after := context.WithoutCancel(ctx)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer b.survive("decide after probes")
		pctx, cancel := context.WithTimeout(b.background, decideProbeWait)
		_, err := b.RunProbes(pctx, l.ID, "decide")
		cancel()
		if err != nil {
			c.log.Error("probes before the decision", "launch", l.ID, "err", err)
		}
		if r := b.announce(after, c); r.msg != nil {
			b.respond(b.background, c.log, c.responseURL, *r.msg)
		}
	}()
	return notice(fmt.Sprintf("Running the launch's %d probes first (%s at most); the decision follows in the channel.",
		n, decideProbeWait))
}

// announce decides and announces, as cmdDecide's answer.
func (b *Bot) announce(ctx context.Context, c *call) reply {
	l, err := b.change(ctx, c, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.Announce(c.user, now)
	})
	if err != nil {
		return b.fail(c, err)
	}
	b.refreshLaunch(l.TeamID, l.ID, "")
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
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> set the next review for %s", c.user, l.ReviewDate))
	msg := render.Notice(fmt.Sprintf("<@%s> set the next review for %s.", c.user, l.ReviewDate))
	return reply{msg: &msg, inChannel: true}
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
// stored through the bot tells it in its own transaction (tellNotices);
// this catches what no change did, a waiver lapsing with the date, at the
// refresh that follows. It looks on the readers first: once told, a stale
// launch costs no write.
func (b *Bot) noticeIfStale(ctx context.Context, log *slog.Logger, l *launch.Launch) {
	if !l.Stale(b.now()) {
		return
	}
	told, err := b.store.Told(ctx, l.StaleKey())
	if err != nil {
		log.Error("look for the stale notice", "launch", l.ID, "err", err)
		return
	}
	if told {
		return
	}
	// The bot's store tells the notice with the change, which changes nothing.
	if _, err := b.store.Update(ctx, l.ID, func(*launch.Launch, time.Time) ([]launch.Event, error) {
		return nil, nil
	}); err != nil {
		log.Error("tell the stale notice", "launch", l.ID, "err", err)
	}
}
