package launch

import "time"

// ImportDraft is a checklist read by the import form and shown as a preview,
// waiting for Confirm under a random token: a real checklist is far larger
// than what a modal can carry. Body is the adapter's own encoding of the form.
type ImportDraft struct {
	Token     string
	TeamID    string
	ChannelID string
	UserID    string
	Body      string
	ExpiresAt time.Time
	// LaunchID is the launch Confirm created, or updated when the draft is
	// a newer checklist for a running launch; 0 until then.
	LaunchID int64
}
