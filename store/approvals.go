package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/launch"
)

const (
	upsertApprovalDM = `INSERT INTO approval_dms (launch_id, role, holder, channel_id, ts, asked_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (launch_id, role) DO UPDATE SET role = excluded.role, holder = excluded.holder,
	channel_id = excluded.channel_id, ts = excluded.ts, asked_at = excluded.asked_at`
	selectApprovalDMs = `SELECT role, holder, channel_id, ts, asked_at FROM approval_dms WHERE launch_id = ?`
)

// SaveApprovalDM records the DM that asked a role's holder for their
// approval, replacing the one recorded for that launch and role (role names
// compare without case).
func (s *Store) SaveApprovalDM(ctx context.Context, dm launch.ApprovalDM) error {
	if dm.LaunchID <= 0 || strings.TrimSpace(dm.Role) == "" || dm.Holder == "" || dm.ChannelID == "" || dm.TS == "" {
		return fmt.Errorf("save approval DM %+v: launch, role, holder, channel and ts are all required", dm)
	}
	_, err := s.writer.ExecContext(ctx, upsertApprovalDM,
		dm.LaunchID, dm.Role, dm.Holder, dm.ChannelID, dm.TS, dm.AskedAt.UnixMilli())
	if isForeignKeyViolation(err) {
		return errNoLaunch(dm.LaunchID)
	}
	if err != nil {
		return fmt.Errorf("save approval DM of launch %d role %s: %w", dm.LaunchID, dm.Role, err)
	}
	return nil
}

// ApprovalDM returns the DM that last asked the holder of the launch's role,
// or ENOTFOUND when none was sent.
func (s *Store) ApprovalDM(ctx context.Context, launchID int64, role string) (launch.ApprovalDM, error) {
	dm := launch.ApprovalDM{LaunchID: launchID}
	var asked int64
	err := s.reader.QueryRowContext(ctx, selectApprovalDMs+` AND role = ?`, launchID, role).
		Scan(&dm.Role, &dm.Holder, &dm.ChannelID, &dm.TS, &asked)
	if errors.Is(err, sql.ErrNoRows) {
		return launch.ApprovalDM{}, launch.Errorf(launch.ENOTFOUND, "No approval request was sent for the role %s.", role)
	}
	if err != nil {
		return launch.ApprovalDM{}, fmt.Errorf("read approval DM of launch %d role %s: %w", launchID, role, err)
	}
	dm.AskedAt = time.UnixMilli(asked).UTC()
	return dm, nil
}

// ApprovalDMs returns the DMs that asked a launch's role holders, by role name.
func (s *Store) ApprovalDMs(ctx context.Context, launchID int64) ([]launch.ApprovalDM, error) {
	out, err := queryRows(ctx, s.reader, selectApprovalDMs+` ORDER BY role`, launchID,
		func(rows *sql.Rows, dm *launch.ApprovalDM) error {
			var asked int64
			if err := rows.Scan(&dm.Role, &dm.Holder, &dm.ChannelID, &dm.TS, &asked); err != nil {
				return err
			}
			dm.LaunchID, dm.AskedAt = launchID, time.UnixMilli(asked).UTC()
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list approval DMs of launch %d: %w", launchID, err)
	}
	return out, nil
}
