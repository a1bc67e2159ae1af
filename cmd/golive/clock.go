package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Clock is GOLIVE_CLOCK, a clock for tests that runs rate times faster
// than the real one: at the real instant epoch it reads start. Every
// process given the same value reads the same time, so a restarted server
// and `golive import` share one warped clock with the server they follow.
type Clock struct {
	start time.Time
	epoch time.Time
	rate  float64
}

// Timings under a test clock, in real time. A warped week of reminders
// would otherwise make a 2-minute lease last milliseconds, shorter than one
// call to Slack: leases, and the bounds of the calls they cover, are kept
// to these real durations, long enough for a loaded test machine and short
// enough for a killed server's claims to lapse within seconds.
const (
	testSlackCallTimeout = time.Second
	testLease            = 3 * time.Second
	// testMaxWait is the longest delivery sleeps between looks, so that a
	// warped clock does not make it spin.
	testMaxWait = time.Second
)

// parseClock reads GOLIVE_CLOCK, "<start RFC3339>@<real Unix epoch
// seconds>x<rate>"; "" is the real clock (nil).
func parseClock(s string) (*Clock, error) {
	if s == "" {
		return nil, nil
	}
	bad := func(why string) error {
		return fmt.Errorf("GOLIVE_CLOCK=%q %s: write <start RFC3339>@<real Unix time>x<rate>, "+
			"for example 2027-03-01T07:00:00Z@1764720000x600 (testing only; leave it unset in production)", s, why)
	}
	startText, rest, ok := strings.Cut(s, "@")
	if !ok {
		return nil, bad("has no @")
	}
	epochText, rateText, ok := strings.Cut(rest, "x")
	if !ok {
		return nil, bad("has no x<rate>")
	}
	start, err := time.Parse(time.RFC3339, startText)
	if err != nil {
		return nil, bad("does not start with an RFC3339 time")
	}
	epoch, err := strconv.ParseInt(epochText, 10, 64)
	if err != nil {
		return nil, bad("has no Unix time after @")
	}
	rate, err := strconv.ParseFloat(rateText, 64)
	if err != nil || rate < 1 || rate > 1e6 {
		return nil, bad("has no rate from 1 to 1000000 after x")
	}
	return &Clock{start: start.UTC(), epoch: time.Unix(epoch, 0), rate: rate}, nil
}

// Now is the warped time.
func (c *Clock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.epoch)) * c.rate))
}

// After waits d of warped time: d/rate of real time.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	return time.After(c.Real(d))
}

// Real is how long d of warped time lasts in real time.
func (c *Clock) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.rate)
}

// Warped is how much warped time passes in d of real time.
func (c *Clock) Warped(d time.Duration) time.Duration {
	return time.Duration(float64(d) * c.rate)
}

func (c *Clock) String() string {
	if c == nil {
		return "real"
	}
	return fmt.Sprintf("%s@%dx%g", c.start.Format(time.RFC3339), c.epoch.Unix(), c.rate)
}

// now is the configured clock's Now.
func (c Config) now() func() time.Time {
	if c.Clock == nil {
		return time.Now
	}
	return c.Clock.Now
}

// slackCallTimeout bounds one Web API request, in real time.
func (c Config) slackCallTimeout() time.Duration {
	if c.Clock == nil {
		return slackCallTimeout
	}
	return testSlackCallTimeout
}

// loopTimings are the clock and the waits of a loop working through claims
// (delivery: the reminders and the outbox). Zero values are the loop's
// defaults.
type loopTimings struct {
	now         func() time.Time
	after       func(time.Duration) <-chan time.Time
	lease       time.Duration
	callTimeout time.Duration
	maxWait     time.Duration
}

// loopTimings returns the timings of a loop whose longest sleep is maxWait
// (0 for its default). Under a test clock, the lease and the call timeout
// are the real testLease and testSlackCallTimeout expressed in warped time,
// and the loop sleeps at most testMaxWait of real time.
func (c Config) loopTimings(maxWait time.Duration) loopTimings {
	if c.Clock == nil {
		return loopTimings{maxWait: maxWait}
	}
	return loopTimings{
		now:         c.Clock.Now,
		after:       c.Clock.After,
		lease:       c.Clock.Warped(testLease),
		callTimeout: c.Clock.Warped(testSlackCallTimeout),
		maxWait:     c.Clock.Warped(testMaxWait),
	}
}
