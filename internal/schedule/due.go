package schedule

import (
	"sort"
	"strconv"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// countdownDays is how many days before launch the daily countdown runs.
const countdownDays = 14

// DueWindow is a checklist window with the instant it opens.
type DueWindow struct {
	checklist.Window
	Key string
	Due time.Time
}

// WindowKey is a window's reminder key: "<section>.<group>", stable for the
// launch's life whatever its date.
func WindowKey(w checklist.Window) string {
	return strconv.Itoa(w.Section) + "." + strconv.Itoa(w.Group)
}

// launchDate is a launch's date and time of day in its zone, parsed once
// for the many due times computed from it.
type launchDate struct {
	year  int
	month time.Month
	day   int
	clock TimeOfDay // the launch's time of day
	loc   *time.Location
}

// dateOf reads the launch's date and time; a launch without a time of day
// launches at the reminder time tod.
func dateOf(l *launch.Launch, tod TimeOfDay) (launchDate, bool) {
	d, err := time.Parse(launch.DateLayout, l.Date)
	if err != nil {
		return launchDate{}, false
	}
	clock := tod
	if l.Time != "" {
		if clock, err = ParseTimeOfDay(l.Time); err != nil {
			return launchDate{}, false
		}
	}
	return launchDate{year: d.Year(), month: d.Month(), day: d.Day(), clock: clock, loc: l.Location()}, true
}

// at returns tod on the launch date shifted by offset days. Calendar
// arithmetic, not 24-hour steps, keeps it at the same wall-clock time across
// daylight-saving changes.
func (d launchDate) at(offset int, tod TimeOfDay) time.Time {
	return time.Date(d.year, d.month, d.day+offset, tod.Hour, tod.Minute, 0, 0, d.loc)
}

// LaunchAt is the launch's instant: its date at its time of day (the
// reminder time tod when it has none) in its zone; ok is false when its
// date cannot be read.
func LaunchAt(l *launch.Launch, tod TimeOfDay) (time.Time, bool) {
	d, ok := dateOf(l, tod)
	if !ok {
		return time.Time{}, false
	}
	return d.at(0, d.clock), true
}

// due is when window w opens: a day-sized window at the reminder time tod
// on its day, a shorter one ("T-4 Hours") its offset from the launch's
// instant, in elapsed time: four hours before a launch at 10:00 on the day
// clocks go forward is 05:00.
func (d launchDate) due(w checklist.Window, tod TimeOfDay) time.Time {
	if w.DaySized() {
		return d.at(w.OffsetDays(), tod)
	}
	return d.at(0, d.clock).Add(time.Duration(w.OffsetMinutes) * time.Minute)
}

// dateAt returns tod on the local date (YYYY-MM-DD) in the launch's zone.
func dateAt(l *launch.Launch, date string, tod TimeOfDay) (time.Time, bool) {
	d, err := time.Parse(launch.DateLayout, date)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), tod.Hour, tod.Minute, 0, 0, l.Location()), true
}

// LocalDate is t's calendar date in the launch's zone, YYYY-MM-DD.
func LocalDate(l *launch.Launch, t time.Time) string {
	return t.In(l.Location()).Format(launch.DateLayout)
}

// nextDate returns the date after date, YYYY-MM-DD.
func nextDate(date string) string {
	d, err := time.Parse(launch.DateLayout, date)
	if err != nil {
		return date
	}
	return d.AddDate(0, 0, 1).Format(launch.DateLayout)
}

// Windows returns the launch's windows with the instant each opens, in
// order of that instant, then of the checklist.
func Windows(l *launch.Launch, tod TimeOfDay) []DueWindow {
	d, ok := dateOf(l, tod)
	if l.Checklist == nil || !ok {
		return nil
	}
	out := make([]DueWindow, 0, len(l.Checklist.Windows))
	for _, w := range l.Checklist.Windows {
		out = append(out, DueWindow{Window: w, Key: WindowKey(w), Due: d.due(w, tod)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// Window returns the launch's window with the given key.
func Window(l *launch.Launch, tod TimeOfDay, key string) (DueWindow, bool) {
	for _, w := range Windows(l, tod) {
		if w.Key == key {
			return w, true
		}
	}
	return DueWindow{}, false
}

// Current returns the windows most recently opened at now: every window
// sharing the latest due instant not after now. It is empty before the
// first window opens.
func Current(l *launch.Launch, tod TimeOfDay, now time.Time) []DueWindow {
	var out []DueWindow
	for _, w := range Windows(l, tod) {
		if w.Due.After(now) {
			break
		}
		if len(out) > 0 && !w.Due.Equal(out[0].Due) {
			out = out[:0]
		}
		out = append(out, w)
	}
	return out
}

// Occurrence is one day's daily reminder: its local date and due instant.
type Occurrence struct {
	Date string
	Due  time.Time
}

// CountdownDays returns the days of the daily countdown: the last two weeks
// before launch, without the days a window opens (a window's post carries
// the countdown line).
func CountdownDays(l *launch.Launch, tod TimeOfDay) []Occurrence {
	d, ok := dateOf(l, tod)
	if !ok {
		return nil
	}
	windowDay := map[string]bool{}
	for _, w := range Windows(l, tod) {
		windowDay[LocalDate(l, w.Due)] = true
	}
	var out []Occurrence
	for off := -countdownDays; off < 0; off++ {
		if due := d.at(off, tod); !windowDay[due.Format(launch.DateLayout)] {
			out = append(out, Occurrence{Date: due.Format(launch.DateLayout), Due: due})
		}
	}
	return out
}

func isCountdownDay(l *launch.Launch, tod TimeOfDay, date string) bool {
	for _, o := range CountdownDays(l, tod) {
		if o.Date == date {
			return true
		}
	}
	return false
}
