package bot

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimits() (*RateLimits, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	l := NewRateLimits(nil, nil)
	l.now = clock.now
	return l, clock
}

func TestRateLimitsPaceABurstThenTheRate(t *testing.T) {
	l, clock := newTestLimits()
	post := keyFor("", "chat.postMessage", "C1")
	for range 5 { // chat.postMessage's burst in one channel
		require.Equal(t, clock.now(), l.readyAt(post, clock.now()))
		l.take(post)
	}
	assert.Equal(t, clock.now().Add(time.Second), l.readyAt(post, clock.now()), "then one a second")
	assert.Equal(t, clock.now(), l.readyAt(keyFor("", "chat.postMessage", "C2"), clock.now()), "another channel has its own")
	assert.Equal(t, clock.now(), l.readyAt(keyFor("", "chat.update", "C1"), clock.now()), "another method has its own")
	clock.advance(time.Second)
	assert.Equal(t, clock.now(), l.readyAt(post, clock.now()))
}

func TestRateLimitsHoldAMethodForItsRetryAfterThenDrainAtItsPace(t *testing.T) {
	l, clock := newTestLimits()
	update := keyFor("", "chat.update", "")
	start := clock.now()
	l.hold(update, 120*time.Second)

	assert.Equal(t, 120*time.Second, l.heldFor(update))
	assert.Equal(t, start.Add(120*time.Second), l.readyAt(update, clock.now()))
	assert.Zero(t, l.heldFor(keyFor("", "chat.postMessage", "C1")), "other methods are not held")
	assert.Equal(t, keyFor("", "chat.update", ""), keyFor("", "chat.update", "C9"), "chat.update counts per workspace")

	// After the hold: one call at once, then tier 3's pace (50 a minute),
	// not a burst of the backlog.
	clock.advance(120 * time.Second)
	var times []time.Time
	for range 5 {
		at := l.readyAt(update, clock.now())
		if at.After(clock.now()) {
			clock.advance(at.Sub(clock.now()))
		}
		times = append(times, clock.now())
		l.take(update)
	}
	assert.Equal(t, start.Add(120*time.Second), times[0])
	for i := 1; i < len(times); i++ {
		assert.InDelta(t, 1.2, times[i].Sub(times[i-1]).Seconds(), 0.001, "call %d", i)
	}
}

func TestRateLimitsForgetIdleChannels(t *testing.T) {
	l, clock := newTestLimits()
	for i := range maxRateKeys + 10 {
		l.take(keyFor("", "chat.postMessage", "C"+strconv.Itoa(i)))
		clock.advance(10 * time.Second)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	assert.LessOrEqual(t, len(l.keys), maxRateKeys)
}

func TestAPIMethodAndChannelOfARequest(t *testing.T) {
	for path, want := range map[string]string{
		"/api/chat.postMessage":      "chat.postMessage",
		"/slack/api/chat.update":     "chat.update",
		"/upload/v1/abc":             "",
		"/api/":                      "",
		"/api/files.completeUpload/": "",
	} {
		assert.Equal(t, want, apiMethod(&url.URL{Path: path}), path)
	}
	form, err := http.NewRequest(http.MethodPost, "https://slack.com/api/chat.postMessage", strings.NewReader("channel=C42&text=hi"))
	require.NoError(t, err)
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, "C42", requestChannel(form))
	body, _ := io.ReadAll(form.Body)
	assert.Equal(t, "channel=C42&text=hi", string(body), "the body is left for the call")
	js, err := http.NewRequest(http.MethodPost, "https://slack.com/api/chat.postMessage", strings.NewReader(`{"channel":"C7"}`))
	require.NoError(t, err)
	js.Header.Set("Content-Type", "application/json; charset=utf-8")
	assert.Equal(t, "C7", requestChannel(js))
}

// Through the transport, a 429 holds its method and channel: the next calls
// get Slack's Retry-After at once without reaching Slack, while the same
// method in another channel goes on.
func TestTransportHoldsWhatSlackRateLimited(t *testing.T) {
	var reached atomic.Int32
	slackAPI := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		reached.Add(1)
		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"ok":true,"channel":"C2","ts":"1.1"}`)), Request: req}
		if requestChannel(req) == "C1" {
			resp.StatusCode = http.StatusTooManyRequests
			resp.Header.Set("Retry-After", "120")
			resp.Body = io.NopCloser(strings.NewReader(""))
		}
		return resp, nil
	})
	l := NewRateLimits(nil, nil)
	api := slack.New("xoxb-test", slack.OptionHTTPClient(&http.Client{Transport: l.Transport("", slackAPI)}))

	for range 3 {
		_, _, err := api.PostMessageContext(context.Background(), "C1", slack.MsgOptionText("x", false))
		var limited *slack.RateLimitedError
		require.ErrorAs(t, err, &limited)
		assert.InDelta(t, 120, limited.RetryAfter.Seconds(), 1)
	}
	assert.Equal(t, int32(1), reached.Load(), "held calls do not reach Slack")
	_, _, err := api.PostMessageContext(context.Background(), "C2", slack.MsgOptionText("x", false))
	require.NoError(t, err, "another channel goes on")
	assert.Equal(t, int32(2), reached.Load())
}

// Each team has its own paces and its own holds: Slack limits per app per
// workspace.
func TestRateLimitsKeepEachTeamApart(t *testing.T) {
	l, clock := newTestLimits()
	updateA, updateB := keyFor("TA", "chat.update", ""), keyFor("TB", "chat.update", "")
	l.hold(updateA, time.Hour)
	assert.Equal(t, time.Hour, l.heldFor(updateA))
	assert.Zero(t, l.heldFor(updateB), "B's chat.update is not held by A's 429")
	assert.Equal(t, clock.now(), l.readyAt(updateB, clock.now()))

	postA, postB := keyFor("TA", "chat.postMessage", "C1"), keyFor("TB", "chat.postMessage", "C1")
	for range 5 { // A's burst in its channel C1
		l.take(postA)
	}
	assert.Equal(t, clock.now().Add(time.Second), l.readyAt(postA, clock.now()))
	assert.Equal(t, clock.now(), l.readyAt(postB, clock.now()), "B's channel of the same id keeps its own pace")
}

// A team that stops calling (it uninstalled golive, say) leaves no state
// behind once its buckets are full again and its holds over, however few
// other keys there are.
func TestRateLimitsForgetIdleTeams(t *testing.T) {
	l, clock := newTestLimits()
	l.take(keyFor("TGONE", "chat.update", ""))
	l.hold(keyFor("TGONE", "chat.postMessage", "C1"), 2*time.Minute)
	keys := func() map[rateKey]bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		got := map[rateKey]bool{}
		for k := range l.keys {
			got[k] = true
		}
		return got
	}
	clock.advance(sweepEvery)
	l.take(keyFor("TA", "chat.update", ""))
	assert.Equal(t, map[rateKey]bool{keyFor("TGONE", "chat.postMessage", "C1"): true, keyFor("TA", "chat.update", ""): true}, keys(),
		"the full bucket is forgotten, the hold in force is kept")
	clock.advance(2 * sweepEvery)
	l.take(keyFor("TA", "chat.update", ""))
	assert.Equal(t, map[rateKey]bool{keyFor("TA", "chat.update", ""): true}, keys(), "the hold over and its bucket full again, nothing is left of TGONE")
}
