package schedule

import (
	"time"

	"github.com/golive/golive/internal/launch"
)

// Probe runs: when a launch's probes run by themselves (they also run when
// set and at `decide`, which the adapter starts).
const (
	// probeLead is how long before a reminder the probes run, so that the
	// reminder's post shows what they found.
	probeLead = 10 * time.Minute
	// probeDays is the last week: its mornings, launch day included.
	probeDays = 7
	// probeStale is how late a run may still start: after downtime the
	// next planned run checks soon enough, and a run long past is skipped.
	probeStale = time.Hour
)

// probeRuns returns the runs of the launch's probes: shortly before each
// window's reminder and each morning's reminder time of the last week, one
// run per instant; none when no item has a probe. A morning's run is keyed
// by its local date, a window's by "window <window key>".
func probeRuns(l *launch.Launch, tod TimeOfDay) []Reminder {
	if l.Checklist == nil || len(l.Probes()) == 0 {
		return nil
	}
	d, ok := dateOf(l, tod)
	if !ok {
		return nil
	}
	var out []Reminder
	seen := map[int64]bool{}
	add := func(key string, due time.Time) {
		if seen[due.UnixMilli()] {
			return
		}
		seen[due.UnixMilli()] = true
		out = append(out, Reminder{LaunchID: l.ID, Kind: KindProbe, Key: key, DueAt: due, Payload: Payload{Day: LocalDate(l, due)}})
	}
	for off := -(probeDays - 1); off <= 0; off++ {
		due := d.at(off, tod)
		add(due.Format(launch.DateLayout), due.Add(-probeLead))
	}
	for _, w := range Windows(l, tod) {
		add("window "+w.Key, w.Due.Add(-probeLead))
	}
	return out
}

// probePlan returns the runs of the launch's probes still to come at now.
func probePlan(l *launch.Launch, tod TimeOfDay, now time.Time) []Reminder {
	var out []Reminder
	for _, r := range probeRuns(l, tod) {
		if r.DueAt.After(now) {
			out = append(out, r)
		}
	}
	return out
}

// decideProbe checks a claimed run of probes against the launch at now.
func decideProbe(l *launch.Launch, r Reminder, tod TimeOfDay, now time.Time) Decision {
	if len(l.Probes()) == 0 {
		return skip("no item has a probe any more")
	}
	for _, p := range probeRuns(l, tod) {
		if p.Key != r.Key {
			continue
		}
		switch {
		case p.DueAt.After(now):
			return Decision{Action: Wait, DueAt: p.DueAt}
		case now.Sub(p.DueAt) > probeStale:
			return skip("stale: due " + p.DueAt.UTC().Format(time.RFC3339) + ", the next run checks again")
		}
		return Decision{Action: Post}
	}
	return skip("no run " + r.Key + " for the launch's current date and windows")
}
