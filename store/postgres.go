package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresConns bounds each replica's pool. Several replicas share the
// server's max_connections (100 by default, 3 kept for superusers): ten
// replicas of ten connections leave room for psql and pg_dump.
const postgresConns = 10

// IsPostgres tells whether GOLIVE_DB's value names a PostgreSQL database
// (a postgres:// or postgresql:// URL) rather than an SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Redacted is GOLIVE_DB's value safe to log or show: a PostgreSQL URL
// without its password (in the user part or the query).
func Redacted(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "a postgres:// URL that does not parse"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// openPostgres opens the PostgreSQL database at url and migrates its schema
// to the current version. The store's queries are SQLite's: placeholders
// and flags are translated by the connection (pgConn), so one body of code
// serves both databases.
func openPostgres(ctx context.Context, url string, ms []migration, migrating bool) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message never repeats the password.
		return nil, fmt.Errorf("open store: GOLIVE_DB is not a PostgreSQL URL golive can use: %w", err)
	}
	where := fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(postgresConns)
	db.SetMaxIdleConns(postgresConns)
	db.SetConnMaxIdleTime(5 * time.Minute)

	s := &Store{Now: time.Now, path: where, version: len(ms), postgres: true, writer: db, reader: db, installations: hasMigration(ms, "installations")}
	s.health.probing = make(chan struct{}, 1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w (check that PostgreSQL runs there and that GOLIVE_DB's user, password and database are right)", where, err)
	}
	if migrating {
		err = migratePostgres(ctx, db, ms)
	} else {
		err = s.checkVersion(ctx, len(ms))
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", where, err)
	}
	return s, nil
}

// migrationLock is the key of the advisory lock under which replicas
// migrate: any constant no other application on the database uses.
const migrationLock = 0x676f6c697665 // "golive"

// migratePostgres applies the migrations the database lacks, each in a
// transaction of its own that first takes a transaction-scoped advisory
// lock: replicas starting together migrate once, the others wait and find
// nothing to do, and a crash leaves no lock held and no half-applied file.
// A database newer than ms is refused, never touched.
func migratePostgres(ctx context.Context, db *sql.DB, ms []migration) error {
	if err := createMigrationsTable(ctx, db); err != nil {
		return err
	}
	for _, m := range ms {
		if err := applyPostgres(ctx, db, m, len(ms)); err != nil {
			return err
		}
	}
	return nil
}

// createMigrationsTable creates schema_migrations under the migration
// lock: replicas running CREATE TABLE IF NOT EXISTS at once still collide
// in the catalog ("type schema_migrations already exists", 42710).
func createMigrationsTable(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(migrationLock)); err != nil {
		return fmt.Errorf("migrate: wait for the migration lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: commit: %w", err)
	}
	return nil
}

// applyPostgres applies m unless it is recorded already.
func applyPostgres(ctx context.Context, db *sql.DB, m migration, known int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(migrationLock)); err != nil {
		return fmt.Errorf("migrate: wait for the migration lock: %w", err)
	}
	current, err := postgresVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > known {
		return newerSchema(current, known)
	}
	if m.version <= current {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migrate: apply %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", m.version, m.name); err != nil {
		return fmt.Errorf("migrate: record %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit %s: %w", m.name, err)
	}
	return nil
}

// postgresVersion is the highest migration applied.
func postgresVersion(ctx context.Context, q querier) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// newerSchema is the refusal to start on a schema this build does not know.
func newerSchema(current, known int) error {
	return fmt.Errorf("migrate: the database is at schema version %d but this golive knows only %d: run a newer golive, or restore a backup", current, known)
}

// pgConnector opens pgx connections that speak the store's SQL.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("pgx opened a %T, not a *stdlib.Conn", conn)
	}
	return pgConn{pc}, nil
}

// pgConn is a pgx connection that takes the store's SQLite dialect: ? and
// @name placeholders become $n, and Go bools become the 0 and 1 of the
// flag columns (SMALLINT in PostgreSQL, as INTEGER in SQLite, so that one
// `archived = 0` reads the same in both and keeps SQLite's partial indexes).
type pgConn struct{ *stdlib.Conn }

func (c pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	b := rebind(query)
	if b.named {
		return nil, fmt.Errorf("prepare %q: named parameters are not supported in prepared statements", query)
	}
	return c.Conn.PrepareContext(ctx, b.query)
}

func (c pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	b := rebind(query)
	args, err := b.order(args)
	if err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, b.query, args)
}

func (c pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	b := rebind(query)
	args, err := b.order(args)
	if err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, b.query, args)
}

// CheckNamedValue turns bools into the flag columns' 0 and 1 and passes
// everything else to pgx as it is.
func (c pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	return nil
}

// lockLaunches takes the rows of launches ids for the rest of tx, in the
// order of their ids so that two transactions never wait on each other.
// PostgreSQL runs writers side by side: the lock is what keeps two ticks of
// one launch from both loading it before either wrote (a lost tick), while
// ticks of other launches go on. FOR NO KEY UPDATE leaves the launch's
// foreign keys free, so reminders and posts of it are written meanwhile.
// SQLite's single writer holds the whole database already.
func (s *Store) lockLaunches(ctx context.Context, tx *sql.Tx, ids ...int64) error {
	if !s.postgres || len(ids) == 0 {
		return nil
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	args := make([]any, len(sorted))
	for i, id := range sorted {
		args[i] = id
	}
	q := `SELECT id FROM launches WHERE id IN (?` + strings.Repeat(", ?", len(sorted)-1) + `) ORDER BY id FOR NO KEY UPDATE`
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("lock launches %v: %w", sorted, err)
	}
	return rows.Close()
}

// Writers is how many write transactions the store runs at once to
// advantage: PostgreSQL's pool less room for reads, SQLite's one writer.
func (s *Store) Writers() int {
	if s.postgres {
		return postgresConns - 2
	}
	return 1
}

// skipLocked is the locking clause of a claim's inner SELECT: PostgreSQL's
// FOR UPDATE SKIP LOCKED, nothing on SQLite (whose single writer claims
// alone, and which knows no such clause).
func (s *Store) skipLocked() string {
	if s.postgres {
		return "FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// retries bounds how often a transaction is run again after losing to
// another (deadlock or serialization failure), with a jittered pause
// growing from retryPause: replicas contend rarely, and briefly.
const (
	retries    = 8
	retryPause = 10 * time.Millisecond
)

// retry runs fn, again while it fails because PostgreSQL chose its
// transaction to lose to another. SQLite never asks for that.
func (s *Store) retry(ctx context.Context, fn func() error) error {
	pause := retryPause
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !isRetryable(err) || attempt == retries {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause/2 + rand.N(pause)):
		}
		pause = min(2*pause, time.Second)
	}
}

// isPostgresCode tells whether err is PostgreSQL's error with SQLSTATE code.
func isPostgresCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

// isRetryable tells whether a PostgreSQL transaction failed only because
// another one ran beside it (deadlock, serialization): run again, it will pass.
func isRetryable(err error) bool {
	return isPostgresCode(err, "40P01") || isPostgresCode(err, "40001")
}
