package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// change is one change of an UpdateMany batch in these tests.
type change = func(l *launch.Launch, now time.Time) ([]launch.Event, error)

// updateEach runs changes to launch id alone through UpdateMany.
func updateEach(ctx context.Context, s *Store, id int64, changes []change) ([]error, error) {
	errs, err := s.UpdateMany(ctx, []launch.Changes{{ID: id, Fns: changes}})
	if err != nil {
		return nil, err
	}
	return errs[0], nil
}

// tickAs ticks item n as user.
func tickAs(user string, n int) change {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone(user, []int{n}, true, now)
	}
}

// halfway ticks item n as user and renames the launch, then fails as
// fail does.
func halfway(user string, n int, fail func() error) change {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := l.SetDone(user, []int{n}, true, now)
		if err != nil {
			return nil, err
		}
		l.Name = "Renamed by " + user
		l.Checklist.Gates[0].Threshold = 1
		l.Checklist.Windows[0].Items[0] = 99
		return events, fail()
	}
}

func TestUpdateManyIsolatesEachChange(t *testing.T) {
	refused := launch.Errorf(launch.ECONFLICT, "refused")
	for _, tc := range []struct {
		name    string
		changes []change
		errs    []string // each change's error, "" when stored
		done    []int    // items 3, 4, 5, 6 done after the batch
		actors  []string // the audit rows after "create"
	}{
		{
			name:    "an error halfway leaves nothing of its change",
			changes: []change{tickAs("UA", 3), halfway("UBAD", 4, func() error { return refused }), tickAs("UC", 5)},
			errs:    []string{"", "refused", ""},
			done:    []int{3, 5},
			actors:  []string{"UA", "UC"},
		},
		{
			name:    "a panic halfway leaves nothing of its change",
			changes: []change{tickAs("UA", 3), halfway("UBAD", 4, func() error { panic("a bug") }), tickAs("UC", 5)},
			errs:    []string{"", "the change panicked: a bug", ""},
			done:    []int{3, 5},
			actors:  []string{"UA", "UC"},
		},
		{
			name:    "the first change fails",
			changes: []change{halfway("UBAD", 4, func() error { panic("a bug") }), tickAs("UA", 3)},
			errs:    []string{"the change panicked: a bug", ""},
			done:    []int{3},
			actors:  []string{"UA"},
		},
		{
			name:    "the last change fails",
			changes: []change{tickAs("UA", 3), tickAs("UC", 5), halfway("UBAD", 4, func() error { return refused })},
			errs:    []string{"", "", "refused"},
			done:    []int{3, 5},
			actors:  []string{"UA", "UC"},
		},
		{
			name: "a change without an audit event is refused alone",
			changes: []change{tickAs("UA", 3), func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
				l.Checklist.Item(4).Done = true
				return nil, nil
			}, tickAs("UC", 5)},
			errs:   []string{"", "a change without an audit event", ""},
			done:   []int{3, 5},
			actors: []string{"UA", "UC"},
		},
		{
			name: "a change of the launch's id is refused alone",
			changes: []change{func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				l.ID++
				return l.SetDone("UBAD", []int{4}, true, now)
			}, tickAs("UA", 3)},
			errs:   []string{"the change set its id", ""},
			done:   []int{3},
			actors: []string{"UA"},
		},
		{
			name:    "a change sees the changes before it, not the failed ones",
			changes: []change{tickAs("UA", 3), halfway("UBAD", 4, func() error { return refused }), tickAs("UA", 3), tickAs("UC", 4)},
			errs:    []string{"", "refused", "", ""},
			done:    []int{3, 4},
			// Item 3 was done by then: ticking it again says nothing.
			actors: []string{"UA", "UC"},
		},
		{
			name:    "every change fails",
			changes: []change{halfway("UBAD", 4, func() error { return refused }), halfway("UBAD", 5, func() error { panic("a bug") })},
			errs:    []string{"refused", "the change panicked: a bug"},
		},
		{
			name: "gates and windows changed by a stored change are stored",
			changes: []change{tickAs("UA", 3), func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
				l.Checklist.Gates[0].Threshold = 90
				l.Checklist.Windows[0].Items = []int{5, 4}
				return testEvent, nil
			}, halfway("UBAD", 6, func() error { return refused }), tickAs("UC", 5)},
			errs:   []string{"", "", "refused", ""},
			done:   []int{3, 5},
			actors: []string{"UA", "UTEST", "UC"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, path := openStore(t)
			ctx := context.Background()
			l := fullLaunch("C1")
			require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
			want := fullLaunch("C1").Checklist

			errs, err := updateEach(ctx, s, l.ID, tc.changes)
			require.NoError(t, err)
			require.Len(t, errs, len(tc.changes))
			for i, e := range tc.errs {
				if e == "" {
					assert.NoError(t, errs[i], "change %d", i)
				} else {
					assert.ErrorContains(t, errs[i], e, "change %d", i)
				}
			}

			// What the cache says and what a fresh process reads agree.
			got, err := s.LaunchByID(ctx, l.ID)
			require.NoError(t, err)
			other, err := Open(ctx, path)
			require.NoError(t, err)
			defer other.Close()
			fresh, err := other.LaunchByID(ctx, l.ID)
			require.NoError(t, err)
			assert.Equal(t, fresh, got)

			assert.Equal(t, "Checkout v2", got.Name, "nothing of a failed change")
			var done []int
			for n := 3; n <= 6; n++ {
				if got.Checklist.Item(n).Done {
					done = append(done, n)
				}
			}
			assert.Equal(t, tc.done, done)
			if tc.name == "gates and windows changed by a stored change are stored" {
				assert.Equal(t, 90.0, got.Checklist.Gates[0].Threshold)
				assert.Equal(t, []int{5, 4}, got.Checklist.Windows[0].Items)
			} else {
				assert.Equal(t, want.Gates, got.Checklist.Gates)
				assert.Equal(t, want.Windows, got.Checklist.Windows)
			}

			audit, err := s.Audit(ctx, l.ID)
			require.NoError(t, err)
			var actors []string
			for _, e := range audit[1:] {
				actors = append(actors, e.Actor)
			}
			assert.Equal(t, tc.actors, actors, "one audit row per stored change, none for a failed one")
		})
	}
}

// A batch whose transaction fails stores nothing and says so once, for
// the whole batch; a launch that does not exist fails alone.
func TestUpdateManyFailsWholeWhenTheTransactionDoes(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))

	errs, err := s.UpdateMany(ctx, []launch.Changes{
		{ID: l.ID + 1, Fns: []change{tickAs("UA", 3), tickAs("UB", 4)}},
		{ID: l.ID, Fns: []change{tickAs("UC", 5)}},
	})
	require.NoError(t, err)
	require.Len(t, errs, 2)
	for _, e := range errs[0] {
		assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(e))
	}
	assert.Equal(t, []error{nil}, errs[1])

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	one, err := updateEach(cancelled, s, l.ID, []change{tickAs("UA", 3)})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, one)

	_, err = s.UpdateMany(ctx, []launch.Changes{{ID: l.ID, Fns: []change{tickAs("UA", 3)}}, {ID: l.ID, Fns: []change{tickAs("UB", 4)}}})
	assert.ErrorContains(t, err, "given twice")

	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.False(t, got.Checklist.Item(3).Done)
	assert.False(t, got.Checklist.Item(4).Done)
	assert.True(t, got.Checklist.Item(5).Done)
}
