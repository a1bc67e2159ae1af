package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/golive/golive/internal/launch"
)

// Loading a launch takes five queries, each prepared once per connection
// (_stmt_cache_size), all inside the caller's transaction so they see one state.
const (
	selectLaunch = `SELECT team_id, channel_id, name, date, timezone, creator, template,
	created_at, archived, reminders_off, review_date,
	announced_outcome, announced_at, announced_by, announced_fingerprint,
	title, gates, windows, launch_time, dated_at, removed_items, item_high_water, approvals_asked_at
FROM launches WHERE id = ?`
	selectSections = `SELECT idx, number, title, kind, owner, has_signoff, signed_by, signed_at, signed_open
FROM sections WHERE launch_id = ? ORDER BY idx`
	selectGroups = `SELECT section_idx, idx, title, owner, priority, window_minutes
FROM section_groups WHERE launch_id = ? ORDER BY section_idx, idx`
	selectItems = `SELECT number, section_idx, group_idx, idx, parent, depth, subgroup, text,
	done, done_by, done_at, owner, note, priority, task, line, details, notes, due, na, waiver, evidence, fresh_seconds, probe
FROM items WHERE launch_id = ? ORDER BY section_idx, group_idx, idx`
	selectRoles = `SELECT position, name, description, holder, verdict, note, answered_by, answered_at, version
FROM roles WHERE launch_id = ? ORDER BY position`
)

// errNoLaunch is what loading a launch that does not exist returns.
func errNoLaunch(id int64) error {
	return launch.Errorf(launch.ENOTFOUND, "Launch %d does not exist.", id)
}

// launchVersion reads launch id's version, or fails with ENOTFOUND.
func launchVersion(ctx context.Context, q querier, id int64) (int64, error) {
	var version int64
	err := q.QueryRowContext(ctx, `SELECT version FROM launch_versions WHERE launch_id = ?`, id).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNoLaunch(id)
	}
	if err != nil {
		return 0, fmt.Errorf("load launch %d: read its version: %w", id, err)
	}
	return version, nil
}

// LaunchVersion returns launch id's version, which every stored change of
// the launch raises, whoever makes it: a process that drew a launch can
// tell, at the cost of one small query, whether another (a replica) has
// changed it since. ENOTFOUND when there is no such launch.
func (s *Store) LaunchVersion(ctx context.Context, id int64) (int64, error) {
	var version int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		version, err = launchVersion(ctx, tx, id)
		return err
	})
	return version, err
}

// loadLaunch reads launch id and its checklist inside the caller's
// transaction, returning its rows too.
func (s *Store) loadLaunch(ctx context.Context, q querier, id int64) (snapshot, *launch.Launch, error) {
	version, err := launchVersion(ctx, q, id)
	if err != nil {
		return snapshot{}, nil, err
	}
	return s.launchAt(ctx, q, id, version)
}

// launchAt returns launch id, known to be at version in q's transaction,
// from the cache or else from the database.
func (s *Store) launchAt(ctx context.Context, q querier, id, version int64) (snapshot, *launch.Launch, error) {
	snap, ok := s.cache.get(id, version)
	if !ok {
		var err error
		if snap, err = loadSnapshot(ctx, q, id); err != nil {
			return snapshot{}, nil, err
		}
		s.cache.put(id, version, snap)
	}
	l, err := snap.decode(id)
	if err != nil {
		return snapshot{}, nil, fmt.Errorf("load launch %d: %w", id, err)
	}
	return snap, l, nil
}

func loadSnapshot(ctx context.Context, q querier, id int64) (snapshot, error) {
	var s snapshot
	r := &s.launch
	err := q.QueryRowContext(ctx, selectLaunch, id).Scan(
		&r.teamID, &r.channelID, &r.name, &r.date, &r.timezone, &r.creator, &r.template,
		&r.createdAt, &r.archived, &r.remindersOff, &r.reviewDate,
		&r.announcedOutcome, &r.announcedAt, &r.announcedBy, &r.announcedFingerprint,
		&r.title, &r.gates, &r.windows, &r.launchTime, &r.datedAt, &r.removed, &r.highWater, &r.approvalsAsked)
	if errors.Is(err, sql.ErrNoRows) {
		return snapshot{}, errNoLaunch(id)
	}
	if err != nil {
		return snapshot{}, fmt.Errorf("load launch %d: %w", id, err)
	}
	if s.gates, err = decodeGates(r.gates); err != nil {
		return snapshot{}, fmt.Errorf("load launch %d: %w", id, err)
	}
	if s.windows, err = decodeWindows(r.windows); err != nil {
		return snapshot{}, fmt.Errorf("load launch %d: %w", id, err)
	}

	s.sections, err = queryRows(ctx, q, selectSections, id, func(rows *sql.Rows, r *sectionRow) error {
		return rows.Scan(&r.idx, &r.number, &r.title, &r.kind, &r.owner, &r.hasSignoff, &r.signedBy, &r.signedAt, &r.signedOpen)
	})
	if err != nil {
		return snapshot{}, fmt.Errorf("load launch %d sections: %w", id, err)
	}
	s.groups, err = queryRows(ctx, q, selectGroups, id, func(rows *sql.Rows, r *groupRow) error {
		return rows.Scan(&r.section, &r.idx, &r.title, &r.owner, &r.priority, &r.windowMinutes)
	})
	if err != nil {
		return snapshot{}, fmt.Errorf("load launch %d groups: %w", id, err)
	}
	s.items, err = queryRows(ctx, q, selectItems, id, func(rows *sql.Rows, r *itemRow) error {
		return rows.Scan(&r.number, &r.sectionIdx, &r.groupIdx, &r.idx, &r.parent, &r.depth, &r.subgroup, &r.text,
			&r.done, &r.doneBy, &r.doneAt, &r.owner, &r.note, &r.priority, &r.task, &r.line, &r.details, &r.notes, &r.due, &r.na, &r.waiver, &r.evidence, &r.freshSeconds, &r.probe)
	})
	if err != nil {
		return snapshot{}, fmt.Errorf("load launch %d items: %w", id, err)
	}
	s.roles, err = queryRows(ctx, q, selectRoles, id, func(rows *sql.Rows, r *roleRow) error {
		return rows.Scan(&r.position, &r.name, &r.description, &r.holder, &r.verdict, &r.note, &r.by, &r.at, &r.version)
	})
	if err != nil {
		return snapshot{}, fmt.Errorf("load launch %d roles: %w", id, err)
	}
	return s, nil
}

// queryRows runs a query taking one argument and scans every row into a T.
func queryRows[T any](ctx context.Context, q querier, query string, arg any, scan func(*sql.Rows, *T) error) ([]T, error) {
	return queryRowsArgs(ctx, q, query, []any{arg}, scan)
}

// queryRowsArgs runs a query taking args and scans every row into a T.
func queryRowsArgs[T any](ctx context.Context, q querier, query string, args []any, scan func(*sql.Rows, *T) error) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
