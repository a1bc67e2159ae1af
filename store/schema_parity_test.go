package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// column is what the two schemas must agree on about a column. kind is
// "integer", "flag" (a 0/1 INTEGER in SQLite, SMALLINT in PostgreSQL), "text"
// or "blob".
type column struct {
	name    string
	kind    string
	notNull bool
}

func (c column) String() string {
	null := "NULL"
	if c.notNull {
		null = "NOT NULL"
	}
	return fmt.Sprintf("%s %s %s", c.name, c.kind, null)
}

// TestPostgresSchemaMatchesSQLite guards the two migration sets from
// drifting: after all of each, the same tables hold the same columns, in
// the same order, of the same kind and nullability.
func TestPostgresSchemaMatchesSQLite(t *testing.T) {
	lite := sqliteColumns(t)
	pg := postgresColumns(t)
	require.NotEmpty(t, lite)
	assert.Equal(t, sortedKeys(lite), sortedKeys(pg), "tables")
	for table, want := range lite {
		if got, ok := pg[table]; ok {
			assert.Equal(t, render(want), render(got), "columns of %s (SQLite, then PostgreSQL)", table)
		}
	}
}

// flagCheck finds SQLite's 0/1 flag columns by their CHECK constraint.
var flagCheck = regexp.MustCompile(`CHECK \((\w+) IN \(0, ?1\)\)`)

func sqliteColumns(t *testing.T) map[string][]column {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite3", fileURI(path)+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	type table struct{ name, sql string }
	var tables []table
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	require.NoError(t, err)
	for rows.Next() {
		var tb table
		require.NoError(t, rows.Scan(&tb.name, &tb.sql))
		tables = append(tables, tb)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	out := map[string][]column{}
	for _, tb := range tables {
		flags := map[string]bool{}
		for _, m := range flagCheck.FindAllStringSubmatch(tb.sql, -1) {
			flags[m[1]] = true
		}
		// A primary key column counts as NOT NULL, as PostgreSQL makes it.
		rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull" OR pk > 0 FROM pragma_table_info(?) ORDER BY cid`, tb.name)
		require.NoError(t, err)
		for rows.Next() {
			var c column
			var typ string
			require.NoError(t, rows.Scan(&c.name, &typ, &c.notNull))
			c.kind = strings.ToLower(typ)
			if flags[c.name] {
				c.kind = "flag"
			}
			out[tb.name] = append(out[tb.name], c)
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	return out
}

// pgKinds maps PostgreSQL's types to the kinds of SQLite's.
var pgKinds = map[string]string{"bigint": "integer", "smallint": "flag", "text": "text", "bytea": "blob"}

func postgresColumns(t *testing.T) map[string][]column {
	ctx := context.Background()
	url := pgtest.URL(t)
	s, err := Open(ctx, url) // migrates, as golive does
	require.NoError(t, err)
	require.NoError(t, s.Close())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)

	// schema_migrations is PostgreSQL's record of the migrations applied;
	// SQLite keeps it in PRAGMA user_version.
	rows, err := conn.Query(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'NO'
FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
ORDER BY table_name, ordinal_position`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string][]column{}
	for rows.Next() {
		var table, typ string
		var c column
		require.NoError(t, rows.Scan(&table, &c.name, &typ, &c.notNull))
		c.kind = pgKinds[typ]
		if c.kind == "" {
			c.kind = "unexpected " + typ
		}
		out[table] = append(out[table], c)
	}
	require.NoError(t, rows.Err())
	return out
}

func render(cs []column) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func sortedKeys(m map[string][]column) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
