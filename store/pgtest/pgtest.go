// Package pgtest gives tests a fresh, empty PostgreSQL database: URL
// returns the postgres:// URL of a database created for the calling test
// and dropped when it ends.
//
// The databases live on a throwaway cluster that the test binary starts
// on first use (Debian's /usr/lib/postgresql/*/bin, or initdb on PATH) in a
// temporary directory, listening on 127.0.0.1 only. A package whose tests
// call URL must stop it from its TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// or, with more to do after the tests, call Run, which returns their status.
//
// GOLIVE_TEST_POSTGRES_URL=postgres://... uses an existing server instead
// (its role must be allowed to create databases); nothing is started then.
// Without PostgreSQL the tests that call URL are skipped, unless
// GOLIVE_REQUIRE_POSTGRES=1 (CI sets it), which fails them instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables read by URL.
const (
	// EnvURL names an existing server to create the databases on.
	EnvURL = "GOLIVE_TEST_POSTGRES_URL"
	// EnvRequire, set to 1, turns "PostgreSQL not found" from a skip into
	// a failure.
	EnvRequire = "GOLIVE_REQUIRE_POSTGRES"
	// EnvDurable, set to 1, keeps the throwaway cluster's fsync on, for
	// benchmarks that compare its commits with SQLite's synced ones (make
	// bench sets it). Tests leave it off: they need no durability and run faster.
	EnvDurable = "GOLIVE_TEST_POSTGRES_DURABLE"
)

// adminTimeout bounds each CREATE or DROP DATABASE.
const adminTimeout = time.Minute

// server is where the test databases are created: the throwaway cluster
// or the server EnvURL names.
type server struct {
	// base is the URL the test databases are reached at, with the path
	// (the database's name) left to fill in.
	base url.URL
	// mu serialises the use of admin, a single connection.
	mu    sync.Mutex
	admin *pgx.Conn
	// cluster is the cluster this binary started, nil on an existing server.
	cluster *cluster
}

var (
	startOnce sync.Once
	shared    *server
	startErr  error
)

// errNotFound tells that no PostgreSQL installation was found.
var errNotFound = errors.New("PostgreSQL not found (looked in /usr/lib/postgresql/*/bin and PATH): install the postgresql package to run this test")

// Main runs the tests of m, then stops the cluster they started, if any,
// and exits with their status. Call it from TestMain.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain with more to do after the tests (print a
// summary, remove what it built): it returns their status instead of
// exiting.
func Run(m *testing.M) int {
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// URL returns the URL of a new, empty database on the test server, which
// it starts on first use, and drops the database when t ends. It skips t
// when PostgreSQL is not installed (fails it when GOLIVE_REQUIRE_POSTGRES=1).
func URL(t testing.TB) string {
	t.Helper()
	srv, err := get()
	if err != nil {
		unavailable(t, err)
	}
	name, err := srv.createDatabase()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.dropDatabase(name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	u := srv.base
	u.Path = "/" + name
	return u.String()
}

// unavailable skips t when PostgreSQL is not installed, unless
// GOLIVE_REQUIRE_POSTGRES=1, and fails it otherwise.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, errNotFound) && os.Getenv(EnvRequire) != "1" {
		t.Skip(err.Error())
	}
	t.Fatalf("pgtest: %v", err)
}

// get returns the server, starting it on the first call.
func get() (*server, error) {
	startOnce.Do(func() { shared, startErr = start() })
	return shared, startErr
}

// start connects to the server EnvURL names, or starts a cluster.
func start() (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	if raw := os.Getenv(EnvURL); raw != "" {
		base, err := url.Parse(raw)
		if err != nil || (base.Scheme != "postgres" && base.Scheme != "postgresql") {
			return nil, fmt.Errorf("%s=%q: want a URL such as postgres://user:password@host:5432/postgres", EnvURL, raw)
		}
		admin, err := pgx.Connect(ctx, raw)
		if err != nil {
			return nil, fmt.Errorf("connect to %s (%s): %w", base.Redacted(), EnvURL, err)
		}
		return &server{base: *base, admin: admin}, nil
	}
	c, err := startCluster(ctx)
	if err != nil {
		return nil, err
	}
	admin, base, err := c.setUp(ctx)
	if err != nil {
		return nil, errors.Join(err, c.stop())
	}
	return &server{base: base, admin: admin, cluster: c}, nil
}

// stop closes the admin connection and stops the cluster, if one was started.
func stop() error {
	if shared == nil {
		return nil
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	err := shared.admin.Close(ctx)
	if shared.cluster != nil {
		err = errors.Join(err, shared.cluster.stop())
	}
	return err
}

// createDatabase creates an empty database with a random name.
func (s *server) createDatabase() (string, error) {
	name, err := randomName("golive_test_")
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

// dropDatabase drops a test database, closing the connections a test left open.
func (s *server) dropDatabase(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// randomName returns prefix followed by random hex digits: a valid SQL
// identifier that test binaries sharing a server do not collide on.
func randomName(prefix string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random name: %w", err)
	}
	return prefix + hex.EncodeToString(b), nil
}
