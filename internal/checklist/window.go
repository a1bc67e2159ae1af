package checklist

import (
	"regexp"
	"strconv"
	"strings"
)

// ParseWindow reads a group heading as a time window and returns its offset
// from the launch date in days. It recognises, case-insensitively:
//
//   - "N hours/days/weeks/months before|after launch" (also go-live, release,
//     deploy, cutover), N a number, "a"/"an"/"the", a word up to "twelve", or
//     nothing ("Day Before Launch"): before is -N days, after +N; a week is 7
//     days, a month 30, hours count in whole days (48 hours after is +2,
//     2 hours before is 0);
//   - "Launch Day", "Go-Live Day", "Release Day", "Day of Launch": 0;
//   - "T-7", "T+1", "D-3", "Day -7", "Day +1" (days, or weeks with a "w");
//   - "First P" after launch, such as "First 24 Hours", "First Week", "First
//     Month": each such period is reminded when the one before it ends, so a
//     period of up to a day starts at launch (0), up to a week the day after
//     (+1), up to a month when the first week ends (+7), and a longer one when
//     the first month ends (+30).
//
// The heading must start with the window; words after it are allowed
// ("1 Week Before Launch (code freeze)").
func ParseWindow(title string) (WindowSpec, bool) {
	t := strings.ToLower(strings.TrimSpace(title))
	// Cheap filters first: most headings are not windows.
	if containsAny(t, "before", "after", "prior", "ahead", "following", "post") {
		if m := relativeRe.FindStringSubmatch(t); m != nil {
			days := inDays(amount(m[1], 1), m[2])
			if m[3] == "before" || m[3] == "prior to" || m[3] == "ahead of" {
				days = -days
			}
			return WindowSpec{Offset: days}, true
		}
	}
	if strings.Contains(t, "day") && dayOfRe.MatchString(t) {
		return WindowSpec{Offset: 0}, true
	}
	if (strings.HasPrefix(t, "t") || strings.HasPrefix(t, "d")) && strings.ContainsAny(t, "-+−–") {
		if m := countdownRe.FindStringSubmatch(t); m != nil {
			n, _ := strconv.Atoi(m[2])
			if strings.HasPrefix(m[3], "w") {
				n *= 7
			}
			if m[1] != "+" {
				n = -n
			}
			return WindowSpec{Offset: n}, true
		}
	}
	if strings.HasPrefix(t, "first") {
		if m := firstRe.FindStringSubmatch(t); m != nil {
			return WindowSpec{Offset: firstPeriodStart(inDaysCeil(amount(m[1], 1), m[2]))}, true
		}
	}
	return WindowSpec{}, false
}

var (
	numberWord = `\d{1,4}|a|an|the|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve`
	unitWord   = `(hours?|hrs?|days?|weeks?|wks?|months?)`
	event      = `(?:the\s+)?(?:launch|go[\s-]?live|release|deploy(?:ment)?|cut[\s-]?over|ship)\b`

	relativeRe  = regexp.MustCompile(`^(?:the\s+)?(?:(` + numberWord + `)[\s-]*)?` + unitWord + `\s+(before|prior to|ahead of|after|following|post)\s+` + event)
	dayOfRe     = regexp.MustCompile(`^(?:(?:launch|go[\s-]?live|release|deploy(?:ment)?|cut[\s-]?over|ship)\s+day\b|day\s+of\s+` + event + `|d-day\b)`)
	countdownRe = regexp.MustCompile(`^(?:t|d|day)\s*([-+−–])\s*(\d{1,4})\s*(w|weeks?|d|days?)?\b`)
	firstRe     = regexp.MustCompile(`^first\s+(?:(` + numberWord + `)[\s-]+)?` + unitWord + `\b`)
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

// inDays converts n units to whole days, hours rounded down.
func inDays(n int, unit string) int {
	switch unit[0] {
	case 'h':
		return n / 24
	case 'w':
		return n * 7
	case 'm':
		return n * 30
	}
	return n
}

// inDaysCeil converts n units to days, a part of a day counting as one.
func inDaysCeil(n int, unit string) int {
	if unit[0] == 'h' {
		return (n + 23) / 24
	}
	return inDays(n, unit)
}

// firstPeriodStart is the day a "First N days" period is reminded: when the
// shorter period before it ends.
func firstPeriodStart(days int) int {
	switch {
	case days <= 1:
		return 0
	case days <= 7:
		return 1
	case days <= 31:
		return 7
	}
	return 30
}

// windowName describes an offset for people: "7 days before launch".
func windowName(offset int) string {
	switch {
	case offset == 0:
		return "on launch day"
	case offset == -1:
		return "1 day before launch"
	case offset == 1:
		return "1 day after launch"
	case offset < 0:
		return strconv.Itoa(-offset) + " days before launch"
	}
	return strconv.Itoa(offset) + " days after launch"
}
