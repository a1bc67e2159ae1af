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
func (p *reminderRenderer) Render(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) (delivery.Rendered, error) {
	if r.Kind == schedule.KindApprovalDM {
		msgs, err := nudgeMessages(l, r.Payload.Owner, now)
		return delivery.Rendered{Messages: msgs}, err
	}
	var out delivery.Rendered
	var msg render.Message
	var window string
	dmTo := ""
	switch r.Kind {
	case schedule.KindWaiverLapse:
		out.Change, out.Stored = p.noticeLapses()
		msg = render.WaiverLapse(l, schedule.LapsedOn(l, r.Payload.Day), now)
	case schedule.KindWaiverLapseDM:
		msg = render.WaiverLapseDM(l, schedule.LapsedFor(l, r.Payload.Day, r.Payload.Owner))
		dmTo = r.Payload.Owner
	default:
		c, err := schedule.Compose(l, r, p.tod, now)
		if err != nil {
			return out, delivery.Permanent(err)
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
		return out, delivery.Permanent(fmt.Errorf("encode %s: %w", r, err))
	}
	m := delivery.Message{Kind: launch.PostReminder, User: dmTo, Body: body}
	if dmTo == "" {
		m.Channel = l.ChannelID
	}
	out.Messages = []delivery.Message{m}
	return out, nil
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

// noticeLapses returns the change a waiver-lapse notice records, in the
// transaction that enqueues it: the waivers lapsed at that moment, once
// each, in the audit log (launch.NoticeLapses), with what the domain says
// they tell the channel (an announced GO that counted them gone stale).
// Once stored, the launch's messages are redrawn. A notice sent again, or
// one whose claim was lost, records nothing twice.
func (p *reminderRenderer) noticeLapses() (change func(*launch.Launch, time.Time) ([]launch.Event, error), stored func()) {
	var lapsed []int
	var launchID int64
	var team string
	change = func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events := l.NoticeLapses(now)
		if err := tellNotices(l, now, p.b.now()); err != nil {
			return nil, fmt.Errorf("record the waivers lapsed in launch %d: %w", l.ID, err)
		}
		lapsed, launchID, team = launch.ItemsOf(events, launch.KindWaiverLapse), l.ID, l.TeamID
		return events, nil
	}
	stored = func() {
		if len(lapsed) == 0 {
			return
		}
		items := make([]string, len(lapsed))
		for i, n := range lapsed {
			items[i] = "item " + strconv.Itoa(n)
		}
		p.b.refreshLaunch(team, launchID, "the waiver of "+strings.Join(items, ", ")+" lapsed")
	}
	return change, stored
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
