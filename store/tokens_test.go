package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestTokensAreStoredHashedListedAndRevoked(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	secret, err := launch.NewTokenSecret(fixedRandom{})
	require.NoError(t, err)

	_, err = s.CreateToken(ctx, l.ID, "USOMEONE", "ci", launch.HashToken(secret))
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err), "only the creator makes tokens")

	tok, err := s.CreateToken(ctx, l.ID, "UCREATOR", "ci", launch.HashToken(secret))
	require.NoError(t, err)
	assert.Equal(t, "ci", tok.Name)
	assert.Equal(t, t0, tok.CreatedAt)

	var stored string
	require.NoError(t, s.reader.QueryRowContext(ctx, `SELECT hash FROM api_tokens WHERE id = ?`, tok.ID).Scan(&stored))
	assert.Equal(t, launch.HashToken(secret), stored)
	assert.NotContains(t, stored, secret[len(launch.TokenPrefix):], "only the hash is kept")

	_, err = s.CreateToken(ctx, l.ID, "UCREATOR", "ci", launch.HashToken("golive_other"))
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err), "a live token's name is taken")

	got, err := s.TokenBySecret(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, tok.ID, got.ID)
	assert.Equal(t, l.ID, got.LaunchID)
	assert.True(t, got.LastUsed.IsZero())

	require.NoError(t, s.TouchToken(ctx, tok.ID, t0.Add(time.Hour)))
	require.NoError(t, s.TouchToken(ctx, tok.ID, t0.Add(time.Hour+time.Second)))
	list, err := s.Tokens(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, t0.Add(time.Hour), list[0].LastUsed, "a use within a minute writes nothing")

	_, err = s.TokenBySecret(ctx, secret+"x")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))

	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(s.RevokeToken(ctx, l.ID, "UCREATOR", "nope")))
	require.NoError(t, s.RevokeToken(ctx, l.ID, "UCREATOR", "ci"))
	_, err = s.TokenBySecret(ctx, secret)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "a revoked token is refused")
	list, err = s.Tokens(ctx, l.ID)
	require.NoError(t, err)
	assert.Empty(t, list)

	_, err = s.CreateToken(ctx, l.ID, "UCREATOR", "ci", launch.HashToken(secret+"2"))
	require.NoError(t, err, "a revoked token frees its name")

	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	var actions []string
	for _, e := range audit {
		if e.Is(launch.KindTokenCreate, launch.KindTokenRevoke) {
			actions = append(actions, e.Actor+" "+string(e.Kind)+" "+e.Before+"→"+e.After)
		}
	}
	assert.Equal(t, []string{"UCREATOR token-create →ci", "UCREATOR token-revoke ci→revoked", "UCREATOR token-create →ci"}, actions)
}

// fixedRandom reads as an endless run of one byte.
type fixedRandom struct{}

func (fixedRandom) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 7
	}
	return len(p), nil
}
