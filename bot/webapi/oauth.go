package webapi

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// The workspace as an app distributed to many workspaces sees Slack: other
// workspaces install the app (oauth.v2.access exchanges a code for their
// bot token), every call is answered as the workspace of the token it
// carries, and rotating tokens are refreshed with single-use refresh
// tokens.

// App is a distributed app's credentials, which oauth.v2.access takes.
type App struct {
	ClientID, ClientSecret string
	// Rotate turns token rotation on: installs and refreshes give tokens
	// that expire after ExpiresIn seconds, and a refresh token.
	Rotate    bool
	ExpiresIn int
}

// Install is a workspace installing the app: what the code its admin got
// on Slack's authorize page is exchanged for.
type Install struct {
	Team Team
	// EnterpriseID is the Enterprise Grid organisation of the workspace.
	EnterpriseID string
	// Enterprise makes it an organisation-wide install: Slack answers
	// without a team.
	Enterprise bool
	Installer  string
	Scopes     string
}

// SetApp makes the workspace answer oauth.v2.access for app.
func (s *Server) SetApp(app App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if app.ExpiresIn <= 0 {
		app.ExpiresIn = 43200
	}
	s.app = &app
}

// AddCode makes code exchangeable, once, for in's bot token.
func (s *Server) AddCode(code string, in Install) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = in
}

// Revoke makes a workspace's tokens stop working, as an uninstall does.
func (s *Server) Revoke(team string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok, t := range s.tokens {
		if t.ID == team {
			delete(s.tokens, tok)
		}
	}
}

// teamOf returns the workspace whose token a request carries.
func (s *Server) teamOf(r *http.Request, formToken string) (Team, bool) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok == "" {
		tok = formToken
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for known, team := range s.tokens {
		if subtle.ConstantTimeCompare([]byte(tok), []byte(known)) == 1 {
			return team, true
		}
	}
	return Team{}, false
}

// oauthAccess answers oauth.v2.access: a code exchanged for a bot token,
// or a refresh token for a new one, to the app's client id and secret.
func (s *Server) oauthAccess(r *http.Request, a Call) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = a.Get("client_id"), a.Get("client_secret")
	}
	switch {
	case s.app == nil:
		return apiError("invalid_client_id")
	case subtle.ConstantTimeCompare([]byte(id), []byte(s.app.ClientID)) != 1:
		return apiError("invalid_client_id")
	case subtle.ConstantTimeCompare([]byte(secret), []byte(s.app.ClientSecret)) != 1:
		return apiError("bad_client_secret")
	}
	if a.Get("grant_type") == "refresh_token" {
		in, ok := s.refreshes[a.Get("refresh_token")]
		if !ok {
			return apiError("invalid_refresh_token")
		}
		delete(s.refreshes, a.Get("refresh_token")) // single use
		return s.grantLocked(in)
	}
	in, ok := s.codes[a.Get("code")]
	if !ok {
		return apiError("invalid_code")
	}
	delete(s.codes, a.Get("code"))
	return s.grantLocked(in)
}

// grantLocked gives in's workspace a new bot token (and refresh token).
func (s *Server) grantLocked(in Install) map[string]any {
	s.seq++
	token := fmt.Sprintf("xoxb-%s-%05d", in.Team.ID, s.seq)
	s.tokens[token] = in.Team
	out := map[string]any{"ok": true, "access_token": token, "token_type": "bot", "scope": in.Scopes,
		"bot_user_id": in.Team.BotUser, "app_id": "AGOLIVE", "is_enterprise_install": in.Enterprise,
		"authed_user": map[string]any{"id": in.Installer}}
	if in.Enterprise {
		out["team"] = nil
	} else {
		out["team"] = map[string]any{"id": in.Team.ID, "name": in.Team.Name}
	}
	if in.EnterpriseID != "" {
		out["enterprise"] = map[string]any{"id": in.EnterpriseID, "name": "Grid " + in.EnterpriseID}
	}
	if s.app.Rotate {
		refresh := fmt.Sprintf("xoxe-1-%s-%05d", in.Team.ID, s.seq)
		s.refreshes[refresh] = in
		out["refresh_token"], out["expires_in"] = refresh, s.app.ExpiresIn
	}
	return out
}

// teamByID returns a workspace that has a token.
func (s *Server) teamByID(id string) (Team, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.ID == id {
			return t, true
		}
	}
	return Team{}, false
}

// AddToken makes the API take token as team's bot token, as if team had
// installed the app.
func (s *Server) AddToken(token string, team Team) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = team
}
