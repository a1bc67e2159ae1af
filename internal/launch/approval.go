package launch

import "time"

// ApprovalDM is the direct message that asked a role's holder for their
// approval. The bot keeps it so that it can update the message in place when
// the holder answers and when the decision is announced.
type ApprovalDM struct {
	LaunchID int64
	// Role is the role's name as the launch spells it.
	Role string
	// Holder is the person asked: a click by anyone else is refused.
	Holder string
	// ChannelID is the DM's channel, TS the message's id within it.
	ChannelID string
	TS        string
	// AskedAt is when the holder was last asked; an answer given to a
	// decision announced before it may be changed again.
	AskedAt time.Time
}
