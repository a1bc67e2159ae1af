package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestPing(t *testing.T) {
	s, _ := openStore(t)
	now := t0
	s.Now = func() time.Time { return now }
	require.NoError(t, s.Ping(context.Background()))

	// The schema is read at every probe: it costs a read, not the write lock.
	s.version++
	assert.ErrorContains(t, s.Ping(context.Background()), "restart golive to migrate")
}

// A writer busy with ticks proves itself with its commits: /readyz must not
// queue behind them for the write lock, nor call the instance unready
// exactly when it is busiest.
func TestPingDoesNotQueueBehindABusyWriter(t *testing.T) {
	sqliteOnly(t)
	s, _ := openStore(t)
	ctx := context.Background()
	now := t0
	s.Now = func() time.Time { return now }
	l := seedLike("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	require.NoError(t, tick(ctx, s, l.ID, 1))

	// The writer is taken, as by a long queue of ticks.
	tx, err := s.writer.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	assert.NoError(t, s.Ping(short), "a commit within probeEvery is proof enough")

	// Once nothing has committed for probeEvery, a writer that holds its
	// lock that long is stuck: the probe must wait for it, and says so.
	now = t0.Add(probeEvery)
	short2, cancel2 := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel2()
	assert.ErrorContains(t, s.Ping(short2), "take the write lock")
}

// The probe really writes, but at most once per probeEvery.
func TestPingWritesHeartbeatAtMostOncePerInterval(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	now := t0
	s.Now = func() time.Time { return now }
	heartbeat := func() int64 {
		var at int64
		require.NoError(t, s.reader.QueryRowContext(ctx, `SELECT at FROM heartbeat WHERE id = 1`).Scan(&at))
		return at
	}

	require.NoError(t, s.Ping(ctx))
	assert.Equal(t, t0.UnixMilli(), heartbeat())
	now = t0.Add(probeEvery - time.Millisecond)
	require.NoError(t, s.Ping(ctx))
	assert.Equal(t, t0.UnixMilli(), heartbeat(), "no second write within the interval")
	now = t0.Add(probeEvery)
	require.NoError(t, s.Ping(ctx))
	assert.Equal(t, now.UnixMilli(), heartbeat())
}

// tick is a change as the bot makes one: an item ticked, with its audit event.
func tick(ctx context.Context, s *Store, id int64, n int) error {
	_, err := s.Update(ctx, id, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UCREATOR", []int{n}, true, now)
	})
	return err
}

// SQLite writes through the descriptor it holds, so with the directory
// deleted every commit "succeeds" into a file no restart will open. The
// change must be refused, and readiness must fail at once.
func TestCommitRefusedWhenDirectoryDeleted(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.Mkdir(dir, 0o755))
	path := filepath.Join(dir, "golive.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	l := seedLike("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	require.NoError(t, s.Ping(ctx))

	require.NoError(t, os.RemoveAll(dir))

	err = tick(ctx, s, l.ID, 1)
	require.Error(t, err, "a change committed into a deleted file must not be acknowledged")
	assert.ErrorIs(t, err, errFileGone)
	assert.ErrorContains(t, err, path+" no longer exists")
	assert.Equal(t, launch.EINTERNAL, launch.ErrorCode(err))
	assert.ErrorIs(t, s.SaveMessage(ctx, launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1.2", Kind: launch.MessageStatus}), errFileGone,
		"a statement outside a transaction commits on its own, and is checked too")
	assert.ErrorIs(t, s.Ping(ctx), errFileGone, "readiness fails without waiting for the next probe")
}

// Replacing the file (a restore done under a running golive, or a file made
// read-only by copying it over, which stops root too) leaves golive writing
// into the old inode: refused too.
func TestCommitRefusedWhenFileReplaced(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	s, path := openStore(t)
	l := seedLike("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))

	copyPath := path + ".copy"
	require.NoError(t, s.Backup(ctx, copyPath))
	require.NoError(t, os.Chmod(copyPath, 0o444))
	require.NoError(t, os.Rename(copyPath, path))

	err := tick(ctx, s, l.ID, 1)
	assert.ErrorIs(t, err, errFileGone)
	assert.ErrorContains(t, err, "was replaced by another file")
	assert.ErrorIs(t, s.Ping(ctx), errFileGone)
}

// damage overwrites n bytes of the file at offset with garbage.
func damage(t *testing.T, path string, offset int64, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	garbage := make([]byte, n)
	for i := range garbage {
		garbage[i] = byte(0xA5 ^ i)
	}
	_, err = f.WriteAt(garbage, offset)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// closedDatabase returns the path of a database with a launch in it, closed
// (so everything is in the main file).
func closedDatabase(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.CreateLaunch(ctx, seedLike("C1"), "UCREATOR"))
	require.NoError(t, s.Close())
	return path
}

func TestOpenRefusesDamagedDatabase(t *testing.T) {
	t.Run("page", func(t *testing.T) {
		path := closedDatabase(t)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.Greater(t, fi.Size(), int64(8*4096))
		// Pages past the first few hold the launch's tables and indexes.
		damage(t, path, fi.Size()-3*4096, 4096)

		_, err = Open(context.Background(), path)
		require.Error(t, err, "a damaged page must not start and serve")
		assert.ErrorContains(t, err, "the database "+path+" is damaged")
		assert.ErrorContains(t, err, "golive backup")
	})
	t.Run("header", func(t *testing.T) {
		path := closedDatabase(t)
		damage(t, path, 0, 16)

		_, err := Open(context.Background(), path)
		require.Error(t, err)
		assert.ErrorContains(t, err, path+" is not an SQLite database, or its header is damaged")
		assert.ErrorContains(t, err, "golive backup")
		assert.NotContains(t, err.Error(), "directory", "the file is there: a hint about the directory misleads")
	})
}

// A database file golive may not write: readiness must say so rather than
// answer ready while every change fails. chmod does not stop root, so this
// variant runs only as another user (replacing the file covers root, above).
func TestPingFailsOnReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, whom file permissions do not stop; TestCommitRefusedWhenFileReplaced covers a read-only file copied over the database")
	}
	ctx := context.Background()
	path := closedDatabase(t)
	require.NoError(t, os.Chmod(path, 0o444))

	s, err := Open(ctx, path)
	if err != nil {
		assert.ErrorContains(t, err, "readonly", "refusing to start is fine too, if it says why")
		return
	}
	defer s.Close()
	err = s.Ping(ctx)
	require.Error(t, err, "a read-only database is not ready")
	assert.ErrorContains(t, err, "readonly")
}

// A page damaged under a running golive: the first statement that meets it
// fails, and from then on readiness fails too, until a restart (which
// refuses the file, above).
func TestPingFailsOnceDamageIsMet(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	s, path := openStore(t)
	for i := range 20 {
		require.NoError(t, s.CreateLaunch(ctx, seedLike("C"+string(rune('A'+i))), "UCREATOR"))
	}
	_, err := s.writer.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	require.NoError(t, err)
	require.NoError(t, s.Ping(ctx))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	for off := int64(2 * 4096); off < fi.Size(); off += 4096 {
		damage(t, path, off, 8) // the page header: its type and cell count
	}
	s.cache.mu.Lock()
	s.cache.entries = nil // make the next load read the rows
	s.cache.mu.Unlock()

	_, err = s.ActiveLaunches(ctx)
	require.Error(t, err)
	err = s.Ping(ctx)
	require.Error(t, err)
	assert.ErrorContains(t, err, "is corrupt")
	assert.ErrorContains(t, err, "golive backup")
}

// A full disk can refuse a change while the heartbeat's one small row still
// fits: readiness fails for a while after any write failed for want of
// space. SQLite's max_page_count makes the database full for real.
func TestPingFailsAfterAWriteFoundTheDiskFull(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	s, _ := openStore(t)
	now := t0
	s.Now = func() time.Time { return now }
	require.NoError(t, s.CreateLaunch(ctx, seedLike("C1"), "UCREATOR"))
	require.NoError(t, s.Ping(ctx))
	var pages int
	require.NoError(t, s.writer.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages))
	_, err := s.writer.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages))
	require.NoError(t, err)

	err = s.CreateLaunch(ctx, seedLike("C2"), "UCREATOR")
	require.ErrorContains(t, err, "full")
	now = now.Add(probeEvery) // the heartbeat runs again, and fits
	err = s.Ping(ctx)
	require.Error(t, err, "not ready while changes do not fit")
	assert.ErrorContains(t, err, "a write failed 5s ago: database or disk is full")

	now = now.Add(failureHold)
	assert.NoError(t, s.Ping(ctx), "after the hold, the heartbeat's answer stands again")
}
