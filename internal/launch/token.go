package launch

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// TokenPrefix starts every API token, so that secret scanners can spot a
// leaked one.
const TokenPrefix = "golive_"

// tokenBytes is how many random bytes a token carries: 256 bits, enough
// that a fast unsalted hash stores it safely.
const tokenBytes = 32

// TokenActor prefixes the name of a token acting on a launch, in the audit
// log and on the items it ticks: "token:ci".
const TokenActor = "token:"

// Token is an API token of one launch: a pipeline holding its secret may
// report evidence on the launch's items and read its state. Only the
// secret's hash is kept.
type Token struct {
	ID        int64
	LaunchID  int64
	Name      string
	CreatedBy string // Slack user id
	CreatedAt time.Time
	// LastUsed is when the token was last accepted, zero when never.
	LastUsed time.Time
}

// Actor is who the token acts as: "token:<name>".
func (t Token) Actor() string { return TokenActor + t.Name }

// NewTokenSecret draws a new token's secret from random: the prefix and 32
// random bytes in unpadded lower-case base32.
func NewTokenSecret(random io.Reader) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("draw a token: %w", err)
	}
	return TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// HashToken is what is stored of a token's secret: its SHA-256, in hex. A
// secret of 256 random bits needs no salt nor slow hash.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// tokenNameRe is what a token's name may be: short, and safe to write
// anywhere (Slack, logs, the audit's "token:<name>").
var tokenNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

// CheckTokenName refuses a name that is not 1 to 40 letters, digits, dots,
// dashes or underscores.
func CheckTokenName(name string) error {
	if !tokenNameRe.MatchString(name) {
		return Errorf(EINVALID, "%q is not a token name: use 1 to 40 letters, digits, dots, dashes or underscores, starting with a letter or digit, for example \"ci\" or \"deploy-pipeline\".", name)
	}
	return nil
}

// CreateToken checks that user may give the launch an API token named
// name, and returns the change's event: only the launch's creator may.
func (l *Launch) CreateToken(user, name string) ([]Event, error) {
	if err := l.canManageTokens(user); err != nil {
		return nil, err
	}
	if err := CheckTokenName(name); err != nil {
		return nil, err
	}
	return []Event{{Actor: user, Kind: KindTokenCreate, After: name}}, nil
}

// RevokeToken checks that user may revoke the launch's token named name,
// and returns the change's event.
func (l *Launch) RevokeToken(user, name string) ([]Event, error) {
	if err := l.canManageTokens(user); err != nil {
		return nil, err
	}
	return []Event{{Actor: user, Kind: KindTokenRevoke, Before: name, After: "revoked"}}, nil
}

func (l *Launch) canManageTokens(user string) error {
	if user != l.Creator {
		return Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can create or revoke its API tokens.", l.Creator)
	}
	if l.Archived {
		return Errorf(ECONFLICT, "The launch “%s” is archived; its tokens no longer work.", l.Name)
	}
	return nil
}
