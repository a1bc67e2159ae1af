package schedule

import (
	"context"
	"errors"
	"time"

	"github.com/golive/golive/internal/launch"
)

// ErrLeaseLost is returned when a claim is finished by a runner that no
// longer holds it: its lease ran out and another runner claimed the reminder.
var ErrLeaseLost = errors.New("reminder lease lost: another runner holds it now")

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
	// ClaimReminders claims up to limit reminders for lease, oldest due
	// first, leaving out the launches in busy: pending ones whose due time
	// and next attempt have come, and claimed or posting ones whose lease
	// ran out. One recovered while posting comes back in StatePosting.
	ClaimReminders(ctx context.Context, now time.Time, lease time.Duration, limit int, busy []int64) ([]Reminder, error)
	// StartPosting records that r's post is going out: StatePosting and one
	// more attempt.
	StartPosting(ctx context.Context, r Reminder) error
	// FinishReminder ends r's claim as f says.
	FinishReminder(ctx context.Context, r Reminder, f Finish) error
	// ReleaseReminder ends r's claim as rel says.
	ReleaseReminder(ctx context.Context, r Reminder, rel Release) error
	// NextReminderAt returns the earliest instant a reminder of a launch
	// not in busy becomes claimable; ok is false when there is none.
	NextReminderAt(ctx context.Context, busy []int64) (at time.Time, ok bool, err error)
	// OldestUnsentDue returns the earliest due time, not after now, of the
	// reminders not yet sent, skipped or dead (pending, retried or held);
	// ok is false when none is due.
	OldestUnsentDue(ctx context.Context, now time.Time) (at time.Time, ok bool, err error)
}

// Finish ends a claim for good: the reminder was sent or skipped. In the
// same transaction the reminders in Next are added (unless the launch has
// them already), and the pending reminders in Covers are skipped.
type Finish struct {
	State State // StateSent or StateSkipped
	At    time.Time
	// Note says why a reminder was skipped.
	Note   string
	Next   []Reminder
	Covers []Ref
}

// Release puts a claimed reminder back: pending again, due at DueAt (zero
// keeps its due time) and tried at RetryAt; or dead, when Dead is set.
type Release struct {
	DueAt   time.Time
	RetryAt time.Time
	Error   string
	Dead    bool
}
