package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

// insertAudit writes an event's fields, and its subject as text for a
// person reading the table (never read back).
const insertAudit = `INSERT INTO audit (launch_id, at, actor, action, subject, items, section, role, launch_name, before_value, after_value)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// appendAudit records events in the transaction that made the changes they
// describe, so the log and the state cannot disagree.
func appendAudit(ctx context.Context, tx *sql.Tx, launchID int64, at time.Time, events []launch.Event) error {
	for _, e := range events {
		items, err := encodeItems(e.Items)
		if err != nil {
			return fmt.Errorf("append audit %s %s: %w", e.Kind, e.Subject(), err)
		}
		if err := exec(ctx, tx, insertAudit, launchID, at.UnixMilli(), e.Actor, string(e.Kind), e.Subject(),
			items, e.Section, e.Role, e.Launch, e.Before, e.After); err != nil {
			return fmt.Errorf("append audit %s %s: %w", e.Kind, e.Subject(), err)
		}
	}
	return nil
}

// encodeItems writes item numbers as a JSON array, "[]" for none.
func encodeItems(items []int) (string, error) {
	if len(items) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(items)
	if err != nil {
		return "", fmt.Errorf("encode items: %w", err)
	}
	return string(b), nil
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
			`SELECT id, at, actor, action, items, section, role, launch_name, before_value, after_value
			 FROM audit WHERE launch_id = ? ORDER BY id`,
			launchID, func(rows *sql.Rows, e *launch.AuditEntry) error {
				var at int64
				var kind, items string
				if err := rows.Scan(&e.ID, &at, &e.Actor, &kind, &items, &e.Section, &e.Role, &e.Launch, &e.Before, &e.After); err != nil {
					return err
				}
				if err := json.Unmarshal([]byte(items), &e.Items); err != nil {
					return fmt.Errorf("audit row %d: items %q: %w", e.ID, items, err)
				}
				if len(e.Items) == 0 {
					e.Items = nil
				}
				e.Kind, e.LaunchID, e.At = launch.Kind(kind), launchID, time.UnixMilli(at).UTC()
				return nil
			})
		if err != nil {
			return fmt.Errorf("read audit of launch %d: %w", launchID, err)
		}
		return nil
	})
	return out, err
}
