package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

func TestFixtureSetsEveryField(t *testing.T) {
	// ID is the store's to set; an active launch is not archived.
	requireEveryFieldSet(t, fullLaunch("C1"), "Launch.ID", "Launch.CreatedAt", "Launch.Archived")
}

func TestCreateLaunchRoundTrip(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	want := fullLaunch("C1")

	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	require.NotZero(t, l.ID)
	assert.Equal(t, t0, l.CreatedAt)
	want.ID, want.CreatedAt = l.ID, t0

	byID, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, want, byID)

	byChannel, err := s.LaunchByChannel(ctx, "T1", "C1")
	require.NoError(t, err)
	assert.Equal(t, want, byChannel)

	active, err := s.ActiveLaunches(ctx)
	require.NoError(t, err)
	assert.Equal(t, []*launch.Launch{want}, active)

	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, audit, 1)
	assert.Equal(t, launch.AuditEntry{ID: audit[0].ID, LaunchID: l.ID, At: t0, Event: launch.Event{
		Actor: "UCREATOR", Kind: launch.KindCreate, Launch: "Checkout v2",
		After: "launch on 2026-12-01 14:30 (Europe/Paris), 6 items"}}, audit[0])
}

func TestCreateLaunchValidates(t *testing.T) {
	s, _ := openStore(t)
	l := fullLaunch("C1")
	l.Date = "1st of December"
	err := s.CreateLaunch(context.Background(), l, "UCREATOR")
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
	assert.Zero(t, l.ID)
}

func TestCreateLaunchRefusesDuplicateItemNumbers(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	l.Checklist.Sections[0].Groups[1].Items[0].Number = 1
	require.Error(t, s.CreateLaunch(ctx, l, "UCREATOR"))

	_, err := s.LaunchByChannel(ctx, "T1", "C1")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "nothing was stored")
}

func TestOneActiveLaunchPerChannel(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	first := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, first, "UCREATOR"))

	second := fullLaunch("C1")
	second.Name = "Another"
	err := s.CreateLaunch(ctx, second, "UCREATOR")
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err))
	assert.Contains(t, launch.ErrorMessage(err), "“Checkout v2” on 2026-12-01")
	assert.Zero(t, second.ID)

	otherTeam := fullLaunch("C1")
	otherTeam.TeamID = "T2"
	require.NoError(t, s.CreateLaunch(ctx, otherTeam, "UCREATOR"), "channel ids are scoped by team")

	_, err = s.Update(ctx, first.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Archived = true
		return []launch.Event{{Actor: "UCREATOR", Kind: launch.KindArchive, Launch: l.Name}}, nil
	})
	require.NoError(t, err)
	require.NoError(t, s.CreateLaunch(ctx, second, "UCREATOR"), "an archived launch frees its channel")

	got, err := s.LaunchByChannel(ctx, "T1", "C1")
	require.NoError(t, err)
	assert.Equal(t, second.ID, got.ID)
	archived, err := s.LaunchByID(ctx, first.ID)
	require.NoError(t, err)
	assert.True(t, archived.Archived)

	_, err = s.Update(ctx, first.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Archived = false
		return testEvent, nil
	})
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err), "unarchiving into a busy channel")

	active, err := s.ActiveLaunches(ctx)
	require.NoError(t, err)
	assert.Len(t, active, 2)
}

func TestNotFound(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()

	_, err := s.LaunchByChannel(ctx, "T1", "CNONE")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	assert.Equal(t, "No active launch in this channel. Start one with `/golive new \"Name\" 2026-12-01`.", launch.ErrorMessage(err))

	_, err = s.LaunchByID(ctx, 42)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	_, err = s.Update(ctx, 42, func(*launch.Launch, time.Time) ([]launch.Event, error) { return nil, nil })
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	_, err = s.Audit(ctx, 42)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))

	active, err := s.ActiveLaunches(ctx)
	require.NoError(t, err)
	assert.Empty(t, active)
}

// countWrites makes the database count the rows written to each checklist
// table, to show that Update writes only what changed.
func countWrites(t *testing.T, s *Store) func() map[string]int {
	t.Helper()
	ctx := context.Background()
	_, err := s.writer.ExecContext(ctx, `CREATE TABLE test_writes (tbl TEXT NOT NULL);`)
	require.NoError(t, err)
	for _, tbl := range []string{"launches", "sections", "section_groups", "items", "roles"} {
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			_, err := s.writer.ExecContext(ctx, `CREATE TRIGGER test_`+tbl+`_`+op+` AFTER `+op+` ON `+tbl+
				` BEGIN INSERT INTO test_writes VALUES ('`+tbl+`'); END;`)
			require.NoError(t, err)
		}
	}
	return func() map[string]int {
		rows, err := s.writer.QueryContext(ctx, `SELECT tbl, count(*) FROM test_writes GROUP BY tbl`)
		require.NoError(t, err)
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var tbl string
			var n int
			require.NoError(t, rows.Scan(&tbl, &n))
			out[tbl] = n
		}
		require.NoError(t, rows.Err())
		_, err = s.writer.ExecContext(ctx, `DELETE FROM test_writes`)
		require.NoError(t, err)
		return out
	}
}

func TestUpdateWritesOnlyWhatChanged(t *testing.T) {
	sqliteOnly(t)
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	writes := countWrites(t, s)
	later := t0.Add(time.Minute)
	s.Now = func() time.Time { return later }

	tests := []struct {
		name   string
		change func(l *launch.Launch, now time.Time) ([]launch.Event, error)
		check  func(t *testing.T, l *launch.Launch)
		writes map[string]int
	}{
		{
			name: "tick",
			change: func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				return l.SetDone("UCREATOR", []int{3}, true, now)
			},
			check: func(t *testing.T, l *launch.Launch) {
				it := l.Checklist.Item(3)
				assert.True(t, it.Done)
				assert.Equal(t, "UCREATOR", it.DoneBy)
				assert.Equal(t, later, it.DoneAt)
			},
			writes: map[string]int{"items": 1},
		},
		{
			name: "untick voids the sign-off",
			change: func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				events, err := l.SetDone("UCREATOR", []int{1}, false, now)
				// The channel hears of it: the adapter words and enqueues it.
				if notices := l.Notices(now); assert.NotEmpty(t, notices) {
					assert.Equal(t, launch.NoticeUntickVoided, notices[0].Kind)
				}
				return events, err
			},
			check: func(t *testing.T, l *launch.Launch) {
				assert.False(t, l.Checklist.Item(1).Done)
				assert.True(t, l.Checklist.Item(1).DoneAt.IsZero())
				assert.Nil(t, l.Checklist.Sections[0].Signoff)
			},
			writes: map[string]int{"items": 1, "sections": 1},
		},
		{
			name: "item owner",
			change: func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
				return l.SetItemOwner("UCREATOR", 4, "UBOB")
			},
			check: func(t *testing.T, l *launch.Launch) {
				assert.Equal(t, "UBOB", l.Checklist.Item(4).Owner)
			},
			writes: map[string]int{"items": 1},
		},
		{
			name: "sign-off",
			change: func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				return l.SignOff("UCREATOR", "Infrastructure", now)
			},
			check: func(t *testing.T, l *launch.Launch) {
				assert.Equal(t, &checklist.Signoff{By: "UCREATOR", At: later, OpenItems: 2}, l.Checklist.Sections[0].Signoff)
			},
			writes: map[string]int{"sections": 1},
		},
		{
			name: "role added",
			change: func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
				return l.AddRole("UCREATOR", "Compliance")
			},
			check: func(t *testing.T, l *launch.Launch) {
				require.Len(t, l.Checklist.Roles, 3)
				assert.Equal(t, "Compliance", l.Checklist.Roles[2].Name)
			},
			writes: map[string]int{"roles": 1},
		},
		{
			name: "first role removed",
			change: func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
				return l.RemoveRole("UCREATOR", "Engineering Lead")
			},
			check: func(t *testing.T, l *launch.Launch) {
				require.Len(t, l.Checklist.Roles, 2)
				assert.Equal(t, "Security Lead", l.Checklist.Roles[0].Name)
				assert.Equal(t, "Compliance", l.Checklist.Roles[1].Name)
			},
			// Roles shift up: two rewritten, the last position deleted.
			writes: map[string]int{"roles": 3},
		},
		{
			name: "launch date",
			change: func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				return l.MoveDate("UCREATOR", "2026-12-15", "14:30", now)
			},
			check: func(t *testing.T, l *launch.Launch) {
				assert.Equal(t, "2026-12-15", l.Date)
				assert.Equal(t, "14:30", l.Time)
			},
			writes: map[string]int{"launches": 1},
		},
		{
			name: "announcement cleared",
			change: func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
				l.Announced = nil
				return testEvent, nil
			},
			check: func(t *testing.T, l *launch.Launch) {
				assert.Nil(t, l.Announced)
			},
			writes: map[string]int{"launches": 1},
		},
		{
			name: "nothing",
			change: func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				return l.SetDone("UCREATOR", []int{3}, true, now)
			},
			check:  func(t *testing.T, l *launch.Launch) { assert.True(t, l.Checklist.Item(3).Done) },
			writes: map[string]int{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auditBefore, err := s.Audit(ctx, l.ID)
			require.NoError(t, err)
			var events []launch.Event
			updated, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				assert.Equal(t, later, now)
				events, err = tt.change(l, now)
				return events, err
			})
			require.NoError(t, err)
			tt.check(t, updated)
			assert.Equal(t, tt.writes, writes())

			stored, err := s.LaunchByID(ctx, l.ID)
			require.NoError(t, err)
			assert.Equal(t, updated, stored, "Update returns the launch as stored")
			requireCacheCurrent(t, s, l.ID)

			auditAfter, err := s.Audit(ctx, l.ID)
			require.NoError(t, err)
			require.Len(t, auditAfter, len(auditBefore)+len(events))
			for i, e := range auditAfter[len(auditBefore):] {
				assert.Equal(t, events[i], e.Event)
				assert.Equal(t, later, e.At)
			}
		})
	}
}

func TestUpdateStructuralChanges(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))

	updated, err := s.Update(ctx, l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		c := l.Checklist
		// Drop the first section's second group, add an item to the window
		// group, add a section, and renumber nothing else.
		c.Sections[0].Groups = c.Sections[0].Groups[:1]
		c.Sections[1].Groups[0].Items = append(c.Sections[1].Groups[0].Items, &checklist.Item{Number: 8, Text: "Go", Task: true})
		c.Sections = append(c.Sections, &checklist.Section{Index: 3, Title: "Extra", Kind: checklist.KindReadiness,
			Groups: []*checklist.Group{{Title: "", Items: []*checklist.Item{{Number: 7, Text: "New"}}}}})
		c.Windows[0].Items = append(c.Windows[0].Items, 8)
		c.Gates = c.Gates[:1]
		return testEvent, nil
	})
	require.NoError(t, err)
	stored, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, updated, stored)
	assert.Nil(t, stored.Checklist.Item(3), "item 3 left with its group")
	assert.Equal(t, "New", stored.Checklist.Item(7).Text)
	assert.Equal(t, []int{4, 5, 8}, stored.Checklist.Windows[0].Items)
	assert.Len(t, stored.Checklist.Gates, 1)
}

func TestUpdateRefusesDuplicateItemNumbers(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	_, err := s.Update(ctx, l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Checklist.Item(2).Number = 1
		return testEvent, nil
	})
	assert.ErrorContains(t, err, "key 1 is used twice")
}

func TestUpdateErrorChangesNothing(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	before, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)

	refused := launch.Errorf(launch.EFORBIDDEN, "no")
	_, err = s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		_, err := l.SetDone("UCREATOR", []int{2, 3}, true, now)
		require.NoError(t, err)
		l.Checklist.Roles = nil
		l.Name = "changed"
		return []launch.Event{{Actor: "U", Kind: launch.KindTick}}, refused
	})
	assert.Same(t, refused, err, "fn's error comes back unchanged")

	after, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1, "only the creation")
}

func TestUpdateRollsBackWhenAWriteFails(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	before, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)

	_, err = s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		l.Checklist.Item(3).Done = true
		l.Checklist.Item(4).Number = -4 // refused by the schema, after item 3 was written
		return []launch.Event{{Actor: "U", Kind: launch.KindTick}}, nil
	})
	require.Error(t, err)
	assert.Equal(t, launch.EINTERNAL, launch.ErrorCode(err))

	after, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1)
}

func TestUpdateHonoursCancelledContext(t *testing.T) {
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(context.Background(), l, "UCREATOR"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	_, err := s.Update(ctx, l.ID, func(*launch.Launch, time.Time) ([]launch.Event, error) {
		called = true
		return nil, nil
	})
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	assert.False(t, called)
}

func TestAuditIsAppendOnly(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	require.NoError(t, s.CreateLaunch(ctx, fullLaunch("C1"), "UCREATOR"))

	_, err := s.writer.ExecContext(ctx, `UPDATE audit SET actor = 'someone else'`)
	assert.ErrorContains(t, err, "append-only")
	_, err = s.writer.ExecContext(ctx, `DELETE FROM audit`)
	assert.ErrorContains(t, err, "append-only")
}

// testEvent is the audit event of changes the tests make by hand: Update
// refuses a change that leaves no trace.
var testEvent = []launch.Event{{Actor: "UTEST", Kind: "test"}}

// A change that leaves no audit event is refused and stores nothing: the
// audit log is the launch's whole history.
func TestUpdateRefusesAChangeWithoutAnEvent(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))

	_, err := s.Update(ctx, l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Checklist.Item(2).Done = true
		return nil, nil
	})
	require.ErrorContains(t, err, "a change without an audit event")
	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.False(t, got.Checklist.Item(2).Done, "nothing was stored")

	// Nothing changed, nothing to say: that is fine.
	_, err = s.Update(ctx, l.ID, func(*launch.Launch, time.Time) ([]launch.Event, error) { return nil, nil })
	assert.NoError(t, err)
}

// TestLaunchesOfUser: the App Home's query reads the active launches of one
// team that one person takes part in, however they take part, through the
// indexes by person rather than by reading every launch of the team.
func TestLaunchesOfUser(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	// fullLaunch's people: UCREATOR created it, USECOWNER owns a section,
	// UGROUP a group, UALICE an item she ticked, and UENG holds a role.
	var ids []int64
	for i, team := range []string{"T1", "T2", "T1", "T1"} {
		l := fullLaunch(fmt.Sprintf("C%d", i))
		l.TeamID = team
		require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
		ids = append(ids, l.ID)
	}
	_, err := s.Update(ctx, ids[3], func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Archived = true
		return []launch.Event{{Actor: "UCREATOR", Kind: launch.KindArchive}}, nil
	})
	require.NoError(t, err)
	// In the third launch, UDORA ticks an item and owns nothing.
	_, err = s.Update(ctx, ids[2], func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		it := l.Checklist.Item(4)
		it.Done, it.DoneBy, it.DoneAt = true, "UDORA", now
		return []launch.Event{{Actor: "UDORA", Kind: launch.KindTick, Items: []int{4}}}, nil
	})
	require.NoError(t, err)

	launchesOf := func(team, user string) []int64 {
		t.Helper()
		got, err := s.LaunchesOfUser(ctx, team, user)
		require.NoError(t, err)
		var out []int64
		for _, l := range got {
			assert.Equal(t, team, l.TeamID)
			out = append(out, l.ID)
		}
		return out
	}
	for _, user := range []string{"UCREATOR", "USECOWNER", "UGROUP", "UALICE", "UENG"} {
		assert.Equal(t, []int64{ids[0], ids[2]}, launchesOf("T1", user), "%s takes part in both of T1's active launches, oldest first", user)
		assert.Equal(t, []int64{ids[1]}, launchesOf("T2", user), "%s in T2", user)
	}
	assert.Equal(t, []int64{ids[2]}, launchesOf("T1", "UDORA"), "ticking an item is taking part")
	assert.Empty(t, launchesOf("T1", "USTRANGER"))
	assert.Empty(t, launchesOf("T9", "UCREATOR"))
	assert.Empty(t, launchesOf("T1", ""), "nobody takes part in everything that has no owner")

	if onPostgres() {
		return // the plan below is SQLite's
	}
	var plan []string
	rows, err := s.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+activeLaunchesQuery(launchesOfUserCond),
		"T1", "T1", "U", "U", "U", "U", "U", "U")
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "\n")
	for _, index := range []string{"launches_by_creator", "items_by_owner", "items_by_doer", "sections_by_owner", "section_groups_by_owner", "roles_by_holder"} {
		assert.Contains(t, got, "INDEX "+index, "the plan uses %s", index)
	}
	assert.NotRegexp(t, `SCAN (items|sections|section_groups|roles|launches)\b`, got, "no table is read whole")
}

// TestChangeWhoseNoticesNobodyWordedIsRefused: a change that tells the
// channel something (an untick voiding a sign-off) stored without its
// notice taken is refused whole, alone or sharing a transaction: what a
// change tells the channel is never dropped.
func TestChangeWhoseNoticesNobodyWordedIsRefused(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	untick := func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UCREATOR", []int{1}, false, now)
	}
	_, err := s.Update(ctx, l.ID, untick)
	assert.ErrorContains(t, err, "nobody worded")
	errs, err := s.UpdateMany(ctx, []launch.Changes{{ID: l.ID, Fns: []func(*launch.Launch, time.Time) ([]launch.Event, error){untick}}})
	require.NoError(t, err)
	assert.ErrorContains(t, errs[0][0], "nobody worded")
	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.True(t, got.Checklist.Item(1).Done)
	assert.NotNil(t, got.Checklist.Sections[0].Signoff)
}
