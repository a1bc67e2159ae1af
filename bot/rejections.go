package bot

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/golive/golive/internal/metrics"
)

// maxLogged is the most bytes of a request-derived value a log line
// carries: enough to recognise it, too little to fill a disk with.
const maxLogged = 64

// clip returns s cut to maxLogged bytes (on a character boundary) and
// marked with how much was left out, for values that came in a request.
func clip(s string) string {
	if len(s) <= maxLogged {
		return s
	}
	cut := maxLogged
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…[%d bytes]", s[:cut], len(s))
}

// rejectExtraActions is the reason, as the log and the
// golive_requests_rejected_total metric name it, an interaction's actions
// beyond the first are refused.
const rejectExtraActions = "extra_actions"

// Sampling of logs that anyone can cause: each event must not cost a log
// line (unsigned requests, work refused under load).
const (
	// sampleWindow is the period over which events are sampled.
	sampleWindow = time.Minute
	// sampledPerWindow is how many events a window logs one by one; the
	// rest are logged as one count when the window ends.
	sampledPerWindow = 10
)

// sampledLog logs events of one kind (requests rejected, work dropped) and
// counts each one: the first sampledPerWindow of each minute are logged one
// by one, the rest as one summary line, with counts by reason, at the
// minute's end.
type sampledLog struct {
	log     *slog.Logger
	msg     string
	summary string
	count   func(reason string)
	now     func() time.Time

	mu         sync.Mutex
	windowEnd  time.Time
	logged     int
	suppressed map[string]int
	timer      *time.Timer
	closed     bool
}

func newSampledLog(log *slog.Logger, msg, summary string, count func(reason string)) *sampledLog {
	return &sampledLog{log: log, msg: msg, summary: summary, count: count, now: time.Now, suppressed: map[string]int{}}
}

// newRejections returns the log of requests refused before any work,
// counted in golive_requests_rejected_total.
func newRejections(log *slog.Logger, m *metrics.Metrics) *sampledLog {
	return newSampledLog(log, "rejected a request", "more requests rejected than logged one by one", m.RequestRejected)
}

// reject counts and logs one request refused before any work.
func (r *sampledLog) reject(reason, path string, attrs ...any) {
	r.add(reason, append([]any{"path", clip(path)}, attrs...)...)
}

// add counts one event and logs it when the window's sample has room.
// attrs must already be clipped or come from the code.
func (r *sampledLog) add(reason string, attrs ...any) {
	r.count(reason)
	r.mu.Lock()
	now := r.now()
	if !now.Before(r.windowEnd) {
		r.summarizeLocked()
		r.windowEnd = now.Add(sampleWindow)
		r.logged = 0
	}
	if r.logged < sampledPerWindow {
		r.logged++
		r.mu.Unlock()
		r.log.Warn(r.msg, append([]any{"reason", reason}, attrs...)...)
		return
	}
	r.suppressed[reason]++
	if r.timer == nil && !r.closed {
		r.timer = time.AfterFunc(r.windowEnd.Sub(now), r.summarize)
	}
	r.mu.Unlock()
}

// summarize logs the count of events not logged one by one.
func (r *sampledLog) summarize() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.summarizeLocked()
}

func (r *sampledLog) summarizeLocked() {
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	if len(r.suppressed) == 0 {
		return
	}
	total := 0
	reasons := make([]string, 0, len(r.suppressed))
	for reason, n := range r.suppressed {
		total += n
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	attrs := []any{"count", total, "window", sampleWindow.String()}
	for _, reason := range reasons {
		attrs = append(attrs, reason, r.suppressed[reason])
	}
	r.log.Warn(r.summary, attrs...)
	r.suppressed = map[string]int{}
}

// close logs what is left to summarize and stops the timer.
func (r *sampledLog) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	r.summarizeLocked()
}
