package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/golive/golive/internal/launch"
)

// maxSecret bounds what is looked up as a token: a real one is 59
// characters.
const maxSecret = 100

// authenticate reads the bearer token and finds its live token; it answers
// 401 (or 429 when failures come too fast) itself and returns false when
// there is none.
func (a *API) authenticate(ctx context.Context, w http.ResponseWriter, r *http.Request) (launch.Token, bool) {
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="golive"`)
		writeError(w, http.StatusUnauthorized, codeUnauthorized,
			"Send the launch's API token as `Authorization: Bearer golive_...`; its creator makes one with `/golive token create \"ci\"`.")
		return launch.Token{}, false
	}
	if !looksLikeToken(secret) {
		return a.refuse(w)
	}
	t, err := a.cfg.Tokens.TokenBySecret(ctx, secret)
	if launch.ErrorCode(err) == launch.ENOTFOUND {
		return a.refuse(w)
	}
	if err != nil {
		a.cfg.Logger.Error("look up a token", "err", err)
		domainError(w, err)
		return launch.Token{}, false
	}
	return t, true
}

// refuse answers a token that is no live one: 401, or 429 once wrong
// tokens come faster than the shared bucket of failures allows.
func (a *API) refuse(w http.ResponseWriter) (launch.Token, bool) {
	if wait, ok := a.failed.take(""); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		writeError(w, http.StatusTooManyRequests, codeRateLimited, "Too many calls with wrong tokens; try again in a moment.")
		return launch.Token{}, false
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="golive", error="invalid_token"`)
	writeError(w, http.StatusUnauthorized, codeUnauthorized,
		"This token is not a live golive API token: it was revoked, mistyped, or never existed. `/golive token list` shows the launch's tokens.")
	return launch.Token{}, false
}

// looksLikeToken tells whether s has a token's shape, before any look-up.
func looksLikeToken(s string) bool {
	return strings.HasPrefix(s, launch.TokenPrefix) && len(s) <= maxSecret
}
