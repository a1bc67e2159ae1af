package schedule

import (
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// Waivers lapse at the end of their last day in the launch's time zone
// (launch.Waive): scoring reads the date, so the item counts as open from
// that midnight whatever happens here. What the schedule adds is telling
// people, once: the day after, at the reminder time, the channel gets one
// KindWaiverLapse post for the waivers that ended the day before (which
// also records the lapses in the audit log) and each owner of such an item
// one KindWaiverLapseDM. Unlike the daily reminders, a lapse notice missed
// while golive was down is posted late rather than skipped: it is a change
// to the decision, not a routine.

// lapsePlan returns the lapse notices of the waivers not yet noticed: one
// channel post per lapse day and one DM per owner and day.
func lapsePlan(l *launch.Launch, tod TimeOfDay) []Reminder {
	var out []Reminder
	seen := map[Ref]bool{}
	for _, it := range l.Checklist.Items() {
		w := it.Waiver
		if w == nil || w.Noticed {
			continue
		}
		day := nextDate(w.Until)
		due, ok := dateAt(l, day, tod)
		if !ok {
			continue
		}
		post := Reminder{LaunchID: l.ID, Kind: KindWaiverLapse, Key: day, DueAt: due, Payload: Payload{Day: day}}
		owner := LapseOwner(l, it.Number)
		dm := Reminder{LaunchID: l.ID, Kind: KindWaiverLapseDM, Key: day + " " + owner, DueAt: due, Payload: Payload{Day: day, Owner: owner}}
		for _, r := range []Reminder{post, dm} {
			if !seen[r.Ref()] {
				seen[r.Ref()] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// LapseOwner is who hears by DM that the waiver of item number lapsed: the
// item's owner (else its group's, else its section's) when that is a Slack
// user, else the launch's creator.
func LapseOwner(l *launch.Launch, number int) string {
	if o := Owner(l, number); slackUserID.MatchString(o) {
		return o
	}
	return l.Creator
}

// LapsedOn returns the items whose waiver ended the day before day (its
// last day), as it stands: a waiver taken off or given again with another
// date since is not among them. Done and not-applicable items are left out:
// nothing reopened.
func LapsedOn(l *launch.Launch, day string) []*checklist.Item {
	var out []*checklist.Item
	for _, it := range l.Checklist.Items() {
		if w := it.Waiver; w != nil && nextDate(w.Until) == day && !it.Done && !it.Excluded() {
			out = append(out, it)
		}
	}
	return out
}

// LapsedFor returns the items of LapsedOn(day) whose lapse owner is owner.
func LapsedFor(l *launch.Launch, day, owner string) []*checklist.Item {
	var out []*checklist.Item
	for _, it := range LapsedOn(l, day) {
		if LapseOwner(l, it.Number) == owner {
			out = append(out, it)
		}
	}
	return out
}

// decideLapse checks a claimed lapse notice: it waits for the reminder
// time of its day in the launch's zone as it is now (the waivers have
// lapsed by then), and is skipped when nothing it would tell of still
// stands at now.
func decideLapse(l *launch.Launch, r Reminder, tod TimeOfDay, now time.Time) Decision {
	day := r.Payload.Day
	due, ok := dateAt(l, day, tod)
	if !ok {
		return skip("unreadable day " + day)
	}
	if due.After(now) {
		return Decision{Action: Wait, DueAt: due}
	}
	items := LapsedOn(l, day)
	if r.Kind == KindWaiverLapseDM {
		items = LapsedFor(l, day, r.Payload.Owner)
	}
	if len(items) == 0 {
		return skip("no open item's waiver ended on the eve of " + day + " any more")
	}
	return Decision{Action: Post}
}
