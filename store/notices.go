package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/golive/golive/internal/launch"
)

// CreateLaunchWithNotice is CreateLaunch for a process that cannot post to
// Slack itself: in the same transaction it records text as a notice the bot
// posts in the launch's channel (see ClaimNotices), so that the launch never
// exists without its announcement pending, nor the other way round.
func (s *Store) CreateLaunchWithNotice(ctx context.Context, l *launch.Launch, by, text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("create launch: the notice is empty")
	}
	return s.createLaunch(ctx, l, by, func(tx *sql.Tx, id int64, now time.Time) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pending_notices (launch_id, text, created_at) VALUES (?, ?, ?)`,
			id, text, now.UnixMilli()); err != nil {
			return fmt.Errorf("record the notice: %w", err)
		}
		return nil
	})
}

// ClaimNotices takes the pending notices no other claim holds, oldest first,
// for lease: until then no other process (or later call) gets them. The
// caller posts each and then calls NoticePosted; a notice it could not post
// comes back once its lease lapses.
func (s *Store) ClaimNotices(ctx context.Context, lease time.Duration) ([]launch.Notice, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("claim notices: begin: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	rows, err := tx.QueryContext(ctx, `UPDATE pending_notices SET lease_until = ? WHERE lease_until <= ?
RETURNING launch_id, text`, now.Add(lease).UnixMilli(), now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("claim notices: %w", err)
	}
	defer rows.Close()
	var out []launch.Notice
	for rows.Next() {
		var n launch.Notice
		if err := rows.Scan(&n.LaunchID, &n.Text); err != nil {
			return nil, fmt.Errorf("claim notices: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim notices: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim notices: commit: %w", err)
	}
	// RETURNING has no order: launch ids grow, so the oldest goes first.
	sort.Slice(out, func(i, j int) bool { return out[i].LaunchID < out[j].LaunchID })
	return out, nil
}

// NoticePosted forgets a notice once it is posted (or can never be).
func (s *Store) NoticePosted(ctx context.Context, launchID int64) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM pending_notices WHERE launch_id = ?`, launchID); err != nil {
		return fmt.Errorf("forget the notice of launch %d: %w", launchID, err)
	}
	return nil
}
