package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
)

var _ outbox.Store = (*Store)(nil)

const (
	outboxColumns = `id, key, launch_id, kind, channel_id, user_id, body, state, in_doubt, attempts, claim_token, created_at`
	// insertPost enqueues a post; a key already stored is the same cause
	// told again, and is left as it is.
	insertPost = `INSERT INTO outbox (key, launch_id, kind, channel_id, user_id, body, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`
	// postClaimable is shared by the claim and the wake-up time: pending
	// and due, or held under a lapsed lease.
	postClaimable = `((state = 'pending' AND next_attempt_at <= @now)
	OR (state IN ('claimed', 'sending') AND lease_until <= @now))`
	// claimPosts holds due rows under a new lease, at most @per of each
	// destination, oldest first. A row recovered while sending stays
	// "sending": its sender died during the call, and Slack may have it.
	// The rows are taken as claimReminders takes its own.
	claimPosts = `UPDATE outbox
SET state = CASE state WHEN 'sending' THEN 'sending' ELSE 'claimed' END, claim_token = @token, lease_until = @lease
WHERE id IN (SELECT id FROM outbox WHERE id IN (SELECT id FROM (
		SELECT id, ROW_NUMBER() OVER (PARTITION BY channel_id || user_id ORDER BY id) AS n
		FROM outbox WHERE ` + postClaimable + ` %[1]s) AS numbered
	WHERE n <= @per ORDER BY id LIMIT @limit)
	AND ` + postClaimable + ` %[2]s)
RETURNING ` + outboxColumns
	postHeld     = `id = @id AND state IN ('claimed', 'sending') AND ` + leaseHeld
	startSending = `UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = @lease WHERE ` + postHeld
	finishPost   = `UPDATE outbox SET state = @state, ts = @ts, done_at = @done, next_attempt_at = @retry, in_doubt = @doubt,
	last_error = @error, claim_token = '', lease_until = 0
WHERE ` + postHeld
)

// writePosts enqueues posts told by a change to launch id, in the change's
// transaction. A post without a key, told by the creation of the launch,
// is keyed "<kind>:<launch id>".
func writePosts(ctx context.Context, tx *sql.Tx, id int64, now time.Time, posts []launch.Post) error {
	for _, p := range posts {
		p.LaunchID = id
		if p.Key == "" {
			p.Key = p.Kind + ":" + strconv.FormatInt(id, 10)
		}
		if err := p.Validate(); err != nil {
			return fmt.Errorf("enqueue: %w", err)
		}
		if _, err := tx.ExecContext(ctx, insertPost, p.Key, id, p.Kind, p.Channel, p.User, string(p.Body), now.UnixMilli()); err != nil {
			return fmt.Errorf("enqueue post %q: %w", p.Key, err)
		}
	}
	return nil
}

// ClaimPosts holds due rows of the outbox for c.Lease: see outbox.Store.
func (s *Store) ClaimPosts(ctx context.Context, c outbox.Claim) ([]outbox.Row, error) {
	token, err := newToken()
	if err != nil {
		return nil, fmt.Errorf("claim posts: %w", err)
	}
	notBusy, args := destNotIn(c.Busy)
	args = append(args, sql.Named("now", c.Now.UnixMilli()), sql.Named("token", token),
		sql.Named("lease", c.Now.Add(c.Lease).UnixMilli()), sql.Named("per", c.PerDest), sql.Named("limit", c.Limit))
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("claim posts: begin: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(claimPosts, notBusy, s.skipLocked()), args...)
	if err != nil {
		return nil, fmt.Errorf("claim posts: %w", err)
	}
	out, err := scanPosts(rows)
	if err != nil {
		return nil, fmt.Errorf("claim posts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim posts: commit: %w", err)
	}
	// RETURNING gives no order: ids grow with time.
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// destNotIn returns "AND channel_id || user_id NOT IN (@dest0, ...)" and its
// arguments, or nothing when dests is empty.
func destNotIn(dests []string) (string, []any) {
	if len(dests) == 0 {
		return "", nil
	}
	names := make([]string, len(dests))
	args := make([]any, len(dests))
	for i, d := range dests {
		names[i] = "@dest" + strconv.Itoa(i)
		args[i] = sql.Named("dest"+strconv.Itoa(i), d)
	}
	return "AND channel_id || user_id NOT IN (" + strings.Join(names, ", ") + ")", args
}

// RenewPosts extends the leases the claim token still holds at now.
func (s *Store) RenewPosts(ctx context.Context, token string, now time.Time, lease time.Duration) (int, error) {
	return renewLeases(ctx, s.writer, "outbox", "'claimed', 'sending'", token, now, lease)
}

// StartSending marks a row still held at now as being sent: see outbox.Store.
func (s *Store) StartSending(ctx context.Context, r outbox.Row, now time.Time, lease time.Duration) error {
	res, err := s.writer.ExecContext(ctx, startSending, sql.Named("id", r.ID), sql.Named("token", r.Token),
		sql.Named("now", now.UnixMilli()), sql.Named("lease", now.Add(lease).UnixMilli()))
	if err != nil {
		return fmt.Errorf("start sending %s: %w", r, err)
	}
	return stillHeld(res, r, outbox.ErrLeaseLost)
}

// FinishPost ends the claim of a row still held at f.At: see outbox.Store.
func (s *Store) FinishPost(ctx context.Context, r outbox.Row, f outbox.Finish) error {
	var done, retry any
	switch f.State {
	case outbox.StatePending:
		retry = f.RetryAt.UnixMilli()
	case outbox.StateSent, outbox.StateUnknown, outbox.StateFailed:
		done, retry = f.At.UnixMilli(), int64(0)
	default:
		return fmt.Errorf("finish %s: state %q is not an end nor pending", r, f.State)
	}
	res, err := s.writer.ExecContext(ctx, finishPost, sql.Named("id", r.ID), sql.Named("token", r.Token),
		sql.Named("now", f.At.UnixMilli()), sql.Named("state", string(f.State)), sql.Named("ts", f.TS),
		sql.Named("done", done), sql.Named("retry", retry), sql.Named("doubt", f.InDoubt), sql.Named("error", f.Error))
	if err != nil {
		return fmt.Errorf("finish %s: %w", r, err)
	}
	return stillHeld(res, r, outbox.ErrLeaseLost)
}

// NextPostAt returns the earliest instant a row not for busy becomes
// claimable: a pending one's next attempt, a held one's lease end.
func (s *Store) NextPostAt(ctx context.Context, busy []string) (time.Time, bool, error) {
	notBusy, args := destNotIn(busy)
	var at sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT MIN(t) FROM (
	SELECT next_attempt_at AS t FROM outbox WHERE state = 'pending' `+notBusy+`
	UNION ALL
	SELECT lease_until FROM outbox WHERE state IN ('claimed', 'sending') `+notBusy+`) AS times`, args...).Scan(&at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next post time: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(at.Int64).UTC(), true, nil
}

// PostsWaiting counts the rows of the outbox not done yet.
func (s *Store) PostsWaiting(ctx context.Context) (int, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'claimed', 'sending')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count posts waiting: %w", err)
	}
	return n, nil
}

// Told tells whether a post keyed key was ever enqueued, delivered or not.
func (s *Store) Told(ctx context.Context, key string) (bool, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE key = ?`, key).Scan(&n); err != nil {
		return false, fmt.Errorf("look for post %q: %w", key, err)
	}
	return n > 0, nil
}

// PostRecord is a row of the outbox as the record of what was said.
type PostRecord struct {
	outbox.Row
	TS        string
	LastError string
}

// Posts returns every row of a launch's outbox, oldest first: what golive
// owed and how it went.
func (s *Store) Posts(ctx context.Context, launchID int64) ([]PostRecord, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+outboxColumns+`, ts, last_error FROM outbox WHERE launch_id = ? ORDER BY id`, launchID)
	if err != nil {
		return nil, fmt.Errorf("posts of launch %d: %w", launchID, err)
	}
	defer rows.Close()
	var out []PostRecord
	for rows.Next() {
		var p PostRecord
		if err := scanPost(rows, &p.Row, &p.TS, &p.LastError); err != nil {
			return nil, fmt.Errorf("posts of launch %d: %w", launchID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("posts of launch %d: %w", launchID, err)
	}
	return out, nil
}

// scanPosts reads rows of outboxColumns and closes them.
func scanPosts(rows *sql.Rows) ([]outbox.Row, error) {
	defer rows.Close()
	var out []outbox.Row
	for rows.Next() {
		var r outbox.Row
		if err := scanPost(rows, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// scanPost reads one row of outboxColumns, then extra columns.
func scanPost(rows *sql.Rows, r *outbox.Row, extra ...any) error {
	var body string
	var created int64
	dest := append([]any{&r.ID, &r.Key, &r.LaunchID, &r.Kind, &r.Channel, &r.User, &body, &r.State, &r.InDoubt,
		&r.Attempts, &r.Token, &created}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	r.Body = []byte(body)
	r.CreatedAt = time.UnixMilli(created).UTC()
	return nil
}
