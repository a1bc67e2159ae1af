package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

// SaveImportDraft keeps d for ttl by the store's clock (d.ExpiresAt is not
// read), and deletes the drafts that have expired, so the table stays small
// without a sweeper.
func (s *Store) SaveImportDraft(ctx context.Context, d launch.ImportDraft, ttl time.Duration) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save import draft: begin: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	if _, err := tx.ExecContext(ctx, `DELETE FROM import_drafts WHERE expires_at <= ?`, now.UnixMilli()); err != nil {
		return fmt.Errorf("save import draft: forget expired drafts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO import_drafts (token, team_id, channel_id, user_id, body, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, d.Token, d.TeamID, d.ChannelID, d.UserID, d.Body, now.UnixMilli(), now.Add(ttl).UnixMilli()); err != nil {
		return fmt.Errorf("save import draft: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save import draft: commit: %w", err)
	}
	return nil
}

// ImportDraftByToken returns the draft saved under token, or ENOTFOUND when
// there is none or it has expired.
func (s *Store) ImportDraftByToken(ctx context.Context, token string) (launch.ImportDraft, error) {
	d := launch.ImportDraft{Token: token}
	var expires int64
	var launchID sql.NullInt64
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT team_id, channel_id, user_id, body, expires_at, launch_id FROM import_drafts
WHERE token = ? AND expires_at > ?`, token, s.now().UnixMilli()).Scan(&d.TeamID, &d.ChannelID, &d.UserID, &d.Body, &expires, &launchID)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return launch.ImportDraft{}, launch.Errorf(launch.ENOTFOUND, "This preview has expired. Close it and run the import command again.")
	}
	if err != nil {
		return launch.ImportDraft{}, fmt.Errorf("read import draft: %w", err)
	}
	d.ExpiresAt = time.UnixMilli(expires)
	d.LaunchID = launchID.Int64
	return d, nil
}

// CreateLaunchFromDraft is CreateLaunch for the import preview's Confirm: in
// the same transaction it marks the draft used, so that however many times
// Confirm arrives, one launch is created; a used or expired draft is
// ECONFLICT and creates nothing.
func (s *Store) CreateLaunchFromDraft(ctx context.Context, l *launch.Launch, by, token string) error {
	return s.createLaunch(ctx, l, by, func(tx *sql.Tx, id int64, now time.Time) error {
		res, err := tx.ExecContext(ctx, `UPDATE import_drafts SET launch_id = ? WHERE token = ? AND launch_id IS NULL AND expires_at > ?`,
			id, token, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("mark the import draft used: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("mark the import draft used: %w", err)
		} else if n != 1 {
			return launch.Errorf(launch.ECONFLICT, "This import was already confirmed, or its preview has expired.")
		}
		return nil
	})
}

// UpdateFromDraft is Update for the Confirm of an import preview that
// updates launch id: in the same transaction it marks the draft used (its
// launch_id set to id), so that however many times Confirm arrives, the
// update is applied once; a used or expired draft is ECONFLICT and changes
// nothing.
func (s *Store) UpdateFromDraft(ctx context.Context, id int64, token string, fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	return s.update(ctx, id, func(tx *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error) {
		res, err := tx.ExecContext(ctx, `UPDATE import_drafts SET launch_id = ? WHERE token = ? AND launch_id IS NULL AND expires_at > ?`,
			id, token, now.UnixMilli())
		if err != nil {
			return nil, fmt.Errorf("mark the import draft used: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("mark the import draft used: %w", err)
		} else if n != 1 {
			return nil, launch.Errorf(launch.ECONFLICT, "This update was already confirmed, or its preview has expired.")
		}
		return fn(l, now)
	})
}
