// Package checklist is golive's domain heart: the launch checklist model,
// the Markdown importer, readiness scoring, gates and the GO / NO-GO decision.
// It is pure: no SQL, no Slack, no clock reads.
package checklist

import "time"

// Checklist is one launch's checklist: its sections, the rules the document
// states (gates), the approver roles and the time windows.
type Checklist struct {
	Title    string
	Sections []*Section
	Gates    []Gate
	Roles    []*Role
	Windows  []Window
}

// SectionKind tells whether a section counts towards readiness.
type SectionKind string

const (
	// KindReadiness sections count towards the readiness score.
	KindReadiness SectionKind = "readiness"
	// KindWindow sections hold time-bound tasks (1 week before, launch day, ...).
	KindWindow SectionKind = "window"
	// KindDecision sections hold the GO / NO-GO criteria, approvals or sign-off roles.
	KindDecision SectionKind = "decision"
)

// Section is a `##` heading of the checklist.
type Section struct {
	// Index is the section's position in the checklist, from 0.
	Index int
	// Number is the document's own numbering ("2. Security" gives 2), 0 when none.
	Number int
	Title  string
	Kind   SectionKind
	Owner  string // Slack user id, "" when none
	// HasSignoff is true when the section ends with a "Sign-off" line.
	HasSignoff bool
	Signoff    *Signoff
	Groups     []*Group
}

// Signoff records who signed a section off, and how many items were open then.
type Signoff struct {
	By        string
	At        time.Time
	OpenItems int
}

// Group is a `###` heading inside a section. Items before any `###` heading
// sit in a group with an empty title.
type Group struct {
	Index    int // position in its section, from 0
	Title    string
	Owner    string
	Priority string // "P0", "P1", "P2" or ""
	// Window is set when the group's heading names a time window.
	Window *WindowSpec
	Items  []*Item
}

// Item is one checkbox (or one task bullet of a time window).
type Item struct {
	// Number is short, unique in its launch and stable for its life.
	Number   int
	Text     string
	Done     bool
	DoneBy   string // Slack user id, or a name written in the document
	DoneAt   time.Time
	Owner    string
	Note     string
	Priority string
	// Details is what the document indents under the item, one line each:
	// notes ("Owner: DevOps"), sub-bullets without a box, code, the
	// addresses of its links. They are shown with the item, never ticked.
	Details string
	// Parent is the number of the item this one is indented under, 0 for none.
	Parent int
	Depth  int
	// Subgroup is the numbered bold heading inside a group ("Authentication").
	Subgroup string
	// Task is true for a plain bullet under a time-window heading.
	Task bool
	// Line is the 1-based line of the source document, 0 for an item
	// added to the live launch.
	Line int
	// Notes are the evidence and comments people added to the live item,
	// oldest first.
	Notes []Note
	// Due is the date (YYYY-MM-DD, in the launch's time zone) the item is
	// due by, set on the live launch; "" when none was set, and then an
	// item in a time window is due with its window.
	Due string
	// NA marks the item not applicable, nil when it applies. Once
	// confirmed, it counts nowhere: neither readiness nor any gate.
	NA *NA
	// Waiver lets the open item count as done for its gates until a date,
	// nil when none was given.
	Waiver *Waiver
	// Evidence is the last result a pipeline reported for the item through
	// the API, nil when none did.
	Evidence *Evidence
	// Fresh is how recent the item's verification must be for its gates
	// to count it done (`fresh 12 24h`), 0 when any age will do.
	Fresh time.Duration
	// Probe is the check golive runs itself for the item, nil when none:
	// its results are the item's evidence.
	Probe *Probe
}

// VerifiedAt is when the done item was last verified: when its check ran,
// for an item a passing check ticked; else the later of when it was ticked
// (again, by a person) and when a passing check last ran.
func (it *Item) VerifiedAt() time.Time {
	e := it.Evidence
	if e == nil || !e.Pass || !it.Done {
		return it.DoneAt
	}
	if it.DoneBy == e.By || e.At.After(it.DoneAt) {
		return e.At
	}
	return it.DoneAt
}

// StaleAt tells whether the done item's verification is older at now than
// its freshness allows: its gates count it open until it is verified
// again. A zero now counts nothing stale.
func (it *Item) StaleAt(now time.Time) bool {
	return it.Fresh > 0 && it.Done && !it.Excluded() && !now.IsZero() && now.Sub(it.VerifiedAt()) > it.Fresh
}

// Evidence is a check's result reported for an item from outside (a CI
// job through the API): a pass ticked the item, a fail unticked it.
type Evidence struct {
	Pass    bool
	Summary string // what the check measured: "k6: p95 180 ms"
	URL     string // where its run can be seen, "" when none
	// At is when the check ran, as its reporter says.
	At time.Time
	// Value is what the check measured, as its reporter says it ("142ms",
	// "45d"), "" when it did not say.
	Value string
	// By is who reported it: "token:<name>" for an API token, "probe"
	// for a probe golive ran.
	By string
	// Received is when golive recorded it.
	Received time.Time
}

// Status is "pass" or "fail", as the API and the exports write it.
func (e *Evidence) Status() string {
	if e.Pass {
		return "pass"
	}
	return "fail"
}

// Waiver is a role holder's word that an open item may count as done for
// its gates until Until, inclusive, in the launch's time zone: for the
// gates that name it (its section, its group, its priority), never for
// readiness nor the overall readiness gate, which say what is really done.
type Waiver struct {
	By     string // Slack user id of the role holder
	Until  string // YYYY-MM-DD, the last day it counts
	Reason string
	At     time.Time
	// Noticed is true once golive recorded the lapse and told the channel
	// and the owner; the lapse itself follows from the date alone.
	Noticed bool
}

// WaivedOn tells whether the item counts as done for its gates on local
// date today (YYYY-MM-DD) by a waiver: open, applicable, and today no later
// than the waiver's date. An empty today counts no waiver.
func (it *Item) WaivedOn(today string) bool {
	return it.Waiver != nil && !it.Done && !it.Excluded() && today != "" && today <= it.Waiver.Until
}

// Lapsed tells whether the item's waiver had passed by local date today.
func (w *Waiver) Lapsed(today string) bool { return w != nil && today > w.Until }

// NA is who marked an item not applicable, when and why, and whether it
// stands: an item in a 100% gate or a P0 item needs a role holder's
// confirmation, and counts as open until then.
type NA struct {
	By          string // Slack user id
	Reason      string
	At          time.Time
	Confirmed   bool
	ConfirmedBy string // the role holder who accepted, "" when none was needed
}

// Excluded tells whether the item is out of every count: not applicable,
// and confirmed where that is needed.
func (it *Item) Excluded() bool { return it.NA != nil && it.NA.Confirmed }

// Note is one piece of evidence or comment on an item: text, often a link.
type Note struct {
	By   string // Slack user id
	At   time.Time
	Text string
}

// WindowSpec is a time window's offset from the launch, in minutes.
type WindowSpec struct {
	// OffsetMinutes is relative to the launch's date at its time of day,
	// negative before it: -10080 a week before, -240 four hours before, 0
	// on launch day, 1440 a day after.
	OffsetMinutes int
}

// Window is a time window with the numbers of its tasks.
type Window struct {
	Name string // as the checklist says it: "3 Days Before Launch"
	// OffsetMinutes is the window's offset from the launch (see WindowSpec).
	OffsetMinutes int
	Section       int   // section index
	Group         int   // group index in its section
	Items         []int // item numbers
}

// DueByLaunch tells whether the window's tasks are due by launch: windows
// before launch and on launch day; after-launch windows are not.
func (w Window) DueByLaunch() bool { return w.OffsetMinutes <= 0 }

// DaySized tells whether the window is a whole number of days from the
// launch ("3 Days Before Launch", "Launch Day"): such a window is reminded
// at the reminder time of its day, a shorter one ("T-4 Hours") at the
// launch's time plus its offset.
func (w Window) DaySized() bool { return w.OffsetMinutes%minutesPerDay == 0 }

// OffsetDays is a day-sized window's offset in days.
func (w Window) OffsetDays() int { return w.OffsetMinutes / minutesPerDay }

// GateKind classifies a gate by where its rule came from.
type GateKind string

const (
	GateOverall  GateKind = "overall"  // overall readiness minimum
	GateRequired GateKind = "required" // "Required for GO (must be 100%)"
	GateCritical GateKind = "critical" // "Critical for GO (should be > 90%)"
	GatePriority GateKind = "priority" // every P0 item done
)

// Gate is one rule the checklist must pass for GO.
type Gate struct {
	Name      string
	Kind      GateKind
	Threshold float64 // percent
	// Strict is true for "above" (>), false for "at least" (>=).
	Strict bool
	Target Target
	// Source is the document line the gate was read from, "" for a default.
	Source string
	// Unresolved is true when the document's reference names no section or
	// group of the checklist: such a gate always fails, so that it is fixed
	// rather than silently passed.
	Unresolved bool
}

// Target is what a gate measures.
type Target struct {
	// Section is the section index, -1 for all readiness sections.
	Section int
	// Group is the group index within Section, -1 for the whole section.
	Group int
	// Priority, when set, measures every item of that priority instead.
	Priority string
}

// Verdict is a role's answer.
type Verdict string

const (
	VerdictPending     Verdict = "pending"
	VerdictApproved    Verdict = "approved"
	VerdictConditional Verdict = "approved with conditions"
	VerdictRejected    Verdict = "rejected"
)

// Role is a named approver role of the launch.
type Role struct {
	Name        string
	Description string
	Holder      string // Slack user id, "" when nobody holds it
	Verdict     Verdict
	// Note holds the conditions of a conditional approval or the reason of a rejection.
	Note string
	// By is who answered: a Slack user id, or the name filled in the document.
	By string
	At time.Time
	// Version counts the changes of the role's holder and answer. An
	// approval request carries the version it was drawn at, and an answer
	// to an older one is refused: a stale or replayed click cannot undo a
	// newer answer.
	Version int
}

// Item returns the item with the given number, or nil.
func (c *Checklist) Item(number int) *Item {
	for _, s := range c.Sections {
		for _, g := range s.Groups {
			for _, it := range g.Items {
				if it.Number == number {
					return it
				}
			}
		}
	}
	return nil
}

// Locate returns the section and group holding the item with the given number.
func (c *Checklist) Locate(number int) (*Section, *Group, *Item) {
	for _, s := range c.Sections {
		for _, g := range s.Groups {
			for _, it := range g.Items {
				if it.Number == number {
					return s, g, it
				}
			}
		}
	}
	return nil, nil, nil
}

// Items returns every item in document order.
func (c *Checklist) Items() []*Item {
	var out []*Item
	for _, s := range c.Sections {
		for _, g := range s.Groups {
			out = append(out, g.Items...)
		}
	}
	return out
}

// Role returns the role with the given name, compared case-insensitively, or nil.
func (c *Checklist) Role(name string) *Role {
	for _, r := range c.Roles {
		if equalFold(r.Name, name) {
			return r
		}
	}
	return nil
}
