package launch

import (
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// Bounds of a freshness: a check rerun more often than every minute is a
// probe's job, and evidence a year old is no longer fresh in any sense.
const (
	minFresh = time.Minute
	maxFresh = 366 * 24 * time.Hour
)

// ReadFresh reads a freshness written as a number and a unit: "90m",
// "24h", "7d"; "off" is 0, any age.
func ReadFresh(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "off" {
		return 0, nil
	}
	units := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}
	var unit time.Duration
	var n int
	err := strconv.ErrSyntax
	if s != "" {
		unit = units[s[len(s)-1]]
		n, err = strconv.Atoi(s[:len(s)-1])
	}
	if unit == 0 || err != nil || n <= 0 || len(s) > 8 {
		return 0, Errorf(EINVALID, "%q is not a freshness: write it as minutes, hours or days, for example 90m, 24h or 7d; `off` for any age.", s)
	}
	d := time.Duration(n) * unit
	if d < minFresh || d > maxFresh || d/unit != time.Duration(n) {
		return 0, Errorf(EINVALID, "A freshness runs from 1m to 366d; %q is outside that.", s)
	}
	return d, nil
}

// FreshText writes a freshness as people type it: "24h", "7d", "90m".
func FreshText(d time.Duration) string {
	switch {
	case d == 0:
		return "any age"
	case d%(24*time.Hour) == 0 && d >= 48*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}

// SetFresh requires the items ref names (an item number, or a section by
// name or number) to have been verified within d for their gates to count
// them done; 0 takes the requirement away. The section's owner or the
// launch's creator may. It returns the numbers of the items changed.
func (l *Launch) SetFresh(user, ref string, d time.Duration) ([]int, []Event, error) {
	var items []*checklist.Item
	var sec *checklist.Section
	if n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(ref), "#")); err == nil && n > 0 {
		s, _, it := l.Checklist.Locate(n)
		if it == nil {
			return nil, nil, l.removedOrNoItem(n)
		}
		sec, items = s, []*checklist.Item{it}
	} else {
		s, err := l.FindSection(ref)
		if err != nil {
			return nil, nil, err
		}
		sec = s
		for _, g := range s.Groups {
			items = append(items, g.Items...)
		}
	}
	if err := l.CanEdit(user, sec, "set how fresh evidence must be"); err != nil {
		return nil, nil, err
	}
	var changed []int
	var events []Event
	for _, it := range items {
		if it.Fresh == d {
			continue
		}
		events = append(events, Event{Actor: user, Kind: KindFresh, Items: []int{it.Number}, Before: FreshText(it.Fresh), After: FreshText(d)})
		it.Fresh = d
		changed = append(changed, it.Number)
	}
	return changed, events, nil
}
