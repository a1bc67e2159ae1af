package schedule

import (
	"strings"
	"time"

	"github.com/golive/golive/internal/launch"
)

// Action is what to do with a claimed reminder.
type Action int

const (
	// Post it now (for a digest: queue its DMs).
	Post Action = iota
	// Wait: under the launch as it is now the reminder is due later (the date
	// moved and Sync has not run yet); put it back with the new due time.
	Wait
	// Skip it, and record why.
	Skip
)

// Decision is what Decide says about a claimed reminder.
type Decision struct {
	Action Action
	// Reason says why a reminder is skipped.
	Reason string
	// DueAt is the new due time of a reminder that waits.
	DueAt time.Time
}

func skip(reason string) Decision { return Decision{Action: Skip, Reason: reason} }

// Decide checks a claimed reminder against the launch as it is at now (l is
// nil when the launch is gone) and the approval requests sent (asks, read
// for approval DMs only). What was planned may have been overtaken: a
// window that opened while the bot was down is folded into the latest due
// window, which lists its open tasks as overdue; a daily reminder of
// another day than today is stale. Both are skipped, so that downtime never
// ends in a burst of stale posts. An approval DM is skipped when its holder
// no longer owes an answer (see Asks).
func Decide(l *launch.Launch, asks Asks, r Reminder, tod TimeOfDay, now time.Time) Decision {
	if l == nil || l.Archived {
		return skip("the launch is archived or gone")
	}
	switch r.Kind {
	case KindWindow:
		return decideWindow(l, r, tod, now)
	case KindWaiverLapse, KindWaiverLapseDM:
		return decideLapse(l, r, tod, now)
	case KindProbe:
		return decideProbe(l, r, tod, now)
	}
	day := r.Payload.Day
	if day == "" {
		day, _, _ = strings.Cut(r.Key, " ")
	}
	due, ok := dateAt(l, day, tod)
	if !ok {
		return skip("unreadable day " + day)
	}
	switch r.Kind {
	case KindCountdown:
		if l.RemindersOff {
			return skip("daily reminders are off")
		}
		if !isCountdownDay(l, tod, day) {
			return skip("no countdown on " + day + " for the launch's current date")
		}
	case KindOverdueDM, KindApprovalDM:
		// A DM is due when its digest ran, which may be later than the day's
		// reminder time; whether it is still wanted is checked below.
		due = r.DueAt
	case KindDigest:
	default:
		return skip("unknown kind " + string(r.Kind))
	}
	if due.After(now) {
		return Decision{Action: Wait, DueAt: due}
	}
	if today := LocalDate(l, now); day != today {
		return skip("stale: for " + day + ", it is " + today + " now")
	}
	if r.Kind == KindOverdueDM && len(OverdueFor(l, tod, r.Payload.Owner, now)) == 0 {
		return skip("nothing overdue for " + r.Payload.Owner + " any more")
	}
	if r.Kind == KindApprovalDM {
		if why := nudgeSkip(l, asks, r.Payload.Owner, day, now); why != "" {
			return skip(why)
		}
	}
	return Decision{Action: Post}
}

func decideWindow(l *launch.Launch, r Reminder, tod TimeOfDay, now time.Time) Decision {
	w, ok := Window(l, tod, r.Key)
	if !ok {
		return skip("the checklist has no window " + r.Key + " any more")
	}
	if w.Due.After(now) {
		return Decision{Action: Wait, DueAt: w.Due}
	}
	if DatedOver(l, w) {
		return skip("it had passed when the launch was dated, " + LocalDate(l, l.DatedAt) + ": no backlog is posted")
	}
	if cur := Current(l, tod, now); w.Due.Before(cur[0].Due) {
		return skip("folded into " + cur[0].Name + ", which lists its open tasks as overdue")
	}
	return Decision{Action: Post}
}

// DatedOver tells whether window w had passed when the launch was dated
// (created, or its date or time moved): it is never posted, and its tasks
// are not overdue.
func DatedOver(l *launch.Launch, w DueWindow) bool {
	return w.Due.Before(l.DatedAt)
}

// Covers returns the reminders a post makes redundant: a window's post
// carries the countdown line, so no countdown is posted the same local day.
func Covers(l *launch.Launch, r Reminder, now time.Time) []Ref {
	if r.Kind != KindWindow {
		return nil
	}
	return []Ref{{Kind: KindCountdown, Key: LocalDate(l, now)}}
}

// Next returns the reminder that follows r once r is done, for recurring
// kinds: the next daily digest, computed from r's scheduled date.
func Next(l *launch.Launch, asks Asks, r Reminder, tod TimeOfDay, now time.Time) (Reminder, bool) {
	if r.Kind != KindDigest || l == nil || l.Archived {
		return Reminder{}, false
	}
	return nextDigest(l, asks, tod, r.Key, now)
}
