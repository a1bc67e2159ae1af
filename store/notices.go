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

// UpdateWithNotice is Update for a process that cannot post to Slack
// itself: when fn changes the launch, notice's text about the changed
// launch is recorded in the same transaction, for the bot to post in its
// channel (see ClaimNotices). A launch whose earlier notice still waits gets
// the new text after it, so that neither is lost.
func (s *Store) UpdateWithNotice(ctx context.Context, id int64, fn func(l *launch.Launch, now time.Time) ([]launch.Event, error),
	notice func(l *launch.Launch) string) (*launch.Launch, error) {
	return s.update(ctx, id, func(tx *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := fn(l, now)
		if err != nil || len(events) == 0 {
			return events, err
		}
		text := notice(l)
		if strings.TrimSpace(text) == "" {
			return nil, errors.New("update launch: the notice is empty")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pending_notices (launch_id, text, created_at) VALUES (?, ?, ?)
ON CONFLICT (launch_id) DO UPDATE SET text = text || ? || excluded.text`, id, text, now.UnixMilli(), noticeSeparator); err != nil {
			return nil, fmt.Errorf("record the notice: %w", err)
		}
		return events, nil
	})
}

// noticeSeparator joins the notices of one launch waiting together.
const noticeSeparator = "\n\n"

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

// NoticePosted forgets a notice once it is posted (or can never be). A
// notice that grew while it was being posted (UpdateWithNotice) keeps what
// was added, to be posted next.
func (s *Store) NoticePosted(ctx context.Context, n launch.Notice) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM pending_notices WHERE launch_id = ? AND text = ?`, n.LaunchID, n.Text); err != nil {
		return fmt.Errorf("forget the notice of launch %d: %w", n.LaunchID, err)
	}
	posted := n.Text + noticeSeparator
	if _, err := s.writer.ExecContext(ctx, `UPDATE pending_notices SET text = substr(text, length(?) + 1), lease_until = 0
WHERE launch_id = ? AND substr(text, 1, length(?)) = ?`, posted, n.LaunchID, posted, posted); err != nil {
		return fmt.Errorf("keep the rest of the notice of launch %d: %w", n.LaunchID, err)
	}
	return nil
}
