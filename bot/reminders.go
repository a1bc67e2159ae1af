package bot

import (
	"context"
	"errors"
	"fmt"
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
// lists by DM (conversations.open, then chat.postMessage).
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
	c, err := schedule.Compose(l, r, p.tod, now)
	if err != nil {
		return schedule.Permanent(err)
	}
	msg := render.ReminderMessage(l, c, p.b.names.namesOf(l.TeamID))
	channel := l.ChannelID
	if r.Kind == schedule.KindOverdueDM {
		im, _, _, err := p.b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{c.Owner}})
		if err != nil {
			return slackFailure("open a DM with "+c.Owner, err)
		}
		channel = im.ID
	}
	meta := slack.SlackMetadata{EventType: ReminderEventType, EventPayload: map[string]any{
		"reminder_id": r.ID, "launch_id": l.ID, "kind": string(r.Kind), "key": r.Key,
	}}
	opts := append(messageOptions(msg), slack.MsgOptionMetadata(meta))
	if _, _, err := p.b.slack.PostMessageContext(ctx, channel, opts...); err != nil {
		return slackFailure("post "+r.String(), err)
	}
	return nil
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
