package store

import (
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

// fileState is what a read-only open must leave as it was: the database
// file's bytes, its modification time and its schema version.
type fileState struct {
	sum     [32]byte
	modTime time.Time
	version int
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err)
	// user_version is the big-endian integer at offset 60 of the header.
	require.Greater(t, len(data), 64)
	v := int(data[60])<<24 | int(data[61])<<16 | int(data[62])<<8 | int(data[63])
	return fileState{sum: sha256.Sum256(data), modTime: info.ModTime(), version: v}
}

// oldDatabase makes a database at schema version v holding l's launch, the
// way golive would have: written by the first release, migrated up to v.
func oldDatabase(t *testing.T, v int) (string, int64) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	first, err := open(ctx, path, ms[:1])
	require.NoError(t, err)
	l := fullLaunch("C1")
	createLegacyLaunch(ctx, t, first.writer, l)
	require.NoError(t, first.Close())
	at, err := open(ctx, path, ms[:v])
	require.NoError(t, err)
	require.NoError(t, at.Close())
	return path, l.ID
}

func TestReadOnlyReadsAnOlderSchemaWithoutMigratingIt(t *testing.T) {
	ctx := context.Background()
	path, id := oldDatabase(t, oldestReadable)
	before := stateOf(t, path)
	require.Equal(t, oldestReadable, before.version)

	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err)
	assert.Equal(t, oldestReadable, ro.Version())
	ls, err := ro.LaunchesInChannel(ctx, "C1")
	require.NoError(t, err)
	require.Len(t, ls, 1)
	assert.Equal(t, id, ls[0].ID)
	l, err := ro.LaunchByChannel(ctx, ls[0].TeamID, "C1")
	require.NoError(t, err)
	assert.Equal(t, ls[0], l)
	listed, err := ro.ActiveLaunchList(ctx)
	require.NoError(t, err)
	assert.Equal(t, []LaunchListing{{TeamID: l.TeamID, ChannelID: "C1", Name: l.Name, Date: l.Date}}, listed)
	require.NoError(t, ro.Backup(ctx, filepath.Join(t.TempDir(), "copy.db")))
	require.NoError(t, ro.BackupNew(ctx, filepath.Join(t.TempDir(), "new.db")))
	require.NoError(t, ro.Close())

	assert.Equal(t, before, stateOf(t, path), "not migrated, not written")
}

// TestReadQueriesWorkAtOldestReadable keeps oldestReadable honest: every
// query loading a launch must run on a database at that version.
func TestReadQueriesWorkAtOldestReadable(t *testing.T) {
	ctx := context.Background()
	path, _ := oldDatabase(t, oldestReadable)
	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err)
	defer ro.Close()
	for _, q := range []string{selectLaunch, selectSections, selectGroups, selectItems, selectRoles} {
		stmt, err := ro.s.reader.PrepareContext(ctx, q)
		if assert.NoError(t, err, "raise oldestReadable: this query needs a newer schema:\n%s", q) {
			stmt.Close()
		}
	}
}

func TestReadOnlyRefusesLaunchesOfASchemaTooOld(t *testing.T) {
	ctx := context.Background()
	path, _ := oldDatabase(t, oldestReadable-1)
	before := stateOf(t, path)

	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err, "a backup copies any older schema")
	defer ro.Close()
	_, err = ro.LaunchesInChannel(ctx, "C1")
	assert.EqualError(t, err, fmt.Sprintf("the database %s is at schema version %d, older than this golive reads (%d to %d): "+
		"an older golive serves it and has not upgraded it. Use the golive that serves it, "+
		"or upgrade the server first (golive serve migrates the database when it starts); the database was left as it is",
		path, oldestReadable-1, oldestReadable, ro.s.version))
	_, err = ro.LaunchByChannel(ctx, "T1", "C1")
	assert.ErrorContains(t, err, "older than this golive reads")
	require.NoError(t, ro.Backup(ctx, filepath.Join(t.TempDir(), "copy.db")))
	assert.Equal(t, before, stateOf(t, path))
}

func TestReadOnlyRefusesANewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	newer := later(t)
	s, err := open(ctx, path, newer)
	require.NoError(t, err)
	require.NoError(t, s.CreateLaunch(ctx, fullLaunch("C1"), "UCREATOR"))
	require.NoError(t, s.Close())
	before := stateOf(t, path)

	_, err = OpenReadOnly(ctx, path)
	assert.EqualError(t, err, fmt.Sprintf("open store %s: the database is at schema version %d, newer than the %d this golive knows: "+
		"a newer golive wrote it. Use the golive that serves it (or a newer one); the database was left as it is", path, len(newer), len(newer)-1))
	assert.Equal(t, before, stateOf(t, path))
}

func TestReadOnlyRefusesWhatIsNotAGoliveDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.db")
	require.NoError(t, os.WriteFile(text, []byte("these are not the bytes of an SQLite database, far from it"), 0o600))
	_, err := OpenReadOnly(ctx, text)
	assert.ErrorContains(t, err, "is not an SQLite database")

	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite3", fileURI(other))
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE t (x)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = OpenReadOnly(ctx, other)
	assert.ErrorContains(t, err, "not a golive database (its schema version is 0)")
}
