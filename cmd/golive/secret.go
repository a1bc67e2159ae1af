package main

import "log/slog"

// Secret holds a token or signing secret. Every way of printing it (fmt,
// slog, JSON, text encoding) shows REDACTED, so that a secret written into a
// log line or an error by mistake does not leak; Reveal is the one way out.
type Secret string

const redacted = "REDACTED"

// Reveal returns the secret itself, for the Slack client and the verifier.
func (s Secret) Reveal() string { return string(s) }

// String returns REDACTED, or "" when the secret is unset.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the secret.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue keeps slog from printing the secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps encoding/json and friends from printing the secret.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
