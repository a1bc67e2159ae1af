package secretbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newKeyText(t *testing.T) string {
	t.Helper()
	raw := make([]byte, KeySize)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(raw)
}

func TestSealOpen(t *testing.T) {
	r, err := ParseKeys(newKeyText(t))
	require.NoError(t, err)
	a, err := r.Seal([]byte("xoxb-secret"), []byte("T1"))
	require.NoError(t, err)
	b, err := r.Seal([]byte("xoxb-secret"), []byte("T1"))
	require.NoError(t, err)
	assert.NotEqual(t, a, b, "a random nonce each time")
	assert.False(t, bytes.Contains(a, []byte("xoxb-secret")))

	plain, err := r.Open(a, []byte("T1"))
	require.NoError(t, err)
	assert.Equal(t, "xoxb-secret", string(plain))

	_, err = r.Open(a, []byte("T2"))
	assert.Error(t, err, "a value moved to another team's row does not open")
	damaged := bytes.Clone(a)
	damaged[len(damaged)-1] ^= 1
	_, err = r.Open(damaged, []byte("T1"))
	assert.Error(t, err)
	_, err = r.Open(a[:5], []byte("T1"))
	assert.Error(t, err)
}

func TestRotation(t *testing.T) {
	oldKey, newKey := newKeyText(t), newKeyText(t)
	before, err := ParseKeys(oldKey)
	require.NoError(t, err)
	sealed, err := before.Seal([]byte("xoxb-1"), []byte("T1"))
	require.NoError(t, err)

	during, err := ParseKeys(newKey + "," + oldKey)
	require.NoError(t, err)
	assert.False(t, during.Current(sealed), "sealed under the old key")
	plain, err := during.Open(sealed, []byte("T1"))
	require.NoError(t, err)
	again, err := during.Seal(plain, []byte("T1"))
	require.NoError(t, err)
	assert.True(t, during.Current(again))

	after, err := ParseKeys(newKey)
	require.NoError(t, err)
	_, err = after.Open(again, []byte("T1"))
	require.NoError(t, err)
	_, err = after.Open(sealed, []byte("T1"))
	assert.True(t, errors.Is(err, ErrUnknownKey), "%v", err)
}

func TestParseKeysErrors(t *testing.T) {
	good := newKeyText(t)
	for _, tc := range []struct{ in, want string }{
		{"", "key 1 is empty"},
		{good + ",", "key 2 is empty"},
		{"not base64!", "key 1 is not base64"},
		{base64.StdEncoding.EncodeToString([]byte("short")), "key 1 is 5 bytes, not 32"},
		{good + "," + good, "key 2 repeats"},
	} {
		_, err := ParseKeys(tc.in)
		require.Error(t, err, tc.in)
		assert.Contains(t, err.Error(), tc.want)
		assert.False(t, strings.Contains(err.Error(), good), "a key is never echoed")
	}
	r, err := ParseKeys(" " + strings.TrimRight(good, "=") + " ")
	require.NoError(t, err, "unpadded and spaced keys are read")
	assert.Len(t, r.keys, 1)
}
