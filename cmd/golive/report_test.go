package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slash sends a signed /golive command to the server at base, as U1 in C1,
// and returns the answer's text.
func slash(t *testing.T, base, text string, seq int) string {
	t.Helper()
	form := url.Values{"command": {"/golive"}, "text": {text}, "team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {"U1"},
		"response_url": {"http://127.0.0.1:1/response"}, "trigger_id": {"trigger" + string(rune('a'+seq))}}
	resp, err := http.DefaultClient.Do(signed(t, base+"/slack/commands", testSigning, form))
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
	var answer struct {
		Text string `json:"text"`
	}
	require.NoError(t, json.Unmarshal(raw, &answer), string(raw))
	return answer.Text
}

// TestReportTicksAnItemThroughTheServer runs `golive report` from a CI job's
// side against a whole golive server: the token made in Slack, the API, the
// bot's tick path and the database.
func TestReportTicksAnItemThroughTheServer(t *testing.T) {
	fake := newFakeSlack(t)
	base, logs, _ := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning, "SLACK_API_URL": fake.URL + "/api/",
	})
	date := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	require.Contains(t, slash(t, base, `new "Checkout v2" `+date, 0), "Checkout v2")
	created := slash(t, base, `token create "ci"`, 1)
	secret := regexp.MustCompile(`golive_[a-z2-7]{52}`).FindString(created)
	require.NotEmpty(t, secret, created)

	report := func(env map[string]string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"report"}, args...), nil, &stdout, &stderr, func(name string) string { return env[name] })
		return code, stdout.String(), stderr.String()
	}
	withToken := map[string]string{"GOLIVE_TOKEN": secret}

	code, out, errOut := report(withToken, "--url", base, "--launch", "C1", "--item", "1", "--pass",
		"--summary", "k6: p95 180 ms", "--evidence-url", "https://ci.example.com/run/381")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "item 1 (")
	assert.Contains(t, out, ") is done; readiness ")

	code, out, errOut = report(map[string]string{"GOLIVE_URL": base}, "--token", secret, "--launch", "1", "--item", "1", "--fail", "--summary", "k6: p95 900 ms")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, ") is open;")

	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/launches/C1", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var state struct {
		Items []struct {
			Number   int `json:"number"`
			Evidence struct {
				Status, Summary, URL, By string
			} `json:"evidence"`
		} `json:"items"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&state))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, state.Items[0].Number)
	assert.Equal(t, "fail", state.Items[0].Evidence.Status)
	assert.Equal(t, "k6: p95 900 ms", state.Items[0].Evidence.Summary)
	assert.Equal(t, "token:ci", state.Items[0].Evidence.By)

	code, _, errOut = report(map[string]string{"GOLIVE_TOKEN": "golive_" + strings.Repeat("a", 52)}, "--url", base, "--launch", "C1", "--item", "1", "--pass", "--summary", "ok")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not a live golive API token")
	assert.Contains(t, errOut, "(unauthorized, HTTP 401)")

	code, _, errOut = report(withToken, "--url", base, "--launch", "C1", "--item", "9999", "--pass", "--summary", "ok")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no item 9999")

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--launch", "C1", "--item", "1", "--pass", "--summary", "ok"}, "--url"},
		{[]string{"--url", base, "--item", "1", "--pass", "--summary", "ok"}, "--launch"},
		{[]string{"--url", base, "--launch", "C1", "--pass", "--summary", "ok"}, "--item"},
		{[]string{"--url", base, "--launch", "C1", "--item", "1", "--summary", "ok"}, "--pass or --fail"},
		{[]string{"--url", base, "--launch", "C1", "--item", "1", "--pass", "--fail", "--summary", "ok"}, "--pass or --fail"},
		{[]string{"--url", base, "--launch", "C1", "--item", "1", "--pass"}, "--summary"},
		{[]string{"--url", "ftp://x", "--launch", "C1", "--item", "1", "--pass", "--summary", "ok"}, "not an http"},
	} {
		code, _, errOut := report(withToken, tt.args...)
		assert.Equal(t, 2, code, tt.args)
		assert.Contains(t, errOut, tt.want, tt.args)
	}
	code, _, errOut = report(nil, "--url", base, "--launch", "C1", "--item", "1", "--pass", "--summary", "ok")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "GOLIVE_TOKEN")

	_, metricsText := httpGet(t, base+"/metrics")
	assert.Contains(t, metricsText, `golive_api_requests_total{route="evidence",status="200"} 2`)
	assert.Contains(t, metricsText, `golive_api_requests_total{route="evidence",status="401"} 1`)
	assert.NotContains(t, logs.String(), secret, "the token is never logged")
	assert.Contains(t, logs.String(), `"msg":"api","method":"POST"`)
}
