package schedule_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCronPlansLaunchesHourly: cron's only job is the hourly SyncAll, which
// plans a launch whose own Sync never ran (a crash right after creating it).
func TestCronPlansLaunchesHourly(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	in := start(t, dbPath(t), c, newPoster(c))
	l := testLaunch("C1", "2025-03-14", "UTC")
	require.NoError(t, in.store.CreateLaunch(ctx, l, l.Creator))
	rows, err := in.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	require.Empty(t, rows)

	cr, err := in.runner.Cron()
	require.NoError(t, err)
	entries := cr.Entries()
	require.Len(t, entries, 1)
	next := entries[0].Schedule.Next(time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2025, 3, 1, 13, 0, 0, 0, time.UTC), next.UTC(), "every hour on the hour")

	entries[0].Job.Run()
	rows, err = in.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, rows, "planned by the hourly sync")
}
