// Package secretbox seals secrets for storage with AES-256-GCM under a
// keyring: the first key seals, every key opens, so that a key can be
// rotated without a moment when stored secrets cannot be read. A sealed
// value names the key that sealed it (a short fingerprint, not the key),
// which tells what still needs sealing again under the new key.
package secretbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a key: AES-256.
const KeySize = 32

// version is the first byte of every sealed value, so that the format can
// change without guessing.
const version = 1

// idSize is the length of a key's fingerprint in a sealed value.
const idSize = 8

// Keyring holds the keys secrets are sealed and opened with.
type Keyring struct {
	keys []key
}

type key struct {
	id   [idSize]byte
	aead cipher.AEAD
}

// ParseKeys reads a comma-separated list of base64 keys of 32 bytes each
// (standard or URL alphabet, padded or not): the first seals, all open.
// Its errors name the position of a bad key, never the key.
func ParseKeys(list string) (*Keyring, error) {
	var r Keyring
	seen := map[[idSize]byte]bool{}
	for i, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, fmt.Errorf("key %d is empty: write one or more base64 keys separated by commas, the one to seal with first", i+1)
		}
		raw, err := decodeKey(s)
		if err != nil {
			return nil, fmt.Errorf("key %d is not base64: make one with `openssl rand -base64 32`", i+1)
		}
		if len(raw) != KeySize {
			return nil, fmt.Errorf("key %d is %d bytes, not %d: make one with `openssl rand -base64 32`", i+1, len(raw), KeySize)
		}
		k, err := newKey(raw)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		if seen[k.id] {
			return nil, fmt.Errorf("key %d repeats an earlier key", i+1)
		}
		seen[k.id] = true
		r.keys = append(r.keys, k)
	}
	return &r, nil
}

// decodeKey accepts the base64 alphabets people paste.
func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(s); err == nil {
			return raw, nil
		}
	}
	return nil, errors.New("not base64")
}

func newKey(raw []byte) (key, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return key{}, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, fmt.Errorf("gcm: %w", err)
	}
	sum := sha256.Sum256(append([]byte("golive secretbox key id\x00"), raw...))
	var k key
	copy(k.id[:], sum[:idSize])
	k.aead = aead
	return k, nil
}

// Seal encrypts plaintext under the first key with a random nonce, bound
// to context: Open with another context fails, so a sealed value copied
// to another row (another team's) cannot be opened there.
func (r *Keyring) Seal(plaintext, context []byte) ([]byte, error) {
	k := r.keys[0]
	out := make([]byte, 0, 1+idSize+k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	out = append(out, version)
	out = append(out, k.id[:]...)
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, plaintext, context), nil
}

// ErrUnknownKey is Open's error for a value sealed under a key the ring
// does not hold (one dropped from GOLIVE_ENCRYPTION_KEY too early).
var ErrUnknownKey = errors.New("sealed under a key that is not configured")

// Open decrypts a value Seal made with the same context, under whichever
// key of the ring sealed it.
func (r *Keyring) Open(sealed, context []byte) ([]byte, error) {
	k, rest, err := r.keyOf(sealed)
	if err != nil {
		return nil, err
	}
	n := k.aead.NonceSize()
	if len(rest) < n+k.aead.Overhead() {
		return nil, errors.New("open: sealed value too short")
	}
	plain, err := k.aead.Open(nil, rest[:n], rest[n:], context)
	if err != nil {
		return nil, errors.New("open: the sealed value is damaged or belongs to another row")
	}
	return plain, nil
}

// Current says whether sealed was sealed under the key that seals now:
// false means it should be sealed again (after a rotation).
func (r *Keyring) Current(sealed []byte) bool {
	return len(sealed) > idSize && sealed[0] == version && bytes.Equal(sealed[1:1+idSize], r.keys[0].id[:])
}

func (r *Keyring) keyOf(sealed []byte) (key, []byte, error) {
	if len(sealed) < 1+idSize || sealed[0] != version {
		return key{}, nil, errors.New("open: not a sealed value of this version")
	}
	for _, k := range r.keys {
		if bytes.Equal(sealed[1:1+idSize], k.id[:]) {
			return k, sealed[1+idSize:], nil
		}
	}
	return key{}, nil, fmt.Errorf("open: %w", ErrUnknownKey)
}

// String says how many keys the ring holds, never the keys.
func (r *Keyring) String() string { return fmt.Sprintf("secretbox.Keyring(%d keys)", len(r.keys)) }

// GoString keeps %#v from printing the keys.
func (r *Keyring) GoString() string { return r.String() }
