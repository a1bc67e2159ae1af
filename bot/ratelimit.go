package bot

import (
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive/internal/metrics"
)

// rate is a Web API method's pace: calls per second on average, and how
// many may go at once after a quiet spell.
type rate struct {
	perSecond float64
	burst     float64
}

// Slack's rate limits apply per method and workspace (per app per
// workspace), and chat.postMessage's per channel as well: each team golive
// is installed in has its own paces and its own Retry-After holds. The
// tiers are allowances per minute that tolerate bursts within the minute;
// after a 429 the bucket restarts empty, so a backlog drains at the rate.
// Source: docs.slack.dev/apis/web-api/rate-limits and each method's page.
var (
	tier3 = rate{perSecond: 50.0 / 60, burst: 50}
	tier4 = rate{perSecond: 100.0 / 60, burst: 100}
	// defaultRates are the methods golive calls; others pace as tier 3.
	defaultRates = map[string]rate{
		"chat.postMessage":   {perSecond: 1, burst: 5}, // per channel
		"chat.update":        tier3,
		"chat.postEphemeral": tier4,
		"conversations.open": tier3,
		"views.open":         tier4,
		"views.publish":      tier4,
		"views.update":       tier4,
		"users.info":         tier4,
		"auth.test":          tier4,
	}
)

// perChannel are the methods whose limit is counted per channel.
var perChannel = map[string]bool{"chat.postMessage": true}

// defaultRetryAfter is the wait after a 429 that says no Retry-After.
const defaultRetryAfter = 30 * time.Second

// Bounds of the state kept: every sweepEvery, and whenever maxRateKeys are
// kept, the entries of idle methods, channels and teams (back to a full
// bucket and held by no Retry-After, so forgetting them changes nothing)
// are dropped. A team that uninstalled golive leaves no entry behind for
// longer than two minutes past its last call or the end of its last hold
// (a bucket is full again within a minute of its last call, and the next
// call of any team after a minute's sweep drops it).
const (
	maxRateKeys = 1000
	sweepEvery  = time.Minute
)

// rateKey is what one Slack rate limit counts: a team's method, and for
// chat.postMessage a channel of that team. The team is "" where golive
// serves a single workspace (SLACK_BOT_TOKEN).
type rateKey struct{ team, method, channel string }

func keyFor(team, method, channel string) rateKey {
	if !perChannel[method] {
		channel = ""
	}
	return rateKey{team, method, channel}
}

// RateLimits keeps golive's Web API calls within Slack's rate limits. Every
// call through a team's Transport is counted against that team's method
// (and channel, for chat.postMessage); a 429 holds that team's method (and
// channel) for its Retry-After, during which calls to it are answered 429
// at once, without reaching Slack, and calls to every other method, channel
// and team go on.
// Background work waits for its turn (readyAt) instead of being refused.
// It is safe for concurrent use.
type RateLimits struct {
	now     func() time.Time
	rates   map[string]rate
	metrics *metrics.Metrics
	log     *slog.Logger

	mu   sync.Mutex
	keys map[rateKey]*bucket
	// swept is when idle entries were last dropped.
	swept time.Time
}

// bucket is one rate limit's state: a token bucket, and the Retry-After
// in force.
type bucket struct {
	tokens  float64
	at      time.Time // when tokens was last brought up to date (or, held, will start filling)
	blocked time.Time // no call before this
}

// NewRateLimits returns rate limits at Slack's published rates; calls held
// back are counted in m, which may be nil, and the holds Slack asks for are
// logged to log (with their team: the metric names the method only, as
// teams are unbounded), which may be nil.
func NewRateLimits(m *metrics.Metrics, log *slog.Logger) *RateLimits {
	rates := make(map[string]rate, len(defaultRates))
	for m, r := range defaultRates {
		rates[m] = r
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &RateLimits{now: time.Now, rates: rates, metrics: m, log: log, keys: map[rateKey]*bucket{}}
}

func (l *RateLimits) rateOf(method string) rate {
	if r, ok := l.rates[method]; ok {
		return r
	}
	return tier3
}

// bucketLocked returns k's bucket brought up to now; l.mu is held.
func (l *RateLimits) bucketLocked(k rateKey, now time.Time) *bucket {
	r := l.rateOf(k.method)
	if len(l.keys) >= maxRateKeys || !now.Before(l.swept.Add(sweepEvery)) {
		l.pruneLocked(now)
	}
	b := l.keys[k]
	if b == nil {
		b = &bucket{tokens: r.burst, at: now}
		l.keys[k] = b
		return b
	}
	if now.After(b.at) {
		b.tokens = math.Min(r.burst, b.tokens+now.Sub(b.at).Seconds()*r.perSecond)
		b.at = now
	}
	return b
}

// pruneLocked forgets buckets back to their initial state: full and not held.
func (l *RateLimits) pruneLocked(now time.Time) {
	l.swept = now
	for k, b := range l.keys {
		r := l.rateOf(k.method)
		full := now.After(b.at) && b.tokens+now.Sub(b.at).Seconds()*r.perSecond >= r.burst
		if full && !b.blocked.After(now) {
			delete(l.keys, k)
		}
	}
}

// readyAt returns when a call counted against k may go: now, or later
// when k is held by a Retry-After or has used up its burst.
func (l *RateLimits) readyAt(k rateKey, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(k, now)
	at := now
	if b.tokens < 1 {
		at = later(now, b.at).Add(time.Duration((1 - b.tokens) / l.rateOf(k.method).perSecond * float64(time.Second)))
	}
	if b.blocked.After(at) {
		at = b.blocked
	}
	return at
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// heldFor returns how long k is still held by a Retry-After, or 0.
func (l *RateLimits) heldFor(k rateKey) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	return max(l.bucketLocked(k, now).blocked.Sub(now), 0)
}

// take counts one call against k. Calls that cannot wait (an answer to a
// click) go even with no token left: the debt, at most one burst, delays
// the background work that comes after them.
func (l *RateLimits) take(k rateKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(k, l.now())
	b.tokens = math.Max(b.tokens-1, -l.rateOf(k.method).burst)
}

// hold records Slack's Retry-After for k: no call before it ends, and
// none in a burst after it.
func (l *RateLimits) hold(k rateKey, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.bucketLocked(k, now)
	if until := now.Add(d); until.After(b.blocked) {
		b.blocked = until
	}
	// One call when the hold ends, and filling only from then: the
	// backlog drains at the method's pace, not in a burst.
	b.tokens = math.Min(b.tokens, 1)
	b.at = b.blocked
}

// Transport returns next with team's rate limits applied to every Web API
// call: counted, held back with an immediate 429 while Slack's Retry-After
// for its method (and channel) in team is in force, and held after a 429
// from Slack. team is the workspace whose token the client carries ("" for
// the single workspace of SLACK_BOT_TOKEN): each client has its own.
// Requests that are not Web API calls pass through.
func (l *RateLimits) Transport(team string, next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		method := apiMethod(req.URL)
		if method == "" {
			return next.RoundTrip(req)
		}
		k := keyFor(team, method, "")
		if perChannel[method] {
			k = keyFor(team, method, requestChannel(req))
		}
		if held := l.heldFor(k); held > 0 {
			l.metrics.SlackHeld(method)
			if req.Body != nil {
				req.Body.Close()
			}
			return tooManyRequests(req, held), nil
		}
		l.take(k)
		resp, err := next.RoundTrip(req)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			d := retryAfter(resp.Header.Get("Retry-After"))
			l.log.Info("Slack rate limited a call; holding its method in this workspace", "team", team, "method", method, "retry_after", d.String())
			l.hold(k, d)
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// apiMethod returns the Web API method a request calls ("chat.update" for
// .../api/chat.update), or "" for other requests (file uploads, say).
func apiMethod(u *url.URL) string {
	i := strings.LastIndex(u.Path, "/api/")
	if i < 0 {
		return ""
	}
	m := u.Path[i+len("/api/"):]
	if m == "" || strings.Contains(m, "/") {
		return ""
	}
	return m
}

// maxChannelBody bounds how much of a request is read to find its channel.
const maxChannelBody = 1 << 20

// requestChannel returns the channel a chat.postMessage request posts in,
// read from a copy of its body (form-encoded or JSON); "" when unknown.
func requestChannel(req *http.Request) string {
	if req.GetBody == nil {
		return ""
	}
	body, err := req.GetBody()
	if err != nil {
		return ""
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxChannelBody))
	if err != nil {
		return ""
	}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") {
		var v struct {
			Channel string `json:"channel"`
		}
		_ = json.Unmarshal(data, &v)
		return v.Channel
	}
	form, _ := url.ParseQuery(string(data))
	return form.Get("channel")
}

// retryAfter reads a Retry-After header in seconds.
func retryAfter(h string) time.Duration {
	sec, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || sec < 0 {
		return defaultRetryAfter
	}
	return max(time.Duration(sec)*time.Second, time.Second)
}

// tooManyRequests is the 429 a held call gets instead of reaching Slack;
// slack-go turns it into a *slack.RateLimitedError like Slack's own.
func tooManyRequests(req *http.Request, held time.Duration) *http.Response {
	secs := int(math.Ceil(held.Seconds()))
	return &http.Response{
		Status:     "429 Too Many Requests",
		StatusCode: http.StatusTooManyRequests,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{"Retry-After": {strconv.Itoa(secs)}, "Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(`{"ok":false,"error":"ratelimited"}`)),
		Request:    req,
	}
}
