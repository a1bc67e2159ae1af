package store

import (
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRebindTranslatesPlaceholders(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`UPDATE t SET x = @lease WHERE token = @token AND until > @now AND x < @lease`,
			`UPDATE t SET x = $1 WHERE token = $2 AND until > $3 AND x < $1`},
		{`SELECT '?', "@x", 'it''s ?' FROM t WHERE a = ? -- why? @no
AND b = ?`, `SELECT '?', "@x", 'it''s ?' FROM t WHERE a = $1 -- why? @no
AND b = $2`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	} {
		require.Equal(t, tc.want, rebind(tc.in).query, tc.in)
	}
}

func TestRebindOrdersNamedArguments(t *testing.T) {
	b := rebind(`UPDATE t SET x = @lease WHERE token = @token AND x < @lease`)
	args, err := b.order([]driver.NamedValue{
		{Name: "token", Ordinal: 1, Value: "tok"},
		{Name: "lease", Ordinal: 2, Value: int64(9)},
	})
	require.NoError(t, err)
	require.Equal(t, []driver.NamedValue{{Ordinal: 1, Value: int64(9)}, {Ordinal: 2, Value: "tok"}}, args)

	_, err = b.order([]driver.NamedValue{{Name: "token", Ordinal: 1, Value: "tok"}})
	require.ErrorContains(t, err, "@lease")
	_, err = b.order([]driver.NamedValue{{Ordinal: 1, Value: "tok"}})
	require.ErrorContains(t, err, "mixes named and positional")
}
