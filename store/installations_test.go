package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/internal/workspace"
)

func TestInstallationsAreSavedReadAndReplaced(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	_, err := s.Installation(ctx, "TA")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))

	in := workspace.Installation{TeamID: "TA", TeamName: "Alpha", EnterpriseID: "E1", AppID: "A1", BotUserID: "UBOT",
		Scopes: "commands,chat:write", Installer: "UADMIN", Sealed: []byte{1, 2, 3}, ExpiresAt: t0.Add(12 * time.Hour)}
	require.NoError(t, s.SaveInstallation(ctx, in))
	got, err := s.Installation(ctx, "TA")
	require.NoError(t, err)
	in.InstalledAt, in.UpdatedAt = t0, t0
	assert.Equal(t, in, got)

	in.Sealed, in.ExpiresAt, in.Scopes = []byte{4}, time.Time{}, "commands"
	require.NoError(t, s.SaveInstallation(ctx, in))
	got, err = s.Installation(ctx, "TA")
	require.NoError(t, err)
	assert.Equal(t, []byte{4}, got.Sealed, "a reinstall replaces the tokens")
	assert.False(t, got.Refreshable())
	all, err := s.Installations(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 1)

	assert.Error(t, s.SaveInstallation(ctx, workspace.Installation{TeamID: "TB"}), "no tokens, no installation")
}

// An uninstall gives up on its team's reminders and posts, and on no other
// team's, even in a channel of the same id; its launches plan nothing more
// until the team installs golive again.
func TestRemoveInstallationStopsOnlyItsTeam(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	a, b := fullLaunch("C1"), fullLaunch("C1")
	a.TeamID, b.TeamID = "TA", "TB"
	require.NoError(t, s.CreateLaunch(ctx, a, "UCREATOR"))
	require.NoError(t, s.CreateLaunch(ctx, b, "UCREATOR"))
	for _, id := range []int64{a.ID, b.ID} {
		require.NoError(t, s.SaveInstallation(ctx, workspace.Installation{TeamID: map[int64]string{a.ID: "TA", b.ID: "TB"}[id], Sealed: []byte{1}}))
		require.NoError(t, s.PlanReminders(ctx, id, []schedule.Reminder{reminderAt(id, schedule.KindCountdown, "2026-12-01", t0.Add(time.Hour))}, t0))
		_, err := s.writer.ExecContext(ctx, `INSERT INTO outbox (key, launch_id, kind, channel_id, body, created_at) VALUES (?, ?, 'notice', 'C1', '{}', ?)`,
			"k"+string(rune('0'+id)), id, t0.UnixMilli())
		require.NoError(t, err)
	}

	out, err := s.RemoveInstallation(ctx, "TA")
	require.NoError(t, err)
	assert.Equal(t, workspace.Uninstalled{Installed: true, Reminders: 1, Posts: 1}, out)
	again, err := s.RemoveInstallation(ctx, "TA")
	require.NoError(t, err)
	assert.Equal(t, workspace.Uninstalled{}, again, "tokens_revoked after app_uninstalled does nothing more")

	_, err = s.Installation(ctx, "TA")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	_, err = s.Installation(ctx, "TB")
	require.NoError(t, err)
	states := func(table string, id int64) []string {
		rows, err := s.reader.QueryContext(ctx, `SELECT state FROM `+table+` WHERE launch_id = ? ORDER BY id`, id)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var st string
			require.NoError(t, rows.Scan(&st))
			out = append(out, st)
		}
		return out
	}
	assert.Equal(t, []string{"dead"}, states("reminders", a.ID))
	assert.Equal(t, []string{"failed"}, states("outbox", a.ID))
	assert.Equal(t, []string{"pending"}, states("reminders", b.ID), "the other team's reminder waits")
	assert.Equal(t, []string{"pending"}, states("outbox", b.ID))

	require.NoError(t, s.PlanReminders(ctx, a.ID, []schedule.Reminder{reminderAt(a.ID, schedule.KindCountdown, "2026-12-02", t0.Add(25*time.Hour))}, t0))
	assert.Equal(t, []string{"dead"}, states("reminders", a.ID), "nothing planned while uninstalled")

	require.NoError(t, s.SaveInstallation(ctx, workspace.Installation{TeamID: "TA", Sealed: []byte{2}}))
	require.NoError(t, s.PlanReminders(ctx, a.ID, []schedule.Reminder{reminderAt(a.ID, schedule.KindCountdown, "2026-12-02", t0.Add(25*time.Hour))}, t0))
	assert.Equal(t, []string{"dead", "pending"}, states("reminders", a.ID), "planned again once reinstalled")

	// A team never installed through OAuth is marked all the same.
	_, err = s.RemoveInstallation(ctx, "TC")
	require.NoError(t, err)
	_, err = s.Installation(ctx, "TC")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
}

// Two replicas finding a rotating token due: one claims the refresh, the
// other does not, so the single-use refresh token is spent once.
func TestClaimRefreshIsHeldOnce(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	expires := t0.Add(time.Hour)
	require.NoError(t, s.SaveInstallation(ctx, workspace.Installation{TeamID: "TA", Sealed: []byte{1}, ExpiresAt: expires}))

	_, _, ok, err := s.ClaimRefresh(ctx, "TA", t0, 10*time.Minute, time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "not due an hour before expiry")

	soon := expires.Add(-5 * time.Minute)
	in, claim, ok, err := s.ClaimRefresh(ctx, "TA", soon, 10*time.Minute, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, []byte{1}, in.Sealed)
	_, _, ok, err = s.ClaimRefresh(ctx, "TA", soon, 10*time.Minute, time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "the other replica leaves it to the claim")

	// The lease ran out: another claim takes over, and the first is fenced.
	late := soon.Add(2 * time.Minute)
	_, claim2, ok, err := s.ClaimRefresh(ctx, "TA", late, 10*time.Minute, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	assert.ErrorIs(t, s.FinishRefresh(ctx, "TA", claim, []byte{9}, expires.Add(12*time.Hour)), workspace.ErrRefreshLost)
	require.NoError(t, s.FinishRefresh(ctx, "TA", claim2, []byte{2}, expires.Add(12*time.Hour)))
	got, err := s.Installation(ctx, "TA")
	require.NoError(t, err)
	assert.Equal(t, []byte{2}, got.Sealed)
	assert.Equal(t, expires.Add(12*time.Hour), got.ExpiresAt)
	_, _, ok, err = s.ClaimRefresh(ctx, "TA", late, 10*time.Minute, time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "refreshed: not due any more")
}

func TestResealInstallations(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	require.NoError(t, s.SaveInstallation(ctx, workspace.Installation{TeamID: "TA", Sealed: []byte("old")}))
	require.NoError(t, s.SaveInstallation(ctx, workspace.Installation{TeamID: "TB", Sealed: []byte("new")}))
	n, err := s.ResealInstallations(ctx, func(b []byte) bool { return string(b) == "new" },
		func(team string, b []byte) ([]byte, error) { return []byte("new"), nil })
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err := s.Installation(ctx, "TA")
	require.NoError(t, err)
	assert.Equal(t, "new", string(got.Sealed))
}
