package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// Launch is the JSON export: the report `golive check --json` prints, with
// the launch around it, every item, and each role's holder. Its sections and
// roles extend the report's own with owners, sign-offs and holders.
type Launch struct {
	checklist.ReportJSON
	Name         string        `json:"name"`
	Date         string        `json:"date"`
	Time         string        `json:"time,omitempty"` // HH:MM on Date in Timezone
	Timezone     string        `json:"timezone"`
	Team         string        `json:"team,omitempty"`
	Channel      string        `json:"channel"`
	Creator      string        `json:"creator"`
	Template     string        `json:"template,omitempty"`
	CreatedAt    string        `json:"created_at,omitempty"`
	Archived     bool          `json:"archived"`
	RemindersOff bool          `json:"reminders_off"`
	ReviewDate   string        `json:"review_date,omitempty"`
	DaysToLaunch int           `json:"days_to_launch"`
	ExportedAt   string        `json:"exported_at"`
	Announced    *Announcement `json:"announced,omitempty"`
	// Sections and Roles replace the report's lists of the same names.
	Sections []Section              `json:"sections"`
	Roles    []Role                 `json:"roles"`
	Items    []Item                 `json:"items"`
	Windows  []checklist.WindowJSON `json:"windows"`
	// Removed are the items taken out of the launch: they count nowhere.
	Removed []Removed `json:"removed_items"`
}

// Removed is an item taken out of the launch, with who, when and why.
type Removed struct {
	Number    int    `json:"number"`
	Section   string `json:"section"`
	Text      string `json:"text"`
	Done      bool   `json:"done"`
	RemovedBy string `json:"removed_by"`
	RemovedAt string `json:"removed_at"`
	Reason    string `json:"reason"`
}

// Note is a piece of evidence or a comment added to an item.
type Note struct {
	By   string `json:"by"`
	At   string `json:"at"`
	Text string `json:"text"`
}

// Section is a section's progress with its owner and sign-off.
type Section struct {
	checklist.SectionJSON
	Number     int      `json:"number,omitempty"`
	Owner      string   `json:"owner,omitempty"`
	HasSignoff bool     `json:"has_signoff"`
	Signoff    *Signoff `json:"signoff,omitempty"`
}

// Signoff is who signed a section off, when, and with how many open items.
type Signoff struct {
	By        string `json:"by"`
	At        string `json:"at,omitempty"`
	OpenItems int    `json:"open_items"`
}

// Role is an approver role with its holder and verdict. Status is the
// verdict as the decision counts it (pending while nobody holds the role);
// Verdict, By, Note and At are what is recorded.
type Role struct {
	checklist.RoleJSON
	Holder  string            `json:"holder"`
	Verdict checklist.Verdict `json:"verdict"`
	At      string            `json:"at,omitempty"`
}

// Item is one item and who ticked it when.
type Item struct {
	Number   int     `json:"number"`
	Section  string  `json:"section"`
	Group    string  `json:"group"`
	Subgroup string  `json:"subgroup,omitempty"`
	Text     string  `json:"text"`
	Done     bool    `json:"done"`
	Owner    string  `json:"owner,omitempty"`
	DoneBy   string  `json:"done_by,omitempty"`
	DoneAt   string  `json:"done_at,omitempty"`
	Priority string  `json:"priority,omitempty"`
	Note     string  `json:"note,omitempty"`
	Details  string  `json:"details,omitempty"`
	Parent   int     `json:"parent,omitempty"`
	Task     bool    `json:"task,omitempty"`
	Notes    []Note  `json:"notes,omitempty"`
	Due      string  `json:"due,omitempty"` // YYYY-MM-DD set with `due`
	NA       *NA     `json:"na,omitempty"`  // not applicable, with who and why
	Waiver   *Waiver `json:"waiver,omitempty"`
	// Evidence is the last result a pipeline reported through the API.
	Evidence *Evidence `json:"evidence,omitempty"`
	// Fresh is how recent its verification must be for its gates ("24h");
	// Stale says it is older than that at the export's instant.
	Fresh string `json:"fresh,omitempty"`
	Stale bool   `json:"stale,omitempty"`
	// Probe is the check golive runs itself for the item, as `probe`
	// takes it ("tls api.example.com:443 min_days=30").
	Probe string `json:"probe,omitempty"`
}

// Evidence is a check's result reported for an item: a pass ticked it, a
// fail unticked it.
type Evidence struct {
	Status     string `json:"status"` // "pass" or "fail"
	Summary    string `json:"summary"`
	URL        string `json:"url,omitempty"`
	At         string `json:"at"` // when the check ran
	By         string `json:"by"` // "token:<name>", or "probe"
	ReceivedAt string `json:"received_at"`
	// Value is what the check measured ("142ms", "45d"), when it said.
	Value string `json:"value,omitempty"`
}

// Waiver lets an open item count as done for its gates until a local date,
// inclusive. Counts tells whether it does at the export's instant: false
// once the date has passed (or the item is done or not applicable).
type Waiver struct {
	By     string `json:"by"`
	Until  string `json:"until"`
	Reason string `json:"reason"`
	At     string `json:"at"`
	Counts bool   `json:"counts"`
}

// NA is an item marked not applicable: it counts nowhere once confirmed.
type NA struct {
	By          string `json:"by"`
	Reason      string `json:"reason"`
	At          string `json:"at"`
	Confirmed   bool   `json:"confirmed"`
	ConfirmedBy string `json:"confirmed_by,omitempty"`
}

// Announcement is the last decision announced in the channel.
type Announcement struct {
	Outcome checklist.Outcome `json:"outcome"`
	At      string            `json:"at"`
	By      string            `json:"by"`
	// Stale is true when the facts have changed since a GO was announced.
	Stale bool `json:"stale"`
}

// Build assembles the export of a launch at the instant now.
func Build(l *launch.Launch, now time.Time) Launch {
	rep := l.Decide(now)
	out := Launch{
		ReportJSON: rep.JSON(),
		Name:       l.Name, Date: l.Date, Time: l.Time, Timezone: l.Timezone, Team: l.TeamID, Channel: l.ChannelID, Creator: l.Creator,
		Template: l.Template, CreatedAt: timestamp(l.CreatedAt), Archived: l.Archived, RemindersOff: l.RemindersOff,
		ReviewDate: l.ReviewDate, DaysToLaunch: l.DaysToLaunch(now), ExportedAt: timestamp(now),
		Sections: []Section{}, Roles: []Role{}, Items: []Item{}, Windows: checklist.WindowsJSON(l.Checklist),
		Removed: []Removed{},
	}
	for _, r := range l.Removed {
		out.Removed = append(out.Removed, Removed{Number: r.Number, Section: r.Section, Text: r.Text, Done: r.Done,
			RemovedBy: r.By, RemovedAt: timestamp(r.At), Reason: r.Reason})
	}
	if a := l.Announced; a != nil {
		out.Announced = &Announcement{Outcome: a.Outcome, At: timestamp(a.At), By: a.By, Stale: l.Stale(now)}
	}
	for i, s := range out.ReportJSON.Sections {
		cs := l.Checklist.Sections[i]
		sec := Section{SectionJSON: s, Number: cs.Number, Owner: cs.Owner, HasSignoff: cs.HasSignoff}
		if so := cs.Signoff; so != nil {
			sec.Signoff = &Signoff{By: so.By, At: timestamp(so.At), OpenItems: so.OpenItems}
		}
		out.Sections = append(out.Sections, sec)
	}
	for i, r := range out.ReportJSON.Roles {
		stored := l.Checklist.Roles[i]
		r.By, r.Note = stored.By, stored.Note
		out.Roles = append(out.Roles, Role{RoleJSON: r, Holder: stored.Holder, Verdict: stored.Verdict, At: timestamp(stored.At)})
	}
	for _, p := range places(l) {
		it := p.item
		out.Items = append(out.Items, Item{
			Number: it.Number, Section: p.section.Title, Group: p.group.Title, Subgroup: it.Subgroup, Text: it.Text, Done: it.Done,
			Owner: it.Owner, DoneBy: it.DoneBy, DoneAt: timestamp(it.DoneAt), Priority: it.Priority, Note: it.Note, Details: it.Details, Parent: it.Parent, Task: it.Task,
			Notes: notesJSON(it.Notes), Due: it.Due, NA: naJSON(it.NA), Waiver: waiverJSON(it, l.Today(now)),
			Evidence: evidenceJSON(it.Evidence), Fresh: freshJSON(it), Stale: it.StaleAt(now),
			Probe: probeJSON(it.Probe),
		})
	}
	return out
}

// JSON writes the launch's full state as indented JSON, at the instant now
// (for the days to launch and the export time).
func JSON(l *launch.Launch, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Build(l, now)); err != nil {
		return nil, fmt.Errorf("export json: %w", err)
	}
	return buf.Bytes(), nil
}

func notesJSON(notes []checklist.Note) []Note {
	var out []Note
	for _, n := range notes {
		out = append(out, Note{By: n.By, At: timestamp(n.At), Text: n.Text})
	}
	return out
}

func naJSON(na *checklist.NA) *NA {
	if na == nil {
		return nil
	}
	return &NA{By: na.By, Reason: na.Reason, At: timestamp(na.At), Confirmed: na.Confirmed, ConfirmedBy: na.ConfirmedBy}
}

func freshJSON(it *checklist.Item) string {
	if it.Fresh == 0 {
		return ""
	}
	return launch.FreshText(it.Fresh)
}

func evidenceJSON(e *checklist.Evidence) *Evidence {
	if e == nil {
		return nil
	}
	return &Evidence{Status: e.Status(), Summary: e.Summary, URL: e.URL, At: timestamp(e.At), By: e.By, ReceivedAt: timestamp(e.Received), Value: e.Value}
}

func waiverJSON(it *checklist.Item, today string) *Waiver {
	w := it.Waiver
	if w == nil {
		return nil
	}
	return &Waiver{By: w.By, Until: w.Until, Reason: w.Reason, At: timestamp(w.At), Counts: it.WaivedOn(today)}
}

func probeJSON(p *checklist.Probe) string {
	if p == nil {
		return ""
	}
	return p.String()
}
