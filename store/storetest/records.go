package storetest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// The messages posted about a launch are kept to be refreshed in place.
func testMessages(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 1)
	create(t, stores[0], l)

	page := launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1700000000.000100", Kind: launch.MessageChecklist, View: "0.0", PostedAt: t0}
	status := launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1700000000.000200", Kind: launch.MessageStatus, PostedAt: t0.Add(time.Minute)}
	window := launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1700000000.000050", Kind: launch.MessageReminder, View: "1.2", PostedAt: t0.Add(-time.Hour)}
	for _, m := range []launch.Message{page, status, window} {
		require.NoError(t, stores[0].SaveMessage(ctx, m))
	}

	got, err := stores[1].Message(ctx, "C1", page.TS)
	require.NoError(t, err)
	assert.Equal(t, page, got)
	live, err := stores[1].LiveMessages(ctx, l.ID, 5)
	require.NoError(t, err)
	assert.Equal(t, []launch.Message{status, page, window}, live, "newest first")
	live, err = stores[1].LiveMessages(ctx, l.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, []launch.Message{status}, live)

	moved := page
	moved.View, moved.PostedAt = "2.1", t0.Add(time.Hour)
	require.NoError(t, stores[1].SaveMessage(ctx, moved))
	got, err = stores[0].Message(ctx, "C1", page.TS)
	require.NoError(t, err)
	assert.Equal(t, "2.1", got.View, "saving again changes the view")
	assert.Equal(t, t0, got.PostedAt, "and keeps when it was first posted")

	require.NoError(t, stores[0].DeleteMessage(ctx, "C1", page.TS))
	require.NoError(t, stores[1].DeleteMessage(ctx, "C1", page.TS), "forgetting twice is fine")
	_, err = stores[1].Message(ctx, "C1", page.TS)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))

	err = stores[0].SaveMessage(ctx, launch.Message{LaunchID: 999_999, ChannelID: "C1", TS: "1.2", Kind: launch.MessageStatus})
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "no such launch")
}

// A draft creates one launch, whichever replica Confirm reaches, and expires.
func testImportDrafts(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	now := t0
	for _, s := range stores {
		s.Now = func() time.Time { return now }
	}
	d := launch.ImportDraft{Token: "TOKEN0123456789ABCDEF", TeamID: team, ChannelID: "C1", UserID: "U1", Body: `{"name":"x"}`}
	require.NoError(t, stores[0].SaveImportDraft(ctx, d, time.Hour))

	got, err := stores[1].ImportDraftByToken(ctx, d.Token)
	require.NoError(t, err)
	assert.Equal(t, d.Body, got.Body)
	assert.Equal(t, "U1", got.UserID)
	assert.Zero(t, got.LaunchID)

	l := newLaunch("C1", 1)
	require.NoError(t, stores[1].CreateLaunchFromDraft(ctx, l, "U1", d.Token))
	got, err = stores[0].ImportDraftByToken(ctx, d.Token)
	require.NoError(t, err)
	assert.Equal(t, l.ID, got.LaunchID, "the draft names its launch")

	err = stores[0].CreateLaunchFromDraft(ctx, newLaunch("C2", 1), "U1", d.Token)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err), "Confirm again")
	_, err = stores[0].LaunchByChannel(ctx, team, "C2")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "nothing created")

	late := launch.ImportDraft{Token: "TOKENLATE0123456789AB", TeamID: team, ChannelID: "C3", UserID: "U1", Body: "{}"}
	require.NoError(t, stores[0].SaveImportDraft(ctx, late, time.Hour))
	now = now.Add(2 * time.Hour)
	_, err = stores[1].ImportDraftByToken(ctx, late.Token)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "expired")
	err = stores[1].CreateLaunchFromDraft(ctx, newLaunch("C3", 1), "U1", late.Token)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err))
}

// API tokens are kept hashed, found by their secret, and revoked.
func testTokens(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 1)
	create(t, stores[0], l)
	secret, err := launch.NewTokenSecret(rand.Reader)
	require.NoError(t, err)

	_, err = stores[0].CreateToken(ctx, l.ID, "USOMEONE", "ci", launch.HashToken(secret))
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err), "only the creator makes tokens")
	tok, err := stores[0].CreateToken(ctx, l.ID, creator, "ci", launch.HashToken(secret))
	require.NoError(t, err)
	assert.Equal(t, "ci", tok.Name)
	assert.Positive(t, tok.ID)
	_, err = stores[1].CreateToken(ctx, l.ID, creator, "ci", launch.HashToken(secret+"2"))
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err), "a live token's name is taken")

	got, err := stores[1].TokenBySecret(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, tok.ID, got.ID)
	assert.Equal(t, l.ID, got.LaunchID)
	assert.True(t, got.LastUsed.IsZero())
	_, err = stores[1].TokenBySecret(ctx, secret+"x")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))

	used := t0.Add(time.Hour)
	require.NoError(t, stores[1].TouchToken(ctx, tok.ID, used))
	list, err := stores[0].Tokens(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, used, list[0].LastUsed)

	require.NoError(t, stores[1].RevokeToken(ctx, l.ID, creator, "ci"))
	_, err = stores[0].TokenBySecret(ctx, secret)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "a revoked token is refused")
	second, err := stores[0].CreateToken(ctx, l.ID, creator, "ci", launch.HashToken(secret+"2"))
	require.NoError(t, err, "a revoked token frees its name")
	assert.Greater(t, second.ID, tok.ID)
	assert.Equal(t, []launch.Kind{launch.KindCreate, launch.KindTokenCreate, launch.KindTokenRevoke, launch.KindTokenCreate},
		kinds(audit(t, stores[1], l.ID)))
}
