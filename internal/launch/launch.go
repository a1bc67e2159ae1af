// Package launch holds a launch's life: its metadata around a checklist, the
// changes people make to it (ticks, owners, sign-offs, roles, verdicts), who
// may make them, and the events those changes leave in the audit log.
package launch

import (
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// DateLayout is how launch dates are written everywhere: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Launch is one launch run in one Slack channel.
type Launch struct {
	ID        int64
	TeamID    string
	ChannelID string
	Name      string
	// Date is the launch's calendar date, as YYYY-MM-DD, in Timezone.
	Date     string
	Timezone string // IANA name
	Creator  string // Slack user id
	Template string // the built-in template it came from, "" for an import
	// CreatedAt is the instant the launch was created.
	CreatedAt time.Time
	// Archived launches are kept but no longer the channel's active launch.
	Archived bool
	// RemindersOff switches the daily countdown posts off.
	RemindersOff bool
	// ReviewDate is the next review after a NO-GO, YYYY-MM-DD, "" when unset.
	ReviewDate string
	// Announced is the last announced decision, nil when none was announced.
	Announced *Announcement
	Checklist *checklist.Checklist
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

// Event is one change, as the audit log records it.
type Event struct {
	Actor   string // Slack user id, or "golive" for the bot itself
	Action  string // "tick", "untick", "owner", "signoff", ...
	Subject string // "item 42", "section Security", "role Security Lead"
	Before  string
	After   string
}

// ParseDate reads a YYYY-MM-DD launch date.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "%q is not a date: write it as YYYY-MM-DD, for example 2026-12-01", s)
	}
	return d, nil
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
	local := now.In(l.Location())
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	d, err := time.Parse(DateLayout, l.Date)
	if err != nil {
		return 0
	}
	return int(d.Sub(today).Hours() / 24)
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
	if _, err := time.LoadLocation(l.Timezone); err != nil || l.Timezone == "" {
		return Errorf(EINVALID, "%q is not an IANA time zone such as Europe/Paris or America/New_York", l.Timezone)
	}
	if l.Checklist == nil {
		return Errorf(EINVALID, "a launch needs a checklist")
	}
	return CheckChecklist(l.Checklist)
}

func itemSubject(n int) string { return fmt.Sprintf("item %d", n) }
