package bot

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/metrics"
)

// commandIn sends "/golive text" as user in channel.
func (h *harness) commandIn(channel, user, text string) ack {
	h.t.Helper()
	n := h.seq.Add(1)
	body := []byte(url.Values{
		"team_id": {testTeam}, "channel_id": {channel}, "user_id": {user}, "command": {"/golive"}, "text": {text},
		"response_url": {h.slack.responseURL("cmd" + strconv.FormatInt(n, 10))}, "trigger_id": {"trigger" + strconv.FormatInt(n, 10)},
	}.Encode())
	return readAck(h.t, h.post("/slack/commands", body))
}

// posted returns the chat.postMessage calls in channel that Slack took.
func (f *fakeSlack) posted(channel string) []fakeCall {
	var out []fakeCall
	for _, c := range f.callsOf("chat.postMessage") {
		if c.Form.Get("channel") == channel && !c.Limited {
			out = append(out, c)
		}
	}
	return out
}

// attempts returns the calls of method in channel ("" for any) that reached
// the fake, answered 429 or not.
func (f *fakeSlack) attempts(method, channel string) int {
	n := 0
	for _, c := range f.callsOf(method) {
		if channel == "" || c.Form.Get("channel") == channel {
			n++
		}
	}
	return n
}

// With Slack answering 429 and Retry-After 120 to the posts in one channel,
// golive keeps answering, holds that channel's posts without a goroutine
// each and without calling Slack again, and posts in another channel at
// once.
func TestRetryAfterInOneChannelHoldsNoOtherWork(t *testing.T) {
	m := metrics.New("test")
	h := newHarness(t, func(c *Config) { c.Metrics = m })
	for _, ch := range []string{"C1", "C2"} {
		require.Equal(t, "in_channel", h.commandIn(ch, creator, `new "Launch `+ch+`" 2026-12-01`).Answer.ResponseType)
	}
	h.slack.rateLimit("chat.postMessage", "C1", 120, 10*time.Minute)
	h.commandIn("C1", creator, "status")
	require.Eventually(t, func() bool { return h.slack.attempts("chat.postMessage", "C1") == 1 }, 5*time.Second, 5*time.Millisecond)
	runtime.GC()
	base := runtime.NumGoroutine()

	views := []string{"status", "checklist", "checklist 2", "checklist 3", "checklist 4"}
	for i := range 300 {
		a := h.commandIn("C1", creator, views[i%len(views)])
		require.Equal(t, http.StatusOK, a.Status, "every command is acknowledged at once")
	}
	grown := runtime.NumGoroutine() - base
	assert.Less(t, grown, 20, "queued work costs no goroutine each: %d more", grown)

	h.commandIn("C2", creator, "status")
	require.Eventually(t, func() bool { return len(h.slack.posted("C2")) == 1 }, 5*time.Second, 5*time.Millisecond,
		"a post in another channel goes out while C1 is held")
	assert.Equal(t, 1, h.slack.attempts("chat.postMessage", "C1"), "C1's held posts never reached Slack again")
	assert.Empty(t, h.slack.posted("C1"))

	h.bot.work.mu.Lock()
	queued := h.bot.work.queued
	h.bot.work.mu.Unlock()
	assert.LessOrEqual(t, queued, len(views), "the same message asked for again is queued once")
	c := counters(t, m)
	assert.Equal(t, float64(300-len(views)+1), c["golive_slack_work_dropped_total reason=collapsed"])
}

// After a Retry-After the backlog goes out in order, one post at a time at
// the channel's pace, not in a burst.
func TestBacklogDrainsAtTheChannelsPace(t *testing.T) {
	const perSecond = 20.0
	h := newHarness(t, func(c *Config) { c.Limits.rates["chat.postMessage"] = rate{perSecond: perSecond, burst: 3} })
	h.slack.rateLimit("chat.postMessage", "C1", 1, time.Second)

	const n = 12
	for i := range n {
		text := "backlog " + strconv.Itoa(i)
		require.True(t, h.bot.work.push(&job{lane: postLane("", "C1"), run: func(ctx context.Context) error {
			_, _, err := h.bot.api(ctx, "T1").PostMessageContext(ctx, "C1", slack.MsgOptionText(text, false))
			return err
		}}))
	}
	require.Eventually(t, func() bool { return len(h.slack.posted("C1")) == n }, 20*time.Second, 10*time.Millisecond)

	posted := h.slack.posted("C1")
	assert.Equal(t, 1, h.slack.attempts("chat.postMessage", "C1")-n, "one 429, then nothing until the Retry-After ended")
	limitedAt := h.slack.callsOf("chat.postMessage")[0].At
	for i, c := range posted {
		assert.Equal(t, "backlog "+strconv.Itoa(i), c.Form.Get("text"), "in order")
		// The fake stamps arrivals. The hold ends a second after the 429
		// (which came after limitedAt) with one call allowed, and the
		// channel's allowance fills from then: post i is due no sooner
		// than i intervals after it. A loaded machine only makes it later;
		// a burst would come early. (Measured from the first post instead,
		// a first post late by more than an interval, on a machine busy
		// with other tests, let the next ones catch up, and failed.)
		min := time.Second + time.Duration(float64(i)/perSecond*float64(time.Second)) - 10*time.Millisecond
		assert.GreaterOrEqual(t, c.At.Sub(limitedAt), min, "post %d keeps the pace", i)
	}
}

// A 429 on chat.update holds the launch's refresh, not the channel's posts;
// the ticks made meanwhile reach the message in one update when it ends.
func TestRefreshesCollapseUnderRetryAfterAndHoldNoPosts(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	items := firstItems(l, 8)
	h.slack.rateLimit("chat.update", "", 2, 2*time.Second)

	for _, n := range items {
		require.Equal(t, http.StatusOK, h.interact(h.toggle("UEVE", ts, n)).Status)
	}
	// The refresh reaches Slack first (owner names and all: not before the
	// status command on a busy machine, so wait for it), and is rate-limited.
	require.Eventually(t, func() bool { return h.slack.attempts("chat.update", "") > 0 }, 5*time.Second, 5*time.Millisecond)
	posts := len(h.slack.posted(testChan))
	h.command(creator, "status")
	require.Eventually(t, func() bool { return len(h.slack.posted(testChan)) > posts }, 5*time.Second, 5*time.Millisecond,
		"a post goes out while chat.update is held")
	assert.Equal(t, 1, h.slack.attempts("chat.update", ""), "one update reached Slack and was rate-limited; the rest wait")

	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		shown := shownDone(t, m)
		for _, n := range items {
			if !shown[n] {
				return false
			}
		}
		return true
	}, 15*time.Second, 10*time.Millisecond, "every tick shows once the Retry-After ends")
	var took int
	for _, c := range h.slack.callsOf("chat.update") {
		if !c.Limited {
			took++
		}
	}
	assert.LessOrEqual(t, took, 2, "the ticks made meanwhile collapse into the latest state")
}

// A full lane drops its oldest collapsible work, or refuses new work, and
// says so in the log and the metrics: never silently, never unbounded.
func TestAFullLaneDropsOrRefusesAndSaysSo(t *testing.T) {
	m := metrics.New("test")
	h := newHarness(t, func(c *Config) { c.Metrics = m })
	held := postLane("", "C9")
	h.bot.limits.hold(held.key(), time.Hour)
	runtime.GC()
	base := runtime.NumGoroutine()

	var mu sync.Mutex
	told := map[string]string{}
	jobFor := func(name, key string) *job {
		return &job{lane: held, key: key, run: func(context.Context) error { return errors.New("must not run") },
			dropped: func(reason string) { mu.Lock(); told[name] = reason; mu.Unlock() }}
	}
	for i := range maxLaneJobs {
		require.True(t, h.bot.work.push(jobFor("plain"+strconv.Itoa(i), "")))
	}
	assert.False(t, h.bot.work.push(jobFor("one too many", "")), "a lane full of work that must not merge refuses more")

	other := postLane("", "C10")
	h.bot.limits.hold(other.key(), time.Hour)
	for i := range maxLaneJobs {
		j := jobFor("keyed"+strconv.Itoa(i), "view"+strconv.Itoa(i))
		j.lane = other
		require.True(t, h.bot.work.push(j))
	}
	j := jobFor("newest", "view-new")
	j.lane = other
	assert.True(t, h.bot.work.push(j), "a lane full of collapsible work drops its oldest")
	same := jobFor("again", "view3")
	same.lane = other
	assert.True(t, h.bot.work.push(same), "work with the key of a queued job takes its place")

	assert.Less(t, runtime.NumGoroutine()-base, 5, "queued work costs no goroutine")
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(told) == 2
	}, 5*time.Second, 5*time.Millisecond)
	mu.Lock()
	assert.Equal(t, map[string]string{"one too many": dropQueueFull, "keyed0": dropSuperseded}, told)
	mu.Unlock()
	c := counters(t, m)
	assert.Equal(t, 1.0, c["golive_slack_work_dropped_total reason=queue_full"])
	assert.Equal(t, 1.0, c["golive_slack_work_dropped_total reason=superseded"])
	assert.Equal(t, 1.0, c["golive_slack_work_dropped_total reason=collapsed"])
	logs := h.logs.String()
	assert.Contains(t, logs, `"msg":"queued Slack work not done","reason":"queue_full","method":"chat.postMessage"`)
	assert.Contains(t, logs, `"msg":"queued Slack work not done","reason":"superseded"`)
	assert.False(t, strings.Contains(logs, "must not run"))
}

// Work with no rate to keep (answers through response_url) is not held to
// a rate-limited lane's bound: a burst of it is queued, then all done.
func TestABurstOfAnswersIsQueuedWhole(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	var mu sync.Mutex
	done := 0
	for range maxBackground {
		require.True(t, h.bot.work.push(&job{run: func(context.Context) error { <-release; return nil }}))
	}
	for range 3 * maxLaneJobs {
		require.True(t, h.bot.work.push(&job{run: func(context.Context) error { mu.Lock(); done++; mu.Unlock(); return nil }}))
	}
	close(release)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return done == 3*maxLaneJobs }, 10*time.Second, 5*time.Millisecond)
}

// Closing with more launches to refresh than the update lane holds, while
// Slack holds the lane: a refresh the full lane pushes out waits before it
// is queued again, instead of pushing out another at once, round and round
// (a hot loop until the close timeout).
func TestClosingWithAFullUpdateLaneDoesNotSpin(t *testing.T) {
	m := metrics.New("test")
	h := newHarness(t, func(c *Config) { c.Metrics = m })
	h.bot.limits.hold(updateLane("").key(), time.Hour)
	for id := range int64(maxLaneJobs + 10) {
		h.bot.refresh.schedule("", id+1, true, nil, "", time.Hour)
	}
	h.bot.refresh.flush()
	time.Sleep(300 * time.Millisecond)

	c := counters(t, m)
	drops := c["golive_slack_work_dropped_total reason=superseded"] + c["golive_slack_work_dropped_total reason=collapsed"] +
		c["golive_slack_work_dropped_total reason=queue_full"]
	assert.Less(t, drops, 200.0, "each refresh pushed out waits its delay (50 ms here) before trying again")
	assert.Positive(t, drops, "the lane was full")
}

// TestUrgentWorkTakesItsSlotBeforeItsGoroutine: past maxUrgent pieces of
// urgent work running at once, more is refused and counted without
// starting a goroutine for it (one started before taking its slot would
// park there, unbounded, under a burst).
func TestUrgentWorkTakesItsSlotBeforeItsGoroutine(t *testing.T) {
	m := metrics.New("test")
	h := newHarness(t, func(c *Config) { c.Metrics = m })
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(maxUrgent)
	for range maxUrgent {
		h.bot.urgent(func(context.Context) {
			started.Done()
			<-release
		})
	}
	started.Wait()
	runtime.GC()
	base := runtime.NumGoroutine()
	ran := atomic.Int64{}
	for range 200 {
		h.bot.urgent(func(context.Context) { ran.Add(1) })
	}
	assert.Less(t, runtime.NumGoroutine()-base, 5, "refused work starts no goroutine")
	close(release)
	h.bot.Close()
	assert.Zero(t, ran.Load(), "none of it ran later either")
	dropped := 0.0
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == "golive_slack_work_dropped_total" {
			for _, s := range f.GetMetric() {
				dropped += s.GetCounter().GetValue()
			}
		}
	}
	assert.Equal(t, 200.0, dropped)
}
