package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestImportDraftCreatesOneLaunchAndExpires(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	d := launch.ImportDraft{Token: "TOKEN0123456789ABCDEF", TeamID: "T1", ChannelID: "C1", UserID: "U1", Body: `{"name":"x"}`}
	require.NoError(t, s.SaveImportDraft(ctx, d, time.Hour))

	got, err := s.ImportDraftByToken(ctx, d.Token)
	require.NoError(t, err)
	assert.Equal(t, d.Body, got.Body)
	assert.Equal(t, "U1", got.UserID)
	assert.Zero(t, got.LaunchID)

	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunchFromDraft(ctx, l, "U1", d.Token))
	got, err = s.ImportDraftByToken(ctx, d.Token)
	require.NoError(t, err)
	assert.Equal(t, l.ID, got.LaunchID, "the draft names its launch")

	// The same draft again, even in another channel: refused, nothing created.
	err = s.CreateLaunchFromDraft(ctx, fullLaunch("C2"), "U1", d.Token)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err))
	_, err = s.LaunchByChannel(ctx, fullLaunch("C2").TeamID, "C2")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))

	// An expired draft is gone, and creates nothing.
	late := launch.ImportDraft{Token: "TOKENLATE0123456789AB", TeamID: "T1", ChannelID: "C3", UserID: "U1", Body: "{}"}
	require.NoError(t, s.SaveImportDraft(ctx, late, time.Hour))
	now = now.Add(2 * time.Hour)
	_, err = s.ImportDraftByToken(ctx, late.Token)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	err = s.CreateLaunchFromDraft(ctx, fullLaunch("C3"), "U1", late.Token)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err))

	// Saving another draft sweeps the expired ones.
	require.NoError(t, s.SaveImportDraft(ctx, launch.ImportDraft{Token: "TOKENNEXT0123456789AB", Body: "{}"}, time.Hour))
	var n int
	require.NoError(t, s.writer.QueryRowContext(ctx, `SELECT count(*) FROM import_drafts`).Scan(&n))
	assert.Equal(t, 1, n)
}
