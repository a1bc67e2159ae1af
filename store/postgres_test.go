package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store/pgtest"
)

// pgLater is PostgreSQL's migrations and one more, which counts how often
// it is applied.
func pgLater(t *testing.T) []migration {
	ms, err := postgresMigrations()
	require.NoError(t, err)
	n := len(ms) + 1
	return append(slices.Clone(ms), migration{version: n, name: fmt.Sprintf("%04d_later.sql", n), sql: `
ALTER TABLE launches ADD COLUMN later_note TEXT NOT NULL DEFAULT 'added later';
CREATE TABLE IF NOT EXISTS later_applied (at TIMESTAMPTZ NOT NULL DEFAULT now());
INSERT INTO later_applied DEFAULT VALUES;`})
}

// Three replicas starting at once on an older database: one migrates, the
// others wait for its lock and find nothing left to do; the data stays.
func TestPostgresReplicasStartingTogetherMigrateOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	ms, err := postgresMigrations()
	require.NoError(t, err)
	old, err := openPostgres(ctx, url, ms, true)
	require.NoError(t, err)
	l := fullLaunch("C1")
	require.NoError(t, old.CreateLaunch(ctx, l, "UCREATOR"))
	require.NoError(t, old.Close())

	newer := pgLater(t)
	stores := make([]*Store, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = openPostgres(ctx, url, newer, true) })
	}
	wg.Wait()
	for i, s := range stores {
		require.NoError(t, errs[i], "replica %d", i)
		defer s.Close()
	}
	s := stores[0]
	var applied, recorded int
	require.NoError(t, s.reader.QueryRowContext(ctx, `SELECT count(*) FROM later_applied`).Scan(&applied))
	assert.Equal(t, 1, applied, "the new migration ran once")
	require.NoError(t, s.reader.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&recorded))
	assert.Equal(t, len(newer), recorded)

	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, l.Name, got.Name, "the older schema was migrated, not wiped")
	var note string
	require.NoError(t, s.reader.QueryRowContext(ctx, `SELECT later_note FROM launches WHERE id = ?`, l.ID).Scan(&note))
	assert.Equal(t, "added later", note)
	require.NoError(t, s.Ping(ctx))
}

func TestPostgresNewerSchemaIsRefusedAndLeftAlone(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	newer := pgLater(t)
	s, err := openPostgres(ctx, url, newer, true)
	require.NoError(t, err)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	require.NoError(t, s.Close())

	_, err = Open(ctx, url)
	assert.ErrorContains(t, err, fmt.Sprintf("schema version %d but this golive knows only %d: run a newer golive", len(newer), len(newer)-1))
	_, err = OpenReadOnly(ctx, url)
	assert.ErrorContains(t, err, "run a newer golive")

	s, err = openPostgres(ctx, url, newer, true)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, l.Name, got.Name)
}

// PostgreSQL's DDL is transactional: a migration that fails leaves no part
// of itself, and the database at the version it had.
func TestPostgresFailedMigrationChangesNothing(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	ms, err := postgresMigrations()
	require.NoError(t, err)
	broken := append(slices.Clone(ms), migration{version: len(ms) + 1, name: "broken.sql", sql: `
CREATE TABLE half_done (id BIGINT PRIMARY KEY);
THIS IS NOT SQL;`})
	_, err = openPostgres(ctx, url, broken, true)
	assert.ErrorContains(t, err, "apply broken.sql")

	s, err := Open(ctx, url)
	require.NoError(t, err, "the database is still at the version it had")
	defer s.Close()
	var tables int
	require.NoError(t, s.reader.QueryRowContext(ctx,
		`SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'`).Scan(&tables))
	assert.Zero(t, tables)
}

// Two replicas' stores on one database click the items of one launch at
// once: every tick lands, each with its one audit row, and each store's
// cache follows the other's writes.
func TestPostgresReplicasTickOneLaunchWithoutLoss(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	a, err := Open(ctx, url)
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(ctx, url)
	require.NoError(t, err)
	defer b.Close()
	l := seedLike("C1")
	require.NoError(t, a.CreateLaunch(ctx, l, "UCREATOR"))
	items := l.Checklist.Items()
	require.GreaterOrEqual(t, len(items), 16)

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		s := []*Store{a, b}[i%2]
		n := items[i].Number
		wg.Go(func() {
			_, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				return l.SetDone("UCREATOR", []int{n}, !l.Checklist.Item(n).Done, now)
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, s := range []*Store{a, b} {
		got, err := s.LaunchByID(ctx, l.ID)
		require.NoError(t, err)
		for i := range 16 {
			n := items[i].Number
			assert.Equal(t, !items[i].Done, got.Checklist.Item(n).Done, "item %d", n)
		}
	}
	audit, err := b.Audit(ctx, l.ID)
	require.NoError(t, err)
	ticks := 0
	for _, e := range audit {
		if e.Is(launch.KindTick, launch.KindUntick) {
			ticks++
		}
	}
	assert.Equal(t, 16, ticks)
}

func TestRedactedHidesThePassword(t *testing.T) {
	assert.Equal(t, "./golive.db", Redacted("./golive.db"))
	assert.Equal(t, "postgres://golive:xxxxx@db:5432/golive?sslmode=require",
		Redacted("postgres://golive:hunter2@db:5432/golive?sslmode=require"))
	assert.NotContains(t, Redacted("postgresql://db/golive?user=golive&password=hunter2"), "hunter2")
	assert.NotContains(t, Redacted("postgres://golive:hunter2@db:5432/%zz"), "hunter2")
}
