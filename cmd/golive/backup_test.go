package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// liveStore creates a database with one launch and leaves it open, as a
// running bot would.
func liveStore(t *testing.T) (string, *store.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "golive.db")
	st, err := store.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	l := &launch.Launch{
		TeamID: "T1", ChannelID: "C1", Name: "Checkout v2", Date: "2026-12-01", Timezone: "UTC", Creator: "U1",
		Checklist: &checklist.Checklist{Title: "Launch", Sections: []*checklist.Section{{
			Title: "Security", Kind: checklist.KindReadiness,
			Groups: []*checklist.Group{{Items: []*checklist.Item{{Number: 1, Text: "TLS everywhere"}}}},
		}}},
	}
	require.NoError(t, st.CreateLaunch(context.Background(), l, "U1"))
	return path, st
}

func TestBackupWhileTheBotRuns(t *testing.T) {
	src, _ := liveStore(t)
	dest := filepath.Join(t.TempDir(), "copy.db")
	var stdout, stderr bytes.Buffer
	code := run([]string{"backup", dest}, nil, &stdout, &stderr, env(map[string]string{"GOLIVE_DB": src}))
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "backed up "+src+" to "+dest+" (integrity checked)\n", stdout.String())

	copied, err := store.Open(context.Background(), dest)
	require.NoError(t, err)
	defer copied.Close()
	l, err := copied.LaunchByChannel(context.Background(), "T1", "C1")
	require.NoError(t, err)
	assert.Equal(t, "Checkout v2", l.Name)

	// Backing up again to the same file replaces it, and says so.
	stdout.Reset()
	code = run([]string{"backup", "--db", src, dest}, nil, &stdout, &stderr, env(nil))
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "backed up "+src+" to "+dest+" (integrity checked), replacing the file that was there\n", stdout.String())
}

func TestBackupIntoADirectory(t *testing.T) {
	src, _ := liveStore(t)
	dir := t.TempDir()
	now := time.Date(2026, 3, 9, 7, 5, 3, 0, time.UTC)
	dest, err := backup(context.Background(), src, dir, now)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "golive-20260309-070503.db"), dest)
	assert.FileExists(t, dest)

	// Two more in the same second: new files, the first left as it was.
	first, err := os.ReadFile(dest)
	require.NoError(t, err)
	for _, want := range []string{"golive-20260309-070503-2.db", "golive-20260309-070503-3.db"} {
		got, err := backup(context.Background(), src, dir+string(filepath.Separator), now)
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(dir, want), got)
	}
	again, err := os.ReadFile(dest)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 3, "no temporary file left behind")
}

func TestBackupRefuses(t *testing.T) {
	src, _ := liveStore(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"no destination", []string{"backup"}, map[string]string{"GOLIVE_DB": src}, 2, "usage: golive backup [--db path] DEST\n"},
		{"two destinations", []string{"backup", "a.db", "b.db"}, map[string]string{"GOLIVE_DB": src}, 2, "usage: golive backup [--db path] DEST\n"},
		{"missing database", []string{"backup", filepath.Join(dir, "x.db")}, map[string]string{"GOLIVE_DB": filepath.Join(dir, "nope.db")}, 1,
			"golive backup: database " + filepath.Join(dir, "nope.db") + " does not exist: set GOLIVE_DB (or --db) to the file golive serve uses (golive serve creates it when it first starts)\n"},
		{"the database itself", []string{"backup", src}, map[string]string{"GOLIVE_DB": src}, 1,
			"golive backup: " + src + " is the database itself (or one of its -wal, -shm files): choose another backup path\n"},
		{"the database's WAL", []string{"backup", src + "-wal"}, map[string]string{"GOLIVE_DB": src}, 1,
			"golive backup: " + src + "-wal is the database itself (or one of its -wal, -shm files): choose another backup path\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, nil, &stdout, &stderr, env(tt.env))
			assert.Equal(t, tt.code, code)
			assert.Contains(t, stderr.String(), tt.want)
			assert.Empty(t, stdout.String())
		})
	}

	t.Run("the database through another path", func(t *testing.T) {
		link := filepath.Join(dir, "link.db")
		require.NoError(t, os.Link(src, link))
		_, err := backup(context.Background(), src, link, time.Now())
		assert.ErrorContains(t, err, "is the database itself")
	})

	t.Run("a directory that does not exist", func(t *testing.T) {
		missing := filepath.Join(dir, "no", "such", "dir")
		_, err := backup(context.Background(), src, filepath.Join(missing, "b.db"), time.Now())
		assert.EqualError(t, err, "backup to "+filepath.Join(missing, "b.db")+": the directory "+missing+
			" does not exist: create it first, or choose another path")

		var stdout, stderr bytes.Buffer
		code := run([]string{"backup", missing + "/"}, nil, &stdout, &stderr, env(map[string]string{"GOLIVE_DB": src}))
		assert.Equal(t, 1, code)
		assert.Equal(t, "golive backup: the directory "+missing+"/ does not exist: create it first (mkdir -p "+missing+
			"/), or choose another path\n", stderr.String())
		assert.NoDirExists(t, missing)
	})

	t.Run("a file named as a directory", func(t *testing.T) {
		file := filepath.Join(dir, "plain.db")
		require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
		_, err := backup(context.Background(), src, file+"/", time.Now())
		assert.EqualError(t, err, "backup to "+file+"/: "+file+" is not a directory")
	})
}
