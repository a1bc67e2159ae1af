package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// ReminderEventType marked, in Slack's message metadata, the reminders
// golive posted before they went through the outbox (their payload carries
// the reminder's kind and key); a click on one of them is still recognised.
// Reminders now carry the outbox's PostEventType, with the window's key.
const ReminderEventType = "golive_reminder"

// reminderRenderer renders the reminders delivery hands the outbox.
type reminderRenderer struct {
	b   *Bot
	tod schedule.TimeOfDay
}

// ReminderRenderer returns what renders reminders as this bot: window
// openings and countdowns for the launch's channel, overdue lists and
// waiver lapses for their owners by DM, and approval nudges as a new
// approval request DM for each role the holder has not answered. A window's
// post is recorded, once sent, as a live message of its own kind, so that
// a click on its checkboxes redraws it as the reminder it is.
func (b *Bot) ReminderRenderer(tod schedule.TimeOfDay) delivery.Renderer {
	return &reminderRenderer{b: b, tod: tod}
}

// Render returns what reminder r of launch l says at now.
func (p *reminderRenderer) Render(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
	if r.Kind == schedule.KindApprovalDM {
		return nudgeMessages(l, r.Payload.Owner, now)
	}
	var msg render.Message
	var window string
	dmTo := ""
	switch r.Kind {
	case schedule.KindWaiverLapse:
		if err := p.noticeLapses(ctx, l, now); err != nil {
			return nil, err
		}
		msg = render.WaiverLapse(l, schedule.LapsedOn(l, r.Payload.Day), now)
	case schedule.KindWaiverLapseDM:
		msg = render.WaiverLapseDM(l, schedule.LapsedFor(l, r.Payload.Day, r.Payload.Owner))
		dmTo = r.Payload.Owner
	default:
		c, err := schedule.Compose(l, r, p.tod, now)
		if err != nil {
			return nil, delivery.Permanent(err)
		}
		msg = render.ReminderMessage(l, c, p.b.names.namesOf(l.TeamID))
		switch r.Kind {
		case schedule.KindOverdueDM:
			dmTo = c.Owner
		case schedule.KindWindow:
			window = r.Key
		}
	}
	body, err := reminderBody(msg, window)
	if err != nil {
		return nil, delivery.Permanent(fmt.Errorf("encode %s: %w", r, err))
	}
	m := delivery.Message{Kind: launch.PostReminder, User: dmTo, Body: body}
	if dmTo == "" {
		m.Channel = l.ChannelID
	}
	return []delivery.Message{m}, nil
}

// reminderBody is a reminder's post body in the outbox: msg, and the key of
// the window it opens ("" for none), which is recorded once it is sent.
func reminderBody(msg render.Message, window string) ([]byte, error) {
	return json.Marshal(postBody{Text: msg.Text, Blocks: slack.Blocks{BlockSet: msg.Blocks}, Window: window})
}

// nudgeMessages asks holder again, by DM, for their answer as every role of
// l they hold and have not answered (tellApprovalDM's message, recorded as
// the DM to update once sent); nothing when they have nothing left to
// answer.
func nudgeMessages(l *launch.Launch, holder string, now time.Time) ([]delivery.Message, error) {
	var out []delivery.Message
	for _, r := range l.Checklist.Roles {
		if r.Holder != holder || holder == "" || (r.Verdict != checklist.VerdictPending && r.Verdict != "") {
			continue
		}
		body, err := approvalDMBody(l, r, now)
		if err != nil {
			return nil, delivery.Permanent(err)
		}
		out = append(out, delivery.Message{Kind: launch.PostApprovalDM, User: holder, Part: r.Name, Body: body})
	}
	return out, nil
}

// noticeLapses records the waivers lapsed at now in the audit log, once
// (launch.NoticeLapses), before the channel is told of them; the launch's
// messages are then redrawn, and an announced GO that counted them is
// reported stale. A retried post records nothing twice.
func (p *reminderRenderer) noticeLapses(ctx context.Context, l *launch.Launch, now time.Time) error {
	var events []launch.Event
	if _, err := p.b.store.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events = l.NoticeLapses(now)
		return events, nil
	}); err != nil {
		return fmt.Errorf("record the waivers lapsed in launch %d: %w", l.ID, err)
	}
	if lapsed := launch.ItemsOf(events, launch.KindWaiverLapse); len(lapsed) > 0 {
		items := make([]string, len(lapsed))
		for i, n := range lapsed {
			items[i] = "item " + strconv.Itoa(n)
		}
		p.b.refreshLaunch(l.ID, "the waiver of "+strings.Join(items, ", ")+" lapsed")
	}
	return nil
}

// reminderRecord returns the record of a window's reminder that golive
// posted in channel as message ts and did not record (posted before
// reminders were recorded, or its record failed), from the message metadata
// Slack sends with a click on it; ok is false when the message is no such
// reminder of l.
func reminderRecord(l *launch.Launch, msg slack.Message, channel, ts string, tod schedule.TimeOfDay, now time.Time) (launch.Message, bool) {
	meta := msg.Metadata
	id, _ := meta.EventPayload["launch_id"].(float64)
	var key string
	switch meta.EventType {
	case PostEventType:
		key, _ = meta.EventPayload["window"].(string)
	case ReminderEventType:
		if meta.EventPayload["kind"] == string(schedule.KindWindow) {
			key, _ = meta.EventPayload["key"].(string)
		}
	}
	if key == "" || int64(id) != l.ID {
		return launch.Message{}, false
	}
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
