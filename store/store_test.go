package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenUsesWALAndPragmas(t *testing.T) {
	sqliteOnly(t)
	s, _ := openStore(t)
	ctx := context.Background()

	var mode string
	require.NoError(t, s.writer.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode)
	var fk, sync, busy int
	require.NoError(t, s.writer.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
	require.NoError(t, s.writer.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync))
	require.NoError(t, s.writer.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy))
	assert.Equal(t, 1, fk)
	assert.Equal(t, 2, sync, "synchronous=FULL")
	assert.Equal(t, 5000, busy)

	require.NoError(t, s.reader.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode, "the reader sees the same WAL database")
	_, err := s.reader.ExecContext(ctx, "CREATE TABLE nope (x INTEGER)")
	assert.Error(t, err, "reader connections are query-only")
}

func TestOpenRejectsEmptyPath(t *testing.T) {
	_, err := Open(context.Background(), " ")
	assert.ErrorContains(t, err, "GOLIVE_DB")
}

func TestOpenPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd?name#1%.db")
	s, err := Open(context.Background(), path)
	require.NoError(t, err)
	require.NoError(t, s.CreateLaunch(context.Background(), fullLaunch("C1"), "UCREATOR"))
	require.NoError(t, s.Close())
	assert.FileExists(t, path)
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	require.NoError(t, s.Close())

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, l, got)
}
