package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

// requestMemory is how long a request's identity is kept: well past the
// five minutes Slack accepts a signature for, after which a replay is
// refused at the door anyway.
const requestMemory = time.Hour

// UpdateOnce is Update for a verified request that may take effect once,
// such as an approval answer: in the same transaction it records the
// request's identity (its team and Slack's trigger id), and tells fn
// whether that identity was recorded before, by this process or any other
// on the same database, since restarted or not. fn decides what a replay
// does (refuse it, with an audit row); when fn fails, nothing is stored,
// the request's identity included.
func (s *Store) UpdateOnce(ctx context.Context, id int64, team, request string,
	fn func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error)) (*launch.Launch, error) {
	if team == "" || request == "" {
		return nil, fmt.Errorf("update launch %d once: the request's team and id are required", id)
	}
	return s.update(ctx, id, func(tx *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error) {
		replay, err := recordRequest(ctx, tx, team, request, now)
		if err != nil {
			return nil, fmt.Errorf("update launch %d once: %w", id, err)
		}
		return fn(l, now, replay)
	})
}

// recordRequest records a request's identity and tells whether it was
// there already. It prunes the identities older than requestMemory first,
// which keeps the table to about an hour's answers.
func recordRequest(ctx context.Context, tx *sql.Tx, team, request string, now time.Time) (replay bool, err error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM seen_requests WHERE seen_at < ?`, now.Add(-requestMemory).UnixMilli()); err != nil {
		return false, fmt.Errorf("prune seen requests: %w", err)
	}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO seen_requests (team_id, request_id, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		team, request, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("record request: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record request: %w", err)
	}
	return n == 0, nil
}

// FirstRequest records a verified request's identity in a transaction of
// its own, for a change that cannot share its transaction (ticks share
// theirs with other people's), and tells whether this is the request's
// first arrival. Slack never sends such a request twice by itself, so one
// recorded and then not carried out (the change failed) is lost as any
// failed request is: its sender sends it again, as a new request.
func (s *Store) FirstRequest(ctx context.Context, team, request string) (bool, error) {
	if team == "" || request == "" {
		return false, fmt.Errorf("record request: its team and id are required")
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("record request: begin: %w", err)
	}
	defer tx.Rollback()
	replay, err := recordRequest(ctx, tx, team, request, s.now())
	if err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("record request: commit: %w", err)
	}
	return !replay, nil
}
