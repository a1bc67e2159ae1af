package launch

import "time"

// Message is a message the bot posted about a launch and keeps up to date
// as the launch changes: a page of the checklist or the readiness summary.
type Message struct {
	LaunchID  int64
	ChannelID string
	// TS is the message's timestamp, its id within the channel.
	TS string
	// Kind is MessageChecklist or MessageStatus.
	Kind string
	// View is the checklist page shown ("3.0"), "" for a status.
	View     string
	PostedAt time.Time
}

// Kinds of Message.
const (
	MessageChecklist = "checklist"
	MessageStatus    = "status"
)
