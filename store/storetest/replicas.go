package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// A store's read cache never hides another replica's change: each read
// and each change after it starts from what the database holds.
func testCacheSeesOtherStoresChanges(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	a, b := stores[0], stores[1]
	l := newLaunch("C1", 3)
	create(t, a, l)
	// a has read it, and so cached it.
	assert.False(t, load(t, a, l.ID).Checklist.Item(1).Done)
	_, err := a.LaunchByChannel(ctx, team, "C1")
	require.NoError(t, err)

	_, err = b.Update(ctx, l.ID, tick(1, true))
	require.NoError(t, err)
	assert.True(t, load(t, a, l.ID).Checklist.Item(1).Done, "by id")
	byChannel, err := a.LaunchByChannel(ctx, team, "C1")
	require.NoError(t, err)
	assert.True(t, byChannel.Checklist.Item(1).Done, "by channel")
	active, err := a.ActiveLaunches(ctx)
	require.NoError(t, err)
	require.Len(t, active, 1)
	assert.True(t, active[0].Checklist.Item(1).Done, "among the active launches")

	updated, err := a.Update(ctx, l.ID, tick(2, true))
	require.NoError(t, err)
	assert.True(t, updated.Checklist.Item(1).Done, "a's change starts from b's")
	both := load(t, b, l.ID)
	assert.True(t, both.Checklist.Item(1).Done && both.Checklist.Item(2).Done, "b sees a's change over its own")

	// Every kind of row: the launch's own, a role's, a section's.
	_, err = b.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		l.Name = "Renamed"
		events, err := l.SetRoleHolder(creator, "Engineering Lead", "UENG")
		if err != nil {
			return nil, err
		}
		more, err := l.SetSectionOwner(creator, "Security", "USECOWNER")
		return append(events, more...), err
	})
	require.NoError(t, err)
	got := load(t, a, l.ID)
	assert.Equal(t, "Renamed", got.Name)
	assert.Equal(t, "UENG", got.Checklist.Roles[1].Holder)
	assert.Equal(t, "USECOWNER", got.Checklist.Sections[1].Owner)

	_, err = b.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.Archive(creator)
	})
	require.NoError(t, err)
	_, err = a.LaunchByChannel(ctx, team, "C1")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "archived by the other replica")
	active, err = a.ActiveLaunches(ctx)
	require.NoError(t, err)
	assert.Empty(t, active)
}

// Opening a database that is up to date changes nothing in it.
func testOpeningAgainChangesNothing(t *testing.T, open Open) {
	ctx := context.Background()
	first := opened(t, open, 1)[0]
	l := newLaunch("C1", 2)
	create(t, first, l)
	_, err := first.Update(ctx, l.ID, tick(1, true))
	require.NoError(t, err)
	require.NoError(t, first.Close())

	again := opened(t, open, 1)[0]
	got := load(t, again, l.ID)
	assert.Equal(t, l.Name, got.Name)
	assert.True(t, got.Checklist.Item(1).Done)
	assert.Len(t, audit(t, again, l.ID), 2)
	require.NoError(t, again.Ping(ctx))
	next := newLaunch("C2", 1)
	create(t, again, next)
	assert.Greater(t, next.ID, l.ID)
}

// Replicas starting together on a new database migrate it once, and all
// of them work.
func testOpeningTogetherMigratesOnce(t *testing.T, open Open) {
	// Opening once in this goroutine first lets a backend that is not
	// there skip the test here, where a skip may be called; the replicas
	// then start together on the new database of a subtest.
	opened(t, open, 1)
	t.Run("together", func(t *testing.T) {
		ctx := context.Background()
		stores := make([]*store.Store, 3)
		inParallel(t, len(stores), func(i int) error {
			stores[i] = open(t)
			return nil
		})
		for i, s := range stores {
			require.NotNil(t, s, "store %d did not open", i)
		}
		l := newLaunch("C1", 1)
		create(t, stores[0], l)
		for _, s := range stores {
			assert.Equal(t, l.Name, load(t, s, l.ID).Name)
			require.NoError(t, s.Ping(ctx))
		}
	})
}
