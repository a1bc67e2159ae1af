// Package outbox describes the posts golive owes Slack (launch.Post) as the
// store keeps them, written with the changes that cause them: their rows
// and states, the store that claims them under a fenced lease, and the
// Transport that delivers them, whose errors say whether a failed call is
// known not to have taken effect. Package delivery sends them.
//
// It knows nothing of Slack.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

// State is where a row of the outbox stands.
type State string

// States of a row.
const (
	// StatePending rows wait for their next attempt.
	StatePending State = "pending"
	// StateClaimed rows are held by a sender's claim, not yet being sent.
	StateClaimed State = "claimed"
	// StateSending rows are being sent: a claim of one that lapsed means
	// its sender died during the call, and Slack may have the message.
	StateSending State = "sending"
	// StateSent rows were delivered: Slack gave their ts, or a look-up
	// found them.
	StateSent State = "sent"
	// StateUnknown rows were sent once with no answer from Slack (a
	// timeout, a 5xx, a crash during the call) and, with no way to look
	// them up, are not sent again: Slack may or may not show them.
	StateUnknown State = "unknown"
	// StateFailed rows were refused by Slack for good (the channel is
	// gone, say), or kept failing for MaxAge.
	StateFailed State = "failed"
)

// Row is a post in the outbox, as a claim holds it.
type Row struct {
	launch.Post
	ID    int64
	State State
	// InDoubt says an earlier attempt's outcome is unknown: look before
	// sending again.
	InDoubt   bool
	Attempts  int
	Token     string
	CreatedAt time.Time
}

func (r Row) String() string { return fmt.Sprintf("post %d (%s)", r.ID, r.Key) }

// Finish is how a claim ends a row; the store refuses it (ErrLeaseLost)
// when the claim no longer holds the row.
type Finish struct {
	// State is StateSent, StateUnknown, StateFailed, or StatePending to try
	// again at RetryAt.
	State State
	At    time.Time
	// TS is the sent message's ts.
	TS string
	// RetryAt is when a pending row may be claimed again.
	RetryAt time.Time
	// InDoubt marks a pending row to be looked for before it is sent again.
	InDoubt bool
	Error   string
}

// ErrLeaseLost is returned by the store when a claim no longer holds a row:
// its lease ran out, and another sender may have it.
var ErrLeaseLost = errors.New("the claim no longer holds this post")

// Store keeps the outbox. Rows are written by the changes that cause them
// (launch.Store's Update); the sender (package delivery) claims and
// finishes them.
type Store interface {
	// ClaimPosts holds for lease up to limit claimable rows (pending and
	// due, or held under a lapsed lease), at most perDest for each
	// destination and none for the destinations in busy, oldest first, with
	// one token. Two senders on one database never hold the same row.
	ClaimPosts(ctx context.Context, c Claim) ([]Row, error)
	// RenewPosts extends to now+lease the leases the token still holds at
	// now, and returns how many; a lapsed one stays lapsed.
	RenewPosts(ctx context.Context, token string, now time.Time, lease time.Duration) (int, error)
	// StartSending marks a row still held at now as being sent, counts the
	// attempt and extends its lease to now+lease: the fence checked
	// before every call to Slack. ErrLeaseLost when the claim lapsed.
	StartSending(ctx context.Context, r Row, now time.Time, lease time.Duration) error
	// FinishPost ends the claim of a row still held at f.At, as f says;
	// ErrLeaseLost when it is not held any more.
	FinishPost(ctx context.Context, r Row, f Finish) error
	// NextPostAt returns the earliest instant a row not for busy becomes
	// claimable.
	NextPostAt(ctx context.Context, busy []string) (time.Time, bool, error)
	// PostsWaiting counts the rows not done yet (pending or held).
	PostsWaiting(ctx context.Context) (int, error)
}

// Claim is what ClaimPosts takes.
type Claim struct {
	Now     time.Time
	Lease   time.Duration
	PerDest int
	Limit   int
	// Busy are destinations (Row.Dest) this sender is still working on.
	Busy []string
}

// Dest is the conversation a post goes to: its channel, or its user's DM.
func Dest(p launch.Post) string {
	if p.Channel != "" {
		return p.Channel
	}
	return p.User
}

// Transport delivers posts: the bot, over Slack's Web API.
type Transport interface {
	// Send posts r and returns its ts. A failure is of unknown outcome
	// (Slack may have the message) unless it is wrapped with NotSent,
	// RetryAfter or Refused.
	Send(ctx context.Context, r Row) (ts string, err error)
}

// Finder looks posts up by key in Slack; a Transport may implement it. The
// sender uses it only when look-ups are on (delivery.Config.Lookup).
type Finder interface {
	// Find tells whether r was posted already, with its ts.
	Find(ctx context.Context, r Row) (ts string, found bool, err error)
}

// fence is the key of the instant Fenced leaves on a context.
type fence struct{}

// Fenced marks ctx, the context of a send, with the instant by: the
// transport must not start the call once its clock (the sender's) reads
// by or later, however late it notices. Delivery fences its sends when it
// looks posts up: by comes before the claim's lease ends, and from then on
// another sender may look for the post, not find it, and send it. A send
// that started after by (its process was stopped, SIGSTOP or a paused VM,
// between the claim's check and the call) would post it twice.
func Fenced(ctx context.Context, by time.Time) context.Context {
	return context.WithValue(ctx, fence{}, by)
}

// FencedBy returns the instant ctx was fenced by; ok is false when it was
// not.
func FencedBy(ctx context.Context) (by time.Time, ok bool) {
	by, ok = ctx.Value(fence{}).(time.Time)
	return by, ok
}

// NotSent marks a failure known not to have taken effect: the request never
// reached Slack (connection refused, no DNS answer), or Slack refused it
// before posting (not_in_channel). The post is tried again with backoff.
func NotSent(err error) error { return &notSent{err} }

type notSent struct{ err error }

func (e *notSent) Error() string { return e.err.Error() }
func (e *notSent) Unwrap() error { return e.err }

// RetryAfter marks a rate-limited call: nothing was posted, and Slack asks
// to wait d.
func RetryAfter(d time.Duration, err error) error { return &retryAfter{d, err} }

type retryAfter struct {
	d   time.Duration
	err error
}

func (e *retryAfter) Error() string { return e.err.Error() }
func (e *retryAfter) Unwrap() error { return e.err }

// Refused marks a failure that will never succeed: nothing was posted, and
// the row is failed.
func Refused(err error) error { return &refused{err} }

type refused struct{ err error }

func (e *refused) Error() string { return e.err.Error() }
func (e *refused) Unwrap() error { return e.err }

// IsNotSent tells whether err was marked with NotSent.
func IsNotSent(err error) bool {
	var e *notSent
	return errors.As(err, &e)
}

// IsRetryAfter tells whether err was marked with RetryAfter.
func IsRetryAfter(err error) bool {
	var e *retryAfter
	return errors.As(err, &e)
}

// RetryAfterOf returns the wait a RetryAfter error asks for, 0 for others.
func RetryAfterOf(err error) time.Duration {
	var e *retryAfter
	if errors.As(err, &e) {
		return e.d
	}
	return 0
}

// IsRefused tells whether err was marked with Refused.
func IsRefused(err error) bool {
	var e *refused
	return errors.As(err, &e)
}
