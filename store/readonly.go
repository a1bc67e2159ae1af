package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/launch"
)

// oldestReadable is the oldest schema version whose launches this build
// reads correctly without migrating: 0008 changed the unit of time windows
// 0009 added items' details, 0012 removed items and notes 0014 items'
// due dates, 0015 their N/A marks, 0016 their waivers, 0022 their
// evidence, 0023 their freshness, 0025 their probes and 0026 when
// approvals were asked for, which loading a
// launch reads. Raise it when a migration changes what loading a launch
// reads (a test prepares every read query against a database at this
// version).
const oldestReadable = 26

// ReadOnly is the database opened by a tool beside a running server
// (backup, export): it never creates, migrates or writes to the file, so a
// newer golive binary cannot upgrade the schema under an older server.
type ReadOnly struct {
	s       *Store
	version int
}

// OpenReadOnly opens the existing database at path for reading. It refuses
// a schema newer than this build knows; an older one opens, for a backup,
// but its launches are refused unless this build reads them as they are.
// A PostgreSQL database is opened without migrating it, and only at the
// schema this build knows: the read-only tools there are for exports, as
// pg_dump makes the backups.
func OpenReadOnly(ctx context.Context, path string) (*ReadOnly, error) {
	if IsPostgres(path) {
		ms, err := postgresMigrations()
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		s, err := openPostgres(ctx, path, ms, false)
		if err != nil {
			return nil, err
		}
		return &ReadOnly{s: s, version: oldestReadable}, nil
	}
	ms, err := embeddedMigrations()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return openReadOnly(ctx, path, len(ms))
}

func openReadOnly(ctx context.Context, path string, known int) (*ReadOnly, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("open store: the database path is empty: set GOLIVE_DB to a file such as ./golive.db")
	}
	s := &Store{Now: time.Now, path: path, version: known}
	// mode=ro: SQLite opens the file read-only, so neither a statement nor
	// the checkpoint that closing the last connection runs can write to it.
	s.reader = s.openDB(fileURI(path) + "?mode=ro&_query_only=1&_busy_timeout=5000&_stmt_cache_size=64")
	s.reader.SetMaxOpenConns(readerConns)
	version, err := schemaVersion(ctx, s.reader)
	if err != nil {
		s.reader.Close()
		return nil, fmt.Errorf("open store %s: %w", path, openHint(path, err))
	}
	switch {
	case version == 0:
		s.reader.Close()
		return nil, fmt.Errorf("open store %s: not a golive database (its schema version is 0): check that GOLIVE_DB (or --db) names the file golive serve uses", path)
	case version > known:
		s.reader.Close()
		return nil, fmt.Errorf("open store %s: the database is at schema version %d, newer than the %d this golive knows: "+
			"a newer golive wrote it. Use the golive that serves it (or a newer one); the database was left as it is", path, version, known)
	}
	return &ReadOnly{s: s, version: version}, nil
}

// Version is the schema version of the database.
func (r *ReadOnly) Version() int { return r.version }

// readable refuses a schema too old for this build to read launches from.
func (r *ReadOnly) readable() error {
	if r.version >= oldestReadable {
		return nil
	}
	return fmt.Errorf("the database %s is at schema version %d, older than this golive reads (%d to %d): "+
		"an older golive serves it and has not upgraded it. Use the golive that serves it, "+
		"or upgrade the server first (golive serve migrates the database when it starts); the database was left as it is",
		r.s.path, r.version, oldestReadable, r.s.version)
}

// LaunchByChannel returns the channel's active launch, or ENOTFOUND.
func (r *ReadOnly) LaunchByChannel(ctx context.Context, teamID, channelID string) (*launch.Launch, error) {
	if err := r.readable(); err != nil {
		return nil, err
	}
	return r.s.LaunchByChannel(ctx, teamID, channelID)
}

// LaunchesInChannel returns the active launches of channel in every team
// (a channel id is unique within a team only), oldest first.
func (r *ReadOnly) LaunchesInChannel(ctx context.Context, channelID string) ([]*launch.Launch, error) {
	if err := r.readable(); err != nil {
		return nil, err
	}
	return r.s.activeLaunchesWhere(ctx, "channel_id = ?", channelID)
}

// LaunchListing names an active launch, for a tool that says which launches
// a database holds.
type LaunchListing struct {
	TeamID, ChannelID, Name, Date string
}

// ActiveLaunchList lists the active launches, oldest first, without loading
// their checklists.
func (r *ReadOnly) ActiveLaunchList(ctx context.Context) ([]LaunchListing, error) {
	if err := r.readable(); err != nil {
		return nil, err
	}
	var out []LaunchListing
	err := r.s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryRowsArgs(ctx, tx, `SELECT team_id, channel_id, name, date FROM launches WHERE archived = 0 ORDER BY id`, nil,
			func(rows *sql.Rows, l *LaunchListing) error {
				return rows.Scan(&l.TeamID, &l.ChannelID, &l.Name, &l.Date)
			})
		if err != nil {
			return fmt.Errorf("list active launches: %w", err)
		}
		return nil
	})
	return out, err
}

// Backup writes a consistent, checked copy of the database to path, as
// Store.Backup does, whatever its schema version.
func (r *ReadOnly) Backup(ctx context.Context, path string) error {
	return r.s.Backup(ctx, path)
}

// BackupNew writes a backup as Store.BackupNew does: never over an existing
// file.
func (r *ReadOnly) BackupNew(ctx context.Context, path string) error {
	return r.s.BackupNew(ctx, path)
}

// Close closes the database.
func (r *ReadOnly) Close() error {
	if err := r.s.reader.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}
