package schedule_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones tested exist on any machine

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/internal/schedule/scheduletest"
)

// nine is the default reminder time.
var nine = schedule.DefaultTimeOfDay

// testLaunch is scheduletest.Launch, subDayLaunch scheduletest.SubDayLaunch.
var (
	testLaunch   = scheduletest.Launch
	subDayLaunch = scheduletest.SubDayLaunch
)

func numbers(items []*checklist.Item) []int {
	out := make([]int, len(items))
	for i, it := range items {
		out[i] = it.Number
	}
	return out
}

// local parses "2006-01-02 15:04" in the zone.
func local(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	require.NoError(t, err)
	return at
}
