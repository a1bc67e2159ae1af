package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// requireCacheCurrent checks that the cached rows of launch id are what
// the database holds.
func requireCacheCurrent(t *testing.T, s *Store, id int64) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.reader.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	version, err := launchVersion(ctx, tx, id)
	require.NoError(t, err)
	cached, ok := s.cache.get(id, version)
	require.True(t, ok, "launch %d is cached at version %d", id, version)
	stored, err := loadSnapshot(ctx, tx, id)
	require.NoError(t, err)
	assert.Equal(t, stored, cached)
}

func TestCacheHoldsWhatWasStored(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	requireCacheCurrent(t, s, l.ID)

	_, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		// A time finer than the database keeps is cached as stored.
		l.Checklist.Item(3).DoneAt = now.Add(123 * time.Microsecond)
		l.Checklist.Item(3).Done = true
		return l.RemoveRole("UCREATOR", "Engineering Lead")
	})
	require.NoError(t, err)
	requireCacheCurrent(t, s, l.ID)
}

func TestWritesBehindTheStoreAreSeen(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	_, err := s.LaunchByID(ctx, l.ID) // cached now
	require.NoError(t, err)

	for _, edit := range []string{
		`UPDATE items SET text = 'edited by hand' WHERE number = 3`,
		`UPDATE launches SET name = 'renamed by hand'`,
		`UPDATE roles SET holder = 'UHAND' WHERE position = 1`,
	} {
		_, err := s.writer.ExecContext(ctx, edit)
		require.NoError(t, err)
	}
	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, "edited by hand", got.Checklist.Item(3).Text)
	assert.Equal(t, "renamed by hand", got.Name)
	assert.Equal(t, "UHAND", got.Checklist.Roles[1].Holder)

	updated, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UCREATOR", []int{2}, true, now)
	})
	require.NoError(t, err)
	assert.Equal(t, "edited by hand", updated.Checklist.Item(3).Text, "Update starts from the database's state")
	requireCacheCurrent(t, s, l.ID)
}

func TestLoadedLaunchesShareNothing(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	// The caller's launch is not the cache's.
	l.Checklist.Windows[0].Items[0] = 99
	l.Checklist.Gates[0].Threshold = 1
	l.Checklist.Item(1).Text = "changed"

	first, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, 4, first.Checklist.Windows[0].Items[0])
	assert.Equal(t, 85.0, first.Checklist.Gates[0].Threshold)
	assert.Equal(t, "Dockerfile builds", first.Checklist.Item(1).Text)

	first.Checklist.Windows[0].Items[0] = 99
	first.Checklist.Gates[0].Threshold = 1
	first.Checklist.Item(1).Text = "changed"
	first.Checklist.Roles[0].Name = "changed"
	second, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, 4, second.Checklist.Windows[0].Items[0])
	assert.Equal(t, 85.0, second.Checklist.Gates[0].Threshold)
	assert.Equal(t, "Dockerfile builds", second.Checklist.Item(1).Text)
	assert.Equal(t, "Engineering Lead", second.Checklist.Roles[0].Name)
}

func TestAppendingToAGroupLeavesTheNextAlone(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)

	first, second := got.Checklist.Sections[0].Groups[0], got.Checklist.Sections[0].Groups[1]
	first.Items = append(first.Items, &checklist.Item{Number: 99, Text: "appended"})
	assert.Equal(t, 3, second.Items[0].Number)
}
