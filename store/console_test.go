package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsoleTablesKeepMessagesAndSettings(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t) // the migrations make the console's tables

	require.NoError(t, s.SaveConsoleMessage(ctx, "C1", "1700000000.000002", []byte(`{"text":"second"}`)))
	require.NoError(t, s.SaveConsoleMessage(ctx, "C1", "1700000000.000001", []byte(`{"text":"first"}`)))
	require.NoError(t, s.SaveConsoleMessage(ctx, "C1", "1700000000.000002", []byte(`{"text":"second, edited"}`)))
	require.NoError(t, s.SaveConsoleMessage(ctx, "D1", "1700000000.000003", []byte(`{"text":"a DM"}`)))
	assert.Error(t, s.SaveConsoleMessage(ctx, "C1", "1700000000.000004", []byte(`not json`)), "documents are JSON")
	require.NoError(t, s.DeleteConsoleMessage(ctx, "D1", "1700000000.000003"))
	require.NoError(t, s.DeleteConsoleMessage(ctx, "D1", "no-such-ts"), "forgetting an unknown message is no error")

	v, err := s.ConsoleSetting(ctx, "clock_offset_ms")
	require.NoError(t, err)
	assert.Empty(t, v, "an unset setting reads empty")
	require.NoError(t, s.SetConsoleSetting(ctx, "clock_offset_ms", "1000"))
	require.NoError(t, s.SetConsoleSetting(ctx, "clock_offset_ms", "259200000"))
	require.NoError(t, s.Close())

	again, err := Open(ctx, path)
	require.NoError(t, err)
	defer again.Close()
	docs, err := again.ConsoleMessages(ctx)
	require.NoError(t, err)
	var texts []string
	for _, d := range docs {
		texts = append(texts, string(d))
	}
	assert.Equal(t, []string{`{"text":"first"}`, `{"text":"second, edited"}`}, texts)
	v, err = again.ConsoleSetting(ctx, "clock_offset_ms")
	require.NoError(t, err)
	assert.Equal(t, "259200000", v)
}

// consoleTablesBefore0024 is what the console ran on a database, the first
// time it started there, before its tables came with migration 0024.
const consoleTablesBefore0024 = `CREATE TABLE IF NOT EXISTS console_messages (
    channel_id TEXT    NOT NULL CHECK (channel_id <> ''),
    ts         TEXT    NOT NULL CHECK (ts <> ''),
    doc        TEXT    NOT NULL CHECK (json_valid(doc)),
    saved_at   INTEGER NOT NULL,
    PRIMARY KEY (channel_id, ts)
);
CREATE TABLE IF NOT EXISTS console_settings (
    name  TEXT NOT NULL PRIMARY KEY CHECK (name <> ''),
    value TEXT NOT NULL
);`

// TestConsoleTablesMadeByTheConsoleMigrate: a database the console ran on
// before migration 0024 has its tables already; it migrates cleanly, and
// keeps their rows. One that never ran the console gets them.
func TestConsoleTablesMadeByTheConsoleMigrate(t *testing.T) {
	ctx := context.Background()
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	at := consoleMigration(t, ms)

	tried := filepath.Join(t.TempDir(), "tried.db")
	old, err := open(ctx, tried, ms[:at-1])
	require.NoError(t, err)
	_, err = old.writer.ExecContext(ctx, consoleTablesBefore0024)
	require.NoError(t, err)
	require.NoError(t, old.SaveConsoleMessage(ctx, "C1", "1700000000.000001", []byte(`{"text":"kept"}`)))
	require.NoError(t, old.SetConsoleSetting(ctx, "clock_offset_ms", "86400000"))
	require.NoError(t, old.Close())

	s, err := Open(ctx, tried)
	require.NoError(t, err)
	defer s.Close()
	version, err := schemaVersion(ctx, s.reader)
	require.NoError(t, err)
	assert.Equal(t, len(ms), version)
	docs, err := s.ConsoleMessages(ctx)
	require.NoError(t, err)
	require.Len(t, docs, 1)
	assert.JSONEq(t, `{"text":"kept"}`, string(docs[0]))
	v, err := s.ConsoleSetting(ctx, "clock_offset_ms")
	require.NoError(t, err)
	assert.Equal(t, "86400000", v)

	never := filepath.Join(t.TempDir(), "never.db")
	old, err = open(ctx, never, ms[:at-1])
	require.NoError(t, err)
	require.NoError(t, old.Close())
	s2, err := Open(ctx, never)
	require.NoError(t, err)
	defer s2.Close()
	require.NoError(t, s2.SaveConsoleMessage(ctx, "C1", "1700000000.000001", []byte(`{"text":"new"}`)))
}

// consoleMigration returns the number of the migration that makes the
// console's tables.
func consoleMigration(t *testing.T, ms []migration) int {
	t.Helper()
	for _, m := range ms {
		if strings.HasSuffix(m.name, "_console.sql") {
			return m.version
		}
	}
	require.Fail(t, "no migration makes the console's tables")
	return 0
}
