package schedule_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

func TestSetReminders(t *testing.T) {
	l := testLaunch("C1", "2025-03-14", "UTC")
	_, err := schedule.SetReminders(l, "USOMEONE", false)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))

	evs, err := schedule.SetReminders(l, l.Creator, false)
	require.NoError(t, err)
	assert.True(t, l.RemindersOff)
	assert.Equal(t, []launch.Event{{Actor: l.Creator, Kind: launch.KindReminders, Before: "on", After: "off"}}, evs)
	evs, err = schedule.SetReminders(l, l.Creator, false)
	require.NoError(t, err)
	assert.Empty(t, evs, "already off")
	_, err = schedule.SetReminders(l, l.Creator, true)
	require.NoError(t, err)
	assert.False(t, l.RemindersOff)
}

func TestSetTimezone(t *testing.T) {
	l := testLaunch("C1", "2025-03-14", "UTC")
	_, err := schedule.SetTimezone(l, "USOMEONE", "Asia/Tokyo")
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	for _, bad := range []string{"", "Local", "europe/paris", "Mars/Olympus", "../../etc/passwd", "TZ=", string(make([]byte, 100))} {
		_, err := schedule.SetTimezone(l, l.Creator, bad)
		assert.Equal(t, launch.EINVALID, launch.ErrorCode(err), "%q", bad)
	}
	evs, err := schedule.SetTimezone(l, l.Creator, " Asia/Kathmandu ")
	require.NoError(t, err)
	assert.Equal(t, "Asia/Kathmandu", l.Timezone)
	assert.Equal(t, []launch.Event{{Actor: l.Creator, Kind: launch.KindTimezone, Before: "UTC", After: "Asia/Kathmandu"}}, evs)
	assert.Equal(t, "03:15", schedule.Windows(l, nine)[0].Due.UTC().Format("15:04"))
}
