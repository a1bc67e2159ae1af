package bot

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
)

// Socket Mode payloads carry no signature: the connection vouches for them.
// They still need their team and user, like the HTTP ones, since every
// lookup is scoped by that team.
func TestSocketModeRefusesPayloadsWithoutIdentity(t *testing.T) {
	h := newHarness(t)
	sock := newFakeSocket(t)
	h.slack.wsURL = sock.url()
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.bot.RunSocketMode(ctx, "xapp-test-token") }()

	noTeam := slashEnvelope("env-noteam", creator, `new "Checkout v2" 2026-12-01`)
	noTeam["payload"].(map[string]any)["team_id"] = ""
	noUser := map[string]any{
		"type": "interactive", "envelope_id": "env-nouser",
		"payload": map[string]any{"type": "block_actions", "team": map[string]any{"id": testTeam},
			"user": map[string]any{"id": ""}, "channel": map[string]any{"id": testChan}, "actions": []any{}},
	}
	sock.outbox <- noTeam
	sock.outbox <- noUser
	for _, id := range []string{"env-noteam", "env-nouser"} {
		require.Eventually(t, func() bool { _, ok := sock.ack(id); return ok }, 10*time.Second, 10*time.Millisecond,
			"%s is acknowledged, so that Slack does not send it again", id)
		p, _ := sock.ack(id)
		assert.True(t, len(p) == 0 || string(p) == "null", "%s: no answer, got %s", id, p)
	}
	cancel()
	require.NoError(t, <-runErr)
	h.bot.Close()

	_, err := h.store.LaunchByChannel(context.Background(), "", testChan)
	assert.Error(t, err, "no launch was created for an unknown team")
	logs := h.logs.String()
	assert.Contains(t, logs, "socket mode: refused an envelope")
	assert.Contains(t, logs, errCommandIdentity.Error())
	assert.Contains(t, logs, errInteractionIdentity.Error())
	assert.NotContains(t, logs, "Checkout v2", "the payload is not logged")
}

func TestEventsWithoutTeamAreIgnored(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	event := []byte(`{"type":"event_callback","event_id":"Ev2","event":{"type":"app_home_opened","user":"UCREATOR","tab":"home","channel":"D1"}}`)
	assert.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode, "acknowledged, so that Slack does not retry")
	h.bot.Close()
	assert.Zero(t, h.slack.count("views.publish"))
	assert.Contains(t, h.logs.String(), "event without a team ignored")
}

// A response_url lets whoever holds it post in the channel for 30 minutes:
// a failed post logs what went wrong, not where it went.
func TestFailedResponseLogsNoResponseURL(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	ln.Close()

	for _, responseURL := range []string{
		closed + "/commands/T1/397700885554/96rGlfmibIGlgcZRskXaIFfN",
		"http://bad host/commands/T1/397700885554/96rGlfmibIGlgcZRskXaIFfN",
	} {
		h.bot.respond(context.Background(), h.bot.log, responseURL, render.Notice("hello"))
		h.bot.replaceClicked(context.Background(), h.bot.log, responseURL, render.Notice("Signed off."))
	}
	logs := h.logs.String()
	assert.Contains(t, logs, "connection refused")
	assert.Contains(t, logs, "invalid character")
	assert.NotContains(t, logs, "96rGlfmibIGlgcZRskXaIFfN")
	assert.NotContains(t, logs, "/commands/T1")
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		assert.True(t, json.Valid([]byte(line)), "JSON log line: %s", line)
	}
}
