package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dbFile is what backup and export must leave as it was: the database
// file's bytes, its modification time and its schema version.
type dbFile struct {
	sum     [32]byte
	modTime time.Time
	version int
}

func dbFileOf(t *testing.T, path string) dbFile {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Greater(t, len(data), 64)
	// user_version is the big-endian integer at offset 60 of the header.
	v := int(data[60])<<24 | int(data[61])<<16 | int(data[62])<<8 | int(data[63])
	return dbFile{sum: sha256.Sum256(data), modTime: info.ModTime(), version: v}
}

// rawDB opens path with no golive code in between.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// readOnlyRuns are the tools that open the database beside a running server.
func readOnlyRuns(t *testing.T, db string) map[string][]string {
	return map[string][]string{
		"backup": {"backup", "--db", db, filepath.Join(t.TempDir(), "copy.db")},
		"export": {"export", "--db", db, "--channel", "C1", "--format", "md"},
	}
}

// TestBackupAndExportRefuseANewerSchema: a database a newer golive has
// migrated is refused, with both versions and what to do, and left as it is.
func TestBackupAndExportRefuseANewerSchema(t *testing.T) {
	path := exportDB(t)
	var known int
	raw := rawDB(t, path)
	require.NoError(t, raw.QueryRow("PRAGMA user_version").Scan(&known))
	_, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", known+1))
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	before := dbFileOf(t, path)
	require.Equal(t, known+1, before.version)

	for name, args := range readOnlyRuns(t, path) {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(args, nil, &stdout, &stderr, env(nil))
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout.String())
			assert.Equal(t, fmt.Sprintf("golive %s: open store %s: the database is at schema version %d, newer than the %d this golive knows: "+
				"a newer golive wrote it. Use the golive that serves it (or a newer one); the database was left as it is\n",
				name, path, known+1, known), stderr.String())
			assert.Equal(t, before, dbFileOf(t, path))
		})
	}
}

// TestBackupAndExportDoNotWrite: neither takes the write lock nor changes
// the file. A server in the middle of a write transaction does not hold
// them up (golive used to migrate, which waited for the lock for the 5 s
// busy timeout and then failed), and a database no server has open is
// left byte for byte as it was.
func TestBackupAndExportDoNotWrite(t *testing.T) {
	path := exportDB(t)
	before := dbFileOf(t, path)

	t.Run("while a writer holds the lock", func(t *testing.T) {
		writer, err := rawDB(t, path).Conn(context.Background())
		require.NoError(t, err)
		defer writer.Close()
		_, err = writer.ExecContext(context.Background(), "BEGIN IMMEDIATE")
		require.NoError(t, err)
		defer writer.ExecContext(context.Background(), "ROLLBACK")

		for name, args := range readOnlyRuns(t, path) {
			start := time.Now()
			var stdout, stderr bytes.Buffer
			code := run(args, nil, &stdout, &stderr, env(nil))
			assert.Equal(t, 0, code, "%s: %s", name, stderr.String())
			assert.Less(t, time.Since(start), 2*time.Second, "%s waited for the write lock", name)
		}
	})

	for name, args := range readOnlyRuns(t, path) {
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr, env(nil))
		require.Equal(t, 0, code, "%s: %s", name, stderr.String())
		assert.NotEmpty(t, stdout.String(), name)
		assert.Equal(t, before, dbFileOf(t, path), "%s wrote to the database", name)
	}
}

// TestBackupDoesNotMigrateAnOlderSchema: a newer golive backing up the
// database of an older server copies it as it is; it used to migrate it,
// and the older server's readiness then failed on the schema it did not know.
func TestBackupDoesNotMigrateAnOlderSchema(t *testing.T) {
	// A database as golive's first release made it: its first migration only.
	path := filepath.Join(t.TempDir(), "golive.db")
	init, err := os.ReadFile(filepath.Join("..", "..", "store", "migrations", "sqlite", "0001_init.sql"))
	require.NoError(t, err)
	raw := rawDB(t, path)
	_, err = raw.Exec("PRAGMA journal_mode = WAL")
	require.NoError(t, err)
	_, err = raw.Exec(string(init) + ";PRAGMA user_version = 1")
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	before := dbFileOf(t, path)
	require.Equal(t, 1, before.version)

	dest := filepath.Join(t.TempDir(), "copy.db")
	var stdout, stderr bytes.Buffer
	code := run([]string{"backup", "--db", path, dest}, nil, &stdout, &stderr, env(nil))
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, before, dbFileOf(t, path), "the database was migrated or written")
	assert.Equal(t, 1, dbFileOf(t, dest).version, "the copy is of the database as it is")

	stdout.Reset()
	stderr.Reset()
	code = run([]string{"export", "--db", path, "--channel", "C1"}, nil, &stdout, &stderr, env(nil))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "is at schema version 1, older than this golive reads")
	assert.Contains(t, stderr.String(), "upgrade the server first (golive serve migrates the database when it starts)")
	assert.Equal(t, before, dbFileOf(t, path))
}
