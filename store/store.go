// Package store keeps golive's launches in SQLite, or in PostgreSQL when
// several replicas share one database: it implements launch.Store, owns the
// schema (embedded, numbered migrations, one set per database), runs every
// change in one transaction together with its audit rows, and makes online
// backups of SQLite files. Both databases run the same queries (postgres.go
// translates them).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/golive/golive/internal/launch"
)

var _ launch.Store = (*Store)(nil)

// readerConns is the size of the read-only pool; WAL lets readers run
// beside the single writer.
const readerConns = 4

// Store is golive's SQLite database. It is safe for concurrent use, also by
// several processes on the same file (never on a network filesystem).
type Store struct {
	// Now returns the current time. Every transaction reads it once.
	Now func() time.Time
	// OnBusy, when set, is called each time an operation fails because
	// SQLite stayed busy or locked past the busy timeout (for a metric).
	// Set it right after Open, before the store is shared.
	OnBusy func()

	// path is the SQLite file, or where the PostgreSQL database is (no password).
	path string
	// postgres is set for a PostgreSQL database: writer and reader are then
	// one pool, and an update locks its launch's row instead of relying on
	// SQLite's single writer.
	postgres bool
	// writer has one connection whose transactions start with BEGIN
	// IMMEDIATE: read-then-write transactions never fail with SQLITE_BUSY
	// halfway, they wait for the lock up to the busy timeout instead.
	writer *sql.DB
	// reader is a small pool of query-only connections.
	reader *sql.DB
	// version is the schema version this build migrates to.
	version int
	// installations says the schema has the installations table: tests
	// run today's code on older schemas.
	installations bool
	cache         launchCache
	health        health
}

// querier is what *sql.DB, *sql.Conn and *sql.Tx have in common for reads.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Open opens the database GOLIVE_DB names, a PostgreSQL URL or an SQLite
// file (created if needed), and migrates its schema to the current version.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if IsPostgres(dsn) {
		ms, err := postgresMigrations()
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		return openPostgres(ctx, dsn, ms, true)
	}
	ms, err := embeddedMigrations()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return open(ctx, dsn, ms)
}

func open(ctx context.Context, path string, ms []migration) (*Store, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("open store: the database path is empty: set GOLIVE_DB to a file such as ./golive.db")
	}
	s := &Store{Now: time.Now, path: path, version: len(ms), installations: hasMigration(ms, "installations")}
	s.health.probing = make(chan struct{}, 1)

	s.writer = s.openWriter(writerDSN(path))
	s.writer.SetMaxOpenConns(1)
	if err := whileCreating(ctx, func() error { return checkPragmas(ctx, s.writer) }); err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("open store %s: %w", path, openHint(path, err))
	}
	// The file exists now (SQLite created it if needed): every commit from
	// here on is checked to land in this very file.
	id, err := statFile(path)
	if err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.health.file = id
	if err := quickCheck(ctx, s.writer); err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("open store %s: %w", path, openHint(path, err))
	}
	if err := migrate(ctx, s.writer, ms); err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}

	s.reader = s.openDB(readerDSN(path))
	s.reader.SetMaxOpenConns(readerConns)
	s.reader.SetMaxIdleConns(readerConns) // keep their prepared statements
	if err := s.reader.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: reader: %w", path, err)
	}
	return s, nil
}

// writerDSN puts every pragma in the DSN, so each connection the pool opens
// gets them (SQLite applies pragmas per connection). _stmt_cache_size keeps
// prepared statements per connection, which makes loading a launch cheap.
func writerDSN(path string) string {
	return fileURI(path) + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate&_stmt_cache_size=64"
}

// readerDSN gives query-only connections. mode=ro is avoided: a read-only
// connection cannot create the WAL index when it is the first to open the file.
func readerDSN(path string) string {
	return fileURI(path) + "?_query_only=1&_busy_timeout=5000&_foreign_keys=on&_stmt_cache_size=64"
}

// fileURI turns a path into an SQLite file: URI, escaping the characters
// that URIs give a meaning to.
func fileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// creatingRetries and creatingPause bound how long Open waits for another
// process opening the same new file: while one connection turns it to WAL,
// SQLite answers the others SQLITE_BUSY at once, without the busy timeout.
const (
	creatingRetries = 50
	creatingPause   = 10 * time.Millisecond
)

// whileCreating runs fn, again while it fails because the database is busy.
func whileCreating(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || !isBusy(err) || attempt == creatingRetries {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(creatingPause):
		}
	}
}

// openHint adds what to do to an error met while opening the file: a
// damaged database is restored from a backup, never started on.
func openHint(path string, err error) error {
	var se sqlite3.Error
	switch {
	case errors.As(err, &se) && se.Code == sqlite3.ErrNotADB:
		return fmt.Errorf("%s is not an SQLite database, or its header is damaged (%w): golive will not start on it. "+
			"Check that GOLIVE_DB names golive's database; if it does, stop golive, restore the latest backup (made with `golive backup`) to %s and start again", path, err, path)
	case isCorrupt(err) || errors.Is(err, errDamaged):
		return fmt.Errorf("the database %s is damaged (%w): golive will not start on it, to keep from building on broken data. "+
			"Restore the latest backup (made with `golive backup`) to %s and start again", path, err, path)
	}
	return err
}

// checkPragmas reads the writer's settings back: a pragma SQLite could not
// apply is otherwise silently ignored.
func checkPragmas(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		if isCorrupt(err) { // the file is there, but damaged: openHint says what to do
			return fmt.Errorf("read journal mode: %w", err)
		}
		return fmt.Errorf("read journal mode: %w (check that the directory exists and golive may write in it)", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not wal: keep the database on a local filesystem that supports shared memory", mode)
	}
	var fk, sync int
	if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("read foreign_keys: %w", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("read synchronous: %w", err)
	}
	if fk != 1 || sync != 2 {
		return fmt.Errorf("pragmas not applied: foreign_keys=%d synchronous=%d, want 1 and 2 (FULL)", fk, sync)
	}
	return nil
}

// Close closes the database; the last connection to close checkpoints the WAL.
func (s *Store) Close() error {
	var errs []error
	if s.reader != nil && s.reader != s.writer {
		errs = append(errs, s.reader.Close())
	}
	errs = append(errs, s.writer.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// now returns the transaction's timestamp, in UTC and cut to the millisecond
// the database keeps, so that what Update returns equals what a later load reads.
func (s *Store) now() time.Time {
	return s.Now().UTC().Truncate(time.Millisecond)
}

// isUniqueViolation tells whether err is the database refusing a duplicate key.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique || isPostgresCode(err, "23505")
}

// isForeignKeyViolation tells whether err is the database refusing a row
// whose launch does not exist.
func isForeignKeyViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey || isPostgresCode(err, "23503")
}
