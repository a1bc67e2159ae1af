package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClockUnsetIsTheRealClock(t *testing.T) {
	c, err := LoadConfig(env(nil))
	require.NoError(t, err)
	assert.Nil(t, c.Clock)
	lt := c.loopTimings(deliveryMaxWait)
	assert.Nil(t, lt.now, "the loops keep their own clock")
	assert.Zero(t, lt.lease, "the loops keep their own lease")
	assert.Equal(t, slackCallTimeout, c.slackCallTimeout())
}

func TestClockWarpsTimeFromItsEpoch(t *testing.T) {
	epoch := time.Now().Add(-2 * time.Second).Unix()
	c, err := LoadConfig(env(map[string]string{"GOLIVE_CLOCK": "2027-03-01T00:00:00Z@" + strconv.FormatInt(epoch, 10) + "x3600"}))
	require.NoError(t, err)
	require.NotNil(t, c.Clock)
	// Two real seconds and a bit since the epoch, at an hour a second.
	now := c.Clock.Now()
	start := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	assert.False(t, now.Before(start.Add(2*time.Hour)), "golive's time %s", now)
	assert.True(t, now.Before(start.Add(2*time.Hour+time.Hour*10)), "golive's time %s", now)

	assert.Equal(t, time.Second, c.Clock.Real(time.Hour))
	lt := c.loopTimings(deliveryMaxWait)
	assert.Equal(t, c.Clock.Warped(testLease), lt.lease, "the lease lasts testLease of real time")
	assert.Equal(t, c.Clock.Warped(testMaxWait), lt.maxWait)
	assert.Greater(t, lt.lease, lt.callTimeout, "a claim outlives a call")
	assert.Equal(t, testSlackCallTimeout, c.slackCallTimeout())
}

func TestClockRefusesMalformedValues(t *testing.T) {
	for _, v := range []string{
		"2027-03-01T00:00:00Z",
		"2027-03-01@1764720000x10",
		"2027-03-01T00:00:00Z@soonx10",
		"2027-03-01T00:00:00Z@1764720000",
		"2027-03-01T00:00:00Z@1764720000x0",
		"2027-03-01T00:00:00Z@1764720000xfast",
	} {
		_, err := LoadConfig(env(map[string]string{"GOLIVE_CLOCK": v}))
		require.Error(t, err, v)
		assert.Contains(t, err.Error(), "GOLIVE_CLOCK=", v)
		assert.Contains(t, err.Error(), "testing only", v)
	}
}
