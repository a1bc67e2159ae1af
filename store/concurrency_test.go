package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// toggle flips an item and counts, in its note, how many times it was
// flipped: a lost update shows as a count short of the number of calls.
func toggle(number int) func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		it := l.Checklist.Item(number)
		n, _ := strconv.Atoi(it.Note)
		it.Note = strconv.Itoa(n + 1)
		return l.SetDone(l.Creator, []int{number}, !it.Done, now)
	}
}

func TestConcurrentTicksLoseNothing(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := seedLike("C1")
	for _, sec := range l.Checklist.Sections {
		sec.HasSignoff = false // no sign-off to void: one event per toggle
	}
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	const goroutines, rounds = 32, 15
	shared := []int{1, 3} // undone and done at the start
	own := func(g int) int { return 100 + g }

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*rounds+goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				n := own(g)
				if r%2 == 0 {
					n = shared[g%2]
				}
				if _, err := s.Update(ctx, l.ID, toggle(n)); err != nil {
					errs <- fmt.Errorf("goroutine %d round %d: %w", g, r, err)
				}
			}
		}()
	}
	// Readers run beside the writers.
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 20; r++ {
				if _, err := s.LaunchByChannel(ctx, "T1", "C1"); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}

	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	sharedToggles := goroutines / 2 * ((rounds + 1) / 2) // per shared item
	for i, n := range shared {
		it := got.Checklist.Item(n)
		assert.Equal(t, strconv.Itoa(sharedToggles), it.Note, "item %d toggles", n)
		startDone := i == 1
		assert.Equal(t, startDone != (sharedToggles%2 == 1), it.Done, "item %d state", n)
	}
	for g := 0; g < goroutines; g++ {
		it := got.Checklist.Item(own(g))
		assert.Equal(t, strconv.Itoa(rounds/2), it.Note, "item %d toggles", own(g))
	}
	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1+goroutines*rounds, "one create, then one event per toggle")
	requireCacheCurrent(t, s, l.ID)
}

func TestTwoStoresOnOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	var stores [2]*Store
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := range stores {
		wg.Add(1)
		go func() { // both open, and migrate, at once
			defer wg.Done()
			var err error
			stores[i], err = Open(ctx, path)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, s := range stores {
		t.Cleanup(func() { s.Close() })
	}

	l := seedLike("C1")
	require.NoError(t, stores[0].CreateLaunch(ctx, l, "UCREATOR"))
	const perStore, rounds = 8, 10
	errc := make(chan error, 2*perStore*rounds)
	for _, s := range stores {
		for g := 0; g < perStore; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := 0; r < rounds; r++ {
					if _, err := s.Update(ctx, l.ID, toggle(7)); err != nil {
						errc <- err
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		assert.NoError(t, err)
	}
	for _, s := range stores {
		got, err := s.LaunchByID(ctx, l.ID)
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(2*perStore*rounds), got.Checklist.Item(7).Note)
	}
	audit, err := stores[1].Audit(ctx, l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1+2*perStore*rounds)
}

// helperEnv names the database a re-run of this test binary ticks in,
// standing for a second golive process.
const helperEnv = "GOLIVE_STORE_TEST_HELPER_DB"

func TestTwoProcessesOnOneFile(t *testing.T) {
	if path := os.Getenv(helperEnv); path != "" {
		tickAsHelper(t, path)
		return
	}
	s, path := openStore(t)
	ctx := context.Background()
	l := seedLike("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))

	cmd := osexec.Command(os.Args[0], "-test.run=^TestTwoProcessesOnOneFile$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	for r := 0; r < helperTicks; r++ {
		_, err := s.Update(ctx, l.ID, toggle(7))
		require.NoError(t, err)
	}
	require.NoError(t, cmd.Wait(), out.String())

	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(2*helperTicks), got.Checklist.Item(7).Note)
	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1+2*helperTicks)
}

const helperTicks = 100

func tickAsHelper(t *testing.T, path string) {
	ctx := context.Background()
	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	active, err := s.ActiveLaunches(ctx)
	require.NoError(t, err)
	require.Len(t, active, 1)
	for r := 0; r < helperTicks; r++ {
		_, err := s.Update(ctx, active[0].ID, toggle(7))
		require.NoError(t, err)
	}
}
