// Package install is golive distributed to many Slack workspaces: Slack's
// OAuth v2 install flow (the "Add to Slack" page and the redirect that
// exchanges the code with oauth.v2.access), each workspace's bot token
// kept sealed in the store, and the Web API client of each workspace,
// cached, with rotating tokens refreshed shortly before they expire.
package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/secretbox"
	"github.com/golive/golive/internal/workspace"
)

// Store keeps the installations, sealed.
type Store interface {
	SaveInstallation(ctx context.Context, in workspace.Installation) error
	// Installation returns a workspace's installation, or ENOTFOUND.
	Installation(ctx context.Context, teamID string) (workspace.Installation, error)
	RemoveInstallation(ctx context.Context, teamID string) (workspace.Uninstalled, error)
	// ClaimRefresh claims the refresh of a rotating token due within
	// margin of now, for lease; ok false when not due or held.
	ClaimRefresh(ctx context.Context, teamID string, now time.Time, margin, lease time.Duration) (workspace.Installation, string, bool, error)
	// FinishRefresh stores a claimed refresh's tokens, fenced by claim.
	FinishRefresh(ctx context.Context, teamID, claim string, sealed []byte, expires time.Time) error
}

// Config is what New needs; ClientID, ClientSecret, Keys, Store and
// NewClient are required.
type Config struct {
	// ClientID and ClientSecret are the app's, from its Basic Information
	// page (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET).
	ClientID, ClientSecret string
	// Keys seal and open the tokens (GOLIVE_ENCRYPTION_KEY).
	Keys  *secretbox.Keyring
	Store Store
	// NewClient returns a Web API client for team's bot token, wired as
	// the single workspace's is (retries, metrics, SLACK_API_URL), its
	// calls counted against team's own rate limits.
	NewClient func(team, token string) *slack.Client
	// APIURL is the Web API's base URL ending in a slash (SLACK_API_URL);
	// "" for Slack's own.
	APIURL string
	// AuthorizeURL is Slack's authorize page; default Slack's own.
	AuthorizeURL string
	// Scopes are the bot scopes the install asks for.
	Scopes []string
	// HTTPClient calls oauth.v2.access; default a client with a 15 s timeout.
	HTTPClient *http.Client
	// Now returns the current time; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Timings of the clients' cache and of token refreshes.
const (
	// cacheFor is how long a workspace's client is used without reading
	// its installation again: another replica may have refreshed or
	// removed it meanwhile.
	cacheFor = time.Minute
	// refreshMargin is how long before its expiry a rotating token is
	// refreshed (Slack's expire after 12 hours).
	refreshMargin = 15 * time.Minute
	// refreshLease bounds how long one replica holds a refresh; longer
	// than the call to oauth.v2.access may take.
	refreshLease = time.Minute
	// defaultAuthorizeURL is Slack's install page.
	defaultAuthorizeURL = "https://slack.com/oauth/v2/authorize"
)

// Workspaces gives the Web API client of each workspace golive is
// installed in (bot.Workspaces), and serves the install flow (Handler).
// It is safe for concurrent use.
type Workspaces struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	clients map[string]cached
}

// cached is a workspace's client as last read.
type cached struct {
	api     *slack.Client
	readAt  time.Time
	expires time.Time // the token's expiry; zero when it does not expire
}

// New checks the configuration and returns Workspaces.
func New(cfg Config) (*Workspaces, error) {
	switch {
	case cfg.ClientID == "" || cfg.ClientSecret == "":
		return nil, errors.New("install: no client id or secret")
	case cfg.Keys == nil:
		return nil, errors.New("install: no encryption keys")
	case cfg.Store == nil || cfg.NewClient == nil:
		return nil, errors.New("install: no store or no client maker")
	}
	if cfg.AuthorizeURL == "" {
		cfg.AuthorizeURL = defaultAuthorizeURL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Workspaces{cfg: cfg, log: cfg.Logger, clients: map[string]cached{}}, nil
}

// Client returns the client holding team's bot token, read from the store
// at most cacheFor ago; a rotating token due for refresh is refreshed
// first. An error wraps workspace.ErrNotInstalled when golive is not
// installed in team.
func (w *Workspaces) Client(ctx context.Context, team string) (*slack.Client, error) {
	if team == "" {
		return nil, fmt.Errorf("no team: %w", workspace.ErrNotInstalled)
	}
	now := w.cfg.Now()
	w.mu.Lock()
	c, ok := w.clients[team]
	w.mu.Unlock()
	if ok && now.Sub(c.readAt) < cacheFor && (c.expires.IsZero() || now.Before(c.expires.Add(-refreshMargin))) {
		return c.api, nil
	}
	in, err := w.cfg.Store.Installation(ctx, team)
	if launch.ErrorCode(err) == launch.ENOTFOUND {
		w.forget(team)
		return nil, fmt.Errorf("team %s: %w", team, workspace.ErrNotInstalled)
	}
	if err != nil {
		return nil, err
	}
	if in.RefreshDue(now, refreshMargin) {
		if fresh, err := w.refresh(ctx, team, now); err != nil {
			// The token may still work until it expires: go on with it.
			w.log.Error("refresh a workspace's bot token", "team", team, "expires_at", in.ExpiresAt, "err", err)
		} else if fresh != nil {
			in = *fresh
		}
	}
	tokens, err := w.open(in)
	if err != nil {
		return nil, err
	}
	api := w.cfg.NewClient(team, tokens.Bot)
	w.mu.Lock()
	w.clients[team] = cached{api: api, readAt: now, expires: in.ExpiresAt}
	w.mu.Unlock()
	return api, nil
}

// forget drops a workspace's cached client.
func (w *Workspaces) forget(team string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.clients, team)
}

// open unseals an installation's tokens.
func (w *Workspaces) open(in workspace.Installation) (workspace.Tokens, error) {
	plain, err := w.cfg.Keys.Open(in.Sealed, []byte(in.TeamID))
	if err != nil {
		if errors.Is(err, secretbox.ErrUnknownKey) {
			return workspace.Tokens{}, fmt.Errorf("team %s: its tokens were sealed with a key GOLIVE_ENCRYPTION_KEY does not list: put the old key back after the new one, and run `golive rotate-key`", in.TeamID)
		}
		return workspace.Tokens{}, fmt.Errorf("team %s: %w", in.TeamID, err)
	}
	var t workspace.Tokens
	if err := json.Unmarshal(plain, &t); err != nil || t.Bot == "" {
		return workspace.Tokens{}, fmt.Errorf("team %s: the sealed tokens hold no bot token", in.TeamID)
	}
	return t, nil
}

// seal seals tokens for team.
func (w *Workspaces) seal(team string, t workspace.Tokens) ([]byte, error) {
	plain, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("seal the tokens of team %s: %w", team, err)
	}
	return w.cfg.Keys.Seal(plain, []byte(team))
}

// refresh renews team's rotating token if this replica wins the claim:
// the installation as refreshed, or nil when another replica holds the
// claim or refreshed it already (the current token is still good then).
func (w *Workspaces) refresh(ctx context.Context, team string, now time.Time) (*workspace.Installation, error) {
	in, claim, ok, err := w.cfg.Store.ClaimRefresh(ctx, team, now, refreshMargin, refreshLease)
	if err != nil || !ok {
		return nil, err
	}
	tokens, err := w.open(in)
	if err != nil {
		return nil, err
	}
	if tokens.Refresh == "" {
		return nil, fmt.Errorf("team %s: its token expires but there is no refresh token: reinstall golive there", team)
	}
	ctx, cancel := context.WithTimeout(ctx, refreshLease/2)
	defer cancel()
	resp, err := slack.RefreshOAuthV2TokenContext(ctx, w.cfg.HTTPClient, w.cfg.ClientID, w.cfg.ClientSecret, tokens.Refresh, w.oauthOptions()...)
	if err != nil {
		return nil, fmt.Errorf("oauth.v2.access (refresh): %w", err)
	}
	fresh := workspace.Tokens{Bot: resp.AccessToken, Refresh: resp.RefreshToken}
	if fresh.Refresh == "" {
		fresh.Refresh = tokens.Refresh
	}
	sealed, err := w.seal(team, fresh)
	if err != nil {
		return nil, err
	}
	in.Sealed, in.ExpiresAt = sealed, expiry(w.cfg.Now(), resp.ExpiresIn)
	if err := w.cfg.Store.FinishRefresh(ctx, team, claim, in.Sealed, in.ExpiresAt); err != nil {
		return nil, err
	}
	w.log.Info("refreshed a workspace's bot token", "team", team, "expires_at", in.ExpiresAt)
	return &in, nil
}

// expiry is when a token given at now for expiresIn seconds expires; zero
// when it does not.
func expiry(now time.Time, expiresIn int) time.Time {
	if expiresIn <= 0 {
		return time.Time{}
	}
	return now.Add(time.Duration(expiresIn) * time.Second).UTC().Truncate(time.Millisecond)
}

func (w *Workspaces) oauthOptions() []slack.OAuthOption {
	if w.cfg.APIURL == "" {
		return nil
	}
	return []slack.OAuthOption{slack.OAuthOptionAPIURL(w.cfg.APIURL)}
}

// Uninstall forgets team's tokens and gives up on its launches' reminders
// and posts not sent yet, at Slack's word (why, the event's type). The
// log says what was done, never a token.
func (w *Workspaces) Uninstall(ctx context.Context, team, why string) error {
	w.forget(team)
	out, err := w.cfg.Store.RemoveInstallation(ctx, team)
	if err != nil {
		return err
	}
	w.forget(team)
	w.log.Info("workspace uninstalled golive: its tokens are forgotten and its reminders and posts stopped",
		"team", team, "event", why, "was_installed", out.Installed, "reminders_stopped", out.Reminders, "posts_stopped", out.Posts)
	return nil
}

// Reseal seals again with the first key every installation's tokens
// sealed with another (after GOLIVE_ENCRYPTION_KEY got a new first key),
// and returns how many.
func (w *Workspaces) Reseal(ctx context.Context, s interface {
	ResealInstallations(ctx context.Context, current func([]byte) bool, reseal func(string, []byte) ([]byte, error)) (int, error)
}) (int, error) {
	return s.ResealInstallations(ctx, w.cfg.Keys.Current, func(team string, sealed []byte) ([]byte, error) {
		plain, err := w.cfg.Keys.Open(sealed, []byte(team))
		if err != nil {
			return nil, err
		}
		return w.cfg.Keys.Seal(plain, []byte(team))
	})
}
