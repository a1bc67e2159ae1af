package schedule

import (
	"time"

	"github.com/golive/golive/internal/launch"
)

// Plan returns the reminders the launch wants from now on, for Sync to
// store: every window still to open, the current one (so that one missed
// while golive was down is posted late), and the windows that had passed
// when the launch was dated, which the runner records as skipped (Decide):
// a launch created or moved after some windows passed posts none of them.
// Then the countdown days still to come unless reminders are off, and
// the next daily digest (which also nudges the role holders asks says are
// still to answer), and the lapse notices of the waivers not yet noticed
// (lapsePlan), and the runs of its probes (probePlan). An archived launch
// wants none.
func Plan(l *launch.Launch, asks Asks, tod TimeOfDay, now time.Time) []Reminder {
	if l.Archived || l.Checklist == nil {
		return nil
	}
	var out []Reminder
	cur := Current(l, tod, now)
	for _, w := range Windows(l, tod) {
		if w.Due.After(now) || (len(cur) > 0 && w.Due.Equal(cur[0].Due)) || DatedOver(l, w) {
			out = append(out, Reminder{LaunchID: l.ID, Kind: KindWindow, Key: w.Key, DueAt: w.Due,
				Payload: Payload{Window: w.Name, Day: LocalDate(l, w.Due)}})
		}
	}
	if !l.RemindersOff {
		for _, o := range CountdownDays(l, tod) {
			if o.Due.After(now) {
				out = append(out, Reminder{LaunchID: l.ID, Kind: KindCountdown, Key: o.Date, DueAt: o.Due,
					Payload: Payload{Day: o.Date}})
			}
		}
	}
	if d, ok := nextDigest(l, asks, tod, "", now); ok {
		out = append(out, d)
	}
	out = append(out, lapsePlan(l, tod)...)
	return append(out, probePlan(l, tod, now)...)
}

// nextDigest returns the daily digest to run after the one of local date
// after ("" for the first one after now). It is computed from that scheduled
// date, so it stays at the reminder time, but never falls behind today:
// after downtime only today's digest runs. Digests run on the days owners
// may have overdue tasks (overdueDate) and on the days role holders are
// nudged (nudgeDate), whichever comes first.
func nextDigest(l *launch.Launch, asks Asks, tod TimeOfDay, after string, now time.Time) (Reminder, bool) {
	date := LocalDate(l, now)
	if after == "" {
		if due, _ := dateAt(l, date, tod); !due.After(now) {
			date = nextDate(date)
		}
	} else if next := nextDate(after); next > date {
		date = next
	}
	next, ok := overdueDate(l, tod, date, now)
	if d, nudge := nudgeDate(l, asks, date, now); nudge && (!ok || d < next) {
		next, ok = d, true
	}
	if !ok {
		return Reminder{}, false
	}
	due, ok := dateAt(l, next, tod)
	if !ok {
		return Reminder{}, false
	}
	return Reminder{LaunchID: l.ID, Kind: KindDigest, Key: next, DueAt: due, Payload: Payload{Day: next}}, true
}

// overdueDate returns the first local date from date on with a digest for
// overdue items: they start the day something can first be overdue (the
// second window opens, or the day after an open item's own due date) and
// go on while windows are still to open, open items have due dates still
// to pass, or owners have overdue items at now.
func overdueDate(l *launch.Launch, tod TimeOfDay, date string, now time.Time) (string, bool) {
	ws := Windows(l, tod)
	first, last := "", "" // the first and last day something can be overdue
	if len(ws) > 0 {
		for _, w := range ws {
			if w.Due.After(ws[0].Due) {
				first, last = LocalDate(l, w.Due), LocalDate(l, ws[len(ws)-1].Due)
				break
			}
		}
	}
	for _, it := range l.Checklist.Items() {
		if it.Done || it.Due == "" {
			continue
		}
		day := nextDate(it.Due)
		if first == "" || day < first {
			first = day
		}
		if day > last {
			last = day
		}
	}
	if first == "" {
		return "", false
	}
	if date < first {
		date = first
	}
	if date > last && len(OverdueByOwner(l, tod, now)) == 0 {
		return "", false
	}
	if _, ok := dateAt(l, date, tod); !ok {
		return "", false
	}
	return date, true
}

// FanOut returns the DMs a due digest sends, due at once: one per owner of
// overdue tasks, and one per role holder still to answer (Nudges).
func FanOut(l *launch.Launch, asks Asks, digest Reminder, tod TimeOfDay, now time.Time) []Reminder {
	var out []Reminder
	for _, oi := range OverdueByOwner(l, tod, now) {
		out = append(out, Reminder{LaunchID: l.ID, Kind: KindOverdueDM, Key: digest.Key + " " + oi.Owner,
			DueAt: digest.DueAt, Payload: Payload{Day: digest.Key, Owner: oi.Owner}})
	}
	return append(out, Nudges(l, asks, digest, now)...)
}
