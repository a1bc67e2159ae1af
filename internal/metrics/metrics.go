// Package metrics holds golive's Prometheus metrics: one registry of its own
// and the few series operators watch. Every name starts with golive_, every
// counter ends in _total, durations are in seconds, and no label ever holds a
// user, channel or team id: labels are kinds, outcomes and method names.
//
// A nil *Metrics records nothing, so code under test can pass nil.
package metrics

import (
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Outcome is how a command or click ended, as the outcome label shows it.
// The zero Outcome is OK: a handler that reports nothing went wrong.
type Outcome string

const (
	// OK: the command or click did what was asked.
	OK Outcome = "ok"
	// Invalid: the input was malformed (unknown subcommand, bad date, ...).
	Invalid Outcome = "invalid"
	// Refused: a permission check said no.
	Refused Outcome = "refused"
	// Failed: our fault or Slack's (database error, Web API error).
	Failed Outcome = "error"
)

// label is the outcome label's value: one of the four outcomes, so that a
// handler forgetting to set its outcome cannot add an empty series.
func (o Outcome) label() string {
	switch o {
	case OK, Invalid, Refused, Failed:
		return string(o)
	case "":
		return string(OK)
	}
	return string(Failed)
}

// Metrics is golive's set of metrics on its own registry.
type Metrics struct {
	registry *prometheus.Registry

	commands      *prometheus.CounterVec
	commandKinds  *boundedLabel
	clicks        *prometheus.CounterVec
	clickKinds    *boundedLabel
	slackCalls    *prometheus.CounterVec
	slackErrors   *prometheus.CounterVec
	slackMethods  *boundedLabel
	slackCodes    *boundedLabel
	reminders     *prometheus.CounterVec
	reminderLag   prometheus.Histogram
	schedulerTick prometheus.Gauge
	oldestPending prometheus.Gauge
	remindersWait prometheus.Gauge
	requests      *prometheus.HistogramVec
	requestKinds  *boundedLabel
	dbBusy        prometheus.Counter
	rejected      *prometheus.CounterVec
	rejectReasons *boundedLabel
	slackHeld     *prometheus.CounterVec
	workDropped   *prometheus.CounterVec
	dropReasons   *boundedLabel
	queued        prometheus.Gauge
	refreshes     prometheus.Gauge
	outboxDepth   prometheus.Gauge
	posts         *prometheus.CounterVec
	batchChanges  prometheus.Histogram
	batchLaunches prometheus.Histogram
	apiRequests   *prometheus.CounterVec
	probes        *prometheus.CounterVec
}

// New returns golive's metrics, registered with a new registry together
// with the Go runtime and process collectors. version is the build's version.
func New(version string) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		apiRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_api_requests_total",
			Help: "Calls of the pipelines' API (/api/v1/), by route and HTTP status.",
		}, []string{"route", "status"}),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_probes_total",
			Help: "Probes run, by kind (http, tls, dns, prometheus) and result (pass, fail, unfinished).",
		}, []string{"kind", "result"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_commands_total",
			Help: "Slash commands handled, by subcommand kind and outcome.",
		}, []string{"kind", "outcome"}),
		clicks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_clicks_total",
			Help: "Interactive actions (checkbox ticks, buttons, modal submissions) handled, by kind and outcome.",
		}, []string{"kind", "outcome"}),
		slackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_slack_api_calls_total",
			Help: "Slack Web API HTTP requests made, retries included, by method.",
		}, []string{"method"}),
		slackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_slack_api_errors_total",
			Help: "Slack Web API requests that failed, by method and error (Slack's error code, ratelimited, http_5xx, http_4xx, transport).",
		}, []string{"method", "error"}),
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_reminders_total",
			Help: "Reminder deliveries attempted, by result (sent, failed).",
		}, []string{"result"}),
		reminderLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "golive_reminder_delivery_lag_seconds",
			Help:    "Time from a reminder's due time to its successful post.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 24 * 3600},
		}),
		schedulerTick: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "golive_scheduler_last_tick_timestamp_seconds",
			Help: "Unix time of the reminder scheduler's last pass over due reminders.",
		}),
		oldestPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "golive_reminders_oldest_pending_seconds",
			Help: "How long the oldest due reminder not yet sent (waiting, being retried or held) has been due; 0 when none is.",
		}),
		remindersWait: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "golive_reminders_pending",
			Help: "Reminders planned and not done yet (waiting for their time, being retried or held), as delivery's latest pass counted them.",
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "golive_request_duration_seconds",
			Help:    "Time from receiving a Slack request (HTTP or Socket Mode) to acknowledging it, by kind (command, interaction, event).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"kind"}),
		dbBusy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "golive_db_busy_errors_total",
			Help: "Database operations that failed because SQLite was busy or locked.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_requests_rejected_total",
			Help: "HTTP requests refused before any work, by reason (unsigned, malformed_signature, bad_signature, stale, too_large, malformed, extra_actions).",
		}, []string{"reason"}),
		rejectReasons: newBoundedLabel(),
		slackHeld: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_slack_api_held_total",
			Help: "Web API calls answered 429 by golive itself, without reaching Slack, while Slack's Retry-After for their method (and channel) in their workspace was in force, by method.",
		}, []string{"method"}),
		workDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_slack_work_dropped_total",
			Help: "Queued Slack work not done, by reason (collapsed into newer work, superseded when its queue was full, queue_full, rate_limited after repeated 429s, shutdown).",
		}, []string{"reason"}),
		dropReasons: newBoundedLabel(),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "golive_slack_work_queued",
			Help: "Slack work queued after acknowledgements and not started yet.",
		}),
		refreshes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "golive_refreshes_pending",
			Help: "Launches whose messages have a refresh pending or in flight.",
		}),
		outboxDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "golive_outbox_depth",
			Help: "Posts and direct messages owed to Slack and not delivered yet (waiting, being retried or being sent), as the sender's latest pass counted them.",
		}),
		posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_outbox_posts_total",
			Help: "Posts and direct messages the outbox finished, by result (sent; unknown: sent once with no answer and not sent again; failed: refused by Slack or given up on).",
		}, []string{"result"}),
		batchChanges: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "golive_write_batch_changes",
			Help:    "Changes (ticks, answers, ...) accepted in each shared write transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		batchLaunches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "golive_write_batch_launches",
			Help:    "Launches with a change accepted in each shared write transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}),
		commandKinds: newBoundedLabel(),
		clickKinds:   newBoundedLabel(),
		slackMethods: newBoundedLabel(),
		slackCodes:   newBoundedLabel(),
		requestKinds: newBoundedLabel(),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "golive_build_info",
		Help:        "Always 1; its labels say which build is running.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	buildInfo.Set(1)
	for _, r := range []string{"sent", "failed"} {
		m.reminders.WithLabelValues(r)
	}
	for _, r := range outboxResults {
		m.posts.WithLabelValues(r)
	}
	m.registry.MustRegister(
		m.commands, m.clicks, m.slackCalls, m.slackErrors, m.reminders, m.reminderLag,
		m.schedulerTick, m.oldestPending, m.remindersWait, m.requests, m.dbBusy, m.rejected, m.slackHeld, m.workDropped, m.queued, m.refreshes,
		m.outboxDepth, m.posts, m.batchChanges, m.batchLaunches, m.apiRequests, m.probes, buildInfo,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registry returns the registry to serve on /metrics.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return prometheus.NewRegistry()
	}
	return m.registry
}

// Command counts one slash command. kind must come from the code (the
// recognised subcommand, or "unknown"), never from what the user typed.
func (m *Metrics) Command(kind string, o Outcome) {
	if m == nil {
		return
	}
	m.commands.WithLabelValues(m.commandKinds.value(kind), o.label()).Inc()
}

// APIRequest counts one call of the pipelines' API. route must come from
// the code ("launch", "evidence", "unknown"); status is the HTTP status
// answered, which the API keeps to a handful.
func (m *Metrics) APIRequest(route string, status int) {
	if m == nil {
		return
	}
	m.apiRequests.WithLabelValues(route, strconv.Itoa(status)).Inc()
}

// Probe counts one probe run: kind and result come from the code (a
// checklist.ProbeKind; "pass", "fail" or "unfinished").
func (m *Metrics) Probe(kind, result string) {
	if m == nil {
		return
	}
	m.probes.WithLabelValues(kind, result).Inc()
}

// Click counts one interactive action. kind must come from the code (for
// example the action_id prefix: "tick", "approve", "import_submit").
func (m *Metrics) Click(kind string, o Outcome) {
	if m == nil {
		return
	}
	m.clicks.WithLabelValues(m.clickKinds.value(kind), o.label()).Inc()
}

// SlackCall counts one Web API request; errCode is "" on success, else
// Slack's error code or one of ratelimited, http_5xx, http_4xx,
// invalid_response, transport.
// SlackTransport calls it for every request; call it directly only for
// requests that do not go through that transport.
func (m *Metrics) SlackCall(method, errCode string) {
	if m == nil {
		return
	}
	method = m.slackMethods.value(method)
	m.slackCalls.WithLabelValues(method).Inc()
	if errCode != "" {
		m.slackErrors.WithLabelValues(method, m.slackCodes.value(errCode)).Inc()
	}
}

// ReminderSent counts a reminder posted lag after it was due.
func (m *Metrics) ReminderSent(lag time.Duration) {
	if m == nil {
		return
	}
	m.reminders.WithLabelValues("sent").Inc()
	m.reminderLag.Observe(max(lag, 0).Seconds())
}

// ReminderFailed counts a reminder whose post failed.
func (m *Metrics) ReminderFailed() {
	if m == nil {
		return
	}
	m.reminders.WithLabelValues("failed").Inc()
}

// SchedulerTick records the time of the scheduler's latest pass.
func (m *Metrics) SchedulerTick(at time.Time) {
	if m == nil {
		return
	}
	m.schedulerTick.Set(float64(at.UnixMilli()) / 1000)
}

// RemindersOldestPending records how long the oldest due reminder not yet
// sent has been due (0 when none is), as the scheduler's latest pass saw it.
func (m *Metrics) RemindersOldestPending(age time.Duration) {
	if m == nil {
		return
	}
	m.oldestPending.Set(max(age, 0).Seconds())
}

// RemindersPending records how many reminders are planned and not done yet.
func (m *Metrics) RemindersPending(n int) {
	if m == nil {
		return
	}
	m.remindersWait.Set(float64(n))
}

// ObserveRequest records how long a Slack request took to acknowledge. kind
// is command, interaction or event.
func (m *Metrics) ObserveRequest(kind string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(m.requestKinds.value(kind)).Observe(d.Seconds())
}

// DBBusy counts one SQLITE_BUSY or SQLITE_LOCKED failure.
func (m *Metrics) DBBusy() {
	if m == nil {
		return
	}
	m.dbBusy.Inc()
}

// RequestRejected counts one request refused before any work: reason comes
// from the code (unsigned, stale, bad_signature, ...), never from the request.
func (m *Metrics) RequestRejected(reason string) {
	if m == nil {
		return
	}
	m.rejected.WithLabelValues(m.rejectReasons.value(reason)).Inc()
}

// SlackHeld counts one Web API call held back by golive while Slack's
// Retry-After for its method was in force. It has no team label: teams are
// unbounded, and the hold's log line names the team.
func (m *Metrics) SlackHeld(method string) {
	if m == nil {
		return
	}
	m.slackHeld.WithLabelValues(m.slackMethods.value(method)).Inc()
}

// SlackWorkDropped counts one piece of queued Slack work not done; reason
// comes from the code.
func (m *Metrics) SlackWorkDropped(reason string) {
	if m == nil {
		return
	}
	m.workDropped.WithLabelValues(m.dropReasons.value(reason)).Inc()
}

// SlackWorkQueued records how much Slack work is queued.
func (m *Metrics) SlackWorkQueued(n int) {
	if m == nil {
		return
	}
	m.queued.Set(float64(n))
}

// RefreshesPending records how many launches have a message refresh
// pending or in flight.
func (m *Metrics) RefreshesPending(n int) {
	if m == nil {
		return
	}
	m.refreshes.Set(float64(n))
}

// outboxResults are the values of golive_outbox_posts_total's result label.
var outboxResults = []string{"sent", "unknown", "failed"}

// OutboxDepth records how many posts are owed to Slack and not delivered yet.
func (m *Metrics) OutboxDepth(n int) {
	if m == nil {
		return
	}
	m.outboxDepth.Set(float64(n))
}

// OutboxPost counts a post the outbox finished: result is sent, unknown or
// failed.
func (m *Metrics) OutboxPost(result string) {
	if m == nil {
		return
	}
	for _, r := range outboxResults {
		if r == result {
			m.posts.WithLabelValues(r).Inc()
			return
		}
	}
	m.posts.WithLabelValues(otherLabel).Inc()
}

// WriteBatch records one shared write transaction that committed: how many
// changes it stored, over how many launches.
func (m *Metrics) WriteBatch(changes, launches int) {
	if m == nil {
		return
	}
	m.batchChanges.Observe(float64(changes))
	m.batchLaunches.Observe(float64(launches))
}
