package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// answer is an UpdateOnce change that notes whether fn saw a replay and
// leaves an audit row either way.
func answer(replays *[]bool) func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
	return func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
		*replays = append(*replays, replay)
		return []launch.Event{{Actor: "USEC", Kind: "test"}}, nil
	}
}

// A request's identity is recorded with the change: the same one again is
// a replay, for this store, for a store opened after a restart and for
// another process's store on the same file; an identity from another team
// is another request.
func TestUpdateOnceRemembersRequestsInTheDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	s, err := store.Open(ctx, path)
	require.NoError(t, err)
	l := atlas()
	require.NoError(t, s.CreateLaunch(ctx, l, "UBOSS"))

	var seen []bool
	_, err = s.UpdateOnce(ctx, l.ID, "T1", "trigger-1", answer(&seen))
	require.NoError(t, err)
	_, err = s.UpdateOnce(ctx, l.ID, "T1", "trigger-1", answer(&seen))
	require.NoError(t, err)
	_, err = s.UpdateOnce(ctx, l.ID, "T2", "trigger-1", answer(&seen))
	require.NoError(t, err)
	assert.Equal(t, []bool{false, true, false}, seen)

	// Another process on the same file, and the first one restarted.
	other, err := store.Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	_, err = other.UpdateOnce(ctx, l.ID, "T1", "trigger-1", answer(&seen))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s, err = store.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	_, err = s.UpdateOnce(ctx, l.ID, "T1", "trigger-1", answer(&seen))
	require.NoError(t, err)
	assert.Equal(t, []bool{false, true, false, true, true}, seen)
}

// A failed change records nothing, its request's identity included.
func TestUpdateOnceForgetsAFailedRequest(t *testing.T) {
	ctx := context.Background()
	s, l := approvalsStore(t)
	boom := errors.New("boom")
	_, err := s.UpdateOnce(ctx, l.ID, "T1", "trigger-1", func(*launch.Launch, time.Time, bool) ([]launch.Event, error) {
		return nil, boom
	})
	require.ErrorIs(t, err, boom)
	var seen []bool
	_, err = s.UpdateOnce(ctx, l.ID, "T1", "trigger-1", answer(&seen))
	require.NoError(t, err)
	assert.Equal(t, []bool{false}, seen)

	_, err = s.UpdateOnce(ctx, l.ID, "", "trigger-2", answer(&seen))
	assert.Error(t, err, "a request without its team is refused")
	_, err = s.UpdateOnce(ctx, l.ID, "T1", "", answer(&seen))
	assert.Error(t, err, "a request without an id is refused")
	_, err = s.UpdateOnce(ctx, 999, "T1", "trigger-3", answer(&seen))
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	assert.Len(t, seen, 1)
}

// Identities are kept an hour, far past Slack's five-minute signature
// window, then pruned.
func TestUpdateOnceKeepsIdentitiesAnHour(t *testing.T) {
	ctx := context.Background()
	s, l := approvalsStore(t)
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := start
	s.Now = func() time.Time { return now }
	var seen []bool
	for _, d := range []time.Duration{0, 5 * time.Minute, 59 * time.Minute, 2 * time.Hour} {
		now = start.Add(d)
		_, err := s.UpdateOnce(ctx, l.ID, "T1", "trigger-1", answer(&seen))
		require.NoError(t, err)
	}
	assert.Equal(t, []bool{false, true, true, false}, seen, "replays within the hour; pruned after")
}

// A role's version is stored with it.
func TestRoleVersionIsStored(t *testing.T) {
	ctx := context.Background()
	s, l := approvalsStore(t)
	_, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.Answer("USEC", "Security Lead", "approved", "", now)
	})
	require.NoError(t, err)
	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, got.Checklist.Role("Security Lead").Version)
}

// Two processes receiving the same request at once: exactly one takes it.
func TestUpdateOnceAcrossProcessesAtOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	var stores []*store.Store
	for range 2 {
		s, err := store.Open(ctx, path)
		require.NoError(t, err)
		defer s.Close()
		stores = append(stores, s)
	}
	l := atlas()
	require.NoError(t, stores[0].CreateLaunch(ctx, l, "UBOSS"))

	var mu sync.Mutex
	firsts := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := stores[i%2].UpdateOnce(ctx, l.ID, "T1", "trigger-1", func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
				if !replay {
					mu.Lock()
					firsts++
					mu.Unlock()
				}
				return nil, nil
			})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, firsts)
}

// FirstRequest shares the memory of UpdateOnce.
func TestFirstRequest(t *testing.T) {
	ctx := context.Background()
	s, l := approvalsStore(t)
	first, err := s.FirstRequest(ctx, "T1", "trigger-1")
	require.NoError(t, err)
	assert.True(t, first)
	first, err = s.FirstRequest(ctx, "T1", "trigger-1")
	require.NoError(t, err)
	assert.False(t, first)
	var seen []bool
	_, err = s.UpdateOnce(ctx, l.ID, "T1", "trigger-1", answer(&seen))
	require.NoError(t, err)
	assert.Equal(t, []bool{true}, seen)
	_, err = s.FirstRequest(ctx, "T1", "")
	assert.Error(t, err)
}
