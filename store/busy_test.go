package store

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestBusyFailuresAreReported(t *testing.T) {
	sqliteOnly(t)
	s, path := openStore(t)
	ctx := context.Background()
	var busy atomic.Int32
	s.OnBusy = func() { busy.Add(1) }
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	noChange := func(*launch.Launch, time.Time) ([]launch.Event, error) { return nil, nil }

	// Another process holds the write lock; the writer gives up after 50 ms
	// rather than the usual 5 s, so that the test is quick.
	other, err := sql.Open("sqlite3", fileURI(path)+"?_txlock=immediate")
	require.NoError(t, err)
	defer other.Close()
	held, err := other.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = s.writer.ExecContext(ctx, "PRAGMA busy_timeout = 50")
	require.NoError(t, err)

	_, err = s.Update(ctx, l.ID, noChange)
	var se sqlite3.Error
	require.True(t, errors.As(err, &se), "got %v", err)
	assert.Equal(t, sqlite3.ErrBusy, se.Code)
	// Past the proof of the launch's own commit, the ping must take the lock.
	s.Now = func() time.Time { return t0.Add(probeEvery) }
	assert.Error(t, s.Ping(ctx))
	assert.Equal(t, int32(2), busy.Load(), "the failed update and the failed ping")

	require.NoError(t, held.Rollback())
	_, err = s.Update(ctx, l.ID, noChange)
	require.NoError(t, err)
	_, err = s.LaunchByID(ctx, l.ID+1)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	assert.Equal(t, int32(2), busy.Load(), "other outcomes are not busy errors")
}
