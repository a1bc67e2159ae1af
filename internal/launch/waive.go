package launch

import (
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// MaxWaiverDays is how far ahead a waiver may run: a waiver is a stopgap
// with a date, never a way to drop an item for good (that is `na`).
const MaxWaiverDays = 366

// Waive lets open item number count as done for its gates until the local
// date until (YYYY-MM-DD, inclusive), for reason; "off" as until takes the
// waiver away. Only someone holding one of the launch's roles may: a
// waiver is an approver's word. A date in the past, or more than a year
// ahead, is refused; a date after the launch is allowed (afterLaunch tells
// it, so that the person is told). A done or not-applicable item needs no
// waiver. Waiving again replaces the waiver. No event when nothing changed.
func (l *Launch) Waive(user string, number int, until, reason string, now time.Time) (afterLaunch bool, events []Event, err error) {
	if l.roleOf(user) == nil {
		return false, nil, Errorf(EFORBIDDEN, "Only someone holding one of the launch's roles can waive an item: a waiver is an approver's word. `roles` lists who holds them.")
	}
	it := l.Checklist.Item(number)
	if it == nil {
		return false, nil, l.removedOrNoItem(number)
	}
	until, reason = strings.TrimSpace(until), strings.TrimSpace(reason)
	if strings.EqualFold(until, "off") {
		if it.Waiver == nil {
			return false, nil, nil
		}
		before := waiverText(it.Waiver)
		it.Waiver = nil
		return false, []Event{{Actor: user, Kind: KindWaiveOff, Items: []int{number}, Before: before, After: "no waiver"}}, nil
	}
	switch {
	case it.Done:
		return false, nil, Errorf(EINVALID, "Item %d is done: it counts for its gates already and needs no waiver.", number)
	case it.Excluded():
		return false, nil, Errorf(EINVALID, "Item %d is not applicable: it counts nowhere and needs no waiver.", number)
	case reason == "":
		return false, nil, Errorf(EINVALID, "Say why item %d may count as done until %s, in quotes: the reason is listed with the decision and stays in the audit log.", number, until)
	}
	if err := CheckLength("reason", reason, MaxNote); err != nil {
		return false, nil, err
	}
	date, err := l.waiverDate(until, now)
	if err != nil {
		return false, nil, err
	}
	var before string
	if w := it.Waiver; w != nil {
		if w.Until == date && w.Reason == reason && w.By == user && !w.Lapsed(l.Today(now)) {
			return false, nil, nil
		}
		before = waiverText(w)
	}
	it.Waiver = &checklist.Waiver{By: user, Until: date, Reason: reason, At: now}
	return date > l.Date, []Event{{Actor: user, Kind: KindWaive, Items: []int{number}, Before: before, After: waiverText(it.Waiver)}}, nil
}

// waiverDate reads a waiver's last day: a YYYY-MM-DD date from today, in
// the launch's time zone, to MaxWaiverDays ahead.
func (l *Launch) waiverDate(s string, now time.Time) (string, error) {
	d, err := ParseDate(s)
	if err != nil {
		return "", Errorf(EINVALID, "%q is not a date: say the last day the waiver counts as YYYY-MM-DD, for example `waive 12 until 2026-12-10 \"reason\"`.", s)
	}
	today := dateOf(now.In(l.Location()))
	last := today.AddDate(0, 0, MaxWaiverDays)
	switch {
	case d.Before(today):
		return "", Errorf(EINVALID, "%s is in the past: a waiver runs from today (%s) to the last day it counts.", d.Format(DateLayout), today.Format(DateLayout))
	case d.After(last):
		return "", Errorf(EINVALID, "%s is too far ahead: a waiver runs at most a year, to %s. An item that will never apply is `na`.", d.Format(DateLayout), last.Format(DateLayout))
	}
	return d.Format(DateLayout), nil
}

// NoticeLapses records the waivers whose date had passed at now and were
// not noticed yet: each gets a "waiver-lapse" event and is marked noticed,
// once, when golive tells the channel (schedule.KindWaiverLapse). The lapse
// itself needs no record: scoring reads the date (WaivedOn). A lapsed
// waiver stays on its item, no longer shown, until it is waived again or
// taken off.
func (l *Launch) NoticeLapses(now time.Time) []Event {
	today := l.Today(now)
	var events []Event
	for _, it := range l.Checklist.Items() {
		w := it.Waiver
		if w == nil || w.Noticed || !w.Lapsed(today) {
			continue
		}
		w.Noticed = true
		after := "open: counts as open for its gates again"
		if it.Done || it.Excluded() {
			after = "lapsed; the item is done or not applicable"
		}
		events = append(events, Event{Actor: Golive, Kind: KindWaiverLapse, Items: []int{it.Number}, Before: waiverText(w), After: after})
	}
	return events
}

func waiverText(w *checklist.Waiver) string {
	return fmt.Sprintf("waived until %s: %s", w.Until, w.Reason)
}
