package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/workspace"
)

// The installations of a distributed golive (OAuth): their tokens arrive
// sealed, and leave sealed; opening them is package install's business.

const installationColumns = `team_id, team_name, enterprise_id, app_id, bot_user_id, scopes, installer,
	sealed, expires_at, installed_at, updated_at`

func scanInstallation(row interface{ Scan(...any) error }, in *workspace.Installation) error {
	var expires sql.NullInt64
	var installed, updated int64
	if err := row.Scan(&in.TeamID, &in.TeamName, &in.EnterpriseID, &in.AppID, &in.BotUserID, &in.Scopes, &in.Installer,
		&in.Sealed, &expires, &installed, &updated); err != nil {
		return err
	}
	in.ExpiresAt = instant(expires)
	in.InstalledAt, in.UpdatedAt = time.UnixMilli(installed).UTC(), time.UnixMilli(updated).UTC()
	return nil
}

// nullInstant is t in Unix milliseconds, NULL for the zero time.
func nullInstant(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// SaveInstallation stores a workspace's installation, replacing the one
// it had (a reinstall, with new scopes, say): a workspace that had
// uninstalled golive is installed again.
func (s *Store) SaveInstallation(ctx context.Context, in workspace.Installation) error {
	if in.TeamID == "" || len(in.Sealed) == 0 {
		return errors.New("save installation: no team id or no sealed tokens")
	}
	now := s.now()
	_, err := s.writer.ExecContext(ctx, `INSERT INTO installations (`+installationColumns+`, uninstalled_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
ON CONFLICT (team_id) DO UPDATE SET team_name = excluded.team_name, enterprise_id = excluded.enterprise_id,
	app_id = excluded.app_id, bot_user_id = excluded.bot_user_id, scopes = excluded.scopes, installer = excluded.installer,
	sealed = excluded.sealed, expires_at = excluded.expires_at, installed_at = excluded.installed_at,
	updated_at = excluded.updated_at, uninstalled_at = NULL, refresh_claim = '', refresh_lease_until = 0`,
		in.TeamID, in.TeamName, in.EnterpriseID, in.AppID, in.BotUserID, in.Scopes, in.Installer,
		in.Sealed, nullInstant(in.ExpiresAt), now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("save installation of team %s: %w", in.TeamID, err)
	}
	return nil
}

// Installation returns the installation of a workspace, or ENOTFOUND when
// golive is not installed there (never was, or was uninstalled).
func (s *Store) Installation(ctx context.Context, teamID string) (workspace.Installation, error) {
	var in workspace.Installation
	err := scanInstallation(s.reader.QueryRowContext(ctx, `SELECT `+installationColumns+`
FROM installations WHERE team_id = ? AND uninstalled_at IS NULL`, teamID), &in)
	if errors.Is(err, sql.ErrNoRows) {
		return workspace.Installation{}, launch.Errorf(launch.ENOTFOUND, "golive is not installed in workspace %s", teamID)
	}
	if err != nil {
		return workspace.Installation{}, fmt.Errorf("read installation of team %s: %w", teamID, err)
	}
	return in, nil
}

// Installations returns every workspace golive is installed in, by team id.
func (s *Store) Installations(ctx context.Context) ([]workspace.Installation, error) {
	var out []workspace.Installation
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryRowsArgs(ctx, tx, `SELECT `+installationColumns+` FROM installations WHERE uninstalled_at IS NULL ORDER BY team_id`,
			nil, func(rows *sql.Rows, in *workspace.Installation) error { return scanInstallation(rows, in) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read installations: %w", err)
	}
	return out, nil
}

// uninstalledNote is why a team's reminders and posts were given up on.
const uninstalledNote = "golive was uninstalled from the workspace or its token revoked"

// RemoveInstallation forgets a workspace's tokens, at Slack's word that
// golive was uninstalled there or its bot token revoked, and gives up, in
// the same transaction, on its launches' reminders and posts not sent yet
// (a claim holding one loses it): nothing of the team is retried with a
// token that no longer works, and nothing of another team is touched. The
// launches stay, for a reinstall. Repeating it does nothing more.
func (s *Store) RemoveInstallation(ctx context.Context, teamID string) (workspace.Uninstalled, error) {
	var out workspace.Uninstalled
	now := s.now().UnixMilli()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("remove installation of team %s: begin: %w", teamID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE installations SET sealed = ?, expires_at = NULL, refresh_claim = '',
	refresh_lease_until = 0, updated_at = ?, uninstalled_at = ? WHERE team_id = ? AND uninstalled_at IS NULL`,
		[]byte{}, now, now, teamID)
	if err != nil {
		return out, fmt.Errorf("remove installation of team %s: %w", teamID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return out, fmt.Errorf("remove installation of team %s: %w", teamID, err)
	}
	if n == 0 {
		// Never installed through OAuth here (or already removed): leave a
		// mark all the same, so that the team's launches stay quiet.
		if _, err := tx.ExecContext(ctx, `INSERT INTO installations (team_id, sealed, installed_at, updated_at, uninstalled_at)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id) DO NOTHING`, teamID, []byte{}, now, now, now); err != nil {
			return out, fmt.Errorf("remove installation of team %s: %w", teamID, err)
		}
	}
	out.Installed = n > 0
	res, err = tx.ExecContext(ctx, `UPDATE reminders SET state = 'dead', claim_token = '', lease_until = 0, last_error = ?
WHERE state IN ('pending', 'claimed', 'posting') AND launch_id IN (SELECT id FROM launches WHERE team_id = ?)`, uninstalledNote, teamID)
	if err != nil {
		return out, fmt.Errorf("remove installation of team %s: give up its reminders: %w", teamID, err)
	}
	if out.Reminders, err = res.RowsAffected(); err != nil {
		return out, fmt.Errorf("remove installation of team %s: %w", teamID, err)
	}
	res, err = tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', claim_token = '', lease_until = 0, last_error = ?, done_at = ?
WHERE state IN ('pending', 'claimed', 'sending') AND launch_id IN (SELECT id FROM launches WHERE team_id = ?)`, uninstalledNote, now, teamID)
	if err != nil {
		return out, fmt.Errorf("remove installation of team %s: give up its posts: %w", teamID, err)
	}
	if out.Posts, err = res.RowsAffected(); err != nil {
		return out, fmt.Errorf("remove installation of team %s: %w", teamID, err)
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("remove installation of team %s: commit: %w", teamID, err)
	}
	return out, nil
}

// teamUninstalled says whether the team of launch id uninstalled golive:
// its reminders are not planned again until it installs golive again.
func (s *Store) teamUninstalled(ctx context.Context, q querier, launchID int64) (bool, error) {
	var gone bool
	if !s.installations {
		return false, nil
	}
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM installations i JOIN launches l ON l.team_id = i.team_id
WHERE l.id = ? AND i.uninstalled_at IS NOT NULL)`, launchID).Scan(&gone)
	return gone, err
}

// ClaimRefresh claims the refresh of a workspace's rotating token, due at
// now within margin of its expiry, for lease: the installation as it is
// now, and ok, when this caller holds the claim and should spend the
// refresh token; ok is false when the token is not due (another replica
// refreshed it meanwhile) or another claim holds it. The claim is one
// conditional UPDATE, so two replicas never both spend the single-use
// refresh token, and no transaction stays open while Slack answers.
func (s *Store) ClaimRefresh(ctx context.Context, teamID string, now time.Time, margin, lease time.Duration) (in workspace.Installation, claim string, ok bool, err error) {
	claim, err = newClaimToken()
	if err != nil {
		return in, "", false, err
	}
	err = scanInstallation(s.writer.QueryRowContext(ctx, `UPDATE installations SET refresh_claim = ?, refresh_lease_until = ?
WHERE team_id = ? AND uninstalled_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? AND refresh_lease_until <= ?
RETURNING `+installationColumns,
		claim, now.Add(lease).UnixMilli(), teamID, now.Add(margin).UnixMilli(), now.UnixMilli()), &in)
	if errors.Is(err, sql.ErrNoRows) {
		return workspace.Installation{}, "", false, nil
	}
	if err != nil {
		return workspace.Installation{}, "", false, fmt.Errorf("claim the token refresh of team %s: %w", teamID, err)
	}
	return in, claim, true, nil
}

// FinishRefresh stores the tokens a claimed refresh got (sealed) and their
// expiry, if claim still holds the installation: workspace.ErrRefreshLost otherwise.
func (s *Store) FinishRefresh(ctx context.Context, teamID, claim string, sealed []byte, expires time.Time) error {
	res, err := s.writer.ExecContext(ctx, `UPDATE installations SET sealed = ?, expires_at = ?, refresh_claim = '',
	refresh_lease_until = 0, updated_at = ? WHERE team_id = ? AND refresh_claim = ? AND uninstalled_at IS NULL`,
		sealed, nullInstant(expires), s.now().UnixMilli(), teamID, claim)
	if err != nil {
		return fmt.Errorf("finish the token refresh of team %s: %w", teamID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("finish the token refresh of team %s: %w", teamID, err)
		}
		return fmt.Errorf("finish the token refresh of team %s: %w", teamID, workspace.ErrRefreshLost)
	}
	return nil
}

// ResealInstallations seals again, with reseal, every installation's tokens
// that current says were not sealed with the key that seals now (after a
// key rotation), each in its own statement fenced by the sealed value read,
// and returns how many it sealed again.
func (s *Store) ResealInstallations(ctx context.Context, current func(sealed []byte) bool,
	reseal func(teamID string, sealed []byte) ([]byte, error)) (int, error) {
	all, err := s.Installations(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, in := range all {
		if current(in.Sealed) {
			continue
		}
		fresh, err := reseal(in.TeamID, in.Sealed)
		if err != nil {
			return n, fmt.Errorf("seal again the tokens of team %s: %w", in.TeamID, err)
		}
		// A refresh that stored new tokens meanwhile sealed them with the
		// new key already: the fence leaves them be.
		res, err := s.writer.ExecContext(ctx, `UPDATE installations SET sealed = ?, updated_at = ? WHERE team_id = ? AND sealed = ?`,
			fresh, s.now().UnixMilli(), in.TeamID, in.Sealed)
		if err != nil {
			return n, fmt.Errorf("seal again the tokens of team %s: %w", in.TeamID, err)
		}
		if k, err := res.RowsAffected(); err == nil && k > 0 {
			n++
		}
	}
	return n, nil
}

// newClaimToken returns a random claim token.
func newClaimToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("claim token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// hasMigration says whether ms has the migration named NNNN_name.sql.
func hasMigration(ms []migration, name string) bool {
	for _, m := range ms {
		if strings.TrimSuffix(m.name[strings.Index(m.name, "_")+1:], ".sql") == name {
			return true
		}
	}
	return false
}
