package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// clicks is how many goroutines click at once, half of them through each
// of two stores on the same database (two replicas).
const clicks = 16

// inParallel runs fn(0) ... fn(n-1) at once and fails t with their errors.
func inParallel(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(i); err != nil {
				errs <- fmt.Errorf("goroutine %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

// ticksOf counts the audit rows of each kind and item.
func ticksOf(rows []launch.AuditEntry) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		for _, n := range r.Items {
			out[fmt.Sprintf("%s %d", r.Kind, n)]++
		}
	}
	return out
}

// Ticks of different items of one launch, at once from two replicas: every
// tick is stored, each with exactly one audit row.
func testTicksOnOneLaunch(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", clicks)
	create(t, stores[0], l)

	inParallel(t, clicks, func(i int) error {
		_, err := stores[i%2].Update(ctx, l.ID, tick(i+1, true))
		return err
	})

	for _, s := range stores {
		got := load(t, s, l.ID)
		for n := 1; n <= clicks; n++ {
			it := got.Checklist.Item(n)
			assert.True(t, it.Done, "item %d is ticked", n)
			assert.Equal(t, creator, it.DoneBy, "item %d", n)
		}
	}
	rows := audit(t, stores[1], l.ID)
	require.Len(t, rows, 1+clicks, "one create, then one row per tick")
	want := map[string]int{}
	for n := 1; n <= clicks; n++ {
		want[fmt.Sprintf("%s %d", launch.KindTick, n)] = 1
	}
	assert.Equal(t, want, ticksOf(rows[1:]))
}

// Ticks on different launches at once, from two replicas: none waits for
// another's launch, none is lost, each has its audit row.
func testTicksOnManyLaunches(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	const perLaunch = 3
	launches := make([]*launch.Launch, clicks)
	for i := range launches {
		launches[i] = newLaunch(fmt.Sprintf("C%d", i), perLaunch)
		create(t, stores[i%2], launches[i])
	}

	inParallel(t, clicks, func(i int) error {
		for n := 1; n <= perLaunch; n++ {
			if _, err := stores[(i+n)%2].Update(ctx, launches[i].ID, tick(n, true)); err != nil {
				return err
			}
		}
		return nil
	})

	for i, l := range launches {
		got := load(t, stores[i%2], l.ID)
		for n := 1; n <= perLaunch; n++ {
			assert.True(t, got.Checklist.Item(n).Done, "launch %d item %d", i, n)
		}
		assert.False(t, got.Checklist.Item(perLaunch+1).Done, "launch %d: the item nobody ticked", i)
		rows := audit(t, stores[(i+1)%2], l.ID)
		require.Len(t, rows, 1+perLaunch, "launch %d", i)
		assert.Equal(t, map[string]int{"tick 1": 1, "tick 2": 1, "tick 3": 1}, ticksOf(rows[1:]), "launch %d", i)
	}
}

// toggle flips item n and counts the flips in its note: a lost update
// shows as a count short of the number of calls.
func toggle(n int) change {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		it := l.Checklist.Item(n)
		flips, _ := strconv.Atoi(it.Note)
		it.Note = strconv.Itoa(flips + 1)
		return l.SetDone(creator, []int{n}, !it.Done, now)
	}
}

// Read-modify-write of one item from many goroutines and two replicas:
// each change starts from the one before it.
func testTogglesOfOneItemLoseNothing(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 2)
	create(t, stores[0], l)
	const rounds = 3

	inParallel(t, clicks, func(i int) error {
		for range rounds {
			if _, err := stores[i%2].Update(ctx, l.ID, toggle(1)); err != nil {
				return err
			}
		}
		return nil
	})

	got := load(t, stores[0], l.ID)
	it := got.Checklist.Item(1)
	assert.Equal(t, strconv.Itoa(clicks*rounds), it.Note, "flips counted")
	assert.Equal(t, clicks*rounds%2 == 1, it.Done)
	rows := audit(t, stores[1], l.ID)
	assert.Len(t, rows, 1+clicks*rounds, "one row per flip")
}

// Owners are stored, decide who may tick, and find a person's launches.
func testOwners(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 3)
	create(t, stores[0], l)
	_, err := stores[0].Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := l.SetSectionOwner(creator, "Security", "USECOWNER")
		if err != nil {
			return nil, err
		}
		more, err := l.SetItemOwner(creator, 2, "UALICE")
		return append(events, more...), err
	})
	require.NoError(t, err)

	got := load(t, stores[1], l.ID)
	assert.Equal(t, "USECOWNER", got.Checklist.Sections[1].Owner)
	assert.Equal(t, "UALICE", got.Checklist.Item(2).Owner)
	assert.Empty(t, got.Checklist.Item(1).Owner)

	_, err = stores[1].Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UMALLORY", []int{2}, true, now)
	})
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err), "another person's item")
	_, err = stores[1].Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UALICE", []int{2}, true, now)
	})
	require.NoError(t, err, "the item's owner ticks it")
	assert.Equal(t, "UALICE", load(t, stores[0], l.ID).Checklist.Item(2).DoneBy)

	for _, user := range []string{"UALICE", "USECOWNER", creator} {
		mine, err := stores[0].LaunchesOfUser(ctx, team, user)
		require.NoError(t, err)
		require.Len(t, mine, 1, "the launches of %s", user)
		assert.Equal(t, l.ID, mine[0].ID)
	}
	none, err := stores[0].LaunchesOfUser(ctx, team, "UMALLORY")
	require.NoError(t, err)
	assert.Empty(t, none)

	assert.Equal(t, []launch.Kind{launch.KindCreate, launch.KindOwner, launch.KindOwner, launch.KindTick},
		kinds(audit(t, stores[0], l.ID)), "the refused tick left no row")
}

// Roles added, held, answered and removed are stored with their versions.
func testRoles(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 1)
	create(t, stores[0], l)
	at := t0.Add(time.Hour)

	updated, err := stores[0].Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		added, err := l.AddRole(creator, "Legal")
		if err != nil {
			return nil, err
		}
		held, err := l.SetRoleHolder(creator, "Legal", "ULEGAL")
		return append(added, held...), err
	})
	require.NoError(t, err)
	_, err = stores[1].Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.Answer("ULEGAL", "Legal", checklist.VerdictConditional, "after the review", at)
	})
	require.NoError(t, err)

	got := load(t, stores[0], l.ID)
	require.Len(t, got.Checklist.Roles, 3)
	legal := got.Checklist.Roles[2]
	assert.Equal(t, &checklist.Role{Name: "Legal", Holder: "ULEGAL", Verdict: checklist.VerdictConditional,
		Note: "after the review", By: "ULEGAL", At: at, Version: updated.Checklist.Roles[2].Version + 1}, legal)
	assert.Equal(t, "Security Lead", got.Checklist.Roles[0].Name, "roles keep their order")

	_, err = stores[1].Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.RemoveRole(creator, "Security Lead")
	})
	require.NoError(t, err)
	got = load(t, stores[0], l.ID)
	var names []string
	for _, r := range got.Checklist.Roles {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{"Engineering Lead", "Legal"}, names)
	assert.Equal(t, []launch.Kind{launch.KindCreate, launch.KindRoleAdd, launch.KindRole, launch.KindVerdict, launch.KindRoleRemove},
		kinds(audit(t, stores[1], l.ID)))
}

// A channel has one active launch; archiving it lets the channel start another.
func testArchiveFreesTheChannel(t *testing.T, open Open) {
	ctx := context.Background()
	s := opened(t, open, 1)[0]
	first := newLaunch("C1", 1)
	create(t, s, first)
	err := s.CreateLaunch(ctx, newLaunch("C1", 1), creator)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err), "a second active launch in the channel")
	other := newLaunch("C1", 1)
	other.TeamID = "T2"
	create(t, s, other) // the same channel id in another team

	_, err = s.Update(ctx, first.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.Archive(creator)
	})
	require.NoError(t, err)
	_, err = s.LaunchByChannel(ctx, team, "C1")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "the archived launch is not the channel's")
	second := newLaunch("C1", 1)
	create(t, s, second)
	got, err := s.LaunchByChannel(ctx, team, "C1")
	require.NoError(t, err)
	assert.Equal(t, second.ID, got.ID)
	assert.Greater(t, second.ID, other.ID, "launch ids grow")
	assert.True(t, load(t, s, first.ID).Archived, "the archived launch is kept")

	active, err := s.ActiveLaunches(ctx)
	require.NoError(t, err)
	var ids []int64
	for _, l := range active {
		ids = append(ids, l.ID)
	}
	assert.Equal(t, []int64{other.ID, second.ID}, ids, "oldest first, the archived one left out")
}

// A change that fails stores nothing: neither the change, nor its audit
// rows, nor its posts.
func testFailedChangeLeavesNoTrace(t *testing.T, open Open) {
	ctx := context.Background()
	s := opened(t, open, 1)[0]
	l := newLaunch("C1", 2)
	create(t, s, l)
	refused := errors.New("refused halfway")

	_, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		if _, err := l.SetDone(creator, []int{1}, true, now); err != nil {
			return nil, err
		}
		l.Name = "renamed"
		l.Tell(launch.Post{Key: "notice:failed", Kind: launch.PostNotice, Channel: l.ChannelID, Body: []byte(`{"text":"x"}`)})
		return nil, refused
	})
	require.ErrorIs(t, err, refused)

	got := load(t, s, l.ID)
	assert.False(t, got.Checklist.Item(1).Done)
	assert.Equal(t, "Launch in C1", got.Name)
	assert.Equal(t, []launch.Kind{launch.KindCreate}, kinds(audit(t, s, l.ID)))
	posts, err := s.Posts(ctx, l.ID)
	require.NoError(t, err)
	assert.Empty(t, posts)

	_, err = s.Update(ctx, 999_999, tick(1, true))
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "no such launch")
}

// What a change returns is what the audit log reads back, in order.
func testAuditKeepsEventFields(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 2)
	create(t, stores[0], l)
	events := []launch.Event{
		{Actor: "UDORA", Kind: launch.KindTick, Items: []int{1, 2}, Before: "open", After: "done"},
		{Actor: creator, Kind: launch.KindOwner, Section: "Security", After: "USEC"},
		{Actor: secLead, Kind: launch.KindVerdict, Role: "Security Lead", Before: "pending", After: "approved"},
		{Actor: creator, Kind: launch.KindArchive, Launch: "Launch in C1", Before: "active", After: "archived"},
	}
	now := t0.Add(time.Minute)
	stores[0].Now = func() time.Time { return now }
	_, err := stores[0].Update(ctx, l.ID, func(*launch.Launch, time.Time) ([]launch.Event, error) { return events, nil })
	require.NoError(t, err)

	rows := audit(t, stores[1], l.ID)
	require.Len(t, rows, 1+len(events))
	assert.Equal(t, launch.KindCreate, rows[0].Kind)
	assert.Equal(t, l.Name, rows[0].Launch)
	for i, r := range rows[1:] {
		assert.Equal(t, events[i], r.Event)
		assert.Equal(t, l.ID, r.LaunchID)
		assert.True(t, now.Equal(r.At), "row %d at %s", i, r.At)
		assert.Greater(t, r.ID, rows[i].ID, "ids grow in the order written")
	}
}

// Batches of ticks over several launches, from two replicas at once and
// in different orders of their launches (which two row-locking
// transactions can deadlock on): every change is stored once.
func testBatchedTicksAcrossLaunches(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	const launches, items, rounds = 4, clicks / 2, 2
	ls := make([]*launch.Launch, launches)
	for i := range ls {
		ls[i] = newLaunch(fmt.Sprintf("C%d", i), items)
		create(t, stores[i%2], ls[i])
	}

	inParallel(t, clicks, func(g int) error {
		for range rounds {
			batch := make([]launch.Changes, launches)
			for i := range batch {
				l := ls[(g+i)%launches] // each goroutine starts at another launch
				batch[i] = launch.Changes{ID: l.ID, Fns: []func(*launch.Launch, time.Time) ([]launch.Event, error){toggle(g%items + 1)}}
			}
			errs, err := stores[g%2].UpdateMany(ctx, batch)
			if err != nil {
				return err
			}
			for i, e := range errs {
				if e[0] != nil {
					return fmt.Errorf("change of launch %d: %w", batch[i].ID, e[0])
				}
			}
		}
		return nil
	})

	perItem := clicks / items * rounds // goroutines sharing an item, times rounds
	for _, l := range ls {
		got := load(t, stores[0], l.ID)
		for n := 1; n <= items; n++ {
			assert.Equal(t, strconv.Itoa(perItem), got.Checklist.Item(n).Note, "launch %d item %d: flips counted", l.ID, n)
		}
		assert.Len(t, audit(t, stores[1], l.ID), 1+clicks*rounds, "launch %d: one row per flip", l.ID)
	}
}

// In a batch, a failing change is undone alone: the changes around it,
// and the other launches' changes, are stored with their audit rows.
func testBatchUndoesAFailedChangeAlone(t *testing.T, open Open) {
	ctx := context.Background()
	s := opened(t, open, 1)[0]
	a, b := newLaunch("C1", 3), newLaunch("C2", 3)
	create(t, s, a)
	create(t, s, b)
	refused := errors.New("refused")

	errs, err := s.UpdateMany(ctx, []launch.Changes{
		{ID: a.ID, Fns: []func(*launch.Launch, time.Time) ([]launch.Event, error){
			tick(1, true),
			func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				if _, err := l.SetDone(creator, []int{2}, true, now); err != nil {
					return nil, err
				}
				return nil, refused
			},
			tick(3, true),
		}},
		{ID: 999_999, Fns: []func(*launch.Launch, time.Time) ([]launch.Event, error){tick(1, true)}},
		{ID: b.ID, Fns: []func(*launch.Launch, time.Time) ([]launch.Event, error){tick(2, true)}},
	})
	require.NoError(t, err)
	require.Len(t, errs, 3)
	assert.NoError(t, errs[0][0])
	assert.ErrorIs(t, errs[0][1], refused)
	assert.NoError(t, errs[0][2])
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(errs[1][0]), "no such launch")
	assert.NoError(t, errs[2][0])

	got := load(t, s, a.ID)
	assert.Equal(t, []bool{true, false, true}, []bool{got.Checklist.Item(1).Done, got.Checklist.Item(2).Done, got.Checklist.Item(3).Done})
	assert.Equal(t, map[string]int{"tick 1": 1, "tick 3": 1}, ticksOf(audit(t, s, a.ID)))
	assert.True(t, load(t, s, b.ID).Checklist.Item(2).Done)
	assert.Equal(t, map[string]int{"tick 2": 1}, ticksOf(audit(t, s, b.ID)))
}
