// Package schedule turns a launch's time windows into reminders: when each
// one is due (in the launch's time zone, daylight saving included), what a
// due reminder should do when it is picked up (post it, wait, or skip it as
// stale), and what it says. It is pure planning: package delivery claims
// the due reminders and posts them. It reads no clock: time comes in as a
// value.
package schedule

import (
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

// Kind is what a reminder does when it is due.
type Kind string

const (
	// KindWindow posts a window's tasks in the launch's channel when it opens.
	KindWindow Kind = "window"
	// KindCountdown posts the daily countdown line in the channel.
	KindCountdown Kind = "countdown"
	// KindDigest is the daily step that finds the owners of overdue items and
	// the role holders still to answer, and queues one KindOverdueDM per
	// owner and one KindApprovalDM per holder; it posts nothing itself.
	KindDigest Kind = "digest"
	// KindOverdueDM sends one owner the list of their overdue items.
	KindOverdueDM Kind = "overdue-dm"
	// KindApprovalDM asks one role holder again, by DM, for the answers
	// they still owe (see Awaiting): at most one a day per holder.
	KindApprovalDM Kind = "approval-dm"
	// KindWaiverLapse tells the channel, the day after, that the waivers
	// of the day before lapsed: their items count as open again.
	KindWaiverLapse Kind = "waiver-lapse"
	// KindWaiverLapseDM tells one owner the same of their items.
	KindWaiverLapseDM Kind = "waiver-lapse-dm"
	// KindProbe runs the launch's probes, shortly before a window's
	// reminder and each morning of the last week; it posts nothing itself
	// (a probe's change of outcome tells the channel as a change does).
	KindProbe Kind = "probe"
)

// State is where a reminder is in its life.
type State string

const (
	// StatePending waits for its due time (and next attempt).
	StatePending State = "pending"
	// StateClaimed is held by an instance under a lease.
	StateClaimed State = "claimed"
	// StatePosting was being posted by a version of golive that posted
	// reminders itself, when it stopped: Slack may or may not have the
	// message. No reminder enters it any more.
	StatePosting State = "posting"
	// StateSent was handed to the outbox, which posts it (for a digest:
	// done).
	StateSent State = "sent"
	// StateSkipped was not posted on purpose: stale, folded into a later
	// window, covered by a window post, or no longer wanted.
	StateSkipped State = "skipped"
	// StateDead failed for good (the channel is gone); kept with its error.
	StateDead State = "dead"
)

// Reminder is one row of the reminders table.
type Reminder struct {
	ID       int64
	LaunchID int64
	Kind     Kind
	// Key tells a launch's reminders of one kind apart: the window's
	// "<section>.<group>", the local date YYYY-MM-DD of a countdown or
	// digest, "YYYY-MM-DD <user>" of a DM.
	Key     string
	DueAt   time.Time
	Payload Payload
	State   State
	// Attempts counts the failed attempts to render it.
	Attempts      int
	NextAttemptAt time.Time
	LeaseUntil    time.Time
	// Token identifies the claim holding the reminder; the store's calls
	// that finish a claim must present it.
	Token     string
	LastError string
	SentAt    time.Time
}

// Payload is what a reminder carries beside its key, stored as JSON. It is
// for people reading the table and the logs: what a post says is computed
// from the launch when it is posted.
type Payload struct {
	Window string `json:"window,omitempty"` // the window's name
	Day    string `json:"day,omitempty"`    // the local date, YYYY-MM-DD
	Owner  string `json:"owner,omitempty"`  // the Slack user a DM goes to (an owner, or a role holder)
}

// Ref names a reminder of a launch by kind and key.
type Ref struct {
	Kind Kind
	Key  string
}

// Ref returns the reminder's kind and key.
func (r Reminder) Ref() Ref { return Ref{Kind: r.Kind, Key: r.Key} }

// String describes the reminder for logs: "window 10.1 of launch 3".
func (r Reminder) String() string {
	return fmt.Sprintf("%s %s of launch %d", r.Kind, r.Key, r.LaunchID)
}

// TimeOfDay is a local wall-clock time, such as GOLIVE_REMINDER_TIME.
type TimeOfDay struct {
	Hour, Minute int
}

// DefaultTimeOfDay is when reminders are posted unless configured: 09:00.
var DefaultTimeOfDay = TimeOfDay{Hour: 9}

// ParseTimeOfDay reads "HH:MM" on a 24-hour clock, such as "09:00".
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	hour, minute, err := launch.ParseTime(s)
	if err != nil {
		return TimeOfDay{}, fmt.Errorf("reminder time %q: write it as HH:MM on a 24-hour clock, for example 09:00", s)
	}
	return TimeOfDay{Hour: hour, Minute: minute}, nil
}

// String formats the time as "09:00".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }
