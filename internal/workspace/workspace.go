// Package workspace describes golive's installations in Slack workspaces
// when it is distributed (OAuth): which workspace, which bot user, and its
// tokens, kept sealed (package secretbox) everywhere but in memory.
package workspace

import (
	"errors"
	"time"
)

// Installation is golive installed in one workspace.
type Installation struct {
	// TeamID is the workspace's id (T…), the key of everything the team owns.
	TeamID string
	// TeamName is the workspace's name when installed, for logs and pages.
	TeamName string
	// EnterpriseID is the Enterprise Grid organisation the workspace
	// belongs to (E…), "" outside one.
	EnterpriseID string
	AppID        string
	BotUserID    string
	// Scopes are the bot scopes granted, comma-separated as Slack says them.
	Scopes string
	// Installer is the Slack user id of who installed it.
	Installer string
	// Sealed is the bot token and, with token rotation, the refresh token,
	// sealed with the team id as context (Tokens).
	Sealed []byte
	// ExpiresAt is when the bot token expires with token rotation on; zero
	// when it does not expire.
	ExpiresAt   time.Time
	InstalledAt time.Time
	UpdatedAt   time.Time
}

// Tokens are an installation's secrets, as sealed in Installation.Sealed.
type Tokens struct {
	Bot     string `json:"bot"`
	Refresh string `json:"refresh,omitempty"`
}

// Refreshable says whether the bot token rotates: it expires and there is
// a refresh token to renew it with.
func (i Installation) Refreshable() bool { return !i.ExpiresAt.IsZero() }

// RefreshDue says whether a rotating token should be renewed at now: within
// margin of its expiry.
func (i Installation) RefreshDue(now time.Time, margin time.Duration) bool {
	return i.Refreshable() && !now.Before(i.ExpiresAt.Add(-margin))
}

// Uninstalled is what forgetting a workspace's installation did.
type Uninstalled struct {
	// Installed says the workspace had golive installed (false for a
	// repeat: Slack sends app_uninstalled and tokens_revoked both).
	Installed bool
	// Reminders and Posts count the reminders and outbox posts of the
	// team's launches given up on.
	Reminders, Posts int64
}

// ErrRefreshLost is the error of finishing a token refresh whose claim no
// longer holds the installation (its lease ran out, or the team
// uninstalled golive meanwhile).
var ErrRefreshLost = errors.New("the token refresh's claim was lost")

// ErrNotInstalled says golive is not installed in a workspace (never was,
// or was uninstalled): nothing is sent to Slack for it.
var ErrNotInstalled = errors.New("golive is not installed in this workspace")
