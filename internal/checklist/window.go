package checklist

import (
	"regexp"
	"strconv"
	"strings"
)

// Offsets are minutes from the launch instant (its date at its time of day).
const (
	minutesPerHour  = 60
	minutesPerDay   = 24 * minutesPerHour
	minutesPerWeek  = 7 * minutesPerDay
	minutesPerMonth = 30 * minutesPerDay
)

// ParseWindow reads a heading as a time window and returns its offset from
// the launch in minutes, negative before it. It recognises, case-insensitively:
//
//   - "N minutes/hours/days/weeks/months before|after launch" (also go-live,
//     release, deploy, cutover), N a number, "a"/"an"/"the", a word up to
//     "twelve", or nothing ("Day Before Launch"); a week is 7 days, a month 30;
//   - "Launch Day", "Go-Live Day", "Release Day", "Day of Launch", "D-Day": 0;
//   - countdowns: "T-4 Hours", "T-2h", "T+1 Hour", "T-30m", "T-7d", "T-7",
//     "T-1 week", "D-1", "Day -3", "Day +1" (days when no unit is written);
//   - "Pre-Go-Live (1 Week Before)", "Post-Go-Live (24 Hours)", "Post-Launch
//     (1 Week)": pre is before launch, post after it, by the period written;
//     "Post-Launch (First 24 Hours)" is the period "First 24 Hours",
//     "Post-Launch (Day 7)" the seventh day after launch;
//   - "Launch Day + 4 Hours", "Go-Live +2h": the event, a sign and a period;
//     a range ("Launch Day + 1-4 Hours", "T-3-5 days") opens at its start;
//   - "Week 1", "Week 2", "Week -1": the weeks around launch, "Week 1"
//     being the first week after it, reminded like "First Week";
//   - "First P" after launch, such as "First 24 Hours", "First Week", "First
//     Month": each such period is reminded when the one before it ends, so a
//     period of up to a day an hour after launch, up to a week the day after
//     (+1 day), up to a month when the first week ends (+7 days), and a
//     longer one when the first month ends (+30 days).
//
// The heading must start with the window, words after it allowed ("1 Week
// Before Launch (code freeze)"), or end with a countdown in brackets after a
// name ("Smoke Tests (T+15 min)", "Pre-Deployment (T-2 hours)").
func ParseWindow(title string) (WindowSpec, bool) {
	t := strings.ToLower(strings.TrimSpace(title))
	// Cheap filters first: most headings are not windows.
	if containsAny(t, "before", "after", "prior", "ahead", "following", "post") {
		if m := relativeRe.FindStringSubmatch(t); m != nil {
			minutes := inMinutes(amount(m[1], 1), m[2])
			if m[3] == "before" || m[3] == "prior to" || m[3] == "ahead of" {
				minutes = -minutes
			}
			return WindowSpec{OffsetMinutes: minutes}, true
		}
	}
	if m := eventPlusRe.FindStringSubmatch(t); m != nil {
		return countdown(m[1], m[2], m[3]), true
	}
	if strings.Contains(t, "day") && dayOfRe.MatchString(t) {
		return WindowSpec{OffsetMinutes: 0}, true
	}
	if (strings.HasPrefix(t, "t") || strings.HasPrefix(t, "d")) && strings.ContainsAny(t, "-+−–") {
		if m := countdownRe.FindStringSubmatch(t); m != nil {
			return countdown(m[1], m[2], m[3]), true
		}
	}
	if strings.HasPrefix(t, "pre") || strings.HasPrefix(t, "post") {
		if m := prePostDayRe.FindStringSubmatch(t); m != nil {
			n, _ := strconv.Atoi(m[2])
			if m[1] == "pre" {
				n = -n
			}
			return WindowSpec{OffsetMinutes: n * minutesPerDay}, true
		}
		// "Post-Launch (Week 1)", "Post-Launch (First 24 Hours)": the period
		// in brackets is a window of its own, on the side the prefix says.
		if m := prePostRestRe.FindStringSubmatch(t); m != nil {
			if w, ok := ParseWindow(strings.TrimRight(m[2], ") ")); ok && (m[1] == "pre") == (w.OffsetMinutes < 0) {
				return w, true
			}
		}
		if m := prePostRe.FindStringSubmatch(t); m != nil {
			minutes := inMinutes(amount(m[2], 1), m[3])
			if m[1] == "pre" {
				minutes = -minutes
			}
			return WindowSpec{OffsetMinutes: minutes}, true
		}
	}
	if strings.HasPrefix(t, "week") {
		if m := weekRe.FindStringSubmatch(t); m != nil {
			n, _ := strconv.Atoi(m[2])
			switch {
			case m[1] != "" && m[1] != "+":
				return WindowSpec{OffsetMinutes: -n * minutesPerWeek}, true
			case n == 0:
				return WindowSpec{OffsetMinutes: 0}, true
			}
			return WindowSpec{OffsetMinutes: firstPeriodStart(n * minutesPerWeek)}, true
		}
	}
	if strings.HasPrefix(t, "first") {
		if m := firstRe.FindStringSubmatch(t); m != nil {
			return WindowSpec{OffsetMinutes: firstPeriodStart(inMinutes(amount(m[1], 1), m[2]))}, true
		}
	}
	// Last, a countdown in brackets after a name: "Smoke Tests (T+15 min)".
	if strings.Contains(t, "(") {
		if b := bracketedRe.FindStringSubmatch(t); b != nil {
			if m := countdownRe.FindStringSubmatch(b[1]); m != nil {
				return countdown(m[1], m[2], m[3]), true
			}
		}
	}
	return WindowSpec{}, false
}

// countdown is the window of a countdown's sign, number and unit (days when
// no unit is written): "-", "4", "hours" is four hours before launch.
func countdown(sign, number, unit string) WindowSpec {
	n, _ := strconv.Atoi(number)
	if unit == "" {
		unit = "day"
	}
	minutes := inMinutes(n, unit)
	if sign != "+" {
		minutes = -minutes
	}
	return WindowSpec{OffsetMinutes: minutes}
}

var (
	numberWord = `\d{1,4}|a|an|the|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve`
	unitWord   = `(minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?)`
	eventWord  = `(?:launch|go[\s-]?live|release|deploy(?:ment)?|cut[\s-]?over|ship)`
	event      = `(?:the\s+)?` + eventWord + `\b`

	relativeRe = regexp.MustCompile(`^(?:the\s+)?(?:(` + numberWord + `)[\s-]*)?` + unitWord + `\s+(before|prior to|ahead of|after|following|post)\s+` + event)
	dayOfRe    = regexp.MustCompile(`^(?:` + eventWord + `\s+day\b|day\s+of\s+` + event + `|d-day\b)`)
	// countdownRe reads "T-4 Hours", "T-2h", "D-1", "Day +3": m is minutes,
	// "mo" months.
	countdownUnit = `(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mo)?\b`
	// countdownNumber is a number, or a range read from its start: "1-4
	// Hours", "T+15 / T+60 minutes".
	countdownNumber = `(\d{1,4})(?:\s*(?:[-–/]|to)\s*(?:t\s*[-+−–]?\s*)?\d{1,4})?\s*`
	countdownRe     = regexp.MustCompile(`^(?:t|d|day)\s*([-+−–])\s*` + countdownNumber + countdownUnit)
	// eventPlusRe reads "Launch Day + 4 Hours", "Go-Live +2h", "Release - 1 day".
	eventPlusRe = regexp.MustCompile(`^` + eventWord + `(?:\s+day)?\s*([-+−–])\s*` + countdownNumber + countdownUnit)
	// prePostDayRe reads "Post-Launch (Day 7)", "Pre-Launch: Day 3".
	prePostDayRe = regexp.MustCompile(`^(pre|post)[\s-]*` + eventWord + `\b[\s:(–—-]*day\s*\+?(\d{1,3})\b`)
	// bracketedRe finds a countdown in brackets: "Pre-Deployment (T-2 hours)".
	bracketedRe = regexp.MustCompile(`\(\s*((?:t|d)\s*[-+−–]\s*\d[^)]*)\)`)
	// prePostRe reads "Pre-Go-Live (1 Week Before)", "Post-Launch: 24 hours",
	// "Pre-Launch (2+ weeks out)".
	prePostRe = regexp.MustCompile(`^(pre|post)[\s-]*` + eventWord + `\b[\s:(–—-]*(?:(` + numberWord + `)\+?[\s-]*)?` + unitWord + `\b`)
	// prePostRestRe splits "Post-Launch (Week 1)" into its side and the rest.
	prePostRestRe = regexp.MustCompile(`^(pre|post)[\s-]*` + eventWord + `\b[\s:(–—-]*(.+)$`)
	weekRe        = regexp.MustCompile(`^week\s*([-+−–]?)\s*(\d{1,2})\b`)
	firstRe       = regexp.MustCompile(`^first\s+(?:(` + numberWord + `)[\s-]+)?` + unitWord + `\b`)
)

var numberWords = map[string]int{
	"a": 1, "an": 1, "the": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

// amount reads a number or number word, def when s is empty.
func amount(s string, def int) int {
	if s == "" {
		return def
	}
	if n, ok := numberWords[s]; ok {
		return n
	}
	n, _ := strconv.Atoi(s)
	return n
}

// inMinutes converts n units to minutes. A unit is told by its first
// letters: "m"/"min" minutes, "mo" months, "h" hours, "d" days, "w" weeks.
func inMinutes(n int, unit string) int {
	switch {
	case strings.HasPrefix(unit, "mo"):
		return n * minutesPerMonth
	case unit[0] == 'm':
		return n
	case unit[0] == 'h':
		return n * minutesPerHour
	case unit[0] == 'w':
		return n * minutesPerWeek
	}
	return n * minutesPerDay
}

// firstPeriodStart is when a "First N days" period after launch is
// reminded, given its length: when the shorter period before it ends. The
// first day's tasks come an hour after launch, so that they stay after it.
func firstPeriodStart(minutes int) int {
	switch {
	case minutes <= minutesPerDay:
		return minutesPerHour
	case minutes <= minutesPerWeek:
		return minutesPerDay
	case minutes <= 31*minutesPerDay:
		return minutesPerWeek
	}
	return minutesPerMonth
}

// OffsetWords describes an offset for people: "7 days before launch",
// "4 hours before launch", "on launch day".
func OffsetWords(minutes int) string {
	if minutes == 0 {
		return "on launch day"
	}
	side := " after launch"
	if minutes < 0 {
		side, minutes = " before launch", -minutes
	}
	switch {
	case minutes%minutesPerDay == 0:
		return plural(minutes/minutesPerDay, "day") + side
	case minutes%minutesPerHour == 0:
		return plural(minutes/minutesPerHour, "hour") + side
	}
	return plural(minutes, "minute") + side
}
