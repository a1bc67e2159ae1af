package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles holds the schema changes, numbered NNNN_name.sql from 0001
// without gaps. A file, once released, is never edited: a change to the schema
// is a new file.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// embeddedMigrations returns SQLite's migrations built into golive, in order.
func embeddedMigrations() ([]migration, error) {
	return migrationsIn("migrations/sqlite")
}

// postgresMigrations returns PostgreSQL's, numbered on their own.
func postgresMigrations() ([]migration, error) {
	return migrationsIn("migrations/postgres")
}

func migrationsIn(dir string) ([]migration, error) {
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	return readMigrations(sub)
}

// readMigrations returns the .sql files of fsys in order, checking that they
// are numbered 0001, 0002, ... without gaps or repeats.
func readMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	sort.Strings(names)
	ms := make([]migration, 0, len(names))
	for i, name := range names {
		prefix, _, _ := strings.Cut(name, "_")
		version, err := strconv.Atoi(prefix)
		if err != nil || len(prefix) != 4 {
			return nil, fmt.Errorf("migration %s: name it NNNN_name.sql, for example 0002_reminders.sql", name)
		}
		if version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %04d: migrations are numbered from 0001 without gaps or repeats", name, i+1)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: version, name: name, sql: string(body)})
	}
	return ms, nil
}

// migrate brings the database's schema up to the last of ms, all in one
// immediate transaction, and records the version in PRAGMA user_version
// (which SQLite changes transactionally). Two processes opening the same
// file at once are serialised by the write lock: the second finds nothing to
// do. A database newer than ms is refused, never touched.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()

	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > len(ms) {
		return newerSchema(current, len(ms))
	}
	if current == len(ms) {
		return nil
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate: apply %s: %w", m.name, err)
		}
	}
	// PRAGMA takes no parameters; the value is our own integer.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(ms))); err != nil {
		return fmt.Errorf("migrate: set schema version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// schemaVersion reads PRAGMA user_version.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// currentVersion reads the schema version of the store's database.
func (s *Store) currentVersion(ctx context.Context) (int, error) {
	if s.postgres {
		return postgresVersion(ctx, s.reader)
	}
	return schemaVersion(ctx, s.reader)
}

// checkVersion refuses a database whose schema is not the one this build
// knows, for a tool that opens it without migrating.
func (s *Store) checkVersion(ctx context.Context, known int) error {
	v, err := s.currentVersion(ctx)
	switch {
	case err != nil:
		return err
	case v > known:
		return newerSchema(v, known)
	case v < known:
		return fmt.Errorf("the database is at schema version %d, older than the %d this golive knows: start `golive serve` (which migrates it) first", v, known)
	}
	return nil
}
