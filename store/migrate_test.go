package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedMigrationsAreNumberedInOrder(t *testing.T) {
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	assert.Equal(t, "0001_init.sql", ms[0].name)
	for i, m := range ms {
		assert.Equal(t, i+1, m.version)
	}
}

func TestReadMigrationsRefusesBadNumbering(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name  string
		files fstest.MapFS
		err   string
	}{
		{"gap", fstest.MapFS{"0001_a.sql": file, "0003_c.sql": file}, "0003_c.sql: expected number 0002"},
		{"repeat", fstest.MapFS{"0001_a.sql": file, "0001_b.sql": file}, "0001_b.sql: expected number 0002"},
		{"unnumbered", fstest.MapFS{"init.sql": file}, "name it NNNN_name.sql"},
		{"short number", fstest.MapFS{"1_init.sql": file}, "name it NNNN_name.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readMigrations(tt.files)
			assert.ErrorContains(t, err, tt.err)
		})
	}
}

// later is the embedded migrations plus one more, as a future golive would have.
func later(t *testing.T) []migration {
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	n := len(ms) + 1
	return append(slices.Clone(ms), migration{version: n, name: fmt.Sprintf("%04d_later.sql", n), sql: `
ALTER TABLE launches ADD COLUMN later_note TEXT NOT NULL DEFAULT 'added later';
CREATE TABLE later_things (id INTEGER PRIMARY KEY, launch_id INTEGER NOT NULL REFERENCES launches (id));`})
}

func TestOlderSchemaIsMigratedNotWiped(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	ms, err := embeddedMigrations()
	require.NoError(t, err)

	// A database made by the first release: 0001 only. Its roles are
	// written as that release wrote them, without the columns added since.
	old, err := open(ctx, path, ms[:1])
	require.NoError(t, err)
	l := fullLaunch("C1")
	createLegacyLaunch(ctx, t, old.writer, l)
	require.NoError(t, old.Close())

	newer := later(t)
	s, err := open(ctx, path, newer)
	require.NoError(t, err)
	defer s.Close()

	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, l, got)
	version, err := schemaVersion(ctx, s.reader)
	require.NoError(t, err)
	assert.Equal(t, len(newer), version)
	var note string
	require.NoError(t, s.reader.QueryRowContext(ctx, `SELECT later_note FROM launches WHERE id = ?`, l.ID).Scan(&note))
	assert.Equal(t, "added later", note)
	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1)
	require.NoError(t, s.Ping(ctx))
}

func TestNewerSchemaIsRefusedAndLeftAlone(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	newer := later(t)
	s, err := open(ctx, path, newer)
	require.NoError(t, err)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	require.NoError(t, s.Close())

	_, err = Open(ctx, path)
	assert.ErrorContains(t, err, fmt.Sprintf("schema version %d but this golive knows only %d: run a newer golive", len(newer), len(newer)-1))

	s, err = open(ctx, path, newer)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.LaunchByID(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, l.Name, got.Name)
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	s, err := open(ctx, path, ms)
	require.NoError(t, err)
	require.NoError(t, s.CreateLaunch(ctx, fullLaunch("C1"), "UCREATOR"))
	require.NoError(t, s.Close())

	broken := append(later(t), migration{version: len(ms) + 2, name: "broken.sql", sql: `
CREATE TABLE half_done (id INTEGER PRIMARY KEY);
THIS IS NOT SQL;`})
	_, err = open(ctx, path, broken)
	assert.ErrorContains(t, err, "apply broken.sql")

	s, err = open(ctx, path, ms)
	require.NoError(t, err, "the database is still at the version it had")
	defer s.Close()
	var tables int
	require.NoError(t, s.reader.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE name IN ('half_done', 'later_things')`).Scan(&tables))
	assert.Zero(t, tables, "no part of the failed migrations was kept")
}
