package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Claims on reminders and on the outbox share one shape: a claim takes rows
// with one UPDATE ... RETURNING, writing a random claim_token and a
// lease_until; it renews the leases it still holds while it works; and every
// later change of a claimed row is fenced by leaseHeld, so that the
// database refuses it once the lease has run out or another claim has
// taken the row since.
const leaseHeld = `claim_token = @token AND lease_until > @now`

// renewLeases extends to now+lease the leases token still holds at now on
// the rows of table in one of states (an SQL list: 'claimed', 'posting'),
// and returns how many; a lease that ran out stays out.
func renewLeases(ctx context.Context, db *sql.DB, table, states, token string, now time.Time, lease time.Duration) (int, error) {
	res, err := db.ExecContext(ctx, `UPDATE `+table+` SET lease_until = @lease WHERE state IN (`+states+`) AND `+leaseHeld,
		sql.Named("token", token), sql.Named("now", now.UnixMilli()), sql.Named("lease", now.Add(lease).UnixMilli()))
	if err != nil {
		return 0, fmt.Errorf("renew claim: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("renew claim: %w", err)
	}
	return int(n), nil
}

// stillHeld turns a fenced change that touched no row into lost, the
// caller's error for a claim it no longer holds.
func stillHeld(res sql.Result, what fmt.Stringer, lost error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, lost)
	}
	return nil
}
