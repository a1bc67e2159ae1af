package schedule

import (
	"slices"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// Asks are the approval requests the bot has sent a launch's role holders:
// its approval DMs, one per role, each with when its holder was last asked
// (by `approvals` or by a nudge).
//
// Nudges follow them. Once `approvals` has asked anyone, every role holder
// still to answer gets one KindApprovalDM a day at the reminder time, from
// the day after the first request up to and including launch day (so the
// day before launch too), but not on a day they were already asked. They
// stop when the holder answers or leaves the role, when the launch is
// archived or its day has passed, and when a decision other than PENDING
// is announced, until `approvals` asks again. A holder put in a role after
// the request is nudged too: the nudge is the request itself.
type Asks []launch.ApprovalDM

// first returns when anyone was first asked, as far as the DMs still tell
// (a nudge replaces its role's DM); zero when nobody was.
func (a Asks) first() time.Time {
	var t time.Time
	for _, dm := range a {
		if t.IsZero() || dm.AskedAt.Before(t) {
			t = dm.AskedAt
		}
	}
	return t
}

// last returns when anyone was last asked; zero when nobody was.
func (a Asks) last() time.Time {
	var t time.Time
	for _, dm := range a {
		if dm.AskedAt.After(t) {
			t = dm.AskedAt
		}
	}
	return t
}

// askedOn tells whether holder was asked on the local date, in l's zone.
func (a Asks) askedOn(l *launch.Launch, holder, date string) bool {
	for _, dm := range a {
		if dm.Holder == holder && LocalDate(l, dm.AskedAt) == date {
			return true
		}
	}
	return false
}

// Awaiting returns the role holders to nudge, sorted: those (Slack user
// ids) holding a role with no answer yet, once approvals were asked, while
// the launch is not archived and not decided at now (see decided).
func Awaiting(l *launch.Launch, asks Asks, now time.Time) []string {
	if l == nil || l.Archived || l.Checklist == nil || len(asks) == 0 || decided(l, asks, now) {
		return nil
	}
	var out []string
	for _, r := range l.Checklist.Roles {
		pending := r.Verdict == checklist.VerdictPending || r.Verdict == ""
		if pending && slackUserID.MatchString(r.Holder) && !slices.Contains(out, r.Holder) {
			out = append(out, r.Holder)
		}
	}
	slices.Sort(out)
	return out
}

// decided tells whether the approvals are closed: a decision other than
// PENDING was announced after the last request, and still stands (a GO
// given on facts that changed since, a lapsed waiver included, does not:
// it must be taken again).
func decided(l *launch.Launch, asks Asks, now time.Time) bool {
	a := l.Announced
	return a != nil && a.Outcome != checklist.OutcomePending && !l.Stale(now) && !a.At.Before(asks.last())
}

// nudgeDate returns the first local date from date on when the launch's
// holders are nudged, as things stand at now; false when there is none left.
func nudgeDate(l *launch.Launch, asks Asks, date string, now time.Time) (string, bool) {
	if len(Awaiting(l, asks, now)) == 0 {
		return "", false
	}
	if start := nextDate(LocalDate(l, asks.first())); date < start {
		date = start
	}
	if date > l.Date {
		return "", false
	}
	return date, true
}

// Nudges returns the approval DMs a due digest sends: one per holder still
// to answer at now who was not asked on the digest's day, due at once.
func Nudges(l *launch.Launch, asks Asks, digest Reminder, now time.Time) []Reminder {
	if d, ok := nudgeDate(l, asks, digest.Key, now); !ok || d != digest.Key {
		return nil
	}
	var out []Reminder
	for _, h := range Awaiting(l, asks, now) {
		if !asks.askedOn(l, h, digest.Key) {
			out = append(out, Reminder{LaunchID: l.ID, Kind: KindApprovalDM, Key: digest.Key + " " + h,
				DueAt: digest.DueAt, Payload: Payload{Day: digest.Key, Owner: h}})
		}
	}
	return out
}

// nudgeSkip says why the nudge of holder on the local date day is no longer
// wanted at now, "" when it is.
func nudgeSkip(l *launch.Launch, asks Asks, holder, day string, now time.Time) string {
	switch {
	case len(asks) == 0:
		return "approvals were never asked"
	case decided(l, asks, now):
		return "the decision (" + string(l.Announced.Outcome) + ") was announced"
	case !slices.Contains(Awaiting(l, asks, now), holder):
		return holder + " holds no role awaiting an answer any more"
	case day > l.Date:
		return "the launch day, " + l.Date + ", has passed"
	case asks.askedOn(l, holder, day):
		return holder + " was already asked on " + day
	}
	return ""
}
