package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// refuseAuditOf makes the database refuse every audit row of actor, as a
// failing write would: the rows written before it in the same launch must
// be undone with it.
func refuseAuditOf(t *testing.T, path, actor string) {
	t.Helper()
	if onPostgres() {
		db, err := sql.Open("pgx", path)
		require.NoError(t, err)
		defer db.Close()
		_, err = db.Exec(fmt.Sprintf(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.actor = '%s' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
CREATE TRIGGER refuse_audit BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION refuse_audit();`, actor))
		require.NoError(t, err)
		return
	}
	db, err := sql.Open("sqlite3", fileURI(path))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit WHEN NEW.actor = '%s'
BEGIN SELECT RAISE(ABORT, 'audit refused'); END`, actor))
	require.NoError(t, err)
}

// tickTelling ticks item n as user and tells a notice keyed key.
func tickTelling(user string, n int, key string) change {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		_, _ = tell(key)(l, now)
		return tickAs(user, n)(l, now)
	}
}

// One transaction carries the changes of several launches, each launch's
// in order and each change on its own: a panic, an error or a failed write
// in one launch leaves the other launches' changes stored and itself fully
// undone, rows, audit rows and posts alike.
func TestUpdateManyIsolatesLaunches(t *testing.T) {
	s, path := openStore(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, ch := range []string{"C1", "C2", "C3", "C4"} {
		l := fullLaunch(ch)
		require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
		ids[ch] = l.ID
	}
	refuseAuditOf(t, path, "UFAILWRITE")
	refused := launch.Errorf(launch.ECONFLICT, "refused")

	errs, err := s.UpdateMany(ctx, []launch.Changes{
		{ID: ids["C1"], Fns: []change{tickTelling("UA", 3, "notice:c1:a"), func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			_, _ = tell("notice:c1:bad")(l, now)
			return halfway("UBAD", 4, func() error { panic("a bug") })(l, now)
		}, tickAs("UC", 5)}},
		{ID: ids["C2"], Fns: []change{halfway("UBAD", 4, func() error { return refused })}},
		// Item 3's row and UA's audit row are written before UFAILWRITE's
		// audit row is refused: the launch's writes are undone whole.
		{ID: ids["C3"], Fns: []change{tickTelling("UA", 3, "notice:c3:a"), halfway("UBAD", 5, func() error { return refused }), tickAs("UFAILWRITE", 4)}},
		{ID: ids["C4"], Fns: []change{tickAs("UD", 6), tickTelling("UE", 3, "notice:c4:e")}},
	})
	require.NoError(t, err)
	require.Len(t, errs, 4)
	assert.Equal(t, []error{nil, errs[0][1], nil}, errs[0])
	assert.ErrorContains(t, errs[0][1], "the change panicked: a bug")
	assert.Equal(t, []error{refused}, errs[1])
	assert.ErrorContains(t, errs[2][0], "audit refused")
	assert.Equal(t, errs[2][0], errs[2][2], "the launch's stored changes share its failure")
	assert.Equal(t, refused, errs[2][1], "a change that failed on its own keeps its error")
	assert.Equal(t, []error{nil, nil}, errs[3])

	other, err := Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	for _, tc := range []struct {
		channel string
		done    []int
		actors  []string
		posts   []string
	}{
		{"C1", []int{3, 5}, []string{"UA", "UC"}, []string{"notice:c1:a"}},
		{"C2", nil, nil, nil},
		{"C3", nil, nil, nil},
		{"C4", []int{3, 6}, []string{"UD", "UE"}, []string{"notice:c4:e"}},
	} {
		id := ids[tc.channel]
		// What the cache says and what a fresh process reads agree.
		got, err := s.LaunchByID(ctx, id)
		require.NoError(t, err)
		fresh, err := other.LaunchByID(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, fresh, got, tc.channel)

		assert.Equal(t, "Checkout v2", got.Name, "%s: nothing of a failed change", tc.channel)
		assert.Equal(t, fullLaunch(tc.channel).Checklist.Gates, got.Checklist.Gates, tc.channel)
		var done []int
		for n := 3; n <= 6; n++ {
			if got.Checklist.Item(n).Done {
				done = append(done, n)
			}
		}
		assert.Equal(t, tc.done, done, tc.channel)
		audit, err := s.Audit(ctx, id)
		require.NoError(t, err)
		var actors []string
		for _, e := range audit[1:] {
			actors = append(actors, e.Actor)
		}
		assert.Equal(t, tc.actors, actors, "%s: one audit row per stored change, none for a failed one", tc.channel)
		posts, err := s.Posts(ctx, id)
		require.NoError(t, err)
		var keys []string
		for _, p := range posts {
			keys = append(keys, p.Key)
		}
		assert.Equal(t, tc.posts, keys, "%s: the posts of the stored changes, none of a failed one", tc.channel)
	}

	// The launch whose write was undone is at its old version, cached or
	// not: the next change to it is stored on the rows it had.
	_, err = s.Update(ctx, ids["C3"], tickAs("UF", 4))
	require.NoError(t, err)
	got, err := other.LaunchByID(ctx, ids["C3"])
	require.NoError(t, err)
	assert.True(t, got.Checklist.Item(4).Done)
	assert.False(t, got.Checklist.Item(3).Done)
	cached, err := s.LaunchByID(ctx, ids["C3"])
	require.NoError(t, err)
	assert.Equal(t, got, cached)
}

// Many launches in one batch, each with several changes, all stored with
// one audit row each; the cache of every launch stays that of its rows.
func TestUpdateManyStoresEveryLaunch(t *testing.T) {
	s, path := openStore(t)
	ctx := context.Background()
	var batch []launch.Changes
	for i := range 20 {
		l := fullLaunch(fmt.Sprintf("C%d", i))
		require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
		batch = append(batch, launch.Changes{ID: l.ID, Fns: []change{tickAs("UA", 3+i%4), tickAs("UB", 3+(i+1)%4)}})
	}
	// Warm the cache of half of them, so both paths of the load are taken.
	for _, lc := range batch[:10] {
		_, err := s.LaunchByID(ctx, lc.ID)
		require.NoError(t, err)
	}
	s.Now = func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }
	errs, err := s.UpdateMany(ctx, batch)
	require.NoError(t, err)
	other, err := Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	for i, lc := range batch {
		assert.Equal(t, []error{nil, nil}, errs[i])
		got, err := s.LaunchByID(ctx, lc.ID)
		require.NoError(t, err)
		fresh, err := other.LaunchByID(ctx, lc.ID)
		require.NoError(t, err)
		assert.Equal(t, fresh, got)
		assert.True(t, got.Checklist.Item(3+i%4).Done)
		assert.True(t, got.Checklist.Item(3+(i+1)%4).Done)
		audit, err := s.Audit(ctx, lc.ID)
		require.NoError(t, err)
		require.Len(t, audit, 3)
		assert.Equal(t, s.Now(), audit[1].At, "one timestamp for the whole transaction")
		assert.Equal(t, s.Now(), audit[2].At)
	}
}
