// Package slackhttp is the HTTP transport of Slack's requests: POST
// /slack/commands, /slack/interactions and /slack/events. Every request's
// v0 signature is checked over the raw body, within Slack's 5-minute
// window, before anything is parsed; bodies are capped at MaxBody; only
// the signed body is read, never the query string. What passes is handed
// to the bot's entry points.
package slackhttp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// MaxBody is the largest request body accepted; Slack's are a few KB.
const MaxBody = 1 << 20

// Handlers are the bot's entry points (*bot.Bot is one).
type Handlers interface {
	// Command and Interaction return the acknowledgement's body (nil for
	// an empty one), or an error for a payload the bot refuses unread.
	Command(ctx context.Context, s slack.SlashCommand) (any, error)
	Interaction(ctx context.Context, cb *slack.InteractionCallback) (any, error)
	// Event handles an event after its acknowledgement.
	Event(e slackevents.EventsAPIEvent)
	// Rejected counts and logs a request refused before any work.
	Rejected(reason, path string, attrs ...any)
}

// Reasons a request is refused, as the log and the
// golive_requests_rejected_total metric name them.
const (
	rejectUnsigned     = "unsigned"
	rejectSignature    = "bad_signature"
	rejectMalformedSig = "malformed_signature"
	rejectStale        = "stale"
	rejectNoSecret     = "no_secret"
	rejectTooLarge     = "too_large"
	rejectMalformed    = "malformed"
)

// transport serves one secret's requests to one set of handlers.
type transport struct {
	h      Handlers
	secret string
}

// Handler serves Slack's requests signed with secret to h. With no secret
// it refuses every request.
func Handler(h Handlers, secret string) http.Handler {
	t := &transport{h: h, secret: secret}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", t.serveCommand)
	mux.HandleFunc("POST /slack/interactions", t.serveInteraction)
	mux.HandleFunc("POST /slack/events", t.serveEvent)
	return mux
}

// Sign returns Slack's v0 signature of body sent at timestamp ts (Unix
// seconds), for the X-Slack-Signature header.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// verifiedBody reads the body (at most MaxBody) and checks Slack's v0
// signature over exactly those bytes. On failure it has answered already:
// 413 for a body too large, 401 for a missing, wrong or stale signature.
func (t *transport) verifiedBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.ContentLength > MaxBody {
		t.h.Rejected(rejectTooLarge, r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			t.h.Rejected(rejectTooLarge, r.URL.Path, "remote", r.RemoteAddr)
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "could not read the request", http.StatusBadRequest)
		return nil, false
	}
	if err := t.verify(r.Header, body); err != nil {
		// The reason is named, never quoted: slack-go's errors carry the
		// request's timestamp whole.
		t.h.Rejected(rejectReason(err), r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// errNoSecret refuses every request when no signing secret is set.
var errNoSecret = errors.New("no signing secret configured")

// verify checks the request signature and its timestamp (within 5 minutes).
func (t *transport) verify(h http.Header, body []byte) error {
	if t.secret == "" {
		return errNoSecret
	}
	sv, err := slack.NewSecretsVerifier(h, t.secret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

// rejectReason names why a signature check failed without quoting the
// request: slack-go's errors quote a malformed timestamp whole.
func rejectReason(err error) string {
	switch {
	case errors.Is(err, errNoSecret), errors.Is(err, slack.ErrInvalidConfiguration):
		return rejectNoSecret
	case errors.Is(err, slack.ErrMissingHeaders):
		return rejectUnsigned
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return rejectStale
	case errors.Is(err, slack.ErrInvalidSignature):
		return rejectSignature
	default:
		// An unparsable timestamp or signature (strconv, hex errors).
		return rejectMalformedSig
	}
}

// verifiedForm verifies the request and parses its form-encoded body. Only
// the signed body is read: never the URL's query string.
func (t *transport) verifiedForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, ok := t.verifiedBody(w, r)
	if !ok {
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		t.h.Rejected(rejectMalformed, r.URL.Path, "err", err.Error())
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return nil, false
	}
	return form, true
}

func (t *transport) serveCommand(w http.ResponseWriter, r *http.Request) {
	form, ok := t.verifiedForm(w, r)
	if !ok {
		return
	}
	s := slack.SlashCommand{
		TeamID:      form.Get("team_id"),
		ChannelID:   form.Get("channel_id"),
		UserID:      form.Get("user_id"),
		UserName:    form.Get("user_name"),
		Command:     form.Get("command"),
		Text:        form.Get("text"),
		ResponseURL: form.Get("response_url"),
		TriggerID:   form.Get("trigger_id"),
	}
	ack, err := t.h.Command(r.Context(), s)
	t.answer(w, r, ack, err)
}

func (t *transport) serveInteraction(w http.ResponseWriter, r *http.Request) {
	form, ok := t.verifiedForm(w, r)
	if !ok {
		return
	}
	payload := form.Get("payload")
	if payload == "" {
		t.h.Rejected(rejectMalformed, r.URL.Path, "err", "no payload")
		http.Error(w, "no payload", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &cb); err != nil {
		t.h.Rejected(rejectMalformed, r.URL.Path, "err", err.Error())
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	ack, err := t.h.Interaction(r.Context(), &cb)
	t.answer(w, r, ack, err)
}

// answer acknowledges a command or interaction with the handler's body,
// or refuses it with 400 when the handler did.
func (t *transport) answer(w http.ResponseWriter, r *http.Request, ack any, err error) {
	if err != nil {
		t.h.Rejected(rejectMalformed, r.URL.Path, "err", err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeAck(w, ack)
}

func (t *transport) serveEvent(w http.ResponseWriter, r *http.Request) {
	body, ok := t.verifiedBody(w, r)
	if !ok {
		return
	}
	var outer struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		t.h.Rejected(rejectMalformed, r.URL.Path, "err", err.Error())
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if outer.Type == slackevents.URLVerification {
		writeAck(w, map[string]string{"challenge": outer.Challenge})
		return
	}
	// The signature vouches for the event: the verification token is a
	// weaker, older check of the same thing.
	e, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	w.WriteHeader(http.StatusOK)
	if err != nil {
		// An event of a type golive does not read: acknowledged, so that
		// Slack does not deliver it again, and dropped.
		return
	}
	t.h.Event(e)
}

// writeAck answers 200 with body as JSON, or with nothing when body is nil.
func writeAck(w http.ResponseWriter, body any) {
	if body == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	data, err := json.Marshal(body)
	if err != nil {
		// The bot's types always encode; acknowledge anyway so Slack does not retry.
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}
