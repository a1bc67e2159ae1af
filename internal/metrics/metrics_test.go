package metrics

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample returns the value of the series name{labels}, counters and gauges
// by value, histograms by sample count; ok is false when there is none.
func sample(t *testing.T, m *Metrics, name string, labels map[string]string) (v float64, ok bool) {
	t.Helper()
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			if !hasLabels(s, labels) {
				continue
			}
			switch {
			case s.Counter != nil:
				return s.Counter.GetValue(), true
			case s.Gauge != nil:
				return s.Gauge.GetValue(), true
			case s.Histogram != nil:
				return float64(s.Histogram.GetSampleCount()), true
			}
		}
	}
	return 0, false
}

func hasLabels(s *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, l := range s.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func value(t *testing.T, m *Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := sample(t, m, name, labels)
	require.True(t, ok, "no series %s%v", name, labels)
	return v
}

func TestNamesFollowTheConventions(t *testing.T) {
	m := New("v1.2.3")
	m.Command("new", OK)
	m.Click("tick", OK)
	m.SlackCall("chat.postMessage", "ratelimited")
	m.ReminderSent(time.Second)
	m.ObserveRequest("command", time.Millisecond)
	m.DBBusy()
	m.SchedulerTick(time.Unix(1700000000, 0))
	m.RemindersOldestPending(time.Minute)
	m.RequestRejected("unsigned")
	m.SlackHeld("chat.update")
	m.SlackWorkDropped("queue_full")
	m.SlackWorkQueued(3)
	m.RefreshesPending(2)
	m.RemindersPending(4)
	m.WriteBatch(12, 3)
	m.OutboxDepth(1)

	families, err := m.Registry().Gather()
	require.NoError(t, err)
	var ours []string
	for _, f := range families {
		name := f.GetName()
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			continue
		}
		ours = append(ours, name)
		assert.True(t, strings.HasPrefix(name, "golive_"), name)
		if f.GetType() == dto.MetricType_COUNTER {
			assert.True(t, strings.HasSuffix(name, "_total"), name)
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				assert.NotContains(t, []string{"user", "user_id", "channel", "channel_id", "team", "team_id"}, l.GetName(), name)
			}
		}
	}
	assert.ElementsMatch(t, []string{
		"golive_build_info", "golive_commands_total", "golive_clicks_total",
		"golive_slack_api_calls_total", "golive_slack_api_errors_total",
		"golive_reminders_total", "golive_reminder_delivery_lag_seconds",
		"golive_scheduler_last_tick_timestamp_seconds", "golive_reminders_oldest_pending_seconds",
		"golive_request_duration_seconds", "golive_db_busy_errors_total",
		"golive_requests_rejected_total", "golive_slack_api_held_total",
		"golive_slack_work_dropped_total", "golive_slack_work_queued",
		"golive_refreshes_pending",
		"golive_outbox_depth", "golive_outbox_posts_total",
		"golive_reminders_pending", "golive_write_batch_changes", "golive_write_batch_launches",
	}, ours)
}

func TestRecords(t *testing.T) {
	m := New("v1.2.3")
	assert.Equal(t, 1.0, value(t, m, "golive_build_info", map[string]string{"version": "v1.2.3"}))
	assert.Equal(t, 0.0, value(t, m, "golive_reminders_total", map[string]string{"result": "failed"}), "reminder results exist before the first one")

	m.Command("tick", OK)
	m.Command("tick", OK)
	m.Command("tick", Refused)
	m.Click("approve", Failed)
	m.SlackCall("chat.update", "")
	m.SlackCall("chat.update", "message_not_found")
	m.ReminderSent(90 * time.Second)
	m.ReminderSent(-time.Second) // a clock step must not give a negative lag
	m.ReminderFailed()
	m.ObserveRequest("interaction", 3*time.Millisecond)
	m.DBBusy()
	m.Probe("tls", "fail")
	m.SchedulerTick(time.UnixMilli(1700000000500))
	m.RemindersOldestPending(-time.Second) // a clock step must not give a negative age
	assert.Equal(t, 0.0, value(t, m, "golive_reminders_oldest_pending_seconds", nil))
	m.RemindersOldestPending(90 * time.Second)
	assert.Equal(t, 0.0, value(t, m, "golive_outbox_posts_total", map[string]string{"result": "unknown"}), "outbox results exist before the first one")
	m.OutboxDepth(4)
	m.OutboxPost("sent")
	m.OutboxPost("sent")
	m.OutboxPost("unknown")
	assert.Equal(t, 4.0, value(t, m, "golive_outbox_depth", nil))
	assert.Equal(t, 2.0, value(t, m, "golive_outbox_posts_total", map[string]string{"result": "sent"}))
	assert.Equal(t, 1.0, value(t, m, "golive_outbox_posts_total", map[string]string{"result": "unknown"}))

	assert.Equal(t, 2.0, value(t, m, "golive_commands_total", map[string]string{"kind": "tick", "outcome": "ok"}))
	assert.Equal(t, 1.0, value(t, m, "golive_commands_total", map[string]string{"kind": "tick", "outcome": "refused"}))
	assert.Equal(t, 1.0, value(t, m, "golive_clicks_total", map[string]string{"kind": "approve", "outcome": "error"}))
	assert.Equal(t, 2.0, value(t, m, "golive_slack_api_calls_total", map[string]string{"method": "chat.update"}))
	assert.Equal(t, 1.0, value(t, m, "golive_slack_api_errors_total", map[string]string{"method": "chat.update", "error": "message_not_found"}))
	assert.Equal(t, 2.0, value(t, m, "golive_reminders_total", map[string]string{"result": "sent"}))
	assert.Equal(t, 1.0, value(t, m, "golive_reminders_total", map[string]string{"result": "failed"}))
	assert.Equal(t, 2.0, value(t, m, "golive_reminder_delivery_lag_seconds", nil))
	assert.Equal(t, 1.0, value(t, m, "golive_request_duration_seconds", map[string]string{"kind": "interaction"}))
	assert.Equal(t, 1.0, value(t, m, "golive_db_busy_errors_total", nil))
	assert.Equal(t, 1.0, value(t, m, "golive_probes_total", map[string]string{"kind": "tls", "result": "fail"}))
	assert.Equal(t, 1700000000.5, value(t, m, "golive_scheduler_last_tick_timestamp_seconds", nil))
	assert.Equal(t, 90.0, value(t, m, "golive_reminders_oldest_pending_seconds", nil))

	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == "golive_reminder_delivery_lag_seconds" {
			h := f.GetMetric()[0].GetHistogram()
			assert.Equal(t, 90.0, h.GetSampleSum(), "the negative lag counts as zero")
		}
	}
}

func TestOutcomeLabelIsOneOfFour(t *testing.T) {
	m := New("dev")
	m.Command("help", "")
	m.Click("tick", "")
	m.Command("new", Outcome("exploded"))
	assert.Equal(t, 1.0, value(t, m, "golive_commands_total", map[string]string{"kind": "help", "outcome": "ok"}), "no outcome is ok")
	assert.Equal(t, 1.0, value(t, m, "golive_clicks_total", map[string]string{"kind": "tick", "outcome": "ok"}))
	assert.Equal(t, 1.0, value(t, m, "golive_commands_total", map[string]string{"kind": "new", "outcome": "error"}), "an unknown outcome is an error")

	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "outcome" {
					assert.Contains(t, []string{"ok", "invalid", "refused", "error"}, l.GetValue(), f.GetName())
				}
			}
		}
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	assert.NotPanics(t, func() {
		m.Command("new", OK)
		m.Click("tick", OK)
		m.SlackCall("chat.postMessage", "")
		m.ReminderSent(time.Second)
		m.ReminderFailed()
		m.ObserveRequest("command", time.Millisecond)
		m.DBBusy()
		m.SchedulerTick(time.Now())
		m.RemindersOldestPending(time.Minute)
		m.Probe("http", "pass")
	})
	assert.Equal(t, http.DefaultTransport, m.SlackTransport(nil))
	assert.NotNil(t, m.Registry())
}

func TestLabelValuesAreBounded(t *testing.T) {
	m := New("dev")
	m.Command("<@U123> hello there", Invalid)
	assert.Equal(t, 1.0, value(t, m, "golive_commands_total", map[string]string{"kind": "other", "outcome": "invalid"}), "malformed values become other")

	for i := range maxLabelValues + 20 {
		m.Click(fmt.Sprintf("kind%d", i), OK)
	}
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == "golive_clicks_total" {
			assert.Len(t, f.GetMetric(), maxLabelValues+1, "the cap plus other")
		}
	}
	assert.Equal(t, 20.0, value(t, m, "golive_clicks_total", map[string]string{"kind": "other"}))
	assert.Equal(t, 1.0, value(t, m, "golive_clicks_total", map[string]string{"kind": "kind0"}), "values seen before the cap keep counting")
}

func TestConcurrentRecording(t *testing.T) {
	m := New("dev")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				m.Click(fmt.Sprintf("k%d", (g*500+i)%150), OK)
			}
		}()
	}
	wg.Wait()
	var total float64
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == "golive_clicks_total" {
			for _, s := range f.GetMetric() {
				total += s.GetCounter().GetValue()
			}
		}
	}
	assert.Equal(t, 4000.0, total, "no click is lost, whatever label it ends under")
}

func TestSlackTransport(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/chat.postMessage":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"ok":true,"ts":"1.2"}`)
		case "/api/chat.update":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":false,"error":"message_not_found"}`)
		case "/api/views.publish":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/api/users.info":
			w.WriteHeader(http.StatusBadGateway)
		case "/api/conversations.open":
			w.WriteHeader(http.StatusNotFound)
		case "/api/chat.delete":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":tru`)
		case "/api/reactions.add":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `[1,2]`)
		case "/api/auth.test":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true,"user_id":"UBOT"}`)
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>Bad gateway</html>")
		}
	}))
	defer fake.Close()

	m := New("dev")
	client := &http.Client{Transport: m.SlackTransport(nil)}
	get := func(method string) string {
		resp, err := client.Post(fake.URL+"/api/"+method, "application/x-www-form-urlencoded", nil)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	assert.JSONEq(t, `{"ok":true,"ts":"1.2"}`, get("chat.postMessage"), "the client still reads the whole body")
	assert.JSONEq(t, `{"ok":false,"error":"message_not_found"}`, get("chat.update"))
	get("views.publish")
	get("users.info")
	get("conversations.open")
	assert.Equal(t, `{"ok":tru`, get("chat.delete"), "the client gets the body to fail on")
	get("reactions.add")
	get("files.upload")
	get("auth.test")

	for method, code := range map[string]string{
		"chat.update": "message_not_found", "views.publish": "ratelimited",
		"users.info": "http_5xx", "conversations.open": "http_4xx",
		"chat.delete": "invalid_response", "reactions.add": "invalid_response", "files.upload": "invalid_response",
	} {
		assert.Equal(t, 1.0, value(t, m, "golive_slack_api_calls_total", map[string]string{"method": method}), method)
		assert.Equal(t, 1.0, value(t, m, "golive_slack_api_errors_total", map[string]string{"method": method, "error": code}), method)
	}
	for _, method := range []string{"chat.postMessage", "auth.test"} {
		assert.Equal(t, 1.0, value(t, m, "golive_slack_api_calls_total", map[string]string{"method": method}), method)
		_, failed := sample(t, m, "golive_slack_api_errors_total", map[string]string{"method": method})
		assert.False(t, failed, method)
	}

	// No answer at all.
	addr := fake.Listener.Addr().String()
	fake.Close()
	_, err := client.Post("http://"+addr+"/api/users.list", "text/plain", nil)
	require.Error(t, err)
	assert.Equal(t, 1.0, value(t, m, "golive_slack_api_errors_total", map[string]string{"method": "users.list", "error": "transport"}))
}

func TestSlackErrorCodeKeepsReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	resp := &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(io.MultiReader(strings.NewReader(`{"ok":`), errReader{boom})),
	}
	assert.Equal(t, "transport", slackErrorCode(resp))
	b, err := io.ReadAll(resp.Body)
	assert.Equal(t, `{"ok":`, string(b))
	assert.ErrorIs(t, err, boom, "the client sees the same failure it would have seen")
}
