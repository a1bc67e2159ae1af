package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/workspace"
)

// Workspaces gives the Web API client of each workspace golive is
// installed in, when it is distributed with OAuth: every call the bot
// makes for a team goes with that team's own bot token.
type Workspaces interface {
	// Client returns the client holding team's bot token; an error
	// wrapping workspace.ErrNotInstalled when golive is not installed
	// there.
	Client(ctx context.Context, team string) (*slack.Client, error)
	// Uninstall forgets team's tokens, and gives up on its launches'
	// reminders and posts, at Slack's word (why: the event) that golive
	// was uninstalled there or its bot token revoked.
	Uninstall(ctx context.Context, team, why string) error
}

// oneWorkspace is the single workspace of SLACK_BOT_TOKEN: one client for
// every request, as Slack sends this app only its own workspace's.
type oneWorkspace struct{ api *slack.Client }

func (w oneWorkspace) Client(context.Context, string) (*slack.Client, error) { return w.api, nil }

// Uninstall does nothing: with a single token there is nothing to forget,
// and golive stops when that token stops working.
func (oneWorkspace) Uninstall(context.Context, string, string) error { return nil }

// api returns the Web API client of team. When there is none (golive is
// not installed there), it returns a client that sends nothing and fails
// every call with why: a request of one team is never made with another
// team's token, and the caller's error handling logs it.
func (b *Bot) api(ctx context.Context, team string) *slack.Client {
	c, err := b.workspaces.Client(ctx, team)
	if err != nil {
		return slack.New("", slack.OptionHTTPClient(refusal{fmt.Errorf("workspace %s: %w", team, err)}))
	}
	return c
}

// refusal is an HTTP client that sends nothing.
type refusal struct{ err error }

func (r refusal) Do(*http.Request) (*http.Response, error) { return nil, r.err }

// msgNotInstalled answers a request from a workspace golive is not
// installed in (any more).
const msgNotInstalled = "golive is not installed in this workspace (or was removed from it), so it cannot act here. Ask a workspace admin to add it again."

// msgInstallUnreadable answers a request whose workspace's installation
// could not be read (the database, or a key missing from
// GOLIVE_ENCRYPTION_KEY): the detail is in the log.
const msgInstallUnreadable = "golive could not load this workspace's installation just now. Please try again; if it keeps happening, tell whoever runs golive."

// refuseWorkspace is the acknowledgement of a request from a team golive
// cannot act for, nil when it can: checked before any work, so that
// nothing is stored for a team whose answers could not be sent.
func (b *Bot) refuseWorkspace(ctx context.Context, team, what string) any {
	if !b.distributed {
		return nil
	}
	_, err := b.workspaces.Client(ctx, team)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, workspace.ErrNotInstalled):
		b.log.Warn("request from a workspace golive is not installed in", "team", clip(team), "request", what)
		return map[string]string{"response_type": "ephemeral", "text": msgNotInstalled}
	default:
		b.log.Error("load the workspace's installation", "team", clip(team), "request", what, "err", err)
		return map[string]string{"response_type": "ephemeral", "text": msgInstallUnreadable}
	}
}

// uninstalled forgets team's installation after app_uninstalled or a
// tokens_revoked naming bot tokens.
func (b *Bot) uninstalled(ctx context.Context, team, why string) {
	if err := b.workspaces.Uninstall(ctx, team, why); err != nil {
		b.log.Error("forget an uninstalled workspace", "team", team, "event", why, "err", err)
	}
}
