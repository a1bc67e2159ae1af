package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/slackhttp"
	"github.com/golive/golive/internal/metrics"
)

// The bot's entry points, fed by the HTTP transport as in production.

func TestAppHomeOpenedPublishesOnceDespiteRetries(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	event := []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_home_opened","user":"UCREATOR","tab":"home","channel":"D1"}}`)
	assert.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	retry := h.postWith("/slack/events", event, map[string]string{
		"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slackhttp.Sign(testSecret, ts, event), "X-Slack-Retry-Num": "1",
	})
	assert.Equal(t, http.StatusOK, retry.StatusCode)
	require.Eventually(t, func() bool { return h.slack.count("views.publish") == 1 }, 5*time.Second, 5*time.Millisecond)
	h.bot.Close()
	assert.Equal(t, 1, h.slack.count("views.publish"), "the retry was dropped")

	call := h.slack.callsOf("views.publish")[0]
	var req struct {
		UserID string `json:"user_id"`
		View   struct {
			Type   string           `json:"type"`
			Blocks []map[string]any `json:"blocks"`
		} `json:"view"`
	}
	require.NoError(t, json.Unmarshal(call.JSON, &req))
	assert.Equal(t, "UCREATOR", req.UserID)
	assert.Equal(t, "home", req.View.Type)
	assert.Contains(t, string(call.JSON), "Checkout v2", "the creator's launch is on their Home")
}

// A retry of an event that lands on another replica (Slack retries to
// whichever the load balancer or Socket Mode picks) is dropped there: the
// ids handled are kept in the database, not in one process.
func TestEventRetryOnAnotherReplicaIsDropped(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	other := h.another()
	event := []byte(`{"type":"event_callback","team_id":"T1","event_id":"EvReplica","event":{"type":"app_home_opened","user":"UCREATOR","tab":"home"}}`)
	assert.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode)
	require.Eventually(t, func() bool { return h.slack.count("views.publish") == 1 }, 5*time.Second, 5*time.Millisecond)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	retry := other.postWith("/slack/events", event, map[string]string{
		"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slackhttp.Sign(testSecret, ts, event), "X-Slack-Retry-Num": "1",
	})
	assert.Equal(t, http.StatusOK, retry.StatusCode)
	other.bot.Close()
	h.bot.Close()
	assert.Equal(t, 1, h.slack.count("views.publish"), "the retry was dropped on the other replica")
	assert.Contains(t, other.logs.String(), "event already handled")

	// The same event id in another team is another event.
	first, err := h.store.FirstRequest(context.Background(), "T2", eventRequest("EvReplica"))
	require.NoError(t, err)
	assert.True(t, first, "event ids are kept per team")
}

func TestLogsHoldNoSecrets(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	h.command("UEVE", "tikc 1")
	h.postWith("/slack/commands", h.commandForm(creator, "help"), map[string]string{"X-Slack-Signature": "v0=00"})
	h.bot.Close()
	logs := h.logs.String()
	require.NotEmpty(t, logs)
	assert.NotContains(t, logs, testSecret)
	assert.NotContains(t, logs, "xoxb-")
	assert.NotContains(t, logs, "/response/", "no response_url is logged")
	commands := 0
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if !assert.NoError(t, json.Unmarshal([]byte(line), &entry), "JSON log line: %s", line) {
			continue
		}
		if entry["msg"] == "command" {
			commands++
			assert.Regexp(t, `^[0-9a-f]{12}$`, entry["request_id"], "a command's log line has its request id")
		}
	}
	assert.Equal(t, 2, commands)
}

func TestMetricsCountCommandsClicksAndAcks(t *testing.T) {
	m := metrics.New("test")
	h := newHarness(t, func(c *Config) { c.Metrics = m })
	h.newLaunch()
	h.command("UEVE", "tikc")
	ts := h.postChecklist("")
	h.interact(h.toggle("UEVE", ts, 1))

	families, err := m.Registry().Gather()
	require.NoError(t, err)
	seen := map[string]float64{}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			key := f.GetName()
			for _, l := range metric.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			if c := metric.GetCounter(); c != nil {
				seen[key] = c.GetValue()
			}
			if hist := metric.GetHistogram(); hist != nil {
				seen[key] = float64(hist.GetSampleCount())
			}
		}
	}
	assert.Equal(t, 1.0, seen["golive_commands_total kind=new outcome=ok"])
	assert.Equal(t, 1.0, seen["golive_commands_total kind=unknown outcome=invalid"])
	assert.Equal(t, 1.0, seen["golive_clicks_total kind=tick outcome=ok"])
	assert.Equal(t, 3.0, seen["golive_request_duration_seconds kind=command"])
	assert.Equal(t, 1.0, seen["golive_request_duration_seconds kind=interaction"])
}
