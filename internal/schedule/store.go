package schedule

import (
	"context"
	"errors"
	"time"

	"github.com/golive/golive/internal/launch"
)

// ErrLeaseLost is returned when a runner acts on a claim it no longer holds:
// its lease ran out, or another runner has claimed the reminder since. The
// database refuses the change, so a stale claim never overwrites what the
// new holder did.
var ErrLeaseLost = errors.New("reminder claim lost: its lease ran out or another runner holds it now")

// Store is what the runner needs from persistence: the launches, and the
// reminders table. Implementations claim and finish reminders in immediate
// transactions, so that runners sharing one database never both hold one.
type Store interface {
	// LaunchByID returns a launch, archived or not, or ENOTFOUND.
	LaunchByID(ctx context.Context, id int64) (*launch.Launch, error)
	// ActiveLaunches returns every launch that is not archived.
	ActiveLaunches(ctx context.Context) ([]*launch.Launch, error)
	// ApprovalDMs returns the DMs that asked a launch's role holders for
	// their approval (see Asks).
	ApprovalDMs(ctx context.Context, launchID int64) ([]launch.ApprovalDM, error)
	// PlanReminders stores a launch's plan (see Plan): its pending reminders
	// get their planned due time, planned reminders it has never had are
	// added, skipped ones planned after now are pending again (they were
	// never sent), and pending reminders not planned any more are deleted
	// unless already due at now (the runner decides about those). Sent,
	// dead and held reminders are left alone: what was sent is never sent
	// again.
	PlanReminders(ctx context.Context, launchID int64, plan []Reminder, now time.Time) error
	// ClaimReminders claims reminders as c says, oldest due first, under
	// one new token: pending ones whose due time and next attempt have come,
	// and claimed or posting ones whose lease ran out. One recovered while
	// posting comes back in StatePosting.
	ClaimReminders(ctx context.Context, c Claim) ([]Reminder, error)
	// StartPosting records that r's post is going out, if r's claim is
	// still held at now (its token, its lease not run out): StatePosting,
	// one more attempt, and the lease extended to now+lease. Otherwise it
	// changes nothing and returns ErrLeaseLost.
	StartPosting(ctx context.Context, r Reminder, now time.Time, lease time.Duration) error
	// RenewClaim extends to now+lease the leases of the reminders the claim
	// token still holds at now, and returns how many it extended: none once
	// they are finished, or once their leases ran out (a lease that ran out
	// is never brought back, another runner may have taken the reminder).
	RenewClaim(ctx context.Context, token string, now time.Time, lease time.Duration) (int, error)
	// FinishReminder ends r's claim as f says, if it is still held at f.At;
	// ErrLeaseLost otherwise.
	FinishReminder(ctx context.Context, r Reminder, f Finish) error
	// ReleaseReminder ends r's claim as rel says, if it is still held at
	// rel.At; ErrLeaseLost otherwise.
	ReleaseReminder(ctx context.Context, r Reminder, rel Release) error
	// NextReminderAt returns the earliest instant a reminder of a launch
	// not in busy becomes claimable; ok is false when there is none.
	NextReminderAt(ctx context.Context, busy []int64) (at time.Time, ok bool, err error)
	// OldestUnsentDue returns the earliest due time, not after now, of the
	// reminders not yet sent, skipped or dead (pending, retried or held);
	// ok is false when none is due.
	OldestUnsentDue(ctx context.Context, now time.Time) (at time.Time, ok bool, err error)
}

// Claim is what ClaimReminders takes.
type Claim struct {
	Now   time.Time
	Lease time.Duration
	// PerLaunch bounds the reminders of one launch: a runner works through
	// them one after another, so a claim takes no more than it can finish
	// within its lease.
	PerLaunch int
	// Limit bounds the reminders in all.
	Limit int
	// Busy lists the launches left out: the runner is still working on them.
	Busy []int64
}

// Finish ends a claim for good: the reminder was sent or skipped. In the
// same transaction the reminders in Next are added (unless the launch has
// them already), and the pending reminders in Covers are skipped.
type Finish struct {
	State State // StateSent or StateSkipped
	// At is when: the claim must still be held then.
	At time.Time
	// Note says why a reminder was skipped.
	Note   string
	Next   []Reminder
	Covers []Ref
}

// Release puts a claimed reminder back: pending again, due at DueAt (zero
// keeps its due time) and tried at RetryAt; or dead, when Dead is set.
type Release struct {
	// At is when: the claim must still be held then.
	At      time.Time
	DueAt   time.Time
	RetryAt time.Time
	Error   string
	Dead    bool
}
