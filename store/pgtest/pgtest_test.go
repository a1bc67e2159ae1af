package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { Main(m) }

func TestURLsAreSeparateEmptyDatabases(t *testing.T) {
	ctx := context.Background()
	first, second := URL(t), URL(t)
	require.NotEqual(t, first, second)

	a := connect(t, first)
	b := connect(t, second)
	for _, conn := range []*pgx.Conn{a, b} {
		assert.Zero(t, count(t, conn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "a new database has no tables")
	}
	_, err := a.Exec(ctx, "CREATE TABLE launches (id BIGINT PRIMARY KEY)")
	require.NoError(t, err, "the test role owns its database and may create tables in it")
	assert.Zero(t, count(t, b, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "a table of one database is not in the other")
}

func TestCleanupDropsTheDatabase(t *testing.T) {
	ctx := context.Background()
	var name string
	var left *pgx.Conn
	t.Run("uses a database", func(t *testing.T) {
		u, err := url.Parse(URL(t))
		require.NoError(t, err)
		name = strings.TrimPrefix(u.Path, "/")
		// The test leaves its connection open: the drop must close it.
		left, err = pgx.Connect(ctx, u.String())
		require.NoError(t, err)
		_, err = left.Exec(ctx, "CREATE TABLE t (x INT)")
		require.NoError(t, err)
	})
	require.NotEmpty(t, name)
	require.NotNil(t, left)
	defer left.Close(ctx)
	admin := connect(t, adminURL(t))
	assert.Zero(t, count(t, admin, "SELECT count(*) FROM pg_database WHERE datname = '"+name+"'"), "the database is dropped once its test ends")
}

func TestURLIsReachableOverTCPWithAPassword(t *testing.T) {
	u, err := url.Parse(URL(t))
	require.NoError(t, err)
	assert.Contains(t, []string{"postgres", "postgresql"}, u.Scheme)
	if _, set := u.User.Password(); !set {
		t.Errorf("URL %s has no password", u.Redacted())
	}
	conn := connect(t, u.String())
	var user string
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT current_user").Scan(&user))
	assert.Equal(t, u.User.Username(), user)
}

// adminURL is the URL of the server's postgres database, as the tests' role.
func adminURL(t *testing.T) string {
	srv, err := get()
	require.NoError(t, err)
	u := srv.base
	u.Path = "/postgres"
	return u.String()
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func count(t *testing.T, conn *pgx.Conn, query string) int {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), query).Scan(&n))
	return n
}

func TestWithoutPostgreSQLTestsSkipUnlessRequired(t *testing.T) {
	for _, tc := range []struct {
		require string
		err     error
		want    string
	}{
		{"", errNotFound, "skip: PostgreSQL not found (looked in /usr/lib/postgresql/*/bin and PATH): install the postgresql package to run this test"},
		{"1", errNotFound, "fatal: pgtest: PostgreSQL not found (looked in /usr/lib/postgresql/*/bin and PATH): install the postgresql package to run this test"},
		{"", errors.New("initdb: exit status 1"), "fatal: pgtest: initdb: exit status 1"},
	} {
		t.Setenv(EnvRequire, tc.require)
		tb := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			unavailable(tb, tc.err)
		}()
		<-done
		assert.Equal(t, tc.want, tb.got, "GOLIVE_REQUIRE_POSTGRES=%q, %v", tc.require, tc.err)
	}
}

// recorder records how a test was ended, and ends only its goroutine.
type recorder struct {
	testing.TB
	got string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.got = "skip: " + fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.got = "fatal: " + fmt.Sprintf(format, args...)
	runtime.Goexit()
}
