package checklist

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Outcome is the launch decision.
type Outcome string

const (
	OutcomeGo          Outcome = "GO"
	OutcomeConditional Outcome = "CONDITIONAL GO"
	OutcomeNoGo        Outcome = "NO-GO"
	OutcomePending     Outcome = "PENDING"
)

// Count is done out of total.
type Count struct {
	Done  int
	Total int
	// Waived is the part of Done that only a waiver makes done: gates
	// count it, readiness never does.
	Waived int `json:",omitempty"`
	// Stale counts the done items a gate counts open, their verification
	// older than their freshness allows (Item.StaleAt).
	Stale int `json:",omitempty"`
}

// NoItems is how an empty count reads: nothing was counted, so nothing is
// shown as ready, least of all 100%.
const NoItems = "no items counted"

// Percent returns done/total as a percentage. An empty count is 0%: a
// measure over nothing never reads as ready (Empty tells it apart).
func (c Count) Percent() float64 {
	if c.Total == 0 {
		return 0
	}
	return float64(c.Done) * 100 / float64(c.Total)
}

// Empty tells whether nothing was counted.
func (c Count) Empty() bool { return c.Total == 0 }

// PercentText formats the percentage for people: "39.2%", or "—" for an
// empty count, which has none.
func (c Count) PercentText() string {
	if c.Empty() {
		return "—"
	}
	return FormatPercent(c.Percent())
}

func (c *Count) add(it *Item) {
	if it.Excluded() {
		return // not applicable: out of the denominator
	}
	c.Total++
	if it.Done {
		c.Done++
	}
}

// addGated counts it for a gate on local date today, at instant now: an
// item waived that day counts as done, a done item whose verification is
// stale at now as open.
func (c *Count) addGated(it *Item, today string, now time.Time) {
	c.add(it)
	if it.WaivedOn(today) {
		c.Done++
		c.Waived++
	}
	if it.StaleAt(now) {
		c.Done--
		c.Stale++
	}
}

// String formats the count as "78/199 = 39.2%", "10/10 = 100.0% (1
// waived)", or "no items counted".
func (c Count) String() string {
	if c.Empty() {
		return NoItems
	}
	s := fmt.Sprintf("%d/%d = %s", c.Done, c.Total, FormatPercent(c.Percent()))
	if c.Waived > 0 {
		s += fmt.Sprintf(" (%d waived)", c.Waived)
	}
	if c.Stale > 0 {
		s += fmt.Sprintf(" (%d stale)", c.Stale)
	}
	return s
}

// FormatPercent formats a percentage with one decimal: "39.2%".
func FormatPercent(p float64) string {
	return fmt.Sprintf("%.1f%%", p)
}

// Report is the readiness report of a checklist and the decision it leads to.
type Report struct {
	Title     string
	Readiness Count
	// DueWindows is true when readiness counts the items of the time windows
	// due by launch, which hold at least as many items as the readiness
	// sections.
	DueWindows bool
	// sections is what the readiness sections alone hold, when DueWindows.
	sections int
	Sections []SectionScore
	Gates    []GateResult
	Roles    []Role
	// Waivers are the open items a waiver makes count as done for their
	// gates on the day scored, in checklist order.
	Waivers []WaivedItem
	// Stale are the done items whose verification is older at the instant
	// scored than their freshness allows: their gates count them open.
	Stale    []StaleItem
	Decision Decision
}

// StaleItem is a done item its gates count open until verified again.
type StaleItem struct {
	Number     int
	Text       string
	VerifiedAt time.Time
	Fresh      time.Duration
}

// WaivedItem is an open item counted as done for its gates by its waiver.
type WaivedItem struct {
	Number int
	Text   string
	Waiver Waiver
}

// OutcomeText is the outcome as the channel reads it: "GO", or "GO with 2
// waivers" when waivers let gates pass; a NO-GO or PENDING lists its
// waivers elsewhere, never in its name.
func (r Report) OutcomeText() string {
	o := r.Decision.Outcome
	if n := len(r.Waivers); n > 0 && (o == OutcomeGo || o == OutcomeConditional) {
		if n == 1 {
			return string(o) + " with 1 waiver"
		}
		return fmt.Sprintf("%s with %d waivers", o, n)
	}
	return string(o)
}

// SectionScore is one section's progress.
type SectionScore struct {
	Index int
	Title string
	Kind  SectionKind
	Count Count
	// Counted is the part of Count that counts towards readiness: all of it
	// for a readiness section, the windows due by launch when the report
	// counts those, nothing otherwise.
	Counted Count
	Groups  []GroupScore
}

// GroupScore is one group's progress.
type GroupScore struct {
	Title string
	Count Count
	// Counted is true when the group's items count towards readiness.
	Counted bool
}

// GateResult is a gate measured against the checklist.
type GateResult struct {
	Gate
	Count  Count
	Passed bool
}

// Value returns the gate's measured percentage.
func (g GateResult) Value() float64 { return g.Count.Percent() }

// Rule describes the threshold: "≥ 100%" or "> 90%".
func (g Gate) Rule() string {
	op := "≥"
	if g.Strict {
		op = ">"
	}
	return fmt.Sprintf("%s %s%%", op, strconv.FormatFloat(g.Threshold, 'f', -1, 64))
}

// Decision is the outcome with every reason behind it.
type Decision struct {
	Outcome Outcome
	// Reasons explain the outcome, one line per failing gate, rejection or
	// outstanding approval; for GO they list what passed.
	Reasons []string
	// Conditions are the conditions of conditional approvals, "Role: text".
	Conditions []string
}

// Score measures the checklist as a document: no waiver counts (ScoreOn).
func Score(c *Checklist) Report { return ScoreOn(c, "") }

// ScoreOn is ScoreAt with no instant: no verification is stale.
func ScoreOn(c *Checklist, today string) Report { return ScoreAt(c, today, time.Time{}) }

// ScoreOn measures the checklist on local date today (YYYY-MM-DD):
// readiness, every gate, and the decision. A waiver valid that day makes
// its open item count as done for the gates of its section, group and
// priority (Item.WaivedOn); readiness, and so the overall readiness gate,
// only ever count what is done: a waiver never makes the launch look more
// ready than it is. A waiver whose date has passed counts nowhere, whether
// or not its lapse was noticed yet.
//
// Readiness counts the readiness sections. When the time windows due by
// launch (before it and on launch day) hold at least as many items as those
// sections,
// as in a checklist made of time windows, or of windows and a short
// rollback procedure, readiness counts those windows too: the bulk of the
// work is never left out. After-launch windows never count. A checklist
// whose items all sit in decision sections counts nothing, and then the
// overall readiness gate fails: nothing counted is never ready.
//
// At instant now, a done item whose verification is older than its
// freshness (Item.StaleAt) counts as open for the same gates a waiver
// would count it done for; readiness still counts it done.
func ScoreAt(c *Checklist, today string, now time.Time) Report {
	r := Report{Title: c.Title}
	for _, s := range c.Sections {
		ss := SectionScore{Index: s.Index, Title: s.Title, Kind: s.Kind}
		for _, g := range s.Groups {
			gs := GroupScore{Title: g.Title, Counted: s.Kind == KindReadiness}
			for _, it := range g.Items {
				gs.Count.add(it)
			}
			ss.Count.Done += gs.Count.Done
			ss.Count.Total += gs.Count.Total
			ss.Groups = append(ss.Groups, gs)
		}
		if s.Kind == KindReadiness {
			ss.Counted = ss.Count
			r.Readiness.Done += ss.Count.Done
			r.Readiness.Total += ss.Count.Total
		}
		r.Sections = append(r.Sections, ss)
	}
	if due := r.dueByLaunch(c.Windows); due.Total > 0 && r.Readiness.Total <= due.Total {
		r.sections = r.Readiness.Total
		r.countDueWindows(c.Windows)
	}
	for _, g := range c.Gates {
		r.Gates = append(r.Gates, measure(c, r, g, today, now))
	}
	for _, it := range c.Items() {
		if it.WaivedOn(today) {
			r.Waivers = append(r.Waivers, WaivedItem{Number: it.Number, Text: it.Text, Waiver: *it.Waiver})
		}
		if it.StaleAt(now) {
			r.Stale = append(r.Stale, StaleItem{Number: it.Number, Text: it.Text, VerifiedAt: it.VerifiedAt(), Fresh: it.Fresh})
		}
	}
	for _, role := range c.Roles {
		r.Roles = append(r.Roles, *role)
	}
	r.Decision = decide(r)
	return r
}

// dueByLaunch counts the items of the time windows due by launch that no
// readiness section counts already.
func (r *Report) dueByLaunch(windows []Window) Count {
	var due Count
	for _, w := range windows {
		if gs := r.dueGroup(w); gs != nil {
			due.Done += gs.Count.Done
			due.Total += gs.Count.Total
		}
	}
	return due
}

// dueGroup is the score of window w's group when the window is due by launch
// and its items are not counted yet, else nil.
func (r *Report) dueGroup(w Window) *GroupScore {
	if !w.DueByLaunch() || w.Section < 0 || w.Section >= len(r.Sections) {
		return nil
	}
	ss := &r.Sections[w.Section]
	if ss.Kind != KindWindow || w.Group < 0 || w.Group >= len(ss.Groups) || ss.Groups[w.Group].Counted {
		return nil
	}
	return &ss.Groups[w.Group]
}

// countDueWindows adds the items of the time windows due by launch to
// readiness.
func (r *Report) countDueWindows(windows []Window) {
	for _, w := range windows {
		gs := r.dueGroup(w)
		if gs == nil {
			continue
		}
		ss := &r.Sections[w.Section]
		gs.Counted = true
		ss.Counted.Done += gs.Count.Done
		ss.Counted.Total += gs.Count.Total
		r.Readiness.Done += gs.Count.Done
		r.Readiness.Total += gs.Count.Total
	}
	r.DueWindows = !r.Readiness.Empty()
}

// measure measures gate g on local date today: the gates naming items by
// section, group or priority count the items waived that day as done; the
// overall readiness gate is readiness itself, where no waiver counts.
func measure(c *Checklist, r Report, g Gate, today string, now time.Time) GateResult {
	res := GateResult{Gate: g}
	if g.Unresolved {
		return res
	}
	switch {
	case g.Target.Priority != "":
		for _, it := range c.Items() {
			if it.Priority == g.Target.Priority {
				res.Count.addGated(it, today, now)
			}
		}
	case g.Target.Section < 0:
		res.Count = r.Readiness
	case g.Target.Section < len(c.Sections):
		s := c.Sections[g.Target.Section]
		for gi, grp := range s.Groups {
			if g.Target.Group >= 0 && g.Target.Group < len(s.Groups) && gi != g.Target.Group {
				continue
			}
			for _, it := range grp.Items {
				res.Count.addGated(it, today, now)
			}
		}
	}
	// A gate over nothing measures nothing: it fails, never passes vacuously.
	if res.Count.Empty() {
		return res
	}
	// Compare in integers where possible so that 100% means every item.
	done, total := float64(res.Count.Done)*100, float64(res.Count.Total)*g.Threshold
	if g.Strict {
		res.Passed = done > total
	} else {
		res.Passed = done >= total
	}
	return res
}

// Reasons the decision gives in words people read in the report and in Slack.
const (
	// ReasonNothingCounted explains a readiness of no items.
	ReasonNothingCounted = "every item is in a decision or time-window section: nothing counts towards readiness"
	// ReasonNoItems explains a readiness of no items in a checklist without any.
	ReasonNoItems = "the checklist has no items: nothing counts towards readiness"
	// ReasonAfterLaunch adds why the time windows of a checklist count nothing.
	ReasonAfterLaunch = "time windows after launch never count"
	// ReasonDueWindows says what readiness counts in a checklist of time windows.
	ReasonDueWindows = "the checklist has no readiness section: readiness counts the items due by launch, in the time windows before launch and on launch day"
	// ReasonMostlyWindows says what readiness counts when time windows hold
	// most of a checklist's items.
	ReasonMostlyWindows = "most items sit in time windows: readiness counts the readiness sections and the items due by launch, in the time windows before launch and on launch day"
	// ReasonNoApprovers says that nobody approves: the gates alone decide.
	ReasonNoApprovers = "no approvers named: nobody approved"
	// ReasonAllApproved says that every role approved; only given when roles exist.
	ReasonAllApproved = "every role approved"
)

// decide turns gates and verdicts into the outcome. NO-GO when a gate fails,
// a role rejected or nothing counts towards readiness; PENDING when an
// approval is outstanding; CONDITIONAL GO when an approval has conditions;
// GO otherwise, also with no roles at all, which the reasons say.
func decide(r Report) Decision {
	var d Decision
	var failing, rejected, pending, passing []string
	for _, g := range r.Gates {
		line := fmt.Sprintf("%s: %s, needs %s", g.Name, g.Count, g.Rule())
		if g.Unresolved {
			line = fmt.Sprintf("%s: not found in the checklist, needs %s", g.Name, g.Rule())
		}
		if g.Passed {
			passing = append(passing, line+": passing")
		} else {
			failing = append(failing, line+": failing")
		}
	}
	// Nothing counted is never GO, even for a checklist without an overall gate.
	if why := r.NothingCounted(); why != "" {
		failing = append(failing, why)
	}
	for _, role := range r.Roles {
		switch role.Verdict {
		case VerdictRejected:
			line := role.Name + " rejected"
			if role.Note != "" {
				line += ": " + role.Note
			}
			rejected = append(rejected, line)
		case VerdictConditional:
			d.Conditions = append(d.Conditions, role.Name+": "+role.Note)
		case VerdictApproved:
		default:
			pending = append(pending, role.Name+" has not approved yet")
		}
	}
	approved := ReasonAllApproved
	if len(r.Roles) == 0 {
		approved = ReasonNoApprovers
	}
	switch {
	case len(failing) > 0 || len(rejected) > 0:
		d.Outcome = OutcomeNoGo
		d.Reasons = append(failing, rejected...)
		d.Reasons = append(d.Reasons, pending...)
		if len(r.Roles) == 0 {
			d.Reasons = append(d.Reasons, approved)
		}
	case len(pending) > 0:
		d.Outcome = OutcomePending
		d.Reasons = pending
	case len(d.Conditions) > 0:
		d.Outcome = OutcomeConditional
		d.Reasons = append(passing, approved+", "+fmt.Sprint(len(d.Conditions))+" with conditions")
	default:
		d.Outcome = OutcomeGo
		d.Reasons = append(passing, approved)
	}
	return d
}

// NothingCounted says why readiness counts no item, "" when it counts some.
func (r Report) NothingCounted() string {
	if !r.Readiness.Empty() {
		return ""
	}
	items, windows := 0, false
	for _, s := range r.Sections {
		items += s.Count.Total
		windows = windows || s.Kind == KindWindow && !s.Count.Empty()
	}
	switch {
	case items == 0:
		return ReasonNoItems
	case windows:
		return ReasonNothingCounted + "; " + ReasonAfterLaunch
	}
	return ReasonNothingCounted
}

func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// WindowsNote says what readiness counts when it counts time windows, ""
// when it counts the readiness sections alone.
func (r Report) WindowsNote() string {
	switch {
	case !r.DueWindows:
		return ""
	case r.sections == 0:
		return ReasonDueWindows
	}
	return ReasonMostlyWindows
}
