package store

import (
	"context"
	"fmt"
)

// OpenCurrent opens the existing database at path for a tool that writes
// beside a running server (`golive import`): only when its schema is the
// one this build knows, so that it never migrates the file under a server,
// nor writes into a schema it does not know.
func OpenCurrent(ctx context.Context, path string) (*Store, error) {
	if IsPostgres(path) {
		ms, err := postgresMigrations()
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		return openPostgres(ctx, path, ms, false)
	}
	ms, err := embeddedMigrations()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	ro, err := openReadOnly(ctx, path, len(ms))
	if err != nil {
		return nil, err
	}
	version := ro.Version()
	if err := ro.Close(); err != nil {
		return nil, err
	}
	if version != len(ms) {
		return nil, fmt.Errorf("open store %s: the database is at schema version %d, older than the %d this golive writes: "+
			"the golive that serves it is older. Upgrade the server first (golive serve migrates the database when it starts), "+
			"or use the golive that serves it; the database was left as it is", path, version, len(ms))
	}
	// At the current version open's migration has nothing to do; a newer
	// schema written meanwhile is refused by it, never touched.
	return open(ctx, path, ms)
}

// Teams returns the Slack teams that have launches in the database.
func (s *Store) Teams(ctx context.Context) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT DISTINCT team_id FROM launches ORDER BY team_id`)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("list teams: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return out, nil
}
