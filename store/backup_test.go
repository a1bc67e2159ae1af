package store

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestBackupWhileWriting(t *testing.T) {
	sqliteOnly(t)
	s, _ := openStore(t)
	ctx := context.Background()
	l := seedLike("C1")
	for _, sec := range l.Checklist.Sections {
		sec.HasSignoff = false
	}
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))

	// A writer ticks undone items one by one, one event each, until stopped.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	var once sync.Once
	defer once.Do(func() { close(stop) })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, it := range l.Checklist.Items() {
			select {
			case <-stop:
				return
			default:
			}
			if it.Done {
				continue
			}
			_, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				return l.SetDone(l.Creator, []int{it.Number}, true, now)
			})
			assert.NoError(t, err)
		}
	}()

	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	initiallyDone := len(doneItems(l))
	for i := 0; i < 3; i++ {
		require.NoError(t, s.Backup(ctx, path), "backup %d", i)

		copied, err := Open(ctx, path)
		require.NoError(t, err)
		got, err := copied.LaunchByID(ctx, l.ID)
		require.NoError(t, err)
		audit, err := copied.Audit(ctx, l.ID)
		require.NoError(t, err)
		require.NoError(t, copied.Close())
		// One snapshot: every tick in the copy has its audit row, and no more.
		assert.Equal(t, len(doneItems(got))-initiallyDone, len(audit)-1)
	}
	once.Do(func() { close(stop) })
	wg.Wait()

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"backup.db"}, names, "no temporary file is left behind")
}

func doneItems(l *launch.Launch) []int {
	var out []int
	for _, it := range l.Checklist.Items() {
		if it.Done {
			out = append(out, it.Number)
		}
	}
	return out
}

func TestBackupFailureKeepsThePreviousBackup(t *testing.T) {
	sqliteOnly(t)
	s, _ := openStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	require.NoError(t, s.Backup(ctx, path))
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.Error(t, s.Backup(cancelled, path))
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)

	assert.Error(t, s.Backup(ctx, filepath.Join(dir, "missing", "backup.db")))
}

func TestCheckIntegrityFindsCorruption(t *testing.T) {
	sqliteOnly(t)
	s, _ := openStore(t)
	ctx := context.Background()
	require.NoError(t, s.CreateLaunch(ctx, seedLike("C1"), "UCREATOR"))
	path := filepath.Join(t.TempDir(), "backup.db")
	require.NoError(t, s.Backup(ctx, path))
	require.NoError(t, checkIntegrity(ctx, path))

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	info, err := f.Stat()
	require.NoError(t, err)
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = 0xA5
	}
	_, err = f.WriteAt(junk, info.Size()-8192) // a page of table data
	require.NoError(t, err)
	require.NoError(t, f.Close())

	assert.Error(t, checkIntegrity(ctx, path))
}

func TestBackupRefusesTheLiveDatabase(t *testing.T) {
	sqliteOnly(t)
	s, path := openStore(t)
	ctx := context.Background()
	require.NoError(t, s.CreateLaunch(ctx, fullLaunch("C1"), "UCREATOR"))
	assert.ErrorContains(t, s.Backup(ctx, path), "live database")
	_, err := s.LaunchByChannel(ctx, "T1", "C1")
	assert.NoError(t, err)
}

func TestBackupNewNeverReplacesAFile(t *testing.T) {
	sqliteOnly(t)
	s, _ := openStore(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive-20261203-010203.db")
	require.NoError(t, s.BackupNew(ctx, path))
	first, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, checkIntegrity(ctx, path))

	err = s.BackupNew(ctx, path)
	assert.ErrorIs(t, err, fs.ErrExist)
	again, readErr := os.ReadFile(path)
	require.NoError(t, readErr)
	assert.Equal(t, first, again, "the first backup is left as it was")
	leftovers, _ := filepath.Glob(path + ".tmp-*")
	assert.Empty(t, leftovers)

	// A failed backup gives its name back.
	path2 := filepath.Join(filepath.Dir(path), "second.db")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, s.BackupNew(cancelled, path2))
	assert.NoFileExists(t, path2)
}

func TestBackupIntoAMissingDirectory(t *testing.T) {
	sqliteOnly(t)
	s, _ := openStore(t)
	missing := filepath.Join(t.TempDir(), "no", "such")
	for _, backup := range []func(context.Context, string) error{s.Backup, s.BackupNew} {
		err := backup(context.Background(), filepath.Join(missing, "b.db"))
		require.Error(t, err)
		assert.Equal(t, "backup to "+filepath.Join(missing, "b.db")+": the directory "+missing+
			" does not exist: create it first, or choose another path", err.Error())
	}
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	err := s.Backup(context.Background(), filepath.Join(file, "b.db"))
	assert.ErrorContains(t, err, file+" is not a directory")
}
