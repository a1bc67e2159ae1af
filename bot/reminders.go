package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// ReminderEventType marks golive's reminder posts in Slack's message
// metadata; the payload carries the reminder's id.
const ReminderEventType = "golive_reminder"

// Slack errors after which a reminder can never be delivered as it stands:
// the channel or the person is gone. not_in_channel is not one of them:
// inviting the bot back fixes it, and the reminder is retried until then.
var undeliverable = map[string]bool{
	"channel_not_found": true,
	"is_archived":       true,
	"user_not_found":    true,
	"user_disabled":     true,
	"cannot_dm_bot":     true,
}

// reminderPoster posts the scheduler's reminders with the bot's client.
type reminderPoster struct {
	b   *Bot
	tod schedule.TimeOfDay
}

// ReminderPoster returns the schedule.Poster that posts reminders as this
// bot: window openings and countdowns in the launch's channel, overdue
// lists by DM (conversations.open, then chat.postMessage), and approval
// nudges as a new approval request DM (NudgeApprovals). A window's post is
// recorded as a live message of its own kind, so that a click on its
// checkboxes redraws it as the reminder it is.
//
// chat.postMessage has no idempotency key. Each post carries message
// metadata (event type golive_reminder, the reminder's id), so that a
// reminder posted twice (the runner re-posts one whose lease ran out in the
// middle of its post, rather than risk losing it; see schedule.Runner) can
// be told apart in the channel. Checking the history before re-posting would
// need the channels:history and groups:history scopes, which golive does not
// ask for.
func (b *Bot) ReminderPoster(tod schedule.TimeOfDay) schedule.Poster {
	return &reminderPoster{b: b, tod: tod}
}

// Post posts one reminder. A rate-limited answer is returned with its
// Retry-After, a channel or person that is gone as permanent.
func (p *reminderPoster) Post(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) error {
	if r.Kind == schedule.KindApprovalDM {
		if err := p.b.NudgeApprovals(ctx, l, r.Payload.Owner, now); err != nil {
			return slackFailure("nudge "+r.Payload.Owner, err)
		}
		return nil
	}
	var msg render.Message
	dmTo := ""
	switch r.Kind {
	case schedule.KindWaiverLapse:
		if err := p.noticeLapses(ctx, l, now); err != nil {
			return err
		}
		msg = render.WaiverLapse(l, schedule.LapsedOn(l, r.Payload.Day), now)
	case schedule.KindWaiverLapseDM:
		msg = render.WaiverLapseDM(l, schedule.LapsedFor(l, r.Payload.Day, r.Payload.Owner))
		dmTo = r.Payload.Owner
	default:
		c, err := schedule.Compose(l, r, p.tod, now)
		if err != nil {
			return schedule.Permanent(err)
		}
		msg = render.ReminderMessage(l, c, p.b.names.namesOf(l.TeamID))
		if r.Kind == schedule.KindOverdueDM {
			dmTo = c.Owner
		}
	}
	channel := l.ChannelID
	if dmTo != "" {
		im, _, _, err := p.b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{dmTo}})
		if err != nil {
			return slackFailure("open a DM with "+dmTo, err)
		}
		channel = im.ID
	}
	meta := slack.SlackMetadata{EventType: ReminderEventType, EventPayload: map[string]any{
		"reminder_id": r.ID, "launch_id": l.ID, "kind": string(r.Kind), "key": r.Key,
	}}
	opts := append(messageOptions(msg), slack.MsgOptionMetadata(meta))
	posted, ts, err := p.b.slack.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return slackFailure("post "+r.String(), err)
	}
	if r.Kind == schedule.KindWindow {
		// The post went out: failing to record it must not post it again. A
		// click on it without the record still finds the window from the
		// message's metadata (reminderRecord).
		m := launch.Message{LaunchID: l.ID, ChannelID: posted, TS: ts, Kind: launch.MessageReminder, View: r.Key, PostedAt: now}
		if err := p.b.store.SaveMessage(ctx, m); err != nil {
			p.b.log.Error("record reminder message", "launch", l.ID, "reminder", r.String(), "err", err)
		}
	}
	return nil
}

// noticeLapses records the waivers lapsed at now in the audit log, once
// (launch.NoticeLapses), before the channel is told of them; the launch's
// messages are then redrawn, and an announced GO that counted them is
// reported stale. A retried post records nothing twice.
func (p *reminderPoster) noticeLapses(ctx context.Context, l *launch.Launch, now time.Time) error {
	var events []launch.Event
	if _, err := p.b.store.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events = l.NoticeLapses(now)
		return events, nil
	}); err != nil {
		return fmt.Errorf("record the waivers lapsed in launch %d: %w", l.ID, err)
	}
	if len(events) > 0 {
		subjects := make([]string, len(events))
		for i, e := range events {
			subjects[i] = e.Subject()
		}
		p.b.refreshLaunch(l.ID, "the waiver of "+strings.Join(subjects, ", ")+" lapsed")
	}
	return nil
}

// reminderRecord returns the record of a window's reminder that golive
// posted in channel as message ts and did not record (posted before
// reminders were recorded, say), from the message metadata Slack sends with
// a click on it; ok is false when the message is no such reminder of l.
func reminderRecord(l *launch.Launch, msg slack.Message, channel, ts string, tod schedule.TimeOfDay, now time.Time) (launch.Message, bool) {
	meta := msg.Metadata
	id, _ := meta.EventPayload["launch_id"].(float64)
	if meta.EventType != ReminderEventType || meta.EventPayload["kind"] != string(schedule.KindWindow) || int64(id) != l.ID {
		return launch.Message{}, false
	}
	key, _ := meta.EventPayload["key"].(string)
	if _, ok := schedule.Window(l, tod, key); !ok {
		return launch.Message{}, false
	}
	posted := now
	// A message's ts is the Unix time it was posted, "1700000000.000100".
	if sec, _, _ := strings.Cut(ts, "."); sec != "" {
		if n, err := strconv.ParseInt(sec, 10, 64); err == nil && n > 0 {
			posted = time.Unix(n, 0).UTC()
		}
	}
	return launch.Message{LaunchID: l.ID, ChannelID: channel, TS: ts, Kind: launch.MessageReminder, View: key, PostedAt: posted}, true
}

// slackFailure tells the runner how to retry a failed Web API call.
func slackFailure(what string, err error) error {
	err = fmt.Errorf("%s: %w", what, err)
	var limited *slack.RateLimitedError
	if errors.As(err, &limited) {
		return schedule.RetryAfter(err, limited.RetryAfter)
	}
	if undeliverable[slackErrorCode(err)] {
		return schedule.Permanent(err)
	}
	return err
}
