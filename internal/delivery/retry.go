package delivery

import (
	"errors"
	"time"
)

// A reminder that cannot be rendered is tried again after 30 s, then twice
// as long each time, up to an hour; never given up on unless it is
// permanent. (The outbox's posts have their own backoff: see backoff.)
const (
	backoffBase = 30 * time.Second
	backoffMax  = time.Hour
)

// permanentError is a reminder that can never be rendered as it stands.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err, from a Renderer, as one no retry can fix (the
// window is not in the checklist any more): the reminder is kept as dead,
// with its error.
func Permanent(err error) error { return &permanentError{err: err} }

// IsPermanent tells whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// retryDelay is how long to wait before attempt number attempts+1 of a
// rendering (attempts from 1).
func retryDelay(attempts int) time.Duration {
	d := backoffBase
	for i := 1; i < attempts && d < backoffMax; i++ {
		d *= 2
	}
	return min(d, backoffMax)
}
