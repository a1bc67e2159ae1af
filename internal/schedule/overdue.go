package schedule

import (
	"regexp"
	"sort"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// slackUserID matches the Slack user ids a DM can go to; an owner written
// as a plain name in an imported document gets no DM.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{1,20}$`)

// OverdueBefore returns the open items overdue at the instant: the open
// tasks of the windows that opened before it, and the open items whose own
// due date (Item.Due, which takes the place of a window's) passed before
// its local date. For a window's post, the instant is its own due time, so
// a catch-up post after downtime lists every skipped window's open tasks.
// Windows that had passed when the launch was dated are left out (DatedOver).
func OverdueBefore(l *launch.Launch, tod TimeOfDay, before time.Time) []*checklist.Item {
	return append(windowOverdue(l, tod, before), datedOverdue(l, before)...)
}

// windowOverdue returns the open tasks, without a due date of their own,
// of the windows that opened before the instant.
func windowOverdue(l *launch.Launch, tod TimeOfDay, before time.Time) []*checklist.Item {
	var out []*checklist.Item
	seen := map[int]bool{}
	for _, w := range Windows(l, tod) {
		if !w.Due.Before(before) {
			break
		}
		if DatedOver(l, w) {
			continue
		}
		for _, n := range w.Items {
			it := l.Checklist.Item(n)
			if it != nil && !it.Done && it.Due == "" && !seen[n] {
				seen[n] = true
				out = append(out, it)
			}
		}
	}
	return out
}

// datedOverdue returns the open items whose due date is before the
// instant's local date, in checklist order.
func datedOverdue(l *launch.Launch, at time.Time) []*checklist.Item {
	today := LocalDate(l, at)
	var out []*checklist.Item
	for _, it := range l.Checklist.Items() {
		if !it.Done && it.Due != "" && it.Due < today {
			out = append(out, it)
		}
	}
	return out
}

// Overdue returns the items overdue at now: the open tasks of the windows
// that opened before the current ones, and the open items past their own
// due date.
func Overdue(l *launch.Launch, tod TimeOfDay, now time.Time) []*checklist.Item {
	var out []*checklist.Item
	if cur := Current(l, tod, now); len(cur) > 0 {
		out = windowOverdue(l, tod, cur[0].Due)
	}
	return append(out, datedOverdue(l, now)...)
}

// OwnerItems is one owner's overdue tasks.
type OwnerItems struct {
	Owner string
	Items []*checklist.Item
}

// OverdueByOwner groups the items overdue at now by owner: the item's owner,
// else its group's, else its section's. Owners are Slack user ids, sorted;
// tasks nobody owns are left out (the channel's posts list them).
func OverdueByOwner(l *launch.Launch, tod TimeOfDay, now time.Time) []OwnerItems {
	byOwner := map[string][]*checklist.Item{}
	for _, it := range Overdue(l, tod, now) {
		if o := Owner(l, it.Number); slackUserID.MatchString(o) {
			byOwner[o] = append(byOwner[o], it)
		}
	}
	out := make([]OwnerItems, 0, len(byOwner))
	for o, items := range byOwner {
		out = append(out, OwnerItems{Owner: o, Items: items})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Owner < out[j].Owner })
	return out
}

// OverdueFor returns owner's tasks overdue at now.
func OverdueFor(l *launch.Launch, tod TimeOfDay, owner string, now time.Time) []*checklist.Item {
	for _, oi := range OverdueByOwner(l, tod, now) {
		if oi.Owner == owner {
			return oi.Items
		}
	}
	return nil
}

// Owner returns who answers for an item: its owner, else its group's, else
// its section's; "" when nobody does.
func Owner(l *launch.Launch, number int) string {
	s, g, it := l.Checklist.Locate(number)
	switch {
	case it == nil:
		return ""
	case it.Owner != "":
		return it.Owner
	case g.Owner != "":
		return g.Owner
	}
	return s.Owner
}
