package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			"team_id": testTeam, "channel_id": testChan, "user_id": user, "user_name": "someone",
			"command": "/golive", "text": text, "response_url": "", "trigger_id": "t1",
		},
	}
}

func TestSocketMode(t *testing.T) {
	h := newHarness(t)
	sock := newFakeSocket(t)
	h.slack.wsURL = sock.url()

	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.bot.RunSocketMode(ctx, "xapp-test-token") }()

	// A slash command: stored before the ack, which carries the reply.
	sock.outbox <- slashEnvelope("env-new", creator, `new "Checkout v2" 2026-12-01`)
	var payload json.RawMessage
	require.Eventually(t, func() bool {
		var ok bool
		payload, ok = sock.ack("env-new")
		return ok
	}, 10*time.Second, 10*time.Millisecond)
	var ans struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	require.NoError(t, json.Unmarshal(payload, &ans))
	assert.Equal(t, "in_channel", ans.ResponseType)
	assert.Contains(t, ans.Text, "started the launch")
	assert.Equal(t, "Checkout v2", h.launch().Name)

	// A command whose answer goes through the Web API after the ack.
	sock.outbox <- slashEnvelope("env-status", "UEVE", "status")
	require.Eventually(t, func() bool { _, ok := sock.ack("env-status"); return ok }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return h.slack.count("chat.postMessage") == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, testChan, h.slack.callsOf("chat.postMessage")[0].Form.Get("channel"))

	// An event is acknowledged at once and then handled.
	sock.outbox <- map[string]any{
		"type": "events_api", "envelope_id": "env-home",
		"payload": map[string]any{"type": "event_callback", "team_id": testTeam, "event_id": "Ev9",
			"event": map[string]any{"type": "app_home_opened", "user": creator, "tab": "home", "channel": "D1"}},
	}
	require.Eventually(t, func() bool { _, ok := sock.ack("env-home"); return ok }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return h.slack.count("views.publish") == 1 }, 10*time.Second, 10*time.Millisecond)

	// An envelope slack-go cannot parse is acknowledged all the same, so
	// that Slack does not deliver it again.
	sock.outbox <- map[string]any{
		"type": "events_api", "envelope_id": "env-unknown",
		"payload": map[string]any{"type": "event_callback", "team_id": testTeam, "event_id": "Ev10",
			"event": map[string]any{"type": "no_such_event_type", "user": creator}},
	}
	require.Eventually(t, func() bool { _, ok := sock.ack("env-unknown"); return ok }, 10*time.Second, 10*time.Millisecond)

	// An interaction: a modal's field errors travel in the acknowledgement.
	sock.outbox <- map[string]any{
		"type": "interactive", "envelope_id": "env-import", "accepts_response_payload": true,
		"payload": map[string]any{"type": "view_submission", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": "UEVE"},
			"view": map[string]any{"callback_id": "import", "private_metadata": "C2", "state": map[string]any{"values": map[string]any{
				"import_name":     map[string]any{"name": map[string]any{"type": "plain_text_input", "value": "Import"}},
				"import_date":     map[string]any{"date": map[string]any{"type": "datepicker", "selected_date": "2026-12-01"}},
				"import_markdown": map[string]any{"markdown": map[string]any{"type": "plain_text_input", "value": "no checklist here"}},
			}}}},
	}
	require.Eventually(t, func() bool { _, ok := sock.ack("env-import"); return ok }, 10*time.Second, 10*time.Millisecond)
	p, _ := sock.ack("env-import")
	assert.Contains(t, string(p), `"response_action":"errors"`)
	assert.Contains(t, string(p), "import_markdown")

	// Slack asks to reconnect: the bot opens a new connection and carries on.
	sock.outbox <- map[string]any{"type": "disconnect", "reason": "refresh_requested"}
	<-sock.dropped
	require.Eventually(t, func() bool { return sock.connections() == 2 }, 20*time.Second, 10*time.Millisecond)
	assert.GreaterOrEqual(t, h.slack.count("apps.connections.open"), 2)
	sock.outbox <- slashEnvelope("env-help", "UEVE", "tikc")
	require.Eventually(t, func() bool { _, ok := sock.ack("env-help"); return ok }, 10*time.Second, 10*time.Millisecond)
	p, _ = sock.ack("env-help")
	assert.Contains(t, string(p), "Did you mean")

	// The app token went to apps.connections.open, and to nothing else.
	open := h.slack.callsOf("apps.connections.open")
	require.NotEmpty(t, open)

	cancel()
	select {
	case err := <-runErr:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("RunSocketMode did not stop")
	}
}
