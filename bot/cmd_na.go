package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// cmdNA marks an item not applicable: na <n> "<reason>", or na <n> off.
// On a P0 item or one in a 100% gate, the launch's role holders are asked
// by DM to confirm, and the item counts as open until one accepts.
func (b *Bot) cmdNA(ctx context.Context, c *call, args []string) reply {
	if len(args) < 2 {
		return b.usage(c, "na", "Say which item, by number, and why it does not apply, in quotes; `off` makes it apply again.")
	}
	n, ok := itemRef(args[0])
	if !ok {
		return b.notItem(c, "na", args[0])
	}
	reason := plainText(strings.Join(args[1:], " "))
	type marked struct {
		pending, changed bool
	}
	l, got, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (marked, []launch.Event, error) {
		pending, events, err := l.SetNA(c.user, n, reason, now)
		if err != nil {
			return marked{}, nil, err
		}
		if pending && len(events) > 0 {
			if err := askNA(l, n, c.user, now); err != nil {
				return marked{}, nil, err
			}
		}
		return marked{pending, len(events) > 0}, events, nil
	})
	if err != nil {
		return b.fail(c, err)
	}
	off := strings.EqualFold(strings.TrimSpace(reason), "off")
	if !got.changed {
		return notice(fmt.Sprintf("Item %d applies already; nothing changed.", n))
	}
	c.log.Info("na", "launch", l.ID, "item", n, "off", off, "pending", got.pending)
	if off {
		b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> made item %d apply again", c.user, n))
		return notice(fmt.Sprintf("Item %d applies again: it counts towards readiness and its gates.", n))
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> marked item %d not applicable", c.user, n))
	if !got.pending {
		return notice(fmt.Sprintf("You marked item %d not applicable: %s. It no longer counts towards readiness or any gate; `na %d off` undoes it.",
			n, inert(reason), n))
	}
	// Whoever asked cannot confirm their own N/A.
	var holders []string
	for _, h := range l.RoleHolders() {
		if h != c.user {
			holders = append(holders, h)
		}
	}
	if len(holders) == 0 {
		return notice(fmt.Sprintf("Item %d is a P0 item or in a 100%% gate, so not applicable needs a role holder's confirmation, but nobody else holds a role in this launch to ask: it counts as open. Once someone holds a role (`role`), mark it again.", n))
	}
	names := make([]string, len(holders))
	for i, h := range holders {
		names[i] = "<@" + h + ">"
	}
	return notice(fmt.Sprintf("Item %d is a P0 item or in a 100%% gate, so not applicable needs a role holder's confirmation: golive asked %s by DM. Until one accepts, it counts as open.",
		n, strings.Join(names, ", ")))
}

// askNA tells each role holder but the requester, by DM stored with the
// change made at now, that item n's N/A waits for their confirmation.
func askNA(l *launch.Launch, n int, requester string, now time.Time) error {
	it := l.Checklist.Item(n)
	if it == nil || it.NA == nil {
		return nil
	}
	msg := render.NARequest(l, it)
	for _, h := range l.RoleHolders() {
		if h == requester {
			continue
		}
		key := launch.PostKey(launch.PostNADM, l.ID, fmt.Sprintf("%s:%d:%s", launch.InstantKey(now), n, h))
		if err := enqueueDM(l, launch.PostNADM, key, h, msg); err != nil {
			return err
		}
	}
	return nil
}

// onNA handles the N/A confirmation buttons: only a holder of one of the
// launch's roles may answer, once, and only the request still open.
func (b *Bot) onNA(ctx context.Context, k *click, a *slack.BlockAction) metrics.Outcome {
	ref, err := render.ParseNARef(a.Value)
	if err != nil || (a.ActionID != render.ActionNAAccept && a.ActionID != render.ActionNARefuse) {
		k.log.Warn("na-refused", "reason", "malformed button", "err", err)
		b.tellClicker(k, msgNotMine)
		return metrics.Invalid
	}
	accept := a.ActionID == render.ActionNAAccept
	type answered struct {
		l         *launch.Launch
		requester string
		refused   error
	}
	got, err := changeWithin(b, ctx, func(ctx context.Context) (answered, error) {
		var res answered
		l, err := b.updateOnce(ctx, k, ref.LaunchID, func(l *launch.Launch, _ time.Time, replay bool) ([]launch.Event, error) {
			res = answered{}
			switch {
			case replay:
				res.refused = launch.Errorf(launch.ECONFLICT, msgReplayed)
			case l.Archived:
				res.refused = launch.Errorf(launch.ECONFLICT, "The launch “%s” is archived; nothing was recorded.", l.Name)
			default:
				requester, events, err := l.AnswerNA(k.user, ref.Item, ref.Asked, accept)
				if err == nil {
					res.requester = requester
					return events, nil
				}
				res.refused = err
			}
			return []launch.Event{{Actor: k.user, Kind: launch.KindNAAnswerRefused, Items: []int{ref.Item},
				After: launch.ErrorCode(res.refused) + ": " + launch.ErrorMessage(res.refused)}}, nil
		})
		res.l = l
		return res, err
	})
	if err != nil {
		if launch.ErrorCode(err) == launch.ENOTFOUND {
			err = launch.Errorf(launch.ENOTFOUND, msgLaunchGone)
		}
		b.tellClicker(k, userMessage(err))
		return outcomeOf(err)
	}
	if got.refused != nil {
		k.log.Warn("na-refused", "launch", ref.LaunchID, "code", launch.ErrorCode(got.refused))
		b.tellClicker(k, userMessage(got.refused))
		return outcomeOf(got.refused)
	}
	l, n := got.l, ref.Item
	verdict, told := "refused", fmt.Sprintf("<@%s> refused to mark item %d not applicable: it applies, and counts as open until done.", k.user, n)
	if accept {
		verdict, told = "accepted", fmt.Sprintf("<@%s> confirmed item %d as not applicable: it no longer counts towards readiness or any gate.", k.user, n)
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> %s item %d as not applicable", k.user, verdict, n))
	b.tellClicker(k, fmt.Sprintf("You %s item %d as not applicable; <@%s>, who asked, is told.", verdict, n, got.requester))
	b.later(func(ctx context.Context) {
		b.tellUser(ctx, k.log, l.TeamID, l.ChannelID, got.requester, render.Notice(told))
	})
	k.log.Info("na answer", "launch", l.ID, "item", n, "verdict", verdict)
	return metrics.OK
}
