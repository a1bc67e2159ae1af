package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot"
	"github.com/golive/golive/bot/slackhttp"
	"github.com/golive/golive/bot/webapi"
	"github.com/golive/golive/internal/metrics"
)

// fakeSlack is the one fake Slack (package webapi) on an httptest server:
// a workspace "Acme" (T1) whose bot user is UBOT, taking the test tokens.
type fakeSlack struct {
	*httptest.Server
	api *webapi.Server
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	api := webapi.New(webapi.Config{Token: testBotToken, AppToken: testAppToken, Team: webapi.Team{ID: "T1", Name: "Acme", BotUser: "UBOT"}})
	f := &fakeSlack{Server: httptest.NewServer(api), api: api}
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSlack) calls(method string) int { return f.api.Count(method) }

// signed returns a slash-command request signed with secret, as Slack sends it.
func signed(t *testing.T, url, secret string, form url.Values) *http.Request {
	t.Helper()
	body := form.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackhttp.Sign(secret, ts, []byte(body)))
	return req
}

func TestServeHTTPMode(t *testing.T) {
	fake := newFakeSlack(t)
	base, logs, stop := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning, "SLACK_API_URL": fake.URL + "/api/",
	})

	code, body := httpGet(t, base+"/readyz")
	assert.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, map[string]string{"database": "", "slack": ""}, readyChecks(t, body))

	resp, err := http.Post(base+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("command=%2Fgolive&text=help"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "an unsigned request is refused")

	form := url.Values{"command": {"/golive"}, "text": {"help"}, "team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {"U1"}, "response_url": {fake.URL + "/response/r1"}, "trigger_id": {"1.2.3"}}
	resp, err = http.DefaultClient.Do(signed(t, base+"/slack/commands", testSigning, form))
	require.NoError(t, err)
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(answer), "new", "the help lists the commands")

	code, body = httpGet(t, base+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `golive_slack_api_calls_total{method="auth.test"}`)
	assert.Contains(t, body, `golive_commands_total{kind="help",outcome="ok"} 1`)

	require.NoError(t, stop())
	out := logs.String()
	assert.Contains(t, out, `"msg":"connected to Slack","team":"Acme","team_id":"T1","bot_user_id":"UBOT"`)
	assert.Contains(t, out, `"slack_bot_token":"REDACTED"`)
	assert.Contains(t, out, `"msg":"delivery running","reminder_time":"09:00"`)
	assert.Contains(t, out, `"msg":"delivery stopped"`)
	// The shutdown's order: no more requests, then the background loops
	// stopped and waited for, then the database closed under nothing.
	stopped, reminders, closed := strings.Index(out, `"msg":"http server stopped"`), strings.Index(out, `"msg":"delivery stopped"`), strings.Index(out, `"msg":"database closed"`)
	assert.True(t, 0 <= stopped && stopped < reminders && reminders < closed, "shutdown order:\n%s", out)
	assert.NotContains(t, out, "database is closed")
	assert.NotContains(t, out, testBotToken)
	assert.NotContains(t, out, testSigning)
	assert.NotContains(t, out, "Slack is not connected")
}

func TestServeRefusedToken(t *testing.T) {
	fake := newFakeSlack(t)
	cfg, err := LoadConfig(env(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-revoked-" + testBotToken[5:], "SLACK_SIGNING_SECRET": testSigning, "SLACK_API_URL": fake.URL + "/api/",
		"GOLIVE_DB": filepath.Join(t.TempDir(), "golive.db"),
	}))
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	err = serve(context.Background(), cfg, ln, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.Equal(t, "slack refused SLACK_BOT_TOKEN (auth.test: invalid_auth): copy the Bot User OAuth Token again from the app's OAuth & Permissions page, and reinstall the app if it was revoked", err.Error())
	assert.NotContains(t, err.Error(), testBotToken)
}

func TestServeWhileSlackIsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	unreachable := "http://" + ln.Addr().String() + "/api/"
	ln.Close()

	base, logs, stop := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning, "SLACK_API_URL": unreachable,
	})
	code, body := httpGet(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	code, body = httpGet(t, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	checks := readyChecks(t, body)
	assert.Empty(t, checks["database"], body)
	assert.True(t, strings.HasPrefix(checks["slack"], "auth.test: "), body)
	assert.Contains(t, logs.String(), "cannot reach Slack yet")
	require.NoError(t, stop())
}

func TestServeSocketModeRefusedAppToken(t *testing.T) {
	fake := newFakeSlack(t)
	base, logs, stop := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN": testBotToken, "SLACK_APP_TOKEN": "xapp-revoked-" + testAppToken[5:], "SLACK_API_URL": fake.URL + "/api/",
	})
	require.Eventually(t, func() bool {
		code, body := httpGet(t, base+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, `"socket_mode":{"ok":false,"error":"socket mode stopped: invalid_auth"}`)
	}, 10*time.Second, 20*time.Millisecond, "readiness reports the refused app token; logs:\n%s", logs)
	assert.Equal(t, 1, fake.calls("apps.connections.open"))

	code, _ := httpGet(t, base+"/slack/commands")
	assert.Equal(t, http.StatusNotFound, code, "Socket Mode serves no HTTP routes for Slack")

	require.NoError(t, stop())
	assert.Contains(t, logs.String(), "Socket Mode stopped for good")
	assert.NotContains(t, logs.String(), testAppToken)
}

func TestSlackClientRetriesServerErrors(t *testing.T) {
	fake := newFakeSlack(t)
	fake.api.FailNext("auth.test", 1, webapi.Fault{Status: http.StatusInternalServerError})
	m := metrics.New("test")
	api := newSlackClient(Config{SlackAPIURL: fake.URL + "/api/"}, "", testBotToken, time.Now, m, bot.NewRateLimits(m, nil), slog.New(slog.DiscardHandler))

	auth, err := api.AuthTestContext(context.Background())
	require.NoError(t, err, "a 500 is retried")
	assert.Equal(t, "T1", auth.TeamID)
	assert.Equal(t, 2, fake.calls("auth.test"))
	assert.Equal(t, 2.0, counter(t, m, "golive_slack_api_calls_total", "auth.test"), "both attempts are counted")
	assert.Equal(t, 1.0, counter(t, m, "golive_slack_api_errors_total", "auth.test"), "the 500 is counted as an error")
}

// A 429 is not slept out inside the call: the client answers at once with
// Slack's Retry-After, and holds that method (and no other) without
// calling Slack until it ends.
func TestSlackClientHoldsARateLimitedMethod(t *testing.T) {
	fake := newFakeSlack(t)
	fake.api.RateLimit("chat.update", "", 120, time.Hour)
	m := metrics.New("test")
	api := newSlackClient(Config{SlackAPIURL: fake.URL + "/api/"}, "", testBotToken, time.Now, m, bot.NewRateLimits(m, nil), slog.New(slog.DiscardHandler))

	for range 3 {
		start := time.Now()
		_, _, _, err := api.UpdateMessageContext(context.Background(), "C1", "1.1", slack.MsgOptionText("x", false))
		var limited *slack.RateLimitedError
		require.ErrorAs(t, err, &limited)
		assert.Greater(t, limited.RetryAfter, 100*time.Second)
		assert.Less(t, time.Since(start), 30*time.Second, "the Retry-After is not slept out in the call")
	}
	assert.Equal(t, 1, fake.calls("chat.update"), "held calls do not reach Slack")
	assert.Equal(t, 2.0, counter(t, m, "golive_slack_api_held_total", "chat.update"))

	_, _, err := api.PostMessageContext(context.Background(), "C2", slack.MsgOptionText("x", false))
	require.NoError(t, err, "another method goes on")
	assert.Equal(t, 1, fake.calls("chat.postMessage"))
}

// counter returns the sum of the counter name's series for a Web API method.
func counter(t *testing.T, m *metrics.Metrics, name, method string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	total := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "method" && l.GetValue() == method {
					total += s.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}

func TestSlackTransportKeepsConnectionsForConcurrentCalls(t *testing.T) {
	tr := slackTransport()
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 32)
	assert.GreaterOrEqual(t, tr.MaxIdleConns, tr.MaxIdleConnsPerHost)
	assert.NotSame(t, http.DefaultTransport, tr, "the shared default transport is left alone")
}

// Slack (or a proxy before it) answering garbage fails the call in the
// client; the metric operators alert on must count it as an error.
func TestServeCountsGarbageFromSlack(t *testing.T) {
	fake := newFakeSlack(t)
	fake.api.FailNext("auth.test", 100, webapi.Fault{Body: `{"ok":tr<html>`})
	base, logs, stop := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning, "SLACK_API_URL": fake.URL + "/api/",
	})
	code, body := httpGet(t, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, readyChecks(t, body)["slack"], "auth.test: ")
	_, body = httpGet(t, base+"/metrics")
	assert.Contains(t, body, `golive_slack_api_errors_total{error="invalid_response",method="auth.test"} `, "logs:\n%s", logs)
	require.NoError(t, stop())
}

// Anyone can send unsigned requests: a flood of them with huge headers is
// refused by the server's header cap or the signature check, and grows the
// log by a bounded amount.
func TestUnsignedFloodWithHugeHeadersLogsABoundedAmount(t *testing.T) {
	fake := newFakeSlack(t)
	base, logs, stop := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning, "SLACK_API_URL": fake.URL + "/api/",
	})
	before := len(logs.String())
	flood := func(n int, timestamp string) (codes map[int]int) {
		codes = map[int]int{}
		for range n {
			req, err := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader("command=%2Fgolive&text=help"))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Slack-Request-Timestamp", timestamp)
			req.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				// The server may close the connection before reading a
				// huge header whole: refused all the same.
				codes[0]++
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[resp.StatusCode]++
		}
		return codes
	}

	huge := flood(20, strings.Repeat("9", 1<<20))
	assert.Zero(t, huge[http.StatusUnauthorized], "1 MB headers never reach the handler: %v", huge)
	assert.Equal(t, 20, huge[http.StatusRequestHeaderFieldsTooLarge]+huge[0], "%v", huge)
	under := flood(200, strings.Repeat("9", 8<<10))
	assert.Equal(t, map[int]int{http.StatusUnauthorized: 200}, under, "headers under the cap reach the signature check")

	code, body := httpGet(t, base+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `golive_requests_rejected_total{reason="malformed_signature"} 200`)

	require.NoError(t, stop())
	grown := len(logs.String()) - before
	assert.Less(t, grown, 16<<10, "the flood grew the log by %d bytes", grown)
	assert.NotContains(t, logs.String(), strings.Repeat("9", 100))
}
