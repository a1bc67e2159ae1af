package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

// CreateToken stores an API token of launch launchID named name, created
// by user, of which only the secret's hash is kept, with its audit row.
// The launch decides who may (launch.CreateToken); a name in use by a live
// token of the launch fails with ECONFLICT.
func (s *Store) CreateToken(ctx context.Context, launchID int64, user, name, hash string) (launch.Token, error) {
	t := launch.Token{LaunchID: launchID, Name: name, CreatedBy: user}
	_, err := s.update(ctx, launchID, func(tx *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := l.CreateToken(user, name)
		if err != nil {
			return nil, err
		}
		err = tx.QueryRowContext(ctx,
			`INSERT INTO api_tokens (launch_id, name, hash, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			launchID, name, hash, user, now.UnixMilli()).Scan(&t.ID)
		if isUniqueViolation(err) {
			return nil, launch.Errorf(launch.ECONFLICT, "This launch already has a token named %q; revoke it first, or choose another name.", name)
		}
		if err != nil {
			return nil, fmt.Errorf("create token of launch %d: %w", launchID, err)
		}
		t.CreatedAt = now
		return events, nil
	})
	if err != nil {
		return launch.Token{}, err
	}
	return t, nil
}

// RevokeToken revokes the live token of launch launchID named name, by
// user, with its audit row: ENOTFOUND when there is none.
func (s *Store) RevokeToken(ctx context.Context, launchID int64, user, name string) error {
	_, err := s.update(ctx, launchID, func(tx *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := l.RevokeToken(user, name)
		if err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx,
			`UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE launch_id = ? AND name = ? AND revoked_at IS NULL`,
			now.UnixMilli(), user, launchID, name)
		if err != nil {
			return nil, fmt.Errorf("revoke token of launch %d: %w", launchID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return nil, fmt.Errorf("revoke token of launch %d: %w", launchID, err)
			}
			return nil, launch.Errorf(launch.ENOTFOUND, "This launch has no token named %q; `token list` shows its tokens.", name)
		}
		return events, nil
	})
	return err
}

const selectToken = `SELECT id, launch_id, name, created_by, created_at, last_used_at FROM api_tokens`

func scanToken(row interface{ Scan(...any) error }, t *launch.Token) error {
	var created int64
	var used sql.NullInt64
	if err := row.Scan(&t.ID, &t.LaunchID, &t.Name, &t.CreatedBy, &created, &used); err != nil {
		return err
	}
	t.CreatedAt, t.LastUsed = time.UnixMilli(created).UTC(), instant(used)
	return nil
}

// Tokens returns the live tokens of a launch, oldest first.
func (s *Store) Tokens(ctx context.Context, launchID int64) ([]launch.Token, error) {
	var out []launch.Token
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryRows(ctx, tx, selectToken+` WHERE launch_id = ? AND revoked_at IS NULL ORDER BY id`, launchID,
			func(rows *sql.Rows, t *launch.Token) error { return scanToken(rows, t) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read tokens of launch %d: %w", launchID, err)
	}
	return out, nil
}

// TokenBySecret returns the live token whose secret is secret, or
// ENOTFOUND. The secret is looked up by its hash, and the hashes compared
// again in constant time.
func (s *Store) TokenBySecret(ctx context.Context, secret string) (launch.Token, error) {
	hash := launch.HashToken(secret)
	var t launch.Token
	var stored string
	var created int64
	var used sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT id, launch_id, name, created_by, created_at, last_used_at, hash
FROM api_tokens WHERE hash = ? AND revoked_at IS NULL`, hash).Scan(&t.ID, &t.LaunchID, &t.Name, &t.CreatedBy, &created, &used, &stored)
	if errors.Is(err, sql.ErrNoRows) || err == nil && subtle.ConstantTimeCompare([]byte(stored), []byte(hash)) != 1 {
		return launch.Token{}, launch.Errorf(launch.ENOTFOUND, "no such token")
	}
	if err != nil {
		return launch.Token{}, fmt.Errorf("read token: %w", err)
	}
	t.CreatedAt, t.LastUsed = time.UnixMilli(created).UTC(), instant(used)
	return t, nil
}

// tokenUseGrain is how stale a token's last use may be before a new use
// is written: a pipeline calling often costs one write a minute.
const tokenUseGrain = time.Minute

// TouchToken records that token id was used at at; a use within a minute
// of the recorded one writes nothing.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.writer.ExecContext(ctx,
		`UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		at.UnixMilli(), id, at.Add(-tokenUseGrain).UnixMilli())
	if err != nil {
		return fmt.Errorf("record use of token %d: %w", id, err)
	}
	return nil
}
