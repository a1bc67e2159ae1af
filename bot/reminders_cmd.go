package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// syncTimeout bounds planning one launch's reminders after a change.
const syncTimeout = 30 * time.Second

// syncReminders plans a launch's reminders again, after the acknowledgement.
// A failure is logged; the scheduler's hourly sync makes up for it.
func (b *Bot) syncReminders(log *slog.Logger, launchID int64) {
	if b.delivery == nil {
		return
	}
	b.later(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, syncTimeout)
		defer cancel()
		if err := b.delivery.Sync(ctx, launchID); err != nil {
			log.Error("plan reminders", "launch", launchID, "err", err)
		}
	})
}

// reminderTime is the local time reminders go out.
func (b *Bot) reminderTime() schedule.TimeOfDay {
	if b.delivery == nil {
		return schedule.DefaultTimeOfDay
	}
	return b.delivery.TimeOfDay()
}

// cmdSchedule lists the coming reminders with their local times, and the
// ones whose posts are failing or were given up on.
func (b *Bot) cmdSchedule(ctx context.Context, c *call, _ []string) reply {
	type state struct {
		l        *launch.Launch
		asks     []launch.ApprovalDM
		troubled []schedule.Reminder
	}
	s, err := withinValue(b, ctx, func(ctx context.Context) (state, error) {
		var s state
		var err error
		if s.l, err = b.store.LaunchByChannel(ctx, c.team, c.channel); err != nil {
			return s, noLaunchHere(err)
		}
		if s.asks, err = b.store.ApprovalDMs(ctx, s.l.ID); err != nil {
			return s, err
		}
		s.troubled, err = b.store.TroubledReminders(ctx, s.l.ID)
		return s, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	msg := render.ReminderSchedule(s.l, s.asks, s.troubled, b.reminderTime(), b.now())
	return reply{msg: &msg}
}

// cmdRemind handles `remind now`: it posts the reminders of the windows
// open now in the channel again, through the outbox, in the change that
// records who asked (a "remind-now" event); once sent, each is recorded as a
// live reminder like the scheduled one. The posts are keyed by the request:
// the same signed command sent again posts nothing more (updateCommand
// refuses it), while two requests post twice, as asked.
func (b *Bot) cmdRemind(ctx context.Context, c *call, args []string) reply {
	if len(args) != 1 || !strings.EqualFold(args[0], "now") {
		return b.usage(c, "remind now", "Type `remind now`.")
	}
	tod, clock := b.reminderTime(), b.now()
	l, told, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) (bool, []launch.Event, error) {
		current := schedule.Current(l, tod, clock)
		names := make([]string, len(current))
		for i, w := range current {
			content, err := schedule.Compose(l, schedule.Reminder{LaunchID: l.ID, Kind: schedule.KindWindow, Key: w.Key}, tod, clock)
			if err != nil {
				return false, nil, err
			}
			body, err := reminderBody(render.ReminderMessage(l, content, b.names.namesOf(l.TeamID)), w.Key)
			if err != nil {
				return false, nil, err
			}
			key := launch.PostKey(launch.PostReminder, l.ID, "now:"+requestKey(c, now)+":"+w.Key)
			l.Tell(launch.Post{Key: key, Kind: launch.PostReminder, Channel: l.ChannelID, Body: body})
			names[i] = w.Name
		}
		return len(current) > 0, l.RemindNow(c.user, names), nil
	})
	if err != nil {
		return b.fail(c, err)
	}
	if !told {
		return notice(noWindowYet(l, tod))
	}
	return reply{}
}

// requestKey names the request c in a post key: its trigger id, unique to
// each command Slack sends; without one (nothing tells a replay apart
// then), the instant of the change and who asked.
func requestKey(c *call, now time.Time) string {
	if c.triggerID != "" {
		return c.triggerID
	}
	return launch.InstantKey(now) + ":" + c.user
}

// noWindowYet says when the first window opens, or that there is none.
func noWindowYet(l *launch.Launch, tod schedule.TimeOfDay) string {
	ws := schedule.Windows(l, tod)
	if len(ws) == 0 {
		return "This checklist has no time windows (such as “1 Week Before Launch”), so there is nothing to remind."
	}
	return fmt.Sprintf("No window has opened yet: the first, “%s”, opens on %s (%s).",
		inert(ws[0].Name), ws[0].Due.In(l.Location()).Format("Mon 2 Jan at 15:04"), l.Timezone)
}

// cmdReminders handles `reminders on|off`: the daily countdown posts.
func (b *Bot) cmdReminders(ctx context.Context, c *call, args []string) reply {
	if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
		return b.usage(c, "reminders", "Say `on` or `off`.")
	}
	on := strings.EqualFold(args[0], "on")
	l, changed, err := changeWith(b, ctx, c, func(l *launch.Launch, _ time.Time) (bool, []launch.Event, error) {
		evs, err := l.SetReminders(c.user, on)
		return len(evs) > 0, evs, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	state := strings.ToLower(args[0])
	if !changed {
		return notice(fmt.Sprintf("The daily countdown of “%s” is already %s.", inert(l.Name), state))
	}
	b.syncReminders(c.log, l.ID)
	msg := render.Notice(fmt.Sprintf("<@%s> switched the daily countdown of “%s” %s. Window reminders and overdue DMs go on as before.",
		c.user, inert(l.Name), state))
	return reply{msg: &msg, inChannel: true}
}

// cmdTimezone shows the launch's time zone, or moves it with
// `timezone <IANA name>`.
func (b *Bot) cmdTimezone(ctx context.Context, c *call, args []string) reply {
	tod := b.reminderTime()
	switch len(args) {
	case 0:
		l, err := b.channelLaunch(ctx, c)
		if err != nil {
			return b.fail(c, err)
		}
		return notice(fmt.Sprintf("“%s” runs on %s time: reminders go out at %s there. `timezone <IANA name>`, such as `timezone America/New_York`, changes it.",
			inert(l.Name), l.Timezone, tod))
	case 1:
	default:
		return b.usage(c, "timezone", "Give one IANA time zone name, such as Europe/Paris.")
	}
	l, before, err := changeWith(b, ctx, c, func(l *launch.Launch, _ time.Time) (string, []launch.Event, error) {
		before := l.Timezone
		evs, err := l.SetTimezone(c.user, args[0])
		return before, evs, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	if before == l.Timezone {
		return notice(fmt.Sprintf("“%s” already runs on %s time; nothing changed.", inert(l.Name), l.Timezone))
	}
	b.syncReminders(c.log, l.ID)
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> moved the launch to %s time", c.user, l.Timezone))
	text := fmt.Sprintf("<@%s> moved “%s” from %s to %s time: reminders now go out at %s there.", c.user, inert(l.Name), before, l.Timezone, tod)
	for _, w := range schedule.Windows(l, tod) {
		if w.Due.After(b.now()) {
			text += fmt.Sprintf(" Next: “%s” on %s.", inert(w.Name), w.Due.In(l.Location()).Format("Mon 2 Jan at 15:04"))
			break
		}
	}
	msg := render.Notice(text)
	return reply{msg: &msg, inChannel: true}
}
