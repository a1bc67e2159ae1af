package launch

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// relativeDate is a date counted in days from the launch date: "T-3d",
// "T+1d", "T-0d".
var relativeDate = regexp.MustCompile(`^[Tt]\s*([-+])\s*(\d{1,4})\s*[dD]$`)

// ReadDue reads when an item is due: a date written YYYY-MM-DD, or T-3d,
// three days before the launch date. Either goes through ReadDate's window
// around today, so a typo in the year is refused rather than stored.
func (l *Launch) ReadDue(s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	m := relativeDate.FindStringSubmatch(s)
	if m == nil {
		if _, err := ParseDate(s); err != nil {
			return "", Errorf(EINVALID, "%q is not a due date: write it as YYYY-MM-DD (2026-12-01), or in days from the launch date, T-3d for three days before.", s)
		}
		return ReadDate(s, now, l.Location())
	}
	launchDay, err := ParseDate(l.Date)
	if err != nil {
		return "", Errorf(EINVALID, "The launch has no date to count %s from; give the due date as YYYY-MM-DD.", s)
	}
	days, _ := strconv.Atoi(m[2]) // at most four digits
	if m[1] == "-" {
		days = -days
	}
	return ReadDate(launchDay.AddDate(0, 0, days).Format(DateLayout), now, l.Location())
}

// SetDue gives item number a due date (YYYY-MM-DD or T-3d, see ReadDue),
// or takes it away when when is "off". It returns the date set, "" when
// taken away; no event when nothing changed.
func (l *Launch) SetDue(user string, number int, when string, now time.Time) (string, []Event, error) {
	s, _, it := l.Checklist.Locate(number)
	if it == nil {
		return "", nil, l.removedOrNoItem(number)
	}
	if err := l.CanEdit(user, s, "set due dates"); err != nil {
		return "", nil, err
	}
	due := ""
	if !strings.EqualFold(strings.TrimSpace(when), "off") {
		var err error
		if due, err = l.ReadDue(when, now); err != nil {
			return "", nil, err
		}
	}
	if due == it.Due {
		return due, nil, nil
	}
	before := it.Due
	it.Due = due
	after := due
	if after == "" {
		after = "no due date"
	}
	return due, []Event{{Actor: user, Kind: KindDue, Items: []int{number}, Before: before, After: after}}, nil
}
