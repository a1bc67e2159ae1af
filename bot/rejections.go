package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

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

// Reasons a request is refused before any work, as the log and the
// golive_requests_rejected_total metric name them.
const (
	rejectUnsigned     = "unsigned"
	rejectSignature    = "bad_signature"
	rejectMalformedSig = "malformed_signature"
	rejectStale        = "stale"
	rejectNoSecret     = "no_secret"
	rejectTooLarge     = "too_large"
	rejectMalformed    = "malformed"
	rejectExtraActions = "extra_actions"
)

// rejectReason names why a signature check failed without quoting the
// request: slack-go's errors quote a malformed timestamp whole.
func rejectReason(err error) string {
	switch {
	case errors.Is(err, errNoSecret), errors.Is(err, slack.ErrInvalidConfiguration):
		return rejectNoSecret
	case errors.Is(err, slack.ErrMissingHeaders):
		return rejectUnsigned
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return rejectStale
	case errors.Is(err, slack.ErrInvalidSignature):
		return rejectSignature
	default:
		// An unparsable timestamp or signature (strconv, hex errors).
		return rejectMalformedSig
	}
}

// Sampling of rejection logs: anyone can send unsigned requests, so each
// one must not cost a log line.
const (
	// rejectionWindow is the period over which rejections are sampled.
	rejectionWindow = time.Minute
	// rejectionsLogged is how many rejections a window logs one by one; the
	// rest are logged as one count when the window ends.
	rejectionsLogged = 10
)

// rejections logs and counts requests refused before any work. Every one is
// counted in the metrics; the first rejectionsLogged of each minute are
// logged one by one, and the rest as one summary line at the minute's end.
type rejections struct {
	log     *slog.Logger
	metrics *metrics.Metrics
	now     func() time.Time

	mu         sync.Mutex
	windowEnd  time.Time
	logged     int
	suppressed map[string]int
	timer      *time.Timer
	closed     bool
}

func newRejections(log *slog.Logger, m *metrics.Metrics) *rejections {
	return &rejections{log: log, metrics: m, now: time.Now, suppressed: map[string]int{}}
}

// reject counts one refused request and logs it when the window's sample
// has room. attrs must already be clipped or come from the code.
func (r *rejections) reject(reason, path string, attrs ...any) {
	r.metrics.RequestRejected(reason)
	r.mu.Lock()
	now := r.now()
	if !now.Before(r.windowEnd) {
		r.summarizeLocked()
		r.windowEnd = now.Add(rejectionWindow)
		r.logged = 0
	}
	if r.logged < rejectionsLogged {
		r.logged++
		r.mu.Unlock()
		r.log.Warn("rejected a request", append([]any{"reason", reason, "path", clip(path)}, attrs...)...)
		return
	}
	r.suppressed[reason]++
	if r.timer == nil && !r.closed {
		r.timer = time.AfterFunc(r.windowEnd.Sub(now), r.summarize)
	}
	r.mu.Unlock()
}

// summarize logs the count of rejections not logged one by one.
func (r *rejections) summarize() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.summarizeLocked()
}

func (r *rejections) summarizeLocked() {
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
	attrs := []any{"count", total, "window", rejectionWindow.String()}
	for _, reason := range reasons {
		attrs = append(attrs, reason, r.suppressed[reason])
	}
	r.log.Warn("more requests rejected than logged one by one", attrs...)
	r.suppressed = map[string]int{}
}

// close logs what is left to summarize and stops the timer.
func (r *rejections) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	r.summarizeLocked()
}
