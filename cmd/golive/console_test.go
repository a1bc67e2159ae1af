package main

import (
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

// consoleServer is golive serving its local console, as `make run`
// without credentials starts it.
type consoleServer struct {
	t    *testing.T
	base string
	logs *syncBuffer
}

func startConsoleServer(t *testing.T) *consoleServer {
	t.Helper()
	base, logs, stop := startServe(t, map[string]string{"GOLIVE_CONSOLE": "on"})
	t.Cleanup(func() { require.NoError(t, stop()) })
	// The health endpoints answer while the bot starts; the pages once it
	// is connected.
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/c/C01WEB")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond, "the console's pages never came up; logs:\n%s", logs)
	return &consoleServer{t: t, base: base, logs: logs}
}

// page returns a console page as member as sees it.
func (s *consoleServer) page(path, as string) string {
	s.t.Helper()
	code, body := httpGet(s.t, s.base+path+"?as="+as)
	require.Equal(s.t, http.StatusOK, code, body)
	return body
}

// waitFor waits until the page shows want: golive posts after it answers.
func (s *consoleServer) waitFor(path, as, want string) string {
	s.t.Helper()
	var body string
	require.Eventually(s.t, func() bool {
		body = s.page(path, as)
		return strings.Contains(body, want)
	}, 15*time.Second, 20*time.Millisecond, "%s as %s never showed %q; logs:\n%s", path, as, want, s.logs)
	return body
}

// post sends what the console's page script sends.
func (s *consoleServer) post(path string, form url.Values) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Console", "1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(s.t, http.StatusNoContent, resp.StatusCode, "%s: %s", path, body)
}

// checklistBlock finds the Infrastructure checklist's message and its
// first checkboxes' block.
var checklistBlock = regexp.MustCompile(`data-ts="([0-9.]+)">\s*<div class="msg-head">[^\n]*\n\s*\n<div class="bk-header">Checklist: Infrastructure[\s\S]*?bk-checkboxes" data-block="([0-9]+)"`)

// TestConsoleRunsTheRealBot starts golive without Slack credentials and
// drives the real bot through the console: the demo launch, a tick by
// clicking, a stranger's tick refused, and the clock jumped to the next
// reminder.
func TestConsoleRunsTheRealBot(t *testing.T) {
	s := startConsoleServer(t)
	code, body := httpGet(t, s.base+"/")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "Start a demo launch")
	assert.Contains(t, s.logs.String(), "the local console is ready: open http://localhost:")

	s.post("/console/demo", url.Values{"as": {"UALEX"}, "channel": {"C01WEB"}})
	s.waitFor("/c/C01WEB", "UALEX", "started the launch “Website relaunch”")
	s.waitFor("/c/C01WEB", "UALEX", "You ticked items 1, 2, 3 and 4.")
	assert.NotContains(t, s.page("/c/C01WEB", "USAM"), "You ticked items", "the confirmation is the creator's alone")

	s.post("/console/command", url.Values{"as": {"USAM"}, "channel": {"C01WEB"}, "text": {"/golive checklist Infrastructure"}})
	page := s.waitFor("/c/C01WEB", "USAM", "Checklist: Infrastructure")
	m := checklistBlock.FindStringSubmatch(page)
	require.NotNil(t, m, page)
	ts, block := m[1], m[2]

	// Sam ticks item 5 by clicking its box: the element's whole selection.
	s.post("/console/click", url.Values{"as": {"USAM"}, "channel": {"C01WEB"}, "ts": {ts}, "block": {block}, "element": {"0"},
		"selected": {"1", "2", "3", "4", "5"}})
	s.waitFor("/c/C01WEB", "USAM", `<input type="checkbox" value="5" checked>`)

	// Robin, a stranger to the launch, may not tick Sam's item 6.
	s.post("/console/click", url.Values{"as": {"UROBIN"}, "channel": {"C01WEB"}, "ts": {ts}, "block": {block}, "element": {"0"},
		"selected": {"1", "2", "3", "4", "5", "6"}})
	s.waitFor("/c/C01WEB", "UROBIN", "Item 6 is owned by")
	assert.Contains(t, s.page("/c/C01WEB", "UROBIN"), `<input type="checkbox" value="6">`)

	before := len(regexp.MustCompile(`class="msg"`).FindAllString(s.page("/c/C01WEB", "UALEX"), -1))
	s.post("/console/clock", url.Values{"as": {"UALEX"}})
	require.Eventually(t, func() bool {
		return len(regexp.MustCompile(`class="msg"`).FindAllString(s.page("/c/C01WEB", "UALEX"), -1)) > before
	}, 15*time.Second, 20*time.Millisecond, "no reminder appeared after the jump; logs:\n%s", s.logs)
	assert.Contains(t, s.page("/c/C01WEB", "UALEX"), "ahead of this machine")

	for _, path := range []string{"/c/C01WEB", "/home", "/c/DALEX"} {
		assert.NotContains(t, s.page(path, "UALEX"), "xoxb-", "no page shows a token")
	}
	assert.NotContains(t, s.logs.String(), "xoxb-console-", "no log shows the console's token")
}

// TestConsoleServesTheAPI: pipelines reach /api/v1/ in console mode too,
// on the console's address.
func TestConsoleServesTheAPI(t *testing.T) {
	s := startConsoleServer(t)
	code, body := httpGet(t, s.base+"/api/v1/launches/1")
	assert.Equal(t, http.StatusUnauthorized, code, body)
	assert.Contains(t, body, `"code":"unauthorized"`)
}
