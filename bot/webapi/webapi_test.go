package webapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serve runs s over HTTP and returns a slack-go client for it, without
// retries: each call is one request.
func serve(t *testing.T, s *Server) (*slack.Client, string) {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return slack.New(DefaultToken, slack.OptionAPIURL(srv.URL+"/api/")), srv.URL
}

func TestMessagesArePostedUpdatedAndListed(t *testing.T) {
	s := New(Config{})
	api, _ := serve(t, s)
	ch, ts, err := api.PostMessage("C1", slack.MsgOptionText("first", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "golive_post", EventPayload: map[string]any{"key": "k1"}}))
	require.NoError(t, err)
	assert.Equal(t, "C1", ch)
	_, ts2, _, err := api.UpdateMessage("C1", ts, slack.MsgOptionText("first, edited", false))
	require.NoError(t, err)
	assert.Equal(t, ts, ts2)
	m, ok := s.Message("C1", ts)
	require.True(t, ok)
	assert.Equal(t, "first, edited", m.Text)
	assert.True(t, m.Edited)
	assert.JSONEq(t, `{"event_type":"golive_post","event_payload":{"key":"k1"}}`, string(m.Metadata))

	_, _, _, err = api.UpdateMessage("C1", "1.000001", slack.MsgOptionText("x", false))
	assert.EqualError(t, err, "message_not_found")

	// A member's id posts in their DM with the app; ephemeral messages
	// are theirs alone.
	dm, dmTS, err := api.PostMessage("UDANA", slack.MsgOptionText("hello", false))
	require.NoError(t, err)
	assert.Equal(t, "DDANA", dm)
	_, err = api.PostEphemeral("C1", "UDANA", slack.MsgOptionText("only you", false))
	require.NoError(t, err)
	assert.Len(t, s.Messages("C1", ""), 1)
	assert.Len(t, s.Messages("C1", "UDANA"), 2)
	assert.Equal(t, dmTS, s.LastPosted(), "the latest post for everyone, ephemeral ones aside")

	hist, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: true})
	require.NoError(t, err)
	require.Len(t, hist.Messages, 1)
	assert.Equal(t, "golive_post", hist.Messages[0].Metadata.EventType)
}

// What Slack refuses, the fake refuses: a message breaking Block Kit's
// limits, another token, the app token for anything but Socket Mode.
func TestRefusesWhatSlackRefuses(t *testing.T) {
	s := New(Config{})
	api, base := serve(t, s)
	long := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("x", 3001), false, false), nil, nil)
	_, _, err := api.PostMessage("C1", slack.MsgOptionBlocks(long))
	assert.EqualError(t, err, "invalid_blocks")
	_, _, err = api.PostMessage("C1")
	assert.EqualError(t, err, "no_text")

	_, err = slack.New("xoxb-another", slack.OptionAPIURL(base+"/api/")).AuthTest()
	assert.EqualError(t, err, "invalid_auth")
	_, err = slack.New(DefaultAppToken, slack.OptionAPIURL(base+"/api/")).AuthTest()
	assert.EqualError(t, err, "invalid_auth")
	assert.Equal(t, 3, s.Count("chat.postMessage")+s.Count("auth.test")-1, "refused calls are recorded too")
	assert.Empty(t, s.Messages("C1", ""))
}

func TestFaults(t *testing.T) {
	s := New(Config{})
	api, _ := serve(t, s)

	s.FailNext("chat.postMessage", 1, Fault{Status: http.StatusTooManyRequests, RetryAfter: 7})
	_, _, err := api.PostMessage("C1", slack.MsgOptionText("a", false))
	var limited *slack.RateLimitedError
	require.ErrorAs(t, err, &limited)
	assert.Equal(t, 7*time.Second, limited.RetryAfter)

	s.FailNext("chat.postMessage", 1, Fault{Status: http.StatusInternalServerError})
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("b", false))
	var status slack.StatusCodeError
	require.ErrorAs(t, err, &status)
	assert.Equal(t, http.StatusInternalServerError, status.Code)

	s.FailNext("chat.postMessage", 1, Fault{SlackError: "not_in_channel"})
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("c", false))
	assert.EqualError(t, err, "not_in_channel")
	assert.Empty(t, s.Messages("C1", ""), "nothing was posted")

	// Accepted, then failed: posted all the same.
	s.FailNext("chat.postMessage", 1, Fault{Accept: true, Status: http.StatusInternalServerError})
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("d", false))
	require.Error(t, err)
	assert.Len(t, s.Messages("C1", ""), 1)

	// Held past the caller's patience.
	s.FailNext("chat.postMessage", 1, Fault{Accept: true, Hang: time.Minute, Status: http.StatusInternalServerError})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("e", false))
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Len(t, s.Messages("C1", ""), 2)

	s.FailNext("chat.postMessage", 1, Fault{Cut: true})
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("f", false))
	require.Error(t, err)

	// A rate limit in one channel holds that channel only.
	s.RateLimit("chat.postMessage", "C2", 30, time.Minute)
	_, _, err = api.PostMessage("C2", slack.MsgOptionText("g", false))
	require.ErrorAs(t, err, &limited)
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("h", false))
	require.NoError(t, err)
	s.LiftLimits()
	_, _, err = api.PostMessage("C2", slack.MsgOptionText("i", false))
	require.NoError(t, err)

	calls := s.CallsOf("chat.postMessage")
	require.Len(t, calls, 9)
	assert.True(t, calls[6].Limited)
	assert.Equal(t, "C2", calls[6].Form.Get("channel"))
}

func TestFilesAreUploadedSharedAndDownloadedWithTheTokenOnly(t *testing.T) {
	s := New(Config{})
	api, base := serve(t, s)
	f, err := api.UploadFile(slack.UploadFileParameters{Filename: "export.md", FileSize: 6, Reader: strings.NewReader("# Plan"), Channel: "C1", Title: "Export"})
	require.NoError(t, err)
	up, ok := s.File(f.ID)
	require.True(t, ok)
	assert.Equal(t, "# Plan", string(up.Data))
	msgs := s.Messages("C1", "")
	require.Len(t, msgs, 1)
	assert.Equal(t, []string{f.ID}, msgs[0].Files)

	id := s.Share(File{Name: "checklist.md", Mimetype: "text/markdown", Data: []byte("- [ ] one")})
	shared, _ := s.File(id)
	u := shared.Object(base)["url_private_download"].(string)
	var got strings.Builder
	require.NoError(t, api.GetFile(u, &got))
	assert.Equal(t, "- [ ] one", got.String())
	resp, err := http.Get(u)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "text/html", resp.Header.Get("Content-Type"), "a sign-in page for anyone else")

	s.FailDownloads(id, http.StatusNotFound, 0)
	assert.Error(t, api.GetFile(u, &got))
	assert.Equal(t, 3, s.Count("file_download"))
}

func TestResponseURLsAreRecordedAndHandedOn(t *testing.T) {
	var got []string
	s := New(Config{Respond: func(_ context.Context, id string, body []byte) error {
		if id == "gone" {
			return errors.New("no such response_url")
		}
		got = append(got, id+" "+string(body))
		return nil
	}})
	_, base := serve(t, s)
	resp, err := http.Post(base+"/response/r1", "application/json", strings.NewReader(`{"text":"hi"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Post(base+"/response/gone", "application/json", strings.NewReader(`{"text":"hi"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, []string{`r1 {"text":"hi"}`}, got)
	require.Len(t, s.CallsOf("response_url"), 2)
	assert.Equal(t, `{"text":"hi"}`, string(s.CallsOf("response_url")[0].JSON))
}

func TestStrictTriggers(t *testing.T) {
	s := New(Config{StrictTriggers: true})
	api, _ := serve(t, s)
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "Import", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "hi", false, false), nil, nil)}}}
	_, err := api.OpenView("made-up", modal)
	assert.EqualError(t, err, "expired_trigger_id")
	trigger := s.NewTrigger("UALEX")
	v, err := api.OpenView(trigger, modal)
	require.NoError(t, err)
	assert.Equal(t, v.ID, s.Modal("UALEX").ID)
	_, err = api.OpenView(trigger, modal)
	assert.EqualError(t, err, "expired_trigger_id", "a trigger_id works once")
}

// FaultFor fails calls by what they carry: here, the first post of each
// key, as the fault-injection suite does; an accepted call held without a
// failure answers its own answer, late.
func TestFaultForDecidesByTheCall(t *testing.T) {
	tried := map[string]bool{}
	s := New(Config{FaultFor: func(c Call) (Fault, bool) {
		key := c.Get("text")
		if c.Method != "chat.postMessage" || tried[key] {
			return Fault{}, false
		}
		tried[key] = true
		return Fault{Accept: true, Hang: 50 * time.Millisecond}, true
	}})
	api, _ := serve(t, s)
	start := time.Now()
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("k1", false))
	require.NoError(t, err, "held, then answered")
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	m, ok := s.Message("C1", ts)
	require.True(t, ok)
	assert.Equal(t, "k1", m.Text)

	s.FailNext("chat.postMessage", 1, Fault{SlackError: "not_in_channel"})
	_, _, err = api.PostMessage("C1", slack.MsgOptionText("k2", false))
	assert.EqualError(t, err, "not_in_channel", "FailNext comes first")
	assert.False(t, tried["k2"])
}
