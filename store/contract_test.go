package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/store"
	"github.com/golive/golive/store/pgtest"
	"github.com/golive/golive/store/storetest"
)

// TestContractSQLite runs the store's contract on SQLite files.
func TestContractSQLite(t *testing.T) {
	storetest.Run(t, opener(func(t testing.TB) string { return filepath.Join(t.TempDir(), "golive.db") }))
}

// TestContractPostgres runs the store's contract on PostgreSQL databases.
func TestContractPostgres(t *testing.T) {
	storetest.Run(t, opener(pgtest.URL))
}

// opener opens stores on one database per test, which newDatabase makes
// at the test's first call and names by its DSN.
func opener(newDatabase func(t testing.TB) string) storetest.Open {
	var mu sync.Mutex
	databases := map[*testing.T]string{}
	return func(t *testing.T) *store.Store {
		mu.Lock()
		dsn, ok := databases[t]
		if !ok {
			dsn = newDatabase(t)
			databases[t] = dsn
		}
		mu.Unlock()
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Errorf("open the store: %v", err)
			return nil
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// A database at a newer schema version than this golive knows is refused
// with a message saying what to do, and left as it is.
func TestNewerSQLiteSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	s, err := store.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "PRAGMA user_version = 999")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, err = store.Open(ctx, path)
	assert.ErrorContains(t, err, "the database is at schema version 999 but this golive knows only")
	assert.ErrorContains(t, err, "run a newer golive")
}

func TestNewerPostgresSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s, err := store.Open(ctx, url)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')")
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))

	_, err = store.Open(ctx, url)
	assert.ErrorContains(t, err, "the database is at schema version 999 but this golive knows only")
	assert.ErrorContains(t, err, "run a newer golive")
}
