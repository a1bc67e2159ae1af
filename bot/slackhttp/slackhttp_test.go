package slackhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// handlers records what the transport hands on; it is the bot as far as
// the transport can tell.
type handlers struct {
	mu           sync.Mutex
	commands     []slack.SlashCommand
	interactions []*slack.InteractionCallback
	events       []slackevents.EventsAPIEvent
	rejected     []string
	// refuse, when set, is the error Command and Interaction return.
	refuse error
}

func (h *handlers) Command(_ context.Context, s slack.SlashCommand) (any, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.refuse != nil {
		return nil, h.refuse
	}
	h.commands = append(h.commands, s)
	return map[string]string{"response_type": "in_channel", "text": "ok: " + s.Text}, nil
}

func (h *handlers) Interaction(_ context.Context, cb *slack.InteractionCallback) (any, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.refuse != nil {
		return nil, h.refuse
	}
	h.interactions = append(h.interactions, cb)
	return nil, nil
}

func (h *handlers) Event(e slackevents.EventsAPIEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

func (h *handlers) Rejected(reason, _ string, _ ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rejected = append(h.rejected, reason)
}

// handled counts what reached the handlers.
func (h *handlers) handled() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.commands) + len(h.interactions) + len(h.events)
}

// server is the transport over real HTTP, with what it handed on.
type server struct {
	t   *testing.T
	h   *handlers
	srv *httptest.Server
}

func newServer(t *testing.T) *server {
	h := &handlers{}
	srv := httptest.NewServer(Handler(h, testSecret))
	t.Cleanup(srv.Close)
	return &server{t: t, h: h, srv: srv}
}

// post sends body to path, signed now with the test secret.
func (s *server) post(path string, body []byte) *http.Response {
	s.t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	return s.postWith(path, body, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": Sign(testSecret, ts, body)})
}

// postWith sends body to path with the given headers, signed or not.
func (s *server) postWith(path string, body []byte, headers map[string]string) *http.Response {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+path, bytes.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.srv.Client().Do(req)
	require.NoError(s.t, err)
	s.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func commandForm(user, text string) []byte {
	return []byte(url.Values{
		"team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {user}, "user_name": {"someone"},
		"command": {"/golive"}, "text": {text}, "response_url": {"https://hooks.example/r/1"}, "trigger_id": {"t1"},
	}.Encode())
}

// Slack's published worked example of a v0 signature (see SLACK.md): the
// arithmetic of the signer everything signs with, which the verifier is
// checked against.
func TestSignMatchesSlackExample(t *testing.T) {
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	assert.Equal(t, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
		Sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", []byte(body)))
}

func TestUnverifiedRequestsAreRejectedAndHandedToNobody(t *testing.T) {
	s := newServer(t)
	body := commandForm("UCREATOR", `new "Checkout v2" 2026-12-01`)
	now := time.Now()
	ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }

	cases := []struct {
		name    string
		headers map[string]string
		reason  string
	}{
		{"no headers", nil, rejectUnsigned},
		{"no signature", map[string]string{"X-Slack-Request-Timestamp": ts(0)}, rejectUnsigned},
		{"no timestamp", map[string]string{"X-Slack-Signature": Sign(testSecret, ts(0), body)}, rejectUnsigned},
		{"wrong secret", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": Sign("another-secret", ts(0), body)}, rejectSignature},
		{"signature of another body", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": Sign(testSecret, ts(0), append(body, 'x'))}, rejectSignature},
		{"signature for another timestamp", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": Sign(testSecret, ts(-time.Second), body)}, rejectSignature},
		{"not hex", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": "v0=zz"}, rejectMalformedSig},
		{"no v0 prefix", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": strings.TrimPrefix(Sign(testSecret, ts(0), body), "v0=")}, rejectSignature},
		{"stale: 6 minutes old, correctly signed", map[string]string{"X-Slack-Request-Timestamp": ts(-6 * time.Minute), "X-Slack-Signature": Sign(testSecret, ts(-6*time.Minute), body)}, rejectStale},
		{"from the future: 6 minutes ahead", map[string]string{"X-Slack-Request-Timestamp": ts(6 * time.Minute), "X-Slack-Signature": Sign(testSecret, ts(6*time.Minute), body)}, rejectStale},
	}
	for _, path := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
		for _, tc := range cases {
			t.Run(path+" "+tc.name, func(t *testing.T) {
				before := len(s.h.rejected)
				resp := s.postWith(path, body, tc.headers)
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
				require.Len(t, s.h.rejected, before+1)
				assert.Equal(t, tc.reason, s.h.rejected[before])
			})
		}
	}
	assert.Zero(t, s.h.handled(), "nothing reached the bot")

	// The same body, correctly signed now, goes through.
	resp := s.post("/slack/commands", body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, s.h.commands, 1)
	assert.Equal(t, slack.SlashCommand{TeamID: "T1", ChannelID: "C1", UserID: "UCREATOR", UserName: "someone", Command: "/golive",
		Text: `new "Checkout v2" 2026-12-01`, ResponseURL: "https://hooks.example/r/1", TriggerID: "t1"}, s.h.commands[0])
	var ack map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ack))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, map[string]string{"response_type": "in_channel", "text": `ok: new "Checkout v2" 2026-12-01`}, ack)
}

func TestNoSecretRefusesEverything(t *testing.T) {
	h := &handlers{}
	srv := httptest.NewServer(Handler(h, ""))
	defer srv.Close()
	body := commandForm("UCREATOR", "help")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/slack/commands", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign("", ts, body))
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "signed with the empty secret, still refused")
	assert.Equal(t, []string{rejectNoSecret}, h.rejected)
	assert.Zero(t, h.handled())
}

func TestOversizeBodyIs413(t *testing.T) {
	s := newServer(t)
	big := append(commandForm("UCREATOR", "help"), []byte("&pad="+strings.Repeat("a", MaxBody))...)
	resp := s.post("/slack/commands", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "signed, but too large")

	// Without a Content-Length (chunked), the limit holds while reading.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/slack/commands", struct{ *bytes.Reader }{bytes.NewReader(big)})
	require.NoError(t, err)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign(testSecret, ts, big))
	resp2, err := s.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp2.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp2.StatusCode)
	assert.Equal(t, []string{rejectTooLarge, rejectTooLarge}, s.h.rejected)
	assert.Zero(t, s.h.handled())

	// Exactly at the limit is fine.
	exact := commandForm("UCREATOR", "help")
	exact = append(exact, []byte("&pad="+strings.Repeat("a", MaxBody-len(exact)-5))...)
	require.Len(t, exact, MaxBody)
	assert.Equal(t, http.StatusOK, s.post("/slack/commands", exact).StatusCode)
	assert.Len(t, s.h.commands, 1)
}

func TestInteractionPayloadOnlyFromSignedBody(t *testing.T) {
	s := newServer(t)
	tick := `{"type":"block_actions","team":{"id":"T1"},"user":{"id":"UEVE"},"actions":[{"action_id":"tick:1"}]}`

	// A signed empty body with the payload in the query string: refused.
	resp := s.post("/slack/interactions?payload="+url.QueryEscape(tick), nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Zero(t, s.h.handled())
	// A signed body with another payload than the query's: the body's is used.
	other := []byte(url.Values{"payload": {`{"type":"view_closed","team":{"id":"T1"},"user":{"id":"UEVE"}}`}}.Encode())
	resp = s.post("/slack/interactions?payload="+url.QueryEscape(tick), other)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, s.h.interactions, 1)
	assert.Equal(t, slack.InteractionType("view_closed"), s.h.interactions[0].Type, "the query string's tick was never read")
}

func TestMalformedBodiesAre400(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct{ path, body string }{
		{"/slack/commands", "%zz"},
		{"/slack/interactions", "payload=%7Bnot+json"},
		{"/slack/events", "{not json"},
	} {
		assert.Equal(t, http.StatusBadRequest, s.post(tc.path, []byte(tc.body)).StatusCode, tc.path)
	}
	assert.Equal(t, []string{rejectMalformed, rejectMalformed, rejectMalformed}, s.h.rejected)
	assert.Zero(t, s.h.handled())
}

// What the bot refuses unread (no team or user, say) is a 400 with the
// bot's reason, and counted as rejected.
func TestRefusedPayloadsAre400(t *testing.T) {
	s := newServer(t)
	s.h.refuse = errors.New("team_id, channel_id and user_id are required")
	resp := s.post("/slack/commands", commandForm("", "help"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp = s.post("/slack/interactions", []byte(url.Values{"payload": {`{"type":"view_closed"}`}}.Encode()))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, []string{rejectMalformed, rejectMalformed}, s.h.rejected)
}

func TestWrongMethodAndPath(t *testing.T) {
	s := newServer(t)
	resp, err := s.srv.Client().Get(s.srv.URL + "/slack/commands")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, http.StatusNotFound, s.post("/slack/other", nil).StatusCode)
}

func TestURLVerification(t *testing.T) {
	s := newServer(t)
	resp := s.post("/slack/events", []byte(`{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"x"}`))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var got map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	assert.Equal(t, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", got["challenge"])
	assert.Zero(t, s.h.handled())
}

// Events are acknowledged whatever they are, so that Slack does not
// deliver them again; those golive reads are handed on.
func TestEventsAreAcknowledgedAndHandedOn(t *testing.T) {
	s := newServer(t)
	home := `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_home_opened","user":"UCREATOR","tab":"home","channel":"D1"}}`
	unknown := `{"type":"event_callback","team_id":"T1","event_id":"Ev2","event":{"type":"no_such_event_type","user":"UCREATOR"}}`
	assert.Equal(t, http.StatusOK, s.post("/slack/events", []byte(home)).StatusCode)
	assert.Equal(t, http.StatusOK, s.post("/slack/events", []byte(unknown)).StatusCode)
	require.Len(t, s.h.events, 1)
	e := s.h.events[0]
	assert.Equal(t, "T1", e.TeamID)
	assert.Equal(t, "Ev1", e.Data.(*slackevents.EventsAPICallbackEvent).EventID)
	opened, ok := e.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	require.True(t, ok)
	assert.Equal(t, "UCREATOR", opened.User)
	assert.Equal(t, "home", opened.Tab)
	assert.Empty(t, s.h.rejected)
}
