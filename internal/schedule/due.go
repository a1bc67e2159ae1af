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

// launchDate is a launch's date in its zone, parsed once for the many due
// times computed from it.
type launchDate struct {
	year  int
	month time.Month
	day   int
	loc   *time.Location
}

func dateOf(l *launch.Launch) (launchDate, bool) {
	d, err := time.Parse(launch.DateLayout, l.Date)
	if err != nil {
		return launchDate{}, false
	}
	return launchDate{year: d.Year(), month: d.Month(), day: d.Day(), loc: l.Location()}, true
}

// at returns tod on the launch date shifted by offset days. Calendar
// arithmetic, not 24-hour steps, keeps it at the same wall-clock time across
// daylight-saving changes.
func (d launchDate) at(offset int, tod TimeOfDay) time.Time {
	return time.Date(d.year, d.month, d.day+offset, tod.Hour, tod.Minute, 0, 0, d.loc)
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
	d, ok := dateOf(l)
	if l.Checklist == nil || !ok {
		return nil
	}
	out := make([]DueWindow, 0, len(l.Checklist.Windows))
	for _, w := range l.Checklist.Windows {
		out = append(out, DueWindow{Window: w, Key: WindowKey(w), Due: d.at(w.Offset, tod)})
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
	d, ok := dateOf(l)
	if !ok {
		return nil
	}
	windowDay := map[int]bool{}
	if l.Checklist != nil {
		for _, w := range l.Checklist.Windows {
			windowDay[w.Offset] = true
		}
	}
	var out []Occurrence
	for off := -countdownDays; off < 0; off++ {
		if due := d.at(off, tod); !windowDay[off] {
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
