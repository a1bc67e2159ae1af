// Package launch holds a launch's life: its metadata around a checklist, the
// changes people make to it (ticks, owners, sign-offs, roles, verdicts), who
// may make them, and the events those changes leave in the audit log.
package launch

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// DateLayout is how launch dates are written everywhere: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// TimeLayout is how a launch's time of day is written: HH:MM, 24-hour clock.
const TimeLayout = "15:04"

// The dates a launch may be set to, around today: a launch a little in the
// past can still be run (its passed reminders are skipped), but a date
// years away is a typing mistake, and far ones overflow day arithmetic.
const (
	maxYearsBack  = 1
	maxYearsAhead = 5
)

// Launch is one launch run in one Slack channel.
type Launch struct {
	ID        int64
	TeamID    string
	ChannelID string
	Name      string
	// Date is the launch's calendar date, as YYYY-MM-DD, in Timezone.
	Date string
	// Time is the launch's time of day on Date, HH:MM in Timezone. It is ""
	// for a launch stored before launches had one: it launches at the
	// reminder time.
	Time     string
	Timezone string // IANA name
	Creator  string // Slack user id
	Template string // the built-in template it came from, "" for an import
	// CreatedAt is the instant the launch was created.
	CreatedAt time.Time
	// DatedAt is the instant the launch was last dated: created, or its
	// date or time moved. Its windows due before then are skipped, never
	// posted, and their tasks are not overdue: a launch dated in the past
	// posts no backlog.
	DatedAt time.Time
	// Archived launches are kept but no longer the channel's active launch.
	Archived bool
	// RemindersOff switches the daily countdown posts off.
	RemindersOff bool
	// ReviewDate is the next review after a NO-GO, YYYY-MM-DD, "" when unset.
	ReviewDate string
	// ApprovalsAsked is when approvals were last asked for (`approvals`),
	// zero when never: from then on, a role's new holder is asked at once.
	ApprovalsAsked time.Time
	// Announced is the last announced decision, nil when none was announced.
	Announced *Announcement
	Checklist *checklist.Checklist
	// Removed are the items taken out of the live checklist, in the order
	// they were removed: they count nowhere, but stay in the export.
	Removed []RemovedItem
	// LastItem is the highest item number the launch ever gave: an added
	// item gets a higher one, so a removed item's number is never reused.
	// 0 for a launch that never added nor removed an item.
	LastItem int

	// told are the posts the change being made enqueued (see Tell).
	told []Post
	// notices are what the change being made tells the channel (Notices).
	notices []Notice
}

// RemovedItem is an item taken out of a live launch, with who, when and why.
type RemovedItem struct {
	Number  int
	Section string // the title of the section it was in
	Text    string
	Done    bool
	By      string // Slack user id
	At      time.Time
	Reason  string
}

// Announcement is a decision posted in the channel, frozen with its inputs.
type Announcement struct {
	Outcome checklist.Outcome
	At      time.Time
	By      string
	// Fingerprint summarises the facts the decision was taken on; when the
	// launch's fingerprint differs, the announced decision is stale.
	Fingerprint string
}

// ParseDate reads a YYYY-MM-DD date, whatever its year.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "%q is not a date: write it as YYYY-MM-DD, for example 2026-12-01", s)
	}
	return d, nil
}

// ReadDate reads a launch date written YYYY-MM-DD and checks that it lies
// from a year before to five years after today in loc (today being now's
// date there). Every way of setting a launch date goes through it.
func ReadDate(s string, now time.Time, loc *time.Location) (string, error) {
	d, err := ParseDate(s)
	if err != nil {
		return "", err
	}
	today := dateOf(now.In(loc))
	first, last := today.AddDate(-maxYearsBack, 0, 0), today.AddDate(maxYearsAhead, 0, 0)
	if d.Before(first) || d.After(last) {
		return "", Errorf(EINVALID, "%s is too far from today (%s): golive takes dates from %s to %s.",
			d.Format(DateLayout), today.Format(DateLayout), first.Format(DateLayout), last.Format(DateLayout))
	}
	return d.Format(DateLayout), nil
}

// ParseTime reads a time of day written HH:MM on a 24-hour clock ("14:00",
// "9:30"): the launch's time and the reminder time.
func ParseTime(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) > 2 || len(m) != 2 || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, Errorf(EINVALID, "%q is not a time of day: write it as HH:MM on a 24-hour clock, for example 14:00", s)
	}
	return hour, minute, nil
}

// dateOf is t's calendar date, at midnight UTC, for date arithmetic.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// daysBetween counts calendar days from a to b, both dates at midnight UTC,
// by their Unix days: no duration arithmetic, which overflows past 292 years.
func daysBetween(a, b time.Time) int {
	return int(b.Unix()/86400 - a.Unix()/86400)
}

// When is the launch's date and, when set, its time: "2026-12-08 14:00".
func (l *Launch) When() string {
	if l.Time == "" {
		return l.Date
	}
	return l.Date + " " + l.Time
}

// Location returns the launch's time zone, UTC when it cannot be loaded.
func (l *Launch) Location() *time.Location {
	loc, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Day returns the launch date at midnight in the launch's time zone.
func (l *Launch) Day() time.Time {
	d, err := time.Parse(DateLayout, l.Date)
	if err != nil {
		return time.Time{}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, l.Location())
}

// DaysToLaunch counts calendar days from now's local date to the launch
// date: 0 on launch day, negative after it.
func (l *Launch) DaysToLaunch(now time.Time) int {
	d, err := time.Parse(DateLayout, l.Date)
	if err != nil {
		return 0
	}
	return daysBetween(dateOf(now.In(l.Location())), d)
}

// Countdown says where now stands against the launch date, as golive says it
// everywhere: "Launch in 3 days", "Launch day", "Launched 2 days ago".
func (l *Launch) Countdown(now time.Time) string {
	switch days := l.DaysToLaunch(now); {
	case days > 1:
		return fmt.Sprintf("Launch in %d days", days)
	case days == 1:
		return "Launch in 1 day"
	case days == 0:
		return "Launch day"
	case days == -1:
		return "Launched yesterday"
	default:
		return fmt.Sprintf("Launched %d days ago", -days)
	}
}

// Validate checks a launch before it is stored.
func (l *Launch) Validate() error {
	if strings.TrimSpace(l.Name) == "" {
		return Errorf(EINVALID, "a launch needs a name")
	}
	if err := CheckLength("launch name", l.Name, MaxName); err != nil {
		return err
	}
	if _, err := ParseDate(l.Date); err != nil {
		return err
	}
	if l.Time != "" {
		if _, _, err := ParseTime(l.Time); err != nil {
			return err
		}
	}
	if _, err := time.LoadLocation(l.Timezone); err != nil || l.Timezone == "" {
		return Errorf(EINVALID, "%q is not an IANA time zone such as Europe/Paris or America/New_York", l.Timezone)
	}
	if l.Checklist == nil {
		return Errorf(EINVALID, "a launch needs a checklist")
	}
	return CheckChecklist(l.Checklist)
}
