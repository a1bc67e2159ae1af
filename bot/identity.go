package bot

import (
	"errors"

	"github.com/slack-go/slack"
)

// Who asked comes only from a verified payload (a signed body, or the
// authenticated Socket Mode connection), and every lookup is scoped by its
// team: a payload that does not say its team and user is refused, whichever
// way it came.
var (
	errCommandIdentity     = errors.New("team_id, channel_id and user_id are required")
	errInteractionIdentity = errors.New("team and user are required")
)

// commandIdentity checks that a slash command names its team, channel and user.
func commandIdentity(s slack.SlashCommand) error {
	if s.TeamID == "" || s.ChannelID == "" || s.UserID == "" {
		return errCommandIdentity
	}
	return nil
}

// interactionIdentity checks that an interaction names its team and user.
func interactionIdentity(cb *slack.InteractionCallback) error {
	if cb.Team.ID == "" || cb.User.ID == "" {
		return errInteractionIdentity
	}
	return nil
}
