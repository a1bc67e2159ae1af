package schedule

import (
	"fmt"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// Content is what a reminder says, taken from the launch when it is posted.
type Content struct {
	Kind Kind
	// Window is the window that opens (KindWindow).
	Window DueWindow
	// Tasks are the window's tasks, done or not, as its checkboxes show them.
	Tasks []*checklist.Item
	// Overdue are the open tasks of windows that opened earlier: all of them
	// in a window's post (the windows skipped while the bot was down
	// included), the owner's own in a DM.
	Overdue []OverdueTask
	// Countdown is the countdown line (CountdownLine).
	Countdown string
	// Next is the next window to open after now, nil when none is left.
	Next *DueWindow
	// Owner is the Slack user a DM goes to (KindOverdueDM).
	Owner string
	// Reverify are, in the channel's posts of launch day, the items whose
	// freshness runs out before the launch (or has run out): they must be
	// verified again for their gates to count them.
	Reverify []*checklist.Item
	// At is when the content was composed: how old the probes' results
	// it shows are is said from it.
	At time.Time
}

// OverdueTask is an open item whose window or own due date has passed.
type OverdueTask struct {
	*checklist.Item
	// Window is the name of the window it belongs to.
	Window string
	// Owner answers for it (see Owner), "" when nobody does.
	Owner string
}

// Compose gathers what reminder r says about launch l at now.
func Compose(l *launch.Launch, r Reminder, tod TimeOfDay, now time.Time) (Content, error) {
	c := Content{Kind: r.Kind, Countdown: CountdownLine(l, now), At: now}
	for _, w := range Windows(l, tod) {
		if w.Due.After(now) {
			c.Next = &w
			break
		}
	}
	switch r.Kind {
	case KindWindow:
		w, ok := Window(l, tod, r.Key)
		if !ok {
			return Content{}, fmt.Errorf("compose %s: the checklist has no such window", r)
		}
		c.Window = w
		for _, n := range w.Items {
			if it := l.Checklist.Item(n); it != nil {
				c.Tasks = append(c.Tasks, it)
			}
		}
		c.Overdue = OverdueTasks(l, tod, OverdueBefore(l, tod, w.Due))
	case KindCountdown:
	case KindOverdueDM:
		c.Owner = r.Payload.Owner
		c.Overdue = OverdueTasks(l, tod, OverdueFor(l, tod, c.Owner, now))
	default:
		return Content{}, fmt.Errorf("compose %s: nothing to post for this kind", r)
	}
	if r.Kind != KindOverdueDM && l.DaysToLaunch(now) == 0 {
		c.Reverify = Reverify(l, tod, now)
	}
	return c, nil
}

// Reverify returns the items whose verification will be older than their
// freshness at the launch (or is already at now), in checklist order: a
// done item then counts open for its gates, and must be verified again.
func Reverify(l *launch.Launch, tod TimeOfDay, now time.Time) []*checklist.Item {
	at, ok := LaunchAt(l, tod)
	if !ok || at.Before(now) {
		at = now
	}
	var out []*checklist.Item
	for _, it := range l.Checklist.Items() {
		if it.Fresh > 0 && it.Done && !it.Excluded() && it.StaleAt(at) {
			out = append(out, it)
		}
	}
	return out
}

// OverdueTasks names the window and owner of each overdue item.
func OverdueTasks(l *launch.Launch, tod TimeOfDay, items []*checklist.Item) []OverdueTask {
	windowOf := map[int]string{}
	for _, w := range Windows(l, tod) {
		for _, n := range w.Items {
			if _, ok := windowOf[n]; !ok {
				windowOf[n] = w.Name
			}
		}
	}
	out := make([]OverdueTask, len(items))
	for i, it := range items {
		out[i] = OverdueTask{Item: it, Window: windowOf[it.Number], Owner: Owner(l, it.Number)}
	}
	return out
}
