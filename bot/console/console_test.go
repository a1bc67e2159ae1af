package console

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	testToken  = "xoxb-console-test"
	testSecret = "console-test-secret"
)

// testConsole is a console on a real SQLite file, served over HTTP, with a
// slack-go client wired as the bot's is, and a stand-in for the bot's
// request handler that checks signatures and records what it received.
type testConsole struct {
	t     *testing.T
	c     *Console
	st    *store.Store
	path  string
	srv   *httptest.Server
	api   *slack.Client
	bot   *recordingBot
	clock *Clock
}

func newTestConsole(t *testing.T) *testConsole {
	return openTestConsole(t, filepath.Join(t.TempDir(), "golive.db"))
}

func openTestConsole(t *testing.T, path string) *testConsole {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	c, err := New(ctx, Config{Store: st, Token: testToken, SigningSecret: testSecret, URL: base})
	require.NoError(t, err)
	st.Now = c.Clock().Now
	srv.Config.Handler = c.Handler()
	srv.Start()
	rb := &recordingBot{t: t}
	c.Connect(rb)
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, st.Close())
	})
	return &testConsole{t: t, c: c, st: st, path: path, srv: srv, bot: rb, clock: c.Clock(),
		api: slack.New(testToken, slack.OptionAPIURL(base+"/webapi/api/"))}
}

// recordingBot stands for the bot's handler of Slack's requests: it
// refuses a bad signature, as the bot does, and records the rest.
type recordingBot struct {
	t  *testing.T
	mu sync.Mutex
	// got are the requests' paths and forms.
	got []botRequest
	// answer is the body of the acknowledgements, "" for none.
	answer string
}

type botRequest struct {
	path string
	form url.Values
	body []byte
}

func (b *recordingBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sv, err := slack.NewSecretsVerifier(r.Header, testSecret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	form, _ := url.ParseQuery(string(body))
	b.mu.Lock()
	b.got = append(b.got, botRequest{path: r.URL.Path, form: form, body: body})
	answer := b.answer
	b.mu.Unlock()
	if answer != "" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}
}

func (b *recordingBot) last() botRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	require.NotEmpty(b.t, b.got)
	return b.got[len(b.got)-1]
}

// payload decodes the last interaction's payload.
func (b *recordingBot) payload() map[string]any {
	var p map[string]any
	require.NoError(b.t, json.Unmarshal([]byte(b.last().form.Get("payload")), &p))
	return p
}

// page returns a page's HTML as member as.
func (tc *testConsole) page(path, as string) string {
	tc.t.Helper()
	resp, err := http.Get(tc.srv.URL + path + "?as=" + as)
	require.NoError(tc.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(tc.t, err)
	require.Equal(tc.t, http.StatusOK, resp.StatusCode, string(body))
	return string(body)
}

// post sends a form as the console's page script does.
func (tc *testConsole) post(path string, form url.Values) (int, string) {
	tc.t.Helper()
	req, err := http.NewRequest(http.MethodPost, tc.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(tc.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Console", "1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tc.t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./bot/console -update to create %s", path)
	assert.Equal(t, string(want), got, "%s differs: run go test ./bot/console -update and review the diff", path)
}

func blocksJSON(t *testing.T, blocks ...slack.Block) string {
	t.Helper()
	js, err := json.Marshal(blocks)
	require.NoError(t, err)
	return string(js)
}

func TestWebAPIRefusesAnotherToken(t *testing.T) {
	tc := newTestConsole(t)
	other := slack.New("xoxb-someone-else", slack.OptionAPIURL(tc.srv.URL+"/webapi/api/"))
	_, err := other.AuthTest()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid_auth")

	auth, err := tc.api.AuthTest()
	require.NoError(t, err)
	assert.Equal(t, BotID, auth.UserID)
	assert.Equal(t, TeamID, auth.TeamID)
}

func TestPostUpdateAndEphemeralAreShownAsSlackWould(t *testing.T) {
	tc := newTestConsole(t)
	ch, ts, err := tc.api.PostMessage("C01WEB", slack.MsgOptionText("Launch started", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Launch* started by <@UALEX>", false, false), nil, nil)))
	require.NoError(t, err)
	assert.Equal(t, "C01WEB", ch)
	page := tc.page("/c/C01WEB", "USAM")
	assert.Contains(t, page, "<b>Launch</b> started by <span class=\"mention\">@Alex Martin</span>")

	_, _, _, err = tc.api.UpdateMessage("C01WEB", ts, slack.MsgOptionText("Launch moved", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Launch _moved_", false, false), nil, nil)))
	require.NoError(t, err)
	page = tc.page("/c/C01WEB", "USAM")
	assert.Contains(t, page, "Launch <i>moved</i>")
	assert.NotContains(t, page, "started by", "updated in place")
	assert.Contains(t, page, "(edited)")

	_, err = tc.api.PostEphemeral("C01WEB", "USAM", slack.MsgOptionText("Only for Sam", false))
	require.NoError(t, err)
	assert.Contains(t, tc.page("/c/C01WEB", "USAM"), "Only for Sam")
	assert.NotContains(t, tc.page("/c/C01WEB", "UALEX"), "Only for Sam")

	// A DM by user id lands in the member's DM with golive, for them only.
	dm, _, err := tc.api.PostMessage("UDANA", slack.MsgOptionText("Your approval, please", false))
	require.NoError(t, err)
	assert.Equal(t, "DDANA", dm)
	assert.Contains(t, tc.page("/c/DDANA", "UDANA"), "Your approval, please")
	resp, err := http.Get(tc.srv.URL + "/c/DDANA?as=UALEX")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "another member's DM is not shown")
}

func TestMessagesOutsideBlockKitLimitsAreRefused(t *testing.T) {
	tc := newTestConsole(t)
	var blocks []slack.Block
	for range 51 {
		blocks = append(blocks, slack.NewDividerBlock())
	}
	_, _, err := tc.api.PostMessage("C01WEB", slack.MsgOptionText("too many", false), slack.MsgOptionBlocks(blocks...))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid_blocks")
	assert.Empty(t, tc.c.api.Messages("C01WEB", ""))

	_, _, err = tc.api.PostMessage("C99NOPE", slack.MsgOptionText("hello", false))
	assert.ErrorContains(t, err, "channel_not_found")
}

func TestViewsOpenNeedsAFreshTriggerAndPublishDrawsTheHome(t *testing.T) {
	tc := newTestConsole(t)
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "Import", false, false),
		Submit:     slack.NewTextBlockObject("plain_text", "Preview", false, false),
		CallbackID: "import", Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("name",
			slack.NewTextBlockObject("plain_text", "Name", false, false), nil,
			slack.NewPlainTextInputBlockElement(nil, "name"))}}}
	_, err := tc.api.OpenView("no-such-trigger", modal)
	require.ErrorContains(t, err, "expired_trigger_id")

	trigger := tc.c.api.NewTrigger("UALEX")
	v, err := tc.api.OpenView(trigger, modal)
	require.NoError(t, err)
	assert.NotEmpty(t, v.ID)
	_, err = tc.api.OpenView(trigger, modal)
	assert.ErrorContains(t, err, "expired_trigger_id", "a trigger works once")
	page := tc.page("/c/C01WEB", "UALEX")
	assert.Contains(t, page, `<form class="modal" data-view="`+v.ID+`"`)
	assert.NotContains(t, tc.page("/c/C01WEB", "USAM"), `class="modal"`, "a modal is its opener's")

	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", "Your launches", false, false))}}}
	_, err = tc.api.PublishView("USAM", home, "")
	require.NoError(t, err)
	assert.Contains(t, tc.page("/home", "USAM"), "Your launches")
	assert.NotContains(t, tc.page("/home", "UALEX"), "Your launches")
	assert.Equal(t, "/slack/events", tc.bot.last().path, "opening the Home tab tells golive")
}

func TestCommandsAreSignedAndEscapedAsSlackSendsThem(t *testing.T) {
	tc := newTestConsole(t)
	tc.bot.answer = `{"response_type":"ephemeral","text":"Usage: tick <n>"}`
	status, body := tc.post("/console/command", url.Values{"as": {"USAM"}, "channel": {"C01WEB"},
		"text": {`/golive owner Security @dana <b> & #launch-api`}})
	require.Equal(t, http.StatusNoContent, status, body)
	got := tc.bot.last()
	assert.Equal(t, "/slack/commands", got.path)
	assert.Equal(t, "/golive", got.form.Get("command"))
	assert.Equal(t, "USAM", got.form.Get("user_id"))
	assert.Equal(t, TeamID, got.form.Get("team_id"))
	assert.Equal(t, `owner Security <@UDANA|dana> &lt;b&gt; &amp; <#C02API|launch-api>`, got.form.Get("text"))
	assert.NotEmpty(t, got.form.Get("trigger_id"))
	assert.True(t, strings.HasPrefix(got.form.Get("response_url"), tc.srv.URL+"/webapi/response/"))
	assert.Contains(t, tc.page("/c/C01WEB", "USAM"), "Usage: tick &lt;n&gt;", "the acknowledgement's reply is shown to its sender")
	assert.NotContains(t, tc.page("/c/C01WEB", "UALEX"), "Usage: tick")

	// Another site's form cannot post as a member.
	req, _ := http.NewRequest(http.MethodPost, tc.srv.URL+"/console/command", strings.NewReader("as=UALEX&channel=C01WEB&text=/golive+archive"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestClicksSendTheBlockActionsSlackWould(t *testing.T) {
	tc := newTestConsole(t)
	opts := []*slack.OptionBlockObject{
		slack.NewOptionBlockObject("1", slack.NewTextBlockObject("mrkdwn", "1. Dockerfile", false, false), nil),
		slack.NewOptionBlockObject("2", slack.NewTextBlockObject("mrkdwn", "2. Image builds", false, false), nil),
		slack.NewOptionBlockObject("3", slack.NewTextBlockObject("mrkdwn", "3. Non-root", false, false), nil),
	}
	boxes := slack.NewCheckboxGroupsBlockElement("tick:s1", opts...)
	boxes.InitialOptions = opts[:1]
	_, ts, err := tc.api.PostMessage("C01WEB", slack.MsgOptionText("Checklist", false), slack.MsgOptionBlocks(
		slack.NewActionBlock("items", boxes),
		slack.NewActionBlock("nav", slack.NewButtonBlockElement("nav:next", "2", slack.NewTextBlockObject("plain_text", "Next", false, false)))))
	require.NoError(t, err)
	page := tc.page("/c/C01WEB", "USAM")
	assert.Contains(t, page, `<input type="checkbox" value="1" checked>`)
	assert.Contains(t, page, `<input type="checkbox" value="2">`)

	status, body := tc.post("/console/click", url.Values{"as": {"USAM"}, "channel": {"C01WEB"}, "ts": {ts},
		"block": {"0"}, "element": {"0"}, "selected": {"1", "3"}})
	require.Equal(t, http.StatusNoContent, status, body)
	p := tc.bot.payload()
	assert.Equal(t, "block_actions", p["type"])
	assert.Equal(t, "USAM", p["user"].(map[string]any)["id"])
	assert.Equal(t, ts, p["container"].(map[string]any)["message_ts"])
	action := p["actions"].([]any)[0].(map[string]any)
	assert.Equal(t, "tick:s1", action["action_id"])
	assert.Equal(t, "items", action["block_id"])
	var values []string
	for _, o := range action["selected_options"].([]any) {
		values = append(values, o.(map[string]any)["value"].(string))
	}
	assert.Equal(t, []string{"1", "3"}, values, "the element's whole selection after the click")

	status, _ = tc.post("/console/click", url.Values{"as": {"USAM"}, "channel": {"C01WEB"}, "ts": {ts}, "block": {"1"}, "element": {"0"}})
	require.Equal(t, http.StatusNoContent, status)
	action = tc.bot.payload()["actions"].([]any)[0].(map[string]any)
	assert.Equal(t, "nav:next", action["action_id"])
	assert.Equal(t, "2", action["value"])

	// An option the element does not offer is refused, not sent.
	status, _ = tc.post("/console/click", url.Values{"as": {"USAM"}, "channel": {"C01WEB"}, "ts": {ts},
		"block": {"0"}, "element": {"0"}, "selected": {"99"}})
	assert.Equal(t, http.StatusConflict, status)
}

func TestResponseURLAnswersReplaceOrPostEphemerally(t *testing.T) {
	tc := newTestConsole(t)
	_, ts, err := tc.api.PostMessage("C01WEB", slack.MsgOptionText("Approve?", false))
	require.NoError(t, err)
	post := func(o origin, body string) {
		resp, err := http.Post(tc.c.responseURL(o), "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	post(origin{user: "UDANA", channel: "C01WEB", ts: ts}, `{"text":"You approved","replace_original":true}`)
	m, ok := tc.c.api.Message("C01WEB", ts)
	require.True(t, ok)
	assert.Equal(t, "You approved", m.Text)
	post(origin{user: "UDANA", channel: "C01WEB"}, `{"text":"Just for Dana"}`)
	assert.Contains(t, tc.page("/c/C01WEB", "UDANA"), "Just for Dana")
	assert.NotContains(t, tc.page("/c/C01WEB", "USAM"), "Just for Dana")
	post(origin{user: "UDANA", channel: "C01WEB"}, `{"text":"For everyone","response_type":"in_channel"}`)
	assert.Contains(t, tc.page("/c/C01WEB", "USAM"), "For everyone")
}

func TestSubmissionSendsTheViewStateAndShowsFieldErrors(t *testing.T) {
	tc := newTestConsole(t)
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "Import", false, false),
		Submit: slack.NewTextBlockObject("plain_text", "Preview", false, false), CallbackID: "import", PrivateMetadata: "C01WEB",
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("name", slack.NewTextBlockObject("plain_text", "Name", false, false), nil, slack.NewPlainTextInputBlockElement(nil, "name")),
			slack.NewInputBlock("date", slack.NewTextBlockObject("plain_text", "Date", false, false), nil, slack.NewDatePickerBlockElement("date")),
			slack.NewInputBlock("file", slack.NewTextBlockObject("plain_text", "File", false, false), nil, slack.NewFileInputBlockElement("file")),
		}}}
	v, err := tc.api.OpenView(tc.c.api.NewTrigger("UALEX"), modal)
	require.NoError(t, err)
	fileID := tc.c.Share("checklist.md", []byte("# Launch\n- [ ] one\n"))
	tc.bot.answer = `{"response_action":"errors","errors":{"date":"Pick a date after today"}}`
	require.NoError(t, tc.c.Submit(context.Background(), Submission{User: "UALEX", ViewID: v.ID,
		Values: map[int][]string{0: {"Checkout <v2>"}, 1: {"2026-12-24"}, 2: {fileID}}}))

	p := tc.bot.payload()
	assert.Equal(t, "view_submission", p["type"])
	view := p["view"].(map[string]any)
	assert.Equal(t, "import", view["callback_id"])
	assert.Equal(t, "C01WEB", view["private_metadata"])
	values := view["state"].(map[string]any)["values"].(map[string]any)
	assert.Equal(t, "Checkout <v2>", values["name"].(map[string]any)["name"].(map[string]any)["value"])
	assert.Equal(t, "2026-12-24", values["date"].(map[string]any)["date"].(map[string]any)["selected_date"])
	files := values["file"].(map[string]any)["file"].(map[string]any)["files"].([]any)
	require.Len(t, files, 1)
	download := files[0].(map[string]any)["url_private_download"].(string)

	assert.Contains(t, tc.page("/c/C01WEB", "UALEX"), "Pick a date after today", "the modal stays open with the error")

	// The file is golive's to download with its token, nobody else's:
	// anyone else gets a sign-in page, as from files.slack.com.
	req, _ := http.NewRequest(http.MethodGet, download, nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, "text/html", resp.Header.Get("Content-Type"))
	assert.NotContains(t, string(page), "- [ ] one")
	var buf strings.Builder
	require.NoError(t, tc.api.GetFile(download, &buf))
	assert.Equal(t, "# Launch\n- [ ] one\n", buf.String())

	tc.bot.answer = ""
	require.NoError(t, tc.c.Submit(context.Background(), Submission{User: "UALEX", ViewID: v.ID, Values: map[int][]string{0: {"x"}}}))
	assert.Nil(t, tc.c.api.Modal("UALEX"), "an empty acknowledgement closes the modal")
}

func TestExportUploadsAreSharedInTheChannel(t *testing.T) {
	tc := newTestConsole(t)
	data := "item,done\n1,yes\n"
	_, err := tc.api.UploadFile(slack.UploadFileParameters{Filename: "launch.csv", FileSize: len(data), Content: data,
		Channel: "C01WEB", Title: "Launch export", InitialComment: "Here is the export"})
	require.NoError(t, err)
	page := tc.page("/c/C01WEB", "UALEX")
	assert.Contains(t, page, "Here is the export")
	assert.Contains(t, page, "Launch export")
}

func TestMessagesAndTheClockSurviveARestart(t *testing.T) {
	tc := newTestConsole(t)
	_, ts, err := tc.api.PostMessage("C02API", slack.MsgOptionText("Kept across restarts", false))
	require.NoError(t, err)
	_, err = tc.api.PublishView("UKAI", slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", "Kai's launches", false, false))}}}, "")
	require.NoError(t, err)
	require.NoError(t, tc.c.advance(context.Background(), 72*time.Hour))
	tc.srv.Close()
	require.NoError(t, tc.st.Close())

	again := openTestConsole(t, tc.path)
	assert.Contains(t, again.page("/c/C02API", "UALEX"), "Kept across restarts")
	assert.Contains(t, again.page("/home", "UKAI"), "Kai&#39;s launches")
	assert.Equal(t, 72*time.Hour, again.clock.Offset())
	_, ts2, err := again.api.PostMessage("C02API", slack.MsgOptionText("After", false))
	require.NoError(t, err)
	assert.Greater(t, ts2, ts, "new messages come after the old ones (a ts has a fixed width: its order is the string's)")
}
