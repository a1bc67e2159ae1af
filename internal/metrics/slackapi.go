package metrics

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path"
)

// SlackTransport wraps next (http.DefaultTransport when nil) so that every
// Slack Web API request through it is counted by method, and every failure
// by method and error: Slack's own error code from an "ok": false answer,
// ratelimited for 429, http_5xx, http_4xx, invalid_response for an answer
// that is not a JSON object, or transport when no answer came.
// Give the Slack client an *http.Client using it (slack.OptionHTTPClient).
// The method is the last element of the URL path, as in .../api/chat.postMessage.
func (m *Metrics) SlackTransport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return &slackTransport{m: m, next: next}
}

type slackTransport struct {
	m    *Metrics
	next http.RoundTripper
}

func (t *slackTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := path.Base(req.URL.Path)
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.m.SlackCall(method, "transport")
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		t.m.SlackCall(method, "ratelimited")
	case resp.StatusCode >= 500:
		t.m.SlackCall(method, "http_5xx")
	case resp.StatusCode >= 400:
		t.m.SlackCall(method, "http_4xx")
	default:
		t.m.SlackCall(method, slackErrorCode(resp))
	}
	return resp, nil
}

// slackErrorCode reads the answer's "ok" and "error" fields and puts the
// body back for the client to read. A body it cannot read is left for the
// client to fail on, and counted as transport. The Web API answers every
// method with a JSON object: anything else (an HTML error page from a
// proxy, a cut or garbled body) fails in the client, and is counted as
// invalid_response.
func slackErrorCode(resp *http.Response) string {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		return "transport"
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var answer struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &answer) != nil {
		return "invalid_response"
	}
	if answer.OK {
		return ""
	}
	if answer.Error == "" {
		return "unknown"
	}
	return answer.Error
}

// errReader replays a read error after the bytes that were read before it.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
