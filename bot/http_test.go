package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// Slack's published worked example of a v0 signature (see SLACK.md): the
// arithmetic of our test signer, which the verifier is checked against.
func TestSignMatchesSlackExample(t *testing.T) {
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	assert.Equal(t, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
		sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", []byte(body)))
}

func TestUnverifiedRequestsAreRejectedAndChangeNothing(t *testing.T) {
	h := newHarness(t)
	body := h.commandForm(creator, `new "Checkout v2" 2026-12-01`)
	now := time.Now()
	ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }

	cases := []struct {
		name    string
		headers map[string]string
	}{
		{"no headers", nil},
		{"no signature", map[string]string{"X-Slack-Request-Timestamp": ts(0)}},
		{"no timestamp", map[string]string{"X-Slack-Signature": sign(testSecret, ts(0), body)}},
		{"wrong secret", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": sign("another-secret", ts(0), body)}},
		{"signature of another body", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": sign(testSecret, ts(0), append(body, 'x'))}},
		{"signature for another timestamp", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": sign(testSecret, ts(-time.Second), body)}},
		{"not hex", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": "v0=zz"}},
		{"no v0 prefix", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": strings.TrimPrefix(sign(testSecret, ts(0), body), "v0=")}},
		{"stale: 6 minutes old, correctly signed", map[string]string{"X-Slack-Request-Timestamp": ts(-6 * time.Minute), "X-Slack-Signature": sign(testSecret, ts(-6*time.Minute), body)}},
		{"from the future: 6 minutes ahead", map[string]string{"X-Slack-Request-Timestamp": ts(6 * time.Minute), "X-Slack-Signature": sign(testSecret, ts(6*time.Minute), body)}},
	}
	for _, path := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
		for _, tc := range cases {
			t.Run(path+" "+tc.name, func(t *testing.T) {
				resp := h.postWith(path, body, tc.headers)
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			})
		}
	}
	_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "no launch was created")
	assert.Zero(t, h.slack.total(), "no Web API call was made")

	// The same body, correctly signed now, goes through.
	a := h.command(creator, `new "Checkout v2" 2026-12-01`)
	assert.Equal(t, http.StatusOK, a.Status)
	assert.Equal(t, "in_channel", a.Answer.ResponseType)
}

func TestOversizeBodyIs413(t *testing.T) {
	h := newHarness(t)
	big := append(h.commandForm(creator, "help"), []byte("&pad="+strings.Repeat("a", maxBody))...)
	resp := h.post("/slack/commands", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "signed, but too large")

	// Without a Content-Length (chunked), the limit holds while reading.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/slack/commands", struct{ *bytes.Reader }{bytes.NewReader(big)})
	require.NoError(t, err)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(testSecret, ts, big))
	resp2, err := h.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp2.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp2.StatusCode)

	// Exactly at the limit is fine.
	exact := h.commandForm(creator, "help")
	exact = append(exact, []byte("&pad="+strings.Repeat("a", maxBody-len(exact)-5))...)
	require.Len(t, exact, maxBody)
	assert.Equal(t, http.StatusOK, h.post("/slack/commands", exact).StatusCode)
}

func TestInteractionPayloadOnlyFromSignedBody(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	ts := h.postChecklist("")
	payload, err := json.Marshal(h.toggle("UEVE", ts, 1))
	require.NoError(t, err)

	// A signed empty body with the payload in the query string: refused.
	resp := h.post("/slack/interactions?payload="+url.QueryEscape(string(payload)), nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	// A signed body with another payload than the query's: the body's is used.
	other := []byte(url.Values{"payload": {`{"type":"view_closed","team":{"id":"T1"},"user":{"id":"UEVE"}}`}}.Encode())
	resp = h.post("/slack/interactions?payload="+url.QueryEscape(string(payload)), other)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	assert.False(t, h.launch().Checklist.Item(1).Done, "the query string's tick was never applied")
}

func TestWrongMethodAndPath(t *testing.T) {
	h := newHarness(t)
	resp, err := h.srv.Client().Get(h.srv.URL + "/slack/commands")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, http.StatusNotFound, h.post("/slack/other", nil).StatusCode)
}

func TestURLVerification(t *testing.T) {
	h := newHarness(t)
	resp := h.post("/slack/events", []byte(`{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"x"}`))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var got map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	assert.Equal(t, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", got["challenge"])
}

func TestAppHomeOpenedPublishesOnceDespiteRetries(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	event := []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_home_opened","user":"UCREATOR","tab":"home","channel":"D1"}}`)
	assert.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	retry := h.postWith("/slack/events", event, map[string]string{
		"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(testSecret, ts, event), "X-Slack-Retry-Num": "1",
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
