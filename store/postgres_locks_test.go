package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
	"github.com/golive/golive/store/pgtest"
)

// stuck bounds the wait for a change that should not wait at all: past it
// the change is taken to be queued behind the other launch's lock.
const stuck = 30 * time.Second

// On PostgreSQL a change locks its launch's row, not the database: while
// one replica's change of launch A is in its transaction, another replica
// changes launch B (SQLite's single writer would queue it behind A's).
func TestPostgresChangesOfOtherLaunchesDoNotQueue(t *testing.T) {
	runOnce(t)
	ctx := context.Background()
	url := pgtest.URL(t)
	var stores [2]*store.Store
	for i := range stores {
		s, err := store.Open(ctx, url)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	a, b := lockLaunch("C1"), lockLaunch("C2")
	require.NoError(t, stores[0].CreateLaunch(ctx, a, "UBOSS"))
	require.NoError(t, stores[0].CreateLaunch(ctx, b, "UBOSS"))

	inside, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		_, err := stores[0].Update(ctx, a.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			select {
			case <-inside: // a retry: the first attempt was inside already
			default:
				close(inside)
			}
			<-release
			return l.SetDone("UBOSS", []int{1}, true, now)
		})
		held <- err
	}()
	<-inside

	bounded, cancel := context.WithTimeout(ctx, stuck)
	defer cancel()
	_, err := stores[1].Update(bounded, b.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UBOSS", []int{1}, true, now)
	})
	close(release)
	require.NoError(t, err, "launch B's change while A's is in its transaction")
	require.NoError(t, <-held)

	for _, l := range []*launch.Launch{a, b} {
		got, err := stores[1].LaunchByID(ctx, l.ID)
		require.NoError(t, err)
		assert.True(t, got.Checklist.Item(1).Done, "launch %s", l.ChannelID)
	}
}

// lockLaunch is a launch with one item, in channel.
func lockLaunch(channel string) *launch.Launch {
	return &launch.Launch{
		TeamID: "T1", ChannelID: channel, Name: "Locks", Date: "2026-12-01", Timezone: "UTC", Creator: "UBOSS",
		Checklist: &checklist.Checklist{Sections: []*checklist.Section{{Title: "S", Kind: checklist.KindReadiness,
			Groups: []*checklist.Group{{Items: []*checklist.Item{{Number: 1, Text: "x"}}}}}}},
	}
}
