package launch

import "time"

// Message is a message the bot posted about a launch and keeps up to date
// as the launch changes: a page of the checklist, the readiness summary, or
// a window's reminder (whose checkboxes tick the window's tasks).
type Message struct {
	LaunchID  int64
	ChannelID string
	// TS is the message's timestamp, its id within the channel.
	TS string
	// Kind is MessageChecklist, MessageStatus or MessageReminder.
	Kind string
	// View is the checklist page shown ("3.0"), the window's reminder key
	// ("1.2", see schedule.WindowKey) for a reminder, "" for a status.
	View     string
	PostedAt time.Time
}

// Kinds of Message.
const (
	MessageChecklist = "checklist"
	MessageStatus    = "status"
	MessageReminder  = "reminder"
)
