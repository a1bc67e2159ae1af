package schedule_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// TestLaunchDayListsWhatToVerifyAgain: on launch day, the channel's posts
// list the done items whose freshness runs out by the launch; other days
// and DMs list none.
func TestLaunchDayListsWhatToVerifyAgain(t *testing.T) {
	l := testLaunch("C1", "2026-12-01", "UTC")
	l.Time = "14:00"
	morning := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ran := morning.Add(-20 * time.Hour)
	for _, n := range []int{1, 2, 3} {
		_, err := l.RecordEvidence("token:ci", n, launch.Report{Pass: true, Summary: "ok", At: ran}, ran)
		require.NoError(t, err)
	}
	l.Checklist.Item(1).Fresh = 24 * time.Hour // runs out at 13:00, before the 14:00 launch
	l.Checklist.Item(2).Fresh = 48 * time.Hour // still fresh at the launch
	// Item 3 needs no freshness; item 4 has one but is open: nothing to verify again.
	l.Checklist.Item(4).Fresh = time.Hour

	c, err := schedule.Compose(l, schedule.Reminder{Kind: schedule.KindCountdown}, nine, morning)
	require.NoError(t, err)
	assert.Equal(t, []int{1}, numbers(c.Reverify))

	c, err = schedule.Compose(l, schedule.Reminder{Kind: schedule.KindCountdown}, nine, morning.AddDate(0, 0, -1))
	require.NoError(t, err)
	assert.Empty(t, c.Reverify, "only on launch day")
}
