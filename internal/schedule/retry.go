package schedule

import (
	"errors"
	"time"
)

// Backoff bounds: a failed post is tried again after 30 s, then twice as
// long each time, up to an hour; never given up on unless it is permanent.
const (
	backoffBase = 30 * time.Second
	backoffMax  = time.Hour
)

// retryAfterError is a post the service asked to repeat later (Slack's 429).
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// RetryAfter marks err, from a post, as one to try again after d: what a
// rate-limited answer's Retry-After asks for.
func RetryAfter(err error, d time.Duration) error {
	return &retryAfterError{err: err, after: d}
}

// permanentError is a post that can never succeed as it stands.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err, from a post, as one no retry can fix (the channel
// was deleted or archived): the reminder is kept as dead, with its error.
func Permanent(err error) error { return &permanentError{err: err} }

// IsPermanent tells whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// retryDelay is how long to wait before attempt number attempts+1, after
// err ended attempt number attempts (from 1).
func retryDelay(attempts int, err error) time.Duration {
	var ra *retryAfterError
	if errors.As(err, &ra) && ra.after > 0 {
		return min(ra.after, backoffMax)
	}
	d := backoffBase
	for i := 1; i < attempts && d < backoffMax; i++ {
		d *= 2
	}
	return min(d, backoffMax)
}
