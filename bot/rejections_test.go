package bot

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/slackhttp"
	"github.com/golive/golive/internal/metrics"
)

func TestClip(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"short", "1700000000", "1700000000"},
		{"exactly the cap", strings.Repeat("a", maxLogged), strings.Repeat("a", maxLogged)},
		{"long", strings.Repeat("9", 1<<20), strings.Repeat("9", maxLogged) + "…[1048576 bytes]"},
		{"cut inside a character", strings.Repeat("a", maxLogged-1) + "é" + "zz", strings.Repeat("a", maxLogged-1) + "…[67 bytes]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, clip(c.in))
		})
	}
}

// counters returns every counter of m as "name label=value ..." -> value.
func counters(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
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
		}
	}
	return seen
}

// A flood of unsigned requests with huge timestamps, through the real
// handler, costs a bounded amount of log: each is counted, the first few of
// the minute are logged without quoting the timestamp, the rest summed up.
func TestUnsignedFloodLogsABoundedAmount(t *testing.T) {
	m := metrics.New("test")
	h := newHarness(t, func(c *Config) { c.Metrics = m })
	handler := slackhttp.Handler(h.bot, testSecret)
	huge := strings.Repeat("9", 1<<20)
	body := h.commandForm(creator, `new "Checkout v2" 2026-12-01`)
	fresh := strconv.FormatInt(time.Now().Unix(), 10)

	const flood = 200
	for i := range flood {
		req := httptest.NewRequest(http.MethodPost, "/slack/commands", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		switch i % 4 {
		case 0: // a huge timestamp and a well-formed but wrong signature
			req.Header.Set("X-Slack-Request-Timestamp", huge)
			req.Header.Set("X-Slack-Signature", slackhttp.Sign("not the secret", huge, body))
		case 1: // a huge timestamp, no signature
			req.Header.Set("X-Slack-Request-Timestamp", huge)
		case 2: // a huge signature
			req.Header.Set("X-Slack-Request-Timestamp", fresh)
			req.Header.Set("X-Slack-Signature", "v0="+huge)
		case 3: // a fresh timestamp, a wrong signature
			req.Header.Set("X-Slack-Request-Timestamp", fresh)
			req.Header.Set("X-Slack-Signature", slackhttp.Sign("not the secret", fresh, body))
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		require.Equal(t, http.StatusUnauthorized, rec.Code)
	}
	h.bot.Close() // logs the count of what was not logged one by one

	logs := h.logs.String()
	assert.Less(t, len(logs), 8<<10, "the log grows by a few KB, not by the requests' size")
	assert.NotContains(t, logs, strings.Repeat("9", maxLogged+1), "no header is quoted whole")
	var one, summary int
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
		switch entry["msg"] {
		case "rejected a request":
			one++
			assert.Contains(t, []any{"unsigned", "bad_signature", "malformed_signature"}, entry["reason"])
		case "more requests rejected than logged one by one":
			summary++
			assert.Equal(t, float64(flood-sampledPerWindow), entry["count"])
		}
	}
	assert.Equal(t, sampledPerWindow, one)
	assert.Equal(t, 1, summary)

	c := counters(t, m)
	rejected := c["golive_requests_rejected_total reason=unsigned"] + c["golive_requests_rejected_total reason=bad_signature"] +
		c["golive_requests_rejected_total reason=malformed_signature"]
	assert.Equal(t, float64(flood), rejected, "every rejection is counted")
	assert.Equal(t, float64(flood/4), c["golive_requests_rejected_total reason=unsigned"])
	assert.Zero(t, h.slack.total(), "nothing reached Slack")
}

// Sampling restarts every minute, and a window's leftovers are summed up
// when the next one begins.
func TestRejectionsAreSampledPerMinute(t *testing.T) {
	logs := &syncBuffer{}
	r := newRejections(newJSONLogger(logs), nil)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return now }
	defer r.close()

	for range 25 {
		r.reject("stale", "/slack/commands")
	}
	assert.Equal(t, sampledPerWindow, strings.Count(logs.String(), `"msg":"rejected a request"`))
	assert.NotContains(t, logs.String(), "more requests rejected")

	now = now.Add(sampleWindow)
	r.reject("stale", "/slack/commands")
	assert.Contains(t, logs.String(), `"msg":"more requests rejected than logged one by one","count":15,"window":"1m0s","stale":15`)
	assert.Equal(t, sampledPerWindow+1, strings.Count(logs.String(), `"msg":"rejected a request"`), "a new minute logs again")
}

// Slack sends one action per click; a payload carrying thousands is handled
// for its first action only, refused for the rest with one log line, and
// costs no more Slack calls than one click.
func TestOneClickWithThousandsOfActionsIsHandledOnce(t *testing.T) {
	m := metrics.New("test")
	h := newHarness(t, func(c *Config) { c.Metrics = m })
	l := h.newLaunch()
	ts := h.postChecklist("")
	n := firstItems(l, 1)[0]

	payload := h.toggle("UEVE", ts, n)
	one := payload["actions"].([]any)[0]
	var actions []any
	for i := range 3000 {
		if i%2 == 0 {
			actions = append(actions, one)
		} else {
			actions = append(actions, map[string]any{"type": "button", "action_id": "bogus:" + strconv.Itoa(i), "block_id": "b", "value": "x"})
		}
	}
	payload["actions"] = actions
	js, err := json.Marshal(payload)
	require.NoError(t, err)
	before := len(h.slack.callsOf("response_url"))
	resp := h.post("/slack/interactions", []byte(url.Values{"payload": {string(js)}}.Encode()))
	require.Equal(t, http.StatusOK, resp.StatusCode)

	assert.True(t, h.launch().Checklist.Item(n).Done, "the first action is handled")
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return shownDone(t, m)[n]
	}, 5*time.Second, 5*time.Millisecond, "and shown")
	h.bot.Close()

	assert.LessOrEqual(t, len(h.slack.callsOf("response_url"))-before, 1, "no fan-out to response_url")
	assert.LessOrEqual(t, h.slack.count("chat.update"), 2, "one refresh, not thousands")
	logs := h.logs.String()
	assert.Equal(t, 1, strings.Count(logs, `"msg":"action"`), "one action logged")
	assert.Equal(t, 1, strings.Count(logs, `"reason":"extra_actions"`), "the rest refused in one line")
	assert.Contains(t, logs, `"actions":3000`)
	assert.Equal(t, 1.0, counters(t, m)["golive_requests_rejected_total reason=extra_actions"])
	assert.Equal(t, 1.0, counters(t, m)["golive_clicks_total kind=tick outcome=ok"])
}
