package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

const insertAudit = `INSERT INTO audit (launch_id, at, actor, action, subject, before_value, after_value)
VALUES (?, ?, ?, ?, ?, ?, ?)`

// appendAudit records events in the transaction that made the changes they
// describe, so the log and the state cannot disagree.
func appendAudit(ctx context.Context, tx *sql.Tx, launchID int64, at time.Time, events []launch.Event) error {
	for _, e := range events {
		if err := exec(ctx, tx, insertAudit, launchID, at.UnixMilli(), e.Actor, e.Action, e.Subject, e.Before, e.After); err != nil {
			return fmt.Errorf("append audit %s %s: %w", e.Action, e.Subject, err)
		}
	}
	return nil
}

// Audit returns a launch's audit log, oldest first, or ENOTFOUND.
func (s *Store) Audit(ctx context.Context, launchID int64) ([]launch.AuditEntry, error) {
	var out []launch.AuditEntry
	err := s.read(ctx, func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM launches WHERE id = ?)`, launchID).Scan(&exists); err != nil {
			return fmt.Errorf("read audit of launch %d: %w", launchID, err)
		}
		if !exists {
			return errNoLaunch(launchID)
		}
		var err error
		out, err = queryRows(ctx, tx,
			`SELECT id, at, actor, action, subject, before_value, after_value FROM audit WHERE launch_id = ? ORDER BY id`,
			launchID, func(rows *sql.Rows, e *launch.AuditEntry) error {
				var at int64
				if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.Before, &e.After); err != nil {
					return err
				}
				e.LaunchID, e.At = launchID, time.UnixMilli(at).UTC()
				return nil
			})
		if err != nil {
			return fmt.Errorf("read audit of launch %d: %w", launchID, err)
		}
		return nil
	})
	return out, err
}
