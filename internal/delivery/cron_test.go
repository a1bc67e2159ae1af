package delivery_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/store"
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

	cr, err := in.runner.Cron(ctx)
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

// heldStore is the real store whose PlanReminders, once the hourly sync
// reaches it, takes as long as its context allows: a re-plan of many
// launches still running when golive shuts down.
type heldStore struct {
	*store.Store
	reached chan struct{}
	once    sync.Once
}

func (s *heldStore) PlanReminders(ctx context.Context, id int64, plan []schedule.Reminder, now time.Time) error {
	s.once.Do(func() { close(s.reached) })
	<-ctx.Done()
	return s.Store.PlanReminders(ctx, id, plan, now)
}

// TestHourlySyncStopsWithTheServer: a re-plan running at shutdown is cut
// short by the server's context, so that the scheduler's Stop returns
// before the store is closed, and nothing runs on a closed store.
func TestHourlySyncStopsWithTheServer(t *testing.T) {
	st, err := store.Open(context.Background(), dbPath(t))
	require.NoError(t, err)
	l := testLaunch("C1", "2025-03-14", "UTC")
	require.NoError(t, st.CreateLaunch(context.Background(), l, l.Creator))
	held := &heldStore{Store: st, reached: make(chan struct{})}
	var logs lockedBuffer
	runner, err := delivery.New(delivery.Config{Store: held, Renderer: renderer{}, Transport: newPoster(newClock(time.Now())),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)

	ctx, shutdown := context.WithCancel(context.Background())
	defer shutdown()
	cr, err := runner.Cron(ctx)
	require.NoError(t, err)
	// The hourly job, due every second rather than on the hour.
	cr.Schedule(cron.Every(time.Second), cr.Entries()[0].Job)
	cr.Start()
	select {
	case <-held.reached:
	case <-time.After(5 * time.Second):
		t.Fatal("the sync did not start")
	}

	shutdown()
	select {
	case <-cr.Stop().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the sync was still running 5 s after the shutdown: the store would be closed under it")
	}
	require.NoError(t, st.Close())
	assert.NotContains(t, logs.String(), "database is closed")
	assert.Contains(t, logs.String(), "hourly sync cut short by the shutdown")
	assert.NotContains(t, logs.String(), "level=ERROR")
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
