package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/templates"
	"github.com/golive/golive/store"
)

const creator = "UCREATOR"

// now is the API's and the store's clock in these tests.
var now = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// storeRecorder stands in for the bot: the same domain change, stored
// without the Slack side (notices, refreshes), which the bot's tests cover.
type storeRecorder struct{ s *store.Store }

func (r storeRecorder) RecordEvidence(ctx context.Context, t launch.Token, n int, rep launch.Report) (*launch.Launch, error) {
	return r.s.Update(ctx, t.LaunchID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.RecordEvidence(t.Actor(), n, rep, now)
	})
}

// fixture is the API over HTTP on a real SQLite file, with two launches
// and a token of the first.
type fixture struct {
	t      *testing.T
	store  *store.Store
	srv    *httptest.Server
	launch *launch.Launch
	other  *launch.Launch
	secret string
	clock  *clock
}

type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func newFixture(t *testing.T, opts ...func(*Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "golive.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	c := &clock{at: now}
	st.Now = c.now
	f := &fixture{t: t, store: st, clock: c}
	f.launch = f.newLaunch("C1")
	f.other = f.newLaunch("C2")
	f.secret = f.token(f.launch, "ci")
	cfg := Config{Tokens: st, Launches: st, Recorder: storeRecorder{st}, Now: c.now}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := New(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(Prefix, a.Handler())
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) newLaunch(channel string) *launch.Launch {
	f.t.Helper()
	tpl, err := templates.Get("web")
	require.NoError(f.t, err)
	c, _, err := checklist.Parse(tpl.Markdown)
	require.NoError(f.t, err)
	l := &launch.Launch{TeamID: "T1", ChannelID: channel, Name: "Checkout " + channel, Date: "2026-12-01", Timezone: "UTC",
		Creator: creator, CreatedAt: now, DatedAt: now, Checklist: c}
	require.NoError(f.t, f.store.CreateLaunch(context.Background(), l, creator))
	return l
}

func (f *fixture) token(l *launch.Launch, name string) string {
	f.t.Helper()
	secret, err := launch.NewTokenSecret(rand.Reader)
	require.NoError(f.t, err)
	_, err = f.store.CreateToken(context.Background(), l.ID, creator, name, launch.HashToken(secret))
	require.NoError(f.t, err)
	return secret
}

// answer is a decoded response.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func (a answer) code() string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (a answer) message() string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func (f *fixture) call(method, path, secret string, body []byte) answer {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	require.NoError(f.t, err)
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.srv.Client().Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	a := answer{status: resp.StatusCode, header: resp.Header}
	require.Equal(f.t, "application/json", resp.Header.Get("Content-Type"), string(raw))
	require.NoError(f.t, json.Unmarshal(raw, &a.body), string(raw))
	return a
}

func (f *fixture) evidence(launchRef string, n int, secret, body string) answer {
	f.t.Helper()
	return f.call(http.MethodPost, Prefix+"launches/"+launchRef+"/items/"+itoa(n)+"/evidence", secret, []byte(body))
}

func itoa(n int) string { return strconv.Itoa(n) }

func jsonNumber(n int64) string { return strconv.FormatInt(n, 10) }

func (f *fixture) item(n int) *checklist.Item {
	f.t.Helper()
	l, err := f.store.LaunchByID(context.Background(), f.launch.ID)
	require.NoError(f.t, err)
	return l.Checklist.Item(n)
}

func TestEvidencePassTicksAndFailUnticks(t *testing.T) {
	f := newFixture(t)
	id := jsonNumber(f.launch.ID)
	n := f.launch.Checklist.Items()[0].Number

	a := f.evidence(id, n, f.secret, `{"status":"pass","summary":"k6: p95 180 ms","url":"https://ci.example.com/run/381","at":"2026-11-20T08:55:00Z"}`)
	require.Equal(t, http.StatusOK, a.status, a.body)
	item := a.body["item"].(map[string]any)
	assert.Equal(t, true, item["done"])
	assert.Equal(t, "token:ci", item["done_by"])
	ev := item["evidence"].(map[string]any)
	assert.Equal(t, "pass", ev["status"])
	assert.Equal(t, "2026-11-20T08:55:00Z", ev["at"])
	assert.Contains(t, a.body, "decision")

	it := f.item(n)
	assert.True(t, it.Done)
	assert.Equal(t, "k6: p95 180 ms", it.Evidence.Summary)

	a = f.evidence("C1", n, f.secret, `{"status":"fail","summary":"k6: p95 900 ms"}`)
	require.Equal(t, http.StatusOK, a.status, a.body)
	it = f.item(n)
	assert.False(t, it.Done, "a fail unticks")
	assert.Equal(t, "fail", it.Evidence.Status())
	assert.Equal(t, now, it.Evidence.At, "no time: now")

	audit, err := f.store.Audit(context.Background(), f.launch.ID)
	require.NoError(t, err)
	var seen []string
	for _, e := range audit {
		if e.Actor == "token:ci" {
			seen = append(seen, string(e.Kind))
		}
	}
	assert.Equal(t, []string{"evidence", "tick", "evidence", "untick"}, seen)

	got := f.call(http.MethodGet, Prefix+"launches/"+id, f.secret, nil)
	require.Equal(t, http.StatusOK, got.status)
	assert.Equal(t, "Checkout C1", got.body["name"])
	items := got.body["items"].([]any)
	assert.Equal(t, "fail", items[0].(map[string]any)["evidence"].(map[string]any)["status"])
	assert.Equal(t, http.StatusOK, f.call(http.MethodGet, Prefix+"launches/C1", f.secret, nil).status, "by channel id too")

	tokens, err := f.store.Tokens(context.Background(), f.launch.ID)
	require.NoError(t, err)
	assert.Equal(t, now, tokens[0].LastUsed)
}

func TestTokensAreCheckedAndScoped(t *testing.T) {
	f := newFixture(t)
	n := f.launch.Checklist.Items()[0].Number
	body := `{"status":"pass","summary":"ok"}`
	id := jsonNumber(f.launch.ID)

	for _, tt := range []struct {
		name, secret string
	}{
		{"no token", ""},
		{"not a golive token", "xoxb-123"},
		{"unknown token", "golive_" + strings.Repeat("a", 52)},
	} {
		a := f.evidence(id, n, tt.secret, body)
		assert.Equal(t, http.StatusUnauthorized, a.status, tt.name)
		assert.Equal(t, "unauthorized", a.code(), tt.name)
		assert.Contains(t, a.header.Get("WWW-Authenticate"), "Bearer", tt.name)
	}

	otherSecret := f.token(f.other, "ci")
	a := f.evidence(id, n, otherSecret, body)
	assert.Equal(t, http.StatusForbidden, a.status)
	assert.Equal(t, "forbidden", a.code())
	a = f.evidence("C1", n, otherSecret, body)
	assert.Equal(t, http.StatusForbidden, a.status, "another launch's channel")
	a = f.evidence("999", n, f.secret, body)
	assert.Equal(t, http.StatusForbidden, a.status, "a launch that does not exist is refused like another's")
	assert.Equal(t, http.StatusForbidden, f.call(http.MethodGet, Prefix+"launches/"+jsonNumber(f.launch.ID), otherSecret, nil).status)
	assert.False(t, f.item(n).Done, "nothing was changed")

	require.NoError(t, f.store.RevokeToken(context.Background(), f.launch.ID, creator, "ci"))
	a = f.evidence(id, n, f.secret, body)
	assert.Equal(t, http.StatusUnauthorized, a.status, "a revoked token")
	assert.Contains(t, a.message(), "revoked")
}

func TestBadReportsAreRefusedWithTheirReason(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBody = 1024 })
	id := jsonNumber(f.launch.ID)
	n := f.launch.Checklist.Items()[0].Number
	for _, tt := range []struct {
		name   string
		item   string
		body   string
		status int
		want   string
	}{
		{"not json", itoa(n), `status=pass`, 400, "not the JSON expected"},
		{"unknown field", itoa(n), `{"status":"pass","summary":"ok","token":"x"}`, 400, "unknown field"},
		{"bad status", itoa(n), `{"status":"ok","summary":"ok"}`, 400, `must be "pass"`},
		{"no summary", itoa(n), `{"status":"pass"}`, 400, "needs a summary"},
		{"javascript url", itoa(n), `{"status":"pass","summary":"ok","url":"javascript:alert(1)"}`, 400, "not an http"},
		{"bad time", itoa(n), `{"status":"pass","summary":"ok","at":"yesterday"}`, 400, "RFC 3339"},
		{"future", itoa(n), `{"status":"pass","summary":"ok","at":"2027-01-01T00:00:00Z"}`, 400, "in the future"},
		{"two objects", itoa(n), `{"status":"pass","summary":"ok"}{}`, 400, "more than one"},
		{"item not a number", "twelve", `{"status":"pass","summary":"ok"}`, 400, "not an item number"},
		{"no such item", "9999", `{"status":"pass","summary":"ok"}`, 404, "no item 9999"},
		{"too large", itoa(n), `{"status":"pass","summary":"` + strings.Repeat("x", 2000) + `"}`, 413, "over 1024 bytes"},
	} {
		a := f.call(http.MethodPost, Prefix+"launches/"+id+"/items/"+tt.item+"/evidence", f.secret, []byte(tt.body))
		assert.Equal(t, tt.status, a.status, tt.name)
		assert.Contains(t, a.message(), tt.want, tt.name)
	}
	assert.False(t, f.item(n).Done)
	assert.Nil(t, f.item(n).Evidence)

	_, err := f.store.Update(context.Background(), f.launch.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Archived = true
		return []launch.Event{{Actor: creator, Kind: launch.KindArchive, Launch: l.Name}}, nil
	})
	require.NoError(t, err)
	a := f.evidence(id, n, f.secret, `{"status":"pass","summary":"ok"}`)
	assert.Equal(t, http.StatusConflict, a.status)
	assert.Equal(t, "conflict", a.code())
}

func TestTokensAreRateLimited(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Rate, c.Burst = 1, 3 })
	path := Prefix + "launches/" + jsonNumber(f.launch.ID)
	for i := 0; i < 3; i++ {
		require.Equal(t, http.StatusOK, f.call(http.MethodGet, path, f.secret, nil).status, "call %d of the burst", i)
	}
	a := f.call(http.MethodGet, path, f.secret, nil)
	assert.Equal(t, http.StatusTooManyRequests, a.status)
	assert.Equal(t, "rate_limited", a.code())
	assert.Equal(t, "1", a.header.Get("Retry-After"))

	other := f.token(f.launch, "deploy")
	assert.Equal(t, http.StatusOK, f.call(http.MethodGet, path, other, nil).status, "each token has its own bucket")

	f.clock.mu.Lock()
	f.clock.at = f.clock.at.Add(time.Second)
	f.clock.mu.Unlock()
	assert.Equal(t, http.StatusOK, f.call(http.MethodGet, path, f.secret, nil).status, "a second later one call more")
}

func TestUnknownEndpointsAndMethods(t *testing.T) {
	f := newFixture(t)
	a := f.call(http.MethodGet, Prefix+"nothing", f.secret, nil)
	assert.Equal(t, http.StatusNotFound, a.status)
	assert.Equal(t, "not_found", a.code())
	a = f.call(http.MethodDelete, Prefix+"launches/"+jsonNumber(f.launch.ID), f.secret, nil)
	assert.Equal(t, http.StatusMethodNotAllowed, a.status)
	assert.Equal(t, http.MethodGet, a.header.Get("Allow"))
}

func TestWrongTokensShareABucket(t *testing.T) {
	f := newFixture(t)
	path := Prefix + "launches/" + jsonNumber(f.launch.ID)
	wrong := "golive_" + strings.Repeat("b", 52)
	var limited answer
	for i := 0; i <= failedBurst; i++ {
		a := f.call(http.MethodGet, path, wrong, nil)
		if a.status == http.StatusTooManyRequests {
			limited = a
			break
		}
		require.Equal(t, http.StatusUnauthorized, a.status, "guess %d", i)
	}
	require.Equal(t, http.StatusTooManyRequests, limited.status, "guesses past the burst are held")
	assert.NotEmpty(t, limited.header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, f.call(http.MethodGet, path, f.secret, nil).status, "a live token is not held by others' guesses")
}
