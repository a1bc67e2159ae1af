package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// ErrLeaseLost is returned when delivery acts on a reminder it no longer
// holds: its lease ran out, or another instance has claimed it since. The
// database refuses the change, so a stale claim never overwrites what the
// new holder did.
var ErrLeaseLost = errors.New("reminder claim lost: its lease ran out or another instance holds it now")

// ReminderStore is what delivery needs from persistence for reminders: the
// launches, and the reminders table. Implementations claim and finish
// reminders in immediate transactions, so that instances sharing one
// database never both hold one.
type ReminderStore interface {
	// LaunchByID returns a launch, archived or not, or ENOTFOUND.
	LaunchByID(ctx context.Context, id int64) (*launch.Launch, error)
	// ActiveLaunches returns every launch that is not archived.
	ActiveLaunches(ctx context.Context) ([]*launch.Launch, error)
	// ApprovalDMs returns the DMs that asked a launch's role holders for
	// their approval (see schedule.Asks).
	ApprovalDMs(ctx context.Context, launchID int64) ([]launch.ApprovalDM, error)
	// PlanReminders stores a launch's plan (see schedule.Plan): its pending
	// reminders get their planned due time, planned reminders it has never
	// had are added, skipped ones planned after now are pending again (they
	// were never sent), and pending reminders not planned any more are
	// deleted unless already due at now (delivery decides about those).
	// Sent, dead and held reminders are left alone: what was sent is never
	// sent again.
	PlanReminders(ctx context.Context, launchID int64, plan []schedule.Reminder, now time.Time) error
	// ClaimReminders claims reminders as c says, oldest due first, under
	// one new token: pending ones whose due time and next attempt have come,
	// and claimed ones whose lease ran out. One an older version was
	// posting when it stopped comes back in StatePosting.
	ClaimReminders(ctx context.Context, c ReminderClaim) ([]schedule.Reminder, error)
	// RenewClaim extends to now+lease the leases of the reminders the claim
	// token still holds at now, and returns how many it extended: none once
	// they are finished, or once their leases ran out (a lease that ran out
	// is never brought back, another instance may have taken the reminder).
	RenewClaim(ctx context.Context, token string, now time.Time, lease time.Duration) (int, error)
	// FinishReminder ends r's claim as f says, with f's change to the
	// launch and its posts written in the same transaction, if it is still
	// held at f.At; ErrLeaseLost otherwise, and nothing is written.
	FinishReminder(ctx context.Context, r schedule.Reminder, f ReminderFinish) error
	// ReleaseReminder ends r's claim as rel says, if it is still held at
	// rel.At; ErrLeaseLost otherwise.
	ReleaseReminder(ctx context.Context, r schedule.Reminder, rel ReminderRelease) error
	// NextReminderAt returns the earliest instant a reminder of a launch
	// not in busy becomes claimable; ok is false when there is none.
	NextReminderAt(ctx context.Context, busy []int64) (at time.Time, ok bool, err error)
	// OldestUnsentDue returns the earliest due time, not after now, of the
	// reminders not yet sent, skipped or dead (pending, retried or held);
	// ok is false when none is due.
	OldestUnsentDue(ctx context.Context, now time.Time) (at time.Time, ok bool, err error)
	// RemindersWaiting counts the reminders not done yet (pending or held).
	RemindersWaiting(ctx context.Context) (int, error)
}

// ReminderClaim is what ClaimReminders takes.
type ReminderClaim struct {
	Now   time.Time
	Lease time.Duration
	// PerLaunch bounds the reminders of one launch: they are worked through
	// one after another, so a claim takes no more than it can finish
	// within its lease.
	PerLaunch int
	// Limit bounds the reminders in all.
	Limit int
	// Busy lists the launches left out: they are still being worked on.
	Busy []int64
}

// ReminderFinish ends a claim for good: the reminder was sent (its posts
// handed to the outbox) or skipped. In the same transaction Change, when
// set, is made to the launch and stored with its audit events and the posts
// it tells, the posts in Posts are enqueued (in doubt, when InDoubt is set),
// the reminders in Next are added (unless the launch has them already), and
// the pending reminders in Covers are skipped.
type ReminderFinish struct {
	State schedule.State // StateSent or StateSkipped
	// At is when: the claim must still be held then.
	At time.Time
	// Note says why a reminder was skipped.
	Note    string
	Change  func(l *launch.Launch, now time.Time) ([]launch.Event, error)
	Posts   []launch.Post
	InDoubt bool
	Next    []schedule.Reminder
	Covers  []schedule.Ref
}

// ReminderRelease puts a claimed reminder back: pending again, due at DueAt
// (zero keeps its due time) and tried at RetryAt; or dead, when Dead is set.
type ReminderRelease struct {
	// At is when: the claim must still be held then.
	At      time.Time
	DueAt   time.Time
	RetryAt time.Time
	Error   string
	Dead    bool
}
