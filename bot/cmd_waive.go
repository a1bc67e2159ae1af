package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// cmdWaive lets an open item count as done for its gates until a date:
// waive <n> until <YYYY-MM-DD> "<reason>", or waive <n> off. Only a role
// holder may (launch.Waive). The channel is told, since a waiver can turn
// the decision.
func (b *Bot) cmdWaive(ctx context.Context, c *call, args []string) reply {
	const how = "Say which item, by number, the last day it may count as done for its gates and why, in quotes: `waive 12 until 2026-12-10 \"WAF rule lands the day after launch\"`; `waive 12 off` takes the waiver away."
	if len(args) < 2 {
		return b.usage(c, "waive", how)
	}
	n, ok := itemRef(args[0])
	if !ok {
		return b.notItem(c, "waive", args[0])
	}
	rest := args[1:]
	off := len(rest) == 1 && strings.EqualFold(rest[0], "off")
	until, reason := "off", ""
	if !off {
		if strings.EqualFold(rest[0], "until") {
			rest = rest[1:]
		}
		if len(rest) < 2 {
			return b.usage(c, "waive", how)
		}
		until, reason = rest[0], plainText(strings.Join(rest[1:], " "))
	}
	type waived struct {
		afterLaunch, changed bool
		until                string
	}
	l, got, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (waived, []launch.Event, error) {
		after, events, err := l.Waive(c.user, n, until, reason, now)
		w := waived{afterLaunch: after, changed: len(events) > 0}
		if it := l.Checklist.Item(n); it != nil && it.Waiver != nil {
			w.until = it.Waiver.Until
		}
		return w, events, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	if !got.changed {
		if off {
			return notice(fmt.Sprintf("Item %d has no waiver; nothing changed.", n))
		}
		return notice(fmt.Sprintf("Item %d is already waived until %s for that reason; nothing changed.", n, got.until))
	}
	// The lapse notices are planned with the reminders.
	b.syncReminders(c.log, l.ID)
	c.log.Info("waive", "launch", l.ID, "item", n, "off", off, "until", got.until)
	if off {
		b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> took the waiver of item %d away", c.user, n))
		msg := render.Notice(fmt.Sprintf("<@%s> took the waiver of item %d away: it counts as open for its gates again.", c.user, n))
		return reply{msg: &msg, inChannel: true}
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> waived item %d until %s", c.user, n, got.until))
	text := fmt.Sprintf("<@%s> waived item %d until %s: %s. Until the end of that day it counts as done for its gates (never for readiness), and the decision lists the waiver; then it reopens, and the channel and its owner are told.",
		c.user, n, got.until, inert(reason))
	if got.afterLaunch {
		text += fmt.Sprintf(" The waiver runs past the launch date, %s.", l.Date)
	}
	msg := render.Notice(text)
	return reply{msg: &msg, inChannel: true}
}
