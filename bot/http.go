package bot

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
)

// maxBody is the largest request body accepted; Slack's are a few KB.
const maxBody = 1 << 20

// Handler serves Slack's HTTP requests: POST /slack/commands,
// /slack/interactions and /slack/events. Every request's signature is
// checked over the raw body before anything is parsed.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", b.serveCommand)
	mux.HandleFunc("POST /slack/interactions", b.serveInteraction)
	mux.HandleFunc("POST /slack/events", b.serveEvent)
	return b.recovering(mux)
}

// verifiedBody reads the body (at most maxBody) and checks Slack's v0
// signature over exactly those bytes. On failure it has answered already:
// 413 for a body too large, 401 for a missing, wrong or stale signature.
func (b *Bot) verifiedBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.ContentLength > maxBody {
		b.rejected.reject(rejectTooLarge, r.URL.Path, "remote", clip(r.RemoteAddr))
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			b.rejected.reject(rejectTooLarge, r.URL.Path, "remote", clip(r.RemoteAddr))
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "could not read the request", http.StatusBadRequest)
		return nil, false
	}
	if err := b.verify(r.Header, body); err != nil {
		// The reason is named, never quoted: slack-go's errors carry the
		// request's timestamp whole.
		b.rejected.reject(rejectReason(err), r.URL.Path, "remote", clip(r.RemoteAddr))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// errNoSecret refuses every HTTP request when no signing secret is set.
var errNoSecret = errors.New("no signing secret configured")

// verify checks the request signature and its timestamp (within 5 minutes).
func (b *Bot) verify(h http.Header, body []byte) error {
	if b.secret == "" {
		return errNoSecret
	}
	sv, err := slack.NewSecretsVerifier(h, b.secret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

// verifiedForm verifies the request and parses its form-encoded body. Only
// the signed body is read: never the URL's query string.
func (b *Bot) verifiedForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, ok := b.verifiedBody(w, r)
	if !ok {
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		b.rejected.reject(rejectMalformed, r.URL.Path, "err", clip(err.Error()))
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return nil, false
	}
	return form, true
}

func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request) {
	form, ok := b.verifiedForm(w, r)
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
	if err := commandIdentity(s); err != nil {
		b.rejected.reject(rejectMalformed, r.URL.Path, "err", err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeAck(w, b.slashCommand(r.Context(), s))
}

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request) {
	form, ok := b.verifiedForm(w, r)
	if !ok {
		return
	}
	payload := form.Get("payload")
	if payload == "" {
		b.rejected.reject(rejectMalformed, r.URL.Path, "err", "no payload")
		http.Error(w, "no payload", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &cb); err != nil {
		b.rejected.reject(rejectMalformed, r.URL.Path, "err", clip(err.Error()))
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	if err := interactionIdentity(&cb); err != nil {
		b.rejected.reject(rejectMalformed, r.URL.Path, "err", err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeAck(w, b.interaction(r.Context(), &cb))
}

func (b *Bot) serveEvent(w http.ResponseWriter, r *http.Request) {
	body, ok := b.verifiedBody(w, r)
	if !ok {
		return
	}
	var env eventEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		b.rejected.reject(rejectMalformed, r.URL.Path, "err", clip(err.Error()))
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if env.Type == "url_verification" {
		writeAck(w, map[string]string{"challenge": env.Challenge})
		return
	}
	if env.Type == "event_callback" {
		b.event(appEvent{id: env.EventID, team: env.TeamID, kind: env.Event.Type, user: env.Event.User, tab: env.Event.Tab})
	}
	w.WriteHeader(http.StatusOK)
}

// eventEnvelope is the part of an Events API request golive reads.
type eventEnvelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	TeamID    string `json:"team_id"`
	EventID   string `json:"event_id"`
	Event     struct {
		Type string `json:"type"`
		User string `json:"user"`
		Tab  string `json:"tab"`
	} `json:"event"`
}

// writeAck answers 200 with body as JSON, or with nothing when body is nil.
func writeAck(w http.ResponseWriter, body any) {
	if body == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	data, err := json.Marshal(body)
	if err != nil {
		// Our own types always encode; acknowledge anyway so Slack does not retry.
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}
