package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

var _ delivery.Store = (*Store)(nil)

const (
	reminderColumns = `id, launch_id, kind, key, due_at, state, attempts, next_attempt_at, lease_until,
	claim_token, last_error, sent_at, payload`
	// planReminder adds a planned reminder, or moves a pending one to its
	// planned time. A skipped one (a window folded into a later one, say)
	// is planned again when the launch's new date puts it in the future:
	// it was never sent. Sent, dead and held reminders are left as they are.
	planReminder = `INSERT INTO reminders (launch_id, kind, key, due_at, payload) VALUES (@launch, @kind, @key, @due, @payload)
ON CONFLICT (launch_id, kind, key) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload,
	state = 'pending', note = '', sent_at = NULL
WHERE reminders.state = 'pending' OR (reminders.state = 'skipped' AND excluded.due_at > @now)`
	addReminder = `INSERT INTO reminders (launch_id, kind, key, due_at, payload) VALUES (@launch, @kind, @key, @due, @payload)
ON CONFLICT (launch_id, kind, key) DO NOTHING`
	// claimable is the condition shared by the claim and the wake-up time:
	// pending and due (after its backoff), or held under an expired lease.
	claimable = `((state = 'pending' AND due_at <= @now AND next_attempt_at <= @now)
	OR (state IN ('claimed', 'posting') AND lease_until <= @now))`
	// claimReminders holds due reminders under a new lease in one statement,
	// at most @per of each launch (numbered by due time); a row an older
	// version left while posting stays "posting", so that delivery knows its
	// post may have gone out. On PostgreSQL, where replicas claim side by
	// side, the rows picked are then locked with FOR UPDATE SKIP LOCKED
	// (a window function cannot be locked itself): a row another replica is
	// claiming is left to it rather than waited for, and a row it claimed
	// since the numbering is checked again as it is now, and skipped. SQLite's
	// single writer claims one at a time anyway.
	claimReminders = `UPDATE reminders
SET state = CASE state WHEN 'posting' THEN 'posting' ELSE 'claimed' END, claim_token = @token, lease_until = @lease
WHERE id IN (SELECT id FROM reminders WHERE id IN (SELECT id FROM (
		SELECT id, due_at, ROW_NUMBER() OVER (PARTITION BY launch_id ORDER BY due_at, id) AS n
		FROM reminders WHERE ` + claimable + ` %[1]s) AS numbered
	WHERE n <= @per ORDER BY due_at, id LIMIT @limit)
	AND ` + claimable + ` %[2]s)
RETURNING ` + reminderColumns
	// held picks the row of a claim still held by its token at @now: the
	// fence that makes the database refuse a claim whose lease ran out or
	// that another instance has taken since. ("posting" rows were left by
	// a version that posted reminders itself.)
	held           = `id = @id AND state IN ('claimed', 'posting') AND ` + leaseHeld
	finishReminder = `UPDATE reminders SET state = @state, sent_at = @at, note = @note, claim_token = '', lease_until = 0
WHERE ` + held
	coverReminder = `UPDATE reminders SET state = 'skipped', sent_at = ?, note = ?
WHERE launch_id = ? AND kind = ? AND key = ? AND state = 'pending'`
	retryReminder = `UPDATE reminders SET state = 'pending', claim_token = '', lease_until = 0,
	due_at = @due, next_attempt_at = @retry, last_error = @error, attempts = attempts + @failed
WHERE ` + held
	killReminder = `UPDATE reminders SET state = 'dead', claim_token = '', lease_until = 0, last_error = @error,
	attempts = attempts + 1 WHERE ` + held
)

// PlanReminders stores a launch's plan in one transaction: pending
// reminders move to their planned time, new ones are added, skipped ones
// planned in the future again are pending again, and pending ones no longer
// planned are deleted unless due at now, which the runner then skips or
// posts as the launch stands. Sent, dead and held reminders are left alone.
func (s *Store) PlanReminders(ctx context.Context, launchID int64, plan []schedule.Reminder, now time.Time) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("plan reminders of launch %d: begin: %w", launchID, err)
	}
	defer tx.Rollback()

	// A team that uninstalled golive is reminded of nothing until it
	// installs golive again: its pending reminders go with an empty plan.
	uninstalled, err := s.teamUninstalled(ctx, tx, launchID)
	if err != nil {
		return fmt.Errorf("plan reminders of launch %d: %w", launchID, err)
	}
	if uninstalled {
		plan = nil
	}
	planned := map[schedule.Ref]bool{}
	for _, r := range plan {
		if r.LaunchID != launchID {
			return fmt.Errorf("plan reminders of launch %d: %s belongs to another launch", launchID, r)
		}
		if err := insertReminder(ctx, tx, planReminder, r, sql.Named("now", now.UnixMilli())); err != nil {
			return fmt.Errorf("plan reminders of launch %d: %w", launchID, err)
		}
		planned[r.Ref()] = true
	}
	type row struct {
		id  int64
		ref schedule.Ref
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT id, kind, key FROM reminders WHERE launch_id = ? AND state = 'pending' AND due_at > ?`,
		launchID, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("plan reminders of launch %d: %w", launchID, err)
	}
	var gone []int64
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.id, &x.ref.Kind, &x.ref.Key); err != nil {
			rows.Close()
			return fmt.Errorf("plan reminders of launch %d: %w", launchID, err)
		}
		if !planned[x.ref] {
			gone = append(gone, x.id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("plan reminders of launch %d: %w", launchID, err)
	}
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM reminders WHERE id = ?`, id); err != nil {
			return fmt.Errorf("plan reminders of launch %d: drop reminder %d: %w", launchID, id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("plan reminders of launch %d: commit: %w", launchID, err)
	}
	return nil
}

// insertReminder runs query (planReminder or addReminder) for r, with any
// extra named arguments it takes.
func insertReminder(ctx context.Context, tx *sql.Tx, query string, r schedule.Reminder, extra ...any) error {
	payload, err := json.Marshal(r.Payload)
	if err != nil {
		return fmt.Errorf("%s: encode payload: %w", r, err)
	}
	args := append([]any{sql.Named("launch", r.LaunchID), sql.Named("kind", string(r.Kind)), sql.Named("key", r.Key),
		sql.Named("due", r.DueAt.UnixMilli()), sql.Named("payload", string(payload))}, extra...)
	_, err = tx.ExecContext(ctx, query, args...)
	if isForeignKeyViolation(err) {
		return errNoLaunch(r.LaunchID)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", r, err)
	}
	return nil
}

// ClaimReminders claims, for c.Lease, up to c.PerLaunch claimable
// reminders of each launch not in c.Busy and c.Limit in all, oldest due
// first, with one UPDATE ... RETURNING in an immediate transaction: two
// runners on one database never hold the same reminder.
func (s *Store) ClaimReminders(ctx context.Context, c delivery.ReminderClaim) ([]schedule.Reminder, error) {
	token, err := newToken()
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	notBusy, args := notIn(c.Busy)
	args = append(args,
		sql.Named("now", c.Now.UnixMilli()), sql.Named("token", token),
		sql.Named("lease", c.Now.Add(c.Lease).UnixMilli()),
		sql.Named("per", c.PerLaunch), sql.Named("limit", c.Limit))

	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("claim reminders: begin: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(claimReminders, notBusy, s.skipLocked()), args...)
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	out, err := scanReminders(rows)
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim reminders: commit: %w", err)
	}
	// RETURNING gives no order.
	sort.Slice(out, func(i, j int) bool {
		if !out[i].DueAt.Equal(out[j].DueAt) {
			return out[i].DueAt.Before(out[j].DueAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// notIn returns "AND launch_id NOT IN (@busy0, ...)" and its arguments, or
// nothing when ids is empty. The parameters are named, as the claim's others
// are: SQLite numbers positional ones after named ones.
func notIn(ids []int64) (string, []any) {
	if len(ids) == 0 {
		return "", nil
	}
	names := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		names[i] = "@busy" + strconv.Itoa(i)
		args[i] = sql.Named("busy"+strconv.Itoa(i), id)
	}
	return "AND launch_id NOT IN (" + strings.Join(names, ", ") + ")", args
}

func newToken() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("claim token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// RenewClaim extends to now+lease the leases still held at now by the
// claim token, and returns how many.
func (s *Store) RenewClaim(ctx context.Context, token string, now time.Time, lease time.Duration) (int, error) {
	return renewLeases(ctx, s.writer, "reminders", "'claimed', 'posting'", token, now, lease)
}

// heldBy returns the arguments of held for r's claim at now, and extra.
func heldBy(r schedule.Reminder, now time.Time, extra ...any) []any {
	return append([]any{sql.Named("id", r.ID), sql.Named("token", r.Token), sql.Named("now", now.UnixMilli())}, extra...)
}

// FinishReminder ends a claim as sent or skipped and, in the same
// transaction, makes the change it records in its launch (with its audit
// events and the posts it tells), enqueues its posts, adds the reminders
// that follow it and skips those it covers: a claim that was lost writes
// none of it.
func (s *Store) FinishReminder(ctx context.Context, r schedule.Reminder, f delivery.ReminderFinish) error {
	if f.State != schedule.StateSent && f.State != schedule.StateSkipped {
		return fmt.Errorf("finish %s: state %q is neither sent nor skipped", r, f.State)
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("finish %s: begin: %w", r, err)
	}
	defer tx.Rollback()

	at := f.At.UnixMilli()
	res, err := tx.ExecContext(ctx, finishReminder, heldBy(r, f.At,
		sql.Named("state", string(f.State)), sql.Named("at", at), sql.Named("note", f.Note))...)
	if err != nil {
		return fmt.Errorf("finish %s: %w", r, err)
	}
	if err := heldOrLost(res, r); err != nil {
		return err
	}
	var writes []launchWrite
	if f.Change != nil {
		_, w, err := s.changeIn(ctx, tx, r.LaunchID, s.now(), func(_ *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error) {
			return f.Change(l, now)
		})
		if err != nil {
			return fmt.Errorf("finish %s: %w", r, err)
		}
		writes = append(writes, w)
	}
	if err := writePosts(ctx, tx, r.LaunchID, f.At, f.Posts); err != nil {
		return fmt.Errorf("finish %s: %w", r, err)
	}
	if f.InDoubt {
		for _, p := range f.Posts {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET in_doubt = 1 WHERE key = ?`, p.Key); err != nil {
				return fmt.Errorf("finish %s: mark %q in doubt: %w", r, p.Key, err)
			}
		}
	}
	for _, next := range f.Next {
		if err := insertReminder(ctx, tx, addReminder, next); err != nil {
			return fmt.Errorf("finish %s: add the next: %w", r, err)
		}
	}
	for _, c := range f.Covers {
		note := fmt.Sprintf("covered by %s %s", r.Kind, r.Key)
		if _, err := tx.ExecContext(ctx, coverReminder, at, note, r.LaunchID, string(c.Kind), c.Key); err != nil {
			return fmt.Errorf("finish %s: skip %s %s: %w", r, c.Kind, c.Key, err)
		}
	}
	if len(writes) > 0 {
		// The launch's new rows are cached as an update's are.
		if err := s.commit(tx, writes...); err != nil {
			return fmt.Errorf("finish %s: %w", r, err)
		}
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("finish %s: commit: %w", r, err)
	}
	return nil
}

// ReleaseReminder puts a reminder still held at rel.At back to pending,
// due and retried when rel says, or marks it dead.
func (s *Store) ReleaseReminder(ctx context.Context, r schedule.Reminder, rel delivery.ReminderRelease) error {
	var res sql.Result
	var err error
	if rel.Dead {
		res, err = s.writer.ExecContext(ctx, killReminder, heldBy(r, rel.At, sql.Named("error", rel.Error))...)
	} else {
		due := r.DueAt
		if !rel.DueAt.IsZero() {
			due = rel.DueAt
		}
		var retry int64
		if !rel.RetryAt.IsZero() {
			retry = rel.RetryAt.UnixMilli()
		}
		failed := 0
		if rel.Error != "" {
			failed = 1
		}
		res, err = s.writer.ExecContext(ctx, retryReminder, heldBy(r, rel.At, sql.Named("due", due.UnixMilli()),
			sql.Named("retry", retry), sql.Named("error", rel.Error), sql.Named("failed", failed))...)
	}
	if err != nil {
		return fmt.Errorf("release %s: %w", r, err)
	}
	return heldOrLost(res, r)
}

func heldOrLost(res sql.Result, r schedule.Reminder) error {
	return stillHeld(res, r, delivery.ErrLeaseLost)
}

// NextReminderAt returns the earliest instant a reminder of a launch not in
// busy becomes claimable: a pending one's due time or next attempt, a held
// one's lease end.
func (s *Store) NextReminderAt(ctx context.Context, busy []int64) (time.Time, bool, error) {
	notBusy, args := notIn(busy)
	query := `SELECT MIN(t) FROM (
	SELECT CASE WHEN due_at > next_attempt_at THEN due_at ELSE next_attempt_at END AS t
	FROM reminders WHERE state = 'pending' ` + notBusy + `
	UNION ALL
	SELECT lease_until FROM reminders WHERE state IN ('claimed', 'posting') ` + notBusy + `) AS times`
	var at sql.NullInt64
	if err := s.reader.QueryRowContext(ctx, query, args...).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("next reminder time: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(at.Int64).UTC(), true, nil
}

// OldestUnsentDue returns the earliest due time, not after now, of the
// reminders still owed: pending (waiting or between retries) or held.
func (s *Store) OldestUnsentDue(ctx context.Context, now time.Time) (time.Time, bool, error) {
	var at sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT MIN(t) FROM (
	SELECT MIN(due_at) AS t FROM reminders WHERE state = 'pending' AND due_at <= @now
	UNION ALL
	SELECT MIN(due_at) FROM reminders WHERE state IN ('claimed', 'posting') AND due_at <= @now) AS times`,
		sql.Named("now", now.UnixMilli())).Scan(&at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("oldest due reminder: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(at.Int64).UTC(), true, nil
}

// RemindersWaiting counts the reminders not done yet: pending or held.
func (s *Store) RemindersWaiting(ctx context.Context) (int, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM reminders WHERE state IN ('pending', 'claimed', 'posting')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count reminders waiting: %w", err)
	}
	return n, nil
}

// TroubledReminders returns a launch's reminders whose posts failed: those
// waiting for a retry (pending after an attempt) and those given up on
// (dead), in order of due time.
func (s *Store) TroubledReminders(ctx context.Context, launchID int64) ([]schedule.Reminder, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+reminderColumns+` FROM reminders
WHERE launch_id = ? AND (state = 'dead' OR (state = 'pending' AND attempts > 0)) ORDER BY due_at, id`, launchID)
	if err != nil {
		return nil, fmt.Errorf("failed reminders of launch %d: %w", launchID, err)
	}
	out, err := scanReminders(rows)
	if err != nil {
		return nil, fmt.Errorf("failed reminders of launch %d: %w", launchID, err)
	}
	return out, nil
}

// Reminders returns every reminder of a launch, whatever its state, in
// order of due time.
func (s *Store) Reminders(ctx context.Context, launchID int64) ([]schedule.Reminder, error) {
	rows, err := s.reader.QueryContext(ctx,
		`SELECT `+reminderColumns+` FROM reminders WHERE launch_id = ? ORDER BY due_at, id`, launchID)
	if err != nil {
		return nil, fmt.Errorf("reminders of launch %d: %w", launchID, err)
	}
	out, err := scanReminders(rows)
	if err != nil {
		return nil, fmt.Errorf("reminders of launch %d: %w", launchID, err)
	}
	return out, nil
}

// scanReminders reads rows of reminderColumns and closes them.
func scanReminders(rows *sql.Rows) ([]schedule.Reminder, error) {
	defer rows.Close()
	var out []schedule.Reminder
	for rows.Next() {
		var r schedule.Reminder
		var due, next, lease int64
		var sent sql.NullInt64
		var payload string
		if err := rows.Scan(&r.ID, &r.LaunchID, &r.Kind, &r.Key, &due, &r.State, &r.Attempts, &next, &lease,
			&r.Token, &r.LastError, &sent, &payload); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(payload), &r.Payload); err != nil {
			return nil, fmt.Errorf("reminder %d: decode payload: %w", r.ID, err)
		}
		r.DueAt = time.UnixMilli(due).UTC()
		r.NextAttemptAt = zeroUnset(next)
		r.LeaseUntil = zeroUnset(lease)
		r.SentAt = instant(sent)
		out = append(out, r)
	}
	return out, rows.Err()
}

// zeroUnset reads an instant column where 0 means unset.
func zeroUnset(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
