package install

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/workspace"
)

// The install flow's paths.
const (
	InstallPath  = "/slack/install"
	RedirectPath = "/slack/oauth_redirect"
)

// stateCookie carries the HMAC of the state the install page put in its
// link: the redirect must come back to the browser that started it.
const (
	stateCookie   = "golive_oauth_state"
	stateLifetime = 10 * time.Minute
)

// Handler serves the install page (GET /slack/install) and Slack's
// redirect after the admin's choice (GET /slack/oauth_redirect).
func (w *Workspaces) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+InstallPath, w.serveInstall)
	mux.HandleFunc("GET "+RedirectPath, w.serveRedirect)
	return mux
}

// serveInstall shows the "Add to Slack" page, whose link carries a fresh
// state bound to this browser by a cookie.
func (w *Workspaces) serveInstall(rw http.ResponseWriter, r *http.Request) {
	now := w.cfg.Now()
	state, err := newState(now.Add(stateLifetime))
	if err != nil {
		w.log.Error("install page: make a state", "err", err)
		w.page(rw, http.StatusInternalServerError, pageData{Title: "Something went wrong", Text: "golive could not start the install. Please reload the page."})
		return
	}
	http.SetCookie(rw, &http.Cookie{
		Name: stateCookie, Value: w.stateMAC(state), Path: RedirectPath,
		MaxAge: int(stateLifetime / time.Second), Expires: now.Add(stateLifetime),
		HttpOnly: true, Secure: overHTTPS(r), SameSite: http.SameSiteLaxMode,
	})
	q := url.Values{"client_id": {w.cfg.ClientID}, "scope": {strings.Join(w.cfg.Scopes, ",")}, "state": {state}}
	w.page(rw, http.StatusOK, pageData{
		Title: "Add golive to Slack",
		Text:  "golive turns a production-readiness checklist into a live launch in a Slack channel. Install it in your workspace; Slack asks you to review what it may do first.",
		Link:  w.cfg.AuthorizeURL + "?" + q.Encode(), LinkText: "Add to Slack",
	})
}

// serveRedirect finishes an install: the state checked against this
// browser's cookie, the code exchanged for the workspace's bot token, the
// installation stored sealed.
func (w *Workspaces) serveRedirect(rw http.ResponseWriter, r *http.Request) {
	// The cookie has done its job, whatever happens next.
	http.SetCookie(rw, &http.Cookie{Name: stateCookie, Value: "", Path: RedirectPath, MaxAge: -1,
		HttpOnly: true, Secure: overHTTPS(r), SameSite: http.SameSiteLaxMode})
	q := r.URL.Query()
	if err := w.checkState(r, q.Get("state")); err != nil {
		w.log.Warn("install redirect refused", "reason", err.Error())
		w.page(rw, http.StatusBadRequest, pageData{Title: "This install link has expired or is not yours",
			Text: "For your safety golive only finishes an install started from this browser within the last 10 minutes. Start again.",
			Link: InstallPath, LinkText: "Start again"})
		return
	}
	if e := q.Get("error"); e != "" {
		w.log.Info("install cancelled at Slack", "error", clip(e))
		text := "Nothing was installed."
		if e != "access_denied" {
			text = fmt.Sprintf("Slack said %q; nothing was installed.", clip(e))
		}
		w.page(rw, http.StatusOK, pageData{Title: "Install cancelled", Text: text, Link: InstallPath, LinkText: "Try again"})
		return
	}
	code := q.Get("code")
	if code == "" {
		w.page(rw, http.StatusBadRequest, pageData{Title: "Slack sent no code", Text: "The redirect from Slack carried no code, so nothing was installed.",
			Link: InstallPath, LinkText: "Start again"})
		return
	}
	in, err := w.exchange(r.Context(), code)
	if err != nil {
		w.log.Error("install: exchange the code", "err", err)
		w.page(rw, http.StatusBadGateway, pageData{Title: "The install did not finish", Text: userText(err), Link: InstallPath, LinkText: "Start again"})
		return
	}
	w.log.Info("golive installed in a workspace", "team", in.TeamID, "enterprise", in.EnterpriseID,
		"installer", in.Installer, "scopes", in.Scopes, "token_rotation", in.Refreshable())
	w.page(rw, http.StatusOK, pageData{Title: "golive is installed in " + firstNonEmpty(in.TeamName, in.TeamID),
		Text: "Invite it to a channel with /invite @golive, then type /golive help there.",
		Link: "https://app.slack.com/client/" + url.PathEscape(in.TeamID), LinkText: "Open Slack"})
}

// installError is an error with a sentence for the installing admin.
type installError struct {
	user string
	err  error
}

func (e *installError) Error() string { return e.err.Error() }
func (e *installError) Unwrap() error { return e.err }

func userText(err error) string {
	var ie *installError
	if errors.As(err, &ie) {
		return ie.user
	}
	return "golive could not store the installation. Please try again; if it keeps happening, tell whoever runs golive."
}

// exchange trades code for the workspace's tokens with oauth.v2.access
// and stores the installation, its tokens sealed to its team id.
func (w *Workspaces) exchange(ctx context.Context, code string) (workspace.Installation, error) {
	resp, err := slack.GetOAuthV2ResponseContext(ctx, w.cfg.HTTPClient, w.cfg.ClientID, w.cfg.ClientSecret, code, "", w.oauthOptions()...)
	if err != nil {
		return workspace.Installation{}, &installError{"Slack did not accept the install (the code may have expired: codes last 10 minutes). Start again.",
			fmt.Errorf("oauth.v2.access: %w", err)}
	}
	switch {
	case resp.IsEnterpriseInstall || resp.Team.ID == "":
		return workspace.Installation{}, &installError{"golive installs in one workspace at a time, not across a whole Enterprise Grid organisation. Remove the organisation-wide install, then add golive to each workspace that needs it.",
			fmt.Errorf("an organisation-wide install of enterprise %s was refused", resp.Enterprise.ID)}
	case resp.AccessToken == "" || resp.TokenType != "bot":
		return workspace.Installation{}, &installError{"Slack gave no bot token. Start again.", errors.New("oauth.v2.access gave no bot token")}
	}
	now := w.cfg.Now()
	in := workspace.Installation{TeamID: resp.Team.ID, TeamName: resp.Team.Name, EnterpriseID: resp.Enterprise.ID,
		AppID: resp.AppID, BotUserID: resp.BotUserID, Scopes: resp.Scope, Installer: resp.AuthedUser.ID,
		ExpiresAt: expiry(now, resp.ExpiresIn)}
	if !in.ExpiresAt.IsZero() && resp.RefreshToken == "" {
		return workspace.Installation{}, &installError{"Slack gave an expiring token without a refresh token. Start again.",
			errors.New("oauth.v2.access gave an expiring token without a refresh token")}
	}
	if in.Sealed, err = w.seal(in.TeamID, workspace.Tokens{Bot: resp.AccessToken, Refresh: resp.RefreshToken}); err != nil {
		return workspace.Installation{}, err
	}
	if err := w.cfg.Store.SaveInstallation(ctx, in); err != nil {
		return workspace.Installation{}, err
	}
	w.forget(in.TeamID) // a reinstall's new token replaces the cached one
	return in, nil
}

// newState returns a random state that expires at until: its expiry in
// Unix seconds, a dot, 32 random bytes.
func newState(until time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strconv.FormatInt(until.Unix(), 10) + "." + base64.RawURLEncoding.EncodeToString(b), nil
}

// stateMAC is what the cookie holds: the state's HMAC under a key derived
// from the client secret, so the cookie cannot be made without the server.
func (w *Workspaces) stateMAC(state string) string {
	key := sha256.Sum256([]byte("golive oauth state\x00" + w.cfg.ClientSecret))
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(state))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkState checks the redirect's state against the browser's cookie, in
// constant time, and its expiry.
func (w *Workspaces) checkState(r *http.Request, state string) error {
	if state == "" {
		return errors.New("no state")
	}
	c, err := r.Cookie(stateCookie)
	if err != nil || c.Value == "" {
		return errors.New("no state cookie")
	}
	if !hmac.Equal([]byte(c.Value), []byte(w.stateMAC(state))) {
		return errors.New("the state does not match the cookie")
	}
	secs, _, ok := strings.Cut(state, ".")
	until, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil {
		return errors.New("malformed state")
	}
	if !w.cfg.Now().Before(time.Unix(until, 0)) {
		return errors.New("the state expired")
	}
	return nil
}

// overHTTPS says the browser reached golive over https, directly or
// through a proxy that says so.
func overHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// pageData is a page of the install flow.
type pageData struct {
	Title, Text    string
	Link, LinkText string
}

// pageTemplate is every page: self-contained (no external assets), its
// data escaped by html/template.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · golive</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#1f2937}
h1{font-size:1.5em}a.button{display:inline-block;background:#1d4ed8;color:#fff;padding:.6em 1.2em;border-radius:6px;text-decoration:none;font-weight:600}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Text}}</p>{{if .Link}}<p><a class="button" href="{{.Link}}">{{.LinkText}}</a></p>{{end}}</body></html>
`))

// page writes a page, never cached.
func (w *Workspaces) page(rw http.ResponseWriter, status int, d pageData) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'")
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(status)
	if err := pageTemplate.Execute(rw, d); err != nil {
		w.log.Warn("install: write page", "err", err)
	}
}

// clip bounds a value from the request for a page or the log.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
