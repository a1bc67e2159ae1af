package slacksocket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/webapi"
)

// fakeSocket is a local Socket Mode endpoint: it sends the envelopes a test
// queues and collects the acknowledgements the bot writes back.
type fakeSocket struct {
	srv     *httptest.Server
	mu      sync.Mutex
	conns   int
	acks    map[string]json.RawMessage // envelope id -> payload
	outbox  chan any
	dropped chan struct{}
}

func newFakeSocket(t *testing.T) *fakeSocket {
	f := &fakeSocket{acks: map[string]json.RawMessage{}, outbox: make(chan any, 16), dropped: make(chan struct{}, 4)}
	// Slack's client sends Origin https://api.slack.com.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		f.mu.Lock()
		f.conns++
		f.mu.Unlock()
		if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				var resp struct {
					EnvelopeID string          `json:"envelope_id"`
					Payload    json.RawMessage `json:"payload"`
				}
				if err := conn.ReadJSON(&resp); err != nil {
					return
				}
				f.mu.Lock()
				f.acks[resp.EnvelopeID] = resp.Payload
				f.mu.Unlock()
			}
		}()
		for {
			select {
			case msg := <-f.outbox:
				if err := conn.WriteJSON(msg); err != nil {
					return
				}
				if m, ok := msg.(map[string]any); ok && m["type"] == "disconnect" {
					f.dropped <- struct{}{}
					return
				}
			case <-done:
				return
			}
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSocket) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

func (f *fakeSocket) ack(id string) (json.RawMessage, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.acks[id]
	return p, ok
}

func (f *fakeSocket) connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns
}

func slashEnvelope(id, user, text string) map[string]any {
	return map[string]any{
		"type": "slash_commands", "envelope_id": id, "accepts_response_payload": true,
		"payload": map[string]any{
			"team_id": "T1", "channel_id": "C1", "user_id": user, "user_name": "someone",
			"command": "/golive", "text": text, "response_url": "", "trigger_id": "t1",
		},
	}
}

// handlers records what the transport hands on; it is the bot as far as
// the transport can tell.
type handlers struct {
	mu       sync.Mutex
	commands []slack.SlashCommand
	events   []slackevents.EventsAPIEvent
	later    map[string]any // response_url -> answer
}

func (h *handlers) Command(_ context.Context, s slack.SlashCommand) (any, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.TeamID == "" {
		return nil, errors.New("team_id, channel_id and user_id are required")
	}
	h.commands = append(h.commands, s)
	if s.Text == "big" {
		return map[string]string{"response_type": "ephemeral", "text": strings.Repeat("x", 20<<10)}, nil
	}
	return map[string]string{"response_type": "in_channel", "text": "ok: " + s.Text}, nil
}

func (h *handlers) Interaction(_ context.Context, cb *slack.InteractionCallback) (any, error) {
	if cb.User.ID == "" {
		return nil, errors.New("team and user are required")
	}
	return map[string]any{"response_action": "errors", "errors": map[string]string{"import_markdown": "no checklist here"}}, nil
}

func (h *handlers) Event(e slackevents.EventsAPIEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

func (h *handlers) AnswerLater(responseURL string, ack any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.later[responseURL] = ack
}

func (h *handlers) eventCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.events)
}

func (h *handlers) answeredLater(url string) (any, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	a, ok := h.later[url]
	return a, ok
}

// syncBuffer is a log sink safe for the transport's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run serves h over Socket Mode at sock, with the one fake Slack's Web
// API, until the test stops it; it returns that fake and a stop that
// waits for Run to return.
func run(t *testing.T, sock *fakeSocket, h *handlers, logs *syncBuffer) (api *webapi.Server, stop func()) {
	return runWith(t, webapi.DefaultToken, sock, h, logs)
}

// runWith is run with a client holding botToken ("" when golive is
// distributed: each workspace's token is the bot's business).
func runWith(t *testing.T, botToken string, sock *fakeSocket, h *handlers, logs *syncBuffer) (api *webapi.Server, stop func()) {
	fake := webapi.New(webapi.Config{})
	fake.SetSocketURL(sock.url())
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := slack.New(botToken, slack.OptionAPIURL(srv.URL+"/api/"))
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() {
		runErr <- Run(ctx, client, webapi.DefaultAppToken, h, slog.New(slog.NewJSONHandler(logs, nil)))
	}()
	return fake, func() {
		cancel()
		select {
		case err := <-runErr:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not stop")
		}
	}
}

// acked waits for the acknowledgement of envelope id and returns its payload.
func acked(t *testing.T, sock *fakeSocket, id string) json.RawMessage {
	t.Helper()
	require.Eventually(t, func() bool { _, ok := sock.ack(id); return ok }, 10*time.Second, 10*time.Millisecond, "%s is acknowledged", id)
	p, _ := sock.ack(id)
	return p
}

func TestSocketMode(t *testing.T) {
	sock := newFakeSocket(t)
	h := &handlers{later: map[string]any{}}
	api, stop := run(t, sock, h, &syncBuffer{})

	// A slash command: acknowledged with the handler's answer.
	sock.outbox <- slashEnvelope("env-new", "UCREATOR", `new "Checkout v2" 2026-12-01`)
	assert.JSONEq(t, `{"response_type":"in_channel","text":"ok: new \"Checkout v2\" 2026-12-01"}`, string(acked(t, sock, "env-new")))

	// An event is acknowledged, and handed on.
	sock.outbox <- map[string]any{
		"type": "events_api", "envelope_id": "env-home",
		"payload": map[string]any{"type": "event_callback", "team_id": "T1", "event_id": "Ev9",
			"event": map[string]any{"type": "app_home_opened", "user": "UCREATOR", "tab": "home", "channel": "D1"}},
	}
	acked(t, sock, "env-home")
	require.Eventually(t, func() bool { return h.eventCount() == 1 }, 10*time.Second, 10*time.Millisecond)
	h.mu.Lock()
	e := h.events[0]
	h.mu.Unlock()
	assert.Equal(t, "Ev9", e.Data.(*slackevents.EventsAPICallbackEvent).EventID)
	assert.Equal(t, "UCREATOR", e.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent).User)

	// An envelope slack-go cannot parse is acknowledged all the same, so
	// that Slack does not deliver it again.
	sock.outbox <- map[string]any{
		"type": "events_api", "envelope_id": "env-unknown",
		"payload": map[string]any{"type": "event_callback", "team_id": "T1", "event_id": "Ev10",
			"event": map[string]any{"type": "no_such_event_type", "user": "UCREATOR"}},
	}
	acked(t, sock, "env-unknown")
	assert.Equal(t, 1, h.eventCount())

	// An interaction: a modal's field errors travel in the acknowledgement.
	sock.outbox <- map[string]any{
		"type": "interactive", "envelope_id": "env-import", "accepts_response_payload": true,
		"payload": map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UEVE"},
			"view": map[string]any{"callback_id": "import"}},
	}
	assert.Contains(t, string(acked(t, sock, "env-import")), `"response_action":"errors"`)

	// An answer too large for an acknowledgement goes through the
	// response_url instead.
	big := slashEnvelope("env-big", "UEVE", "big")
	big["payload"].(map[string]any)["response_url"] = "https://hooks.example/r/big"
	sock.outbox <- big
	p := acked(t, sock, "env-big")
	assert.True(t, len(p) == 0 || string(p) == "null", "acknowledged empty, got %d bytes", len(p))
	require.Eventually(t, func() bool { _, ok := h.answeredLater("https://hooks.example/r/big"); return ok }, 10*time.Second, 10*time.Millisecond)

	// Slack asks to reconnect: the transport opens a new connection and carries on.
	sock.outbox <- map[string]any{"type": "disconnect", "reason": "refresh_requested"}
	<-sock.dropped
	require.Eventually(t, func() bool { return sock.connections() == 2 }, 20*time.Second, 10*time.Millisecond)
	sock.outbox <- slashEnvelope("env-help", "UEVE", "tikc")
	assert.Contains(t, string(acked(t, sock, "env-help")), "ok: tikc")
	stop()

	// A connection for each, with the app token (the fake takes no other
	// for apps.connections.open); and the transport calls nothing else.
	assert.GreaterOrEqual(t, api.Count("apps.connections.open"), 2)
	assert.Equal(t, api.Count("apps.connections.open"), api.Total(), "no other method")
}

// Socket Mode payloads carry no signature: the connection vouches for them.
// One the bot refuses (without its team or user) is acknowledged, so that
// Slack does not send it again, with no answer, and the log says why
// without quoting it.
func TestRefusedEnvelopesAreAcknowledgedEmpty(t *testing.T) {
	sock := newFakeSocket(t)
	h := &handlers{later: map[string]any{}}
	logs := &syncBuffer{}
	_, stop := run(t, sock, h, logs)

	noTeam := slashEnvelope("env-noteam", "UCREATOR", `new "Checkout v2" 2026-12-01`)
	noTeam["payload"].(map[string]any)["team_id"] = ""
	noUser := map[string]any{
		"type": "interactive", "envelope_id": "env-nouser",
		"payload": map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"},
			"user": map[string]any{"id": ""}, "channel": map[string]any{"id": "C1"}, "actions": []any{}},
	}
	sock.outbox <- noTeam
	sock.outbox <- noUser
	for _, id := range []string{"env-noteam", "env-nouser"} {
		p := acked(t, sock, id)
		assert.True(t, len(p) == 0 || string(p) == "null", "%s: no answer, got %s", id, p)
	}
	stop()
	assert.Empty(t, h.commands)
	assert.Contains(t, logs.String(), "socket mode: refused an envelope")
	assert.Contains(t, logs.String(), "team_id, channel_id and user_id are required")
	assert.Contains(t, logs.String(), "team and user are required")
	assert.NotContains(t, logs.String(), "Checkout v2", "the payload is not logged")
}

// Distributed, golive has no bot token of its own: Socket Mode needs only
// the app-level token.
func TestSocketModeWithoutABotToken(t *testing.T) {
	sock := newFakeSocket(t)
	h := &handlers{later: map[string]any{}}
	_, stop := runWith(t, "", sock, h, &syncBuffer{})
	defer stop()
	sock.outbox <- slashEnvelope("env-new", "UCREATOR", `new "Checkout v2" 2026-12-01`)
	assert.JSONEq(t, `{"response_type":"in_channel","text":"ok: new \"Checkout v2\" 2026-12-01"}`, string(acked(t, sock, "env-new")))
}
