package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, h http.Handler, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	body, err := io.ReadAll(rec.Result().Body)
	require.NoError(t, err)
	return rec.Code, string(body)
}

func TestLiveness(t *testing.T) {
	h := NewHealth(Check{"database", func(context.Context) error { return errors.New("disk full") }})
	mux := NewMux(h, prometheus.NewRegistry())
	for _, path := range []string{"/healthz", "/livez"} {
		code, body := get(t, mux, http.MethodGet, path)
		assert.Equal(t, http.StatusOK, code, path)
		assert.Equal(t, "ok\n", body, path)
		code, _ = get(t, mux, http.MethodHead, path)
		assert.Equal(t, http.StatusOK, code, path)
	}
	h.ShuttingDown()
	code, _ := get(t, mux, http.MethodGet, "/healthz")
	assert.Equal(t, http.StatusOK, code, "liveness holds during shutdown: the process is still alive")

	code, _ = get(t, mux, http.MethodPost, "/healthz")
	assert.Equal(t, http.StatusMethodNotAllowed, code)
}

func TestReadiness(t *testing.T) {
	var dbErr, slackErr error
	h := NewHealth(Check{"database", func(context.Context) error { return dbErr }})
	mux := NewMux(h, prometheus.NewRegistry())

	code, body := get(t, mux, http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"ready":true,"checks":{"database":{"ok":true}}}`, body)

	h.Add(Check{"slack", func(context.Context) error { return slackErr }})
	slackErr = errors.New("auth.test: invalid_auth")
	code, body = get(t, mux, http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.JSONEq(t, `{"ready":false,"checks":{"database":{"ok":true},"slack":{"ok":false,"error":"auth.test: invalid_auth"}}}`, body)

	slackErr = nil
	dbErr = errors.New("ping: attempt to write a readonly database")
	code, body = get(t, mux, http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.JSONEq(t, `{"ready":false,"checks":{"database":{"ok":false,"error":"ping: attempt to write a readonly database"},"slack":{"ok":true}}}`, body)

	dbErr = nil
	code, _ = get(t, mux, http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusOK, code)

	h.ShuttingDown()
	code, body = get(t, mux, http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.JSONEq(t, `{"ready":false,"checks":{"shutdown":{"ok":false,"error":"shutting down"}}}`, body)
}

func TestReadinessSurvivesBadChecks(t *testing.T) {
	h := NewHealth(
		Check{"panics", func(context.Context) error { panic("boom") }},
		Check{"hangs", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }},
	)
	h.Timeout = 10 * time.Millisecond
	results, ok := h.Ready(context.Background())
	assert.False(t, ok)
	require.Len(t, results, 2)
	assert.EqualError(t, results[0].Err, "check panicked: boom")
	assert.ErrorIs(t, results[1].Err, context.DeadlineExceeded)
}

func TestReadinessAnswersWhileACheckIgnoresItsDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := NewHealth(
		// Like SQLite waiting out its busy timeout: deaf to the context.
		Check{"database", func(context.Context) error { <-release; return errors.New("database is locked") }},
		Check{"slack", func(context.Context) error { return nil }},
	)
	h.Timeout = 20 * time.Millisecond

	code, body := get(t, NewMux(h, prometheus.NewRegistry()), http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.JSONEq(t, `{"ready":false,"checks":{"database":{"ok":false,"error":"no answer within 20ms: context deadline exceeded"},"slack":{"ok":true}}}`, body)
}

func TestMetricsEndpoint(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "golive_test_total", Help: "A test counter."})
	reg.MustRegister(c)
	c.Add(3)
	code, body := get(t, NewMux(NewHealth(), reg), http.MethodGet, "/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "# TYPE golive_test_total counter\ngolive_test_total 3\n")
}

func TestCached(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	calls := 0
	var result error
	check := Cached(time.Minute, clock, func(context.Context) error {
		calls++
		return result
	})
	ctx := context.Background()

	result = errors.New("invalid_auth")
	assert.EqualError(t, check(ctx), "invalid_auth")
	result = nil
	now = now.Add(59 * time.Second)
	assert.EqualError(t, check(ctx), "invalid_auth", "within the ttl the last result stands")
	assert.Equal(t, 1, calls)

	now = now.Add(time.Second)
	assert.NoError(t, check(ctx), "the ttl has passed")
	assert.Equal(t, 2, calls)

	now = now.Add(-time.Hour)
	assert.NoError(t, check(ctx))
	assert.Equal(t, 3, calls, "a clock stepped back does not freeze the result")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	result = context.Canceled
	now = now.Add(2 * time.Minute)
	assert.ErrorIs(t, check(cancelled), context.Canceled)
	result = nil
	assert.NoError(t, check(ctx), "a check cut short by its caller is not cached")
	assert.Equal(t, 5, calls)
}
