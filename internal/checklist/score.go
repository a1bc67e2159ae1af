package checklist

import (
	"fmt"
	"strconv"
	"strings"
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
}

// Percent returns done/total as a percentage; an empty count is 100%.
func (c Count) Percent() float64 {
	if c.Total == 0 {
		return 100
	}
	return float64(c.Done) * 100 / float64(c.Total)
}

func (c *Count) add(it *Item) {
	c.Total++
	if it.Done {
		c.Done++
	}
}

// String formats the count as "78/199 = 39.2%".
func (c Count) String() string {
	return fmt.Sprintf("%d/%d = %s", c.Done, c.Total, FormatPercent(c.Percent()))
}

// FormatPercent formats a percentage with one decimal: "39.2%".
func FormatPercent(p float64) string {
	return fmt.Sprintf("%.1f%%", p)
}

// Report is the readiness report of a checklist and the decision it leads to.
type Report struct {
	Title     string
	Readiness Count
	Sections  []SectionScore
	Gates     []GateResult
	Roles     []Role
	Decision  Decision
}

// SectionScore is one section's progress.
type SectionScore struct {
	Index  int
	Title  string
	Kind   SectionKind
	Count  Count
	Groups []GroupScore
}

// GroupScore is one group's progress.
type GroupScore struct {
	Title string
	Count Count
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

// Score measures the checklist: readiness, every gate, and the decision.
func Score(c *Checklist) Report {
	r := Report{Title: c.Title}
	for _, s := range c.Sections {
		ss := SectionScore{Index: s.Index, Title: s.Title, Kind: s.Kind}
		for _, g := range s.Groups {
			gs := GroupScore{Title: g.Title}
			for _, it := range g.Items {
				gs.Count.add(it)
			}
			ss.Count.Done += gs.Count.Done
			ss.Count.Total += gs.Count.Total
			ss.Groups = append(ss.Groups, gs)
		}
		if s.Kind == KindReadiness {
			r.Readiness.Done += ss.Count.Done
			r.Readiness.Total += ss.Count.Total
		}
		r.Sections = append(r.Sections, ss)
	}
	for _, g := range c.Gates {
		r.Gates = append(r.Gates, measure(c, r, g))
	}
	for _, role := range c.Roles {
		r.Roles = append(r.Roles, *role)
	}
	r.Decision = decide(r)
	return r
}

func measure(c *Checklist, r Report, g Gate) GateResult {
	res := GateResult{Gate: g}
	if g.Unresolved {
		return res
	}
	switch {
	case g.Target.Priority != "":
		for _, it := range c.Items() {
			if it.Priority == g.Target.Priority {
				res.Count.add(it)
			}
		}
	case g.Target.Section < 0:
		res.Count = r.Readiness
	case g.Target.Section < len(r.Sections):
		ss := r.Sections[g.Target.Section]
		res.Count = ss.Count
		if g.Target.Group >= 0 && g.Target.Group < len(ss.Groups) {
			res.Count = ss.Groups[g.Target.Group].Count
		}
	}
	// Compare in integers where possible so that 100% means every item.
	done, total := float64(res.Count.Done)*100, float64(res.Count.Total)*g.Threshold
	if res.Count.Total == 0 {
		done, total = 100, g.Threshold
	}
	if g.Strict {
		res.Passed = done > total
	} else {
		res.Passed = done >= total
	}
	return res
}

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
	switch {
	case len(failing) > 0 || len(rejected) > 0:
		d.Outcome = OutcomeNoGo
		d.Reasons = append(failing, rejected...)
		d.Reasons = append(d.Reasons, pending...)
	case len(pending) > 0:
		d.Outcome = OutcomePending
		d.Reasons = pending
	case len(d.Conditions) > 0:
		d.Outcome = OutcomeConditional
		d.Reasons = append(passing, "every role approved, "+fmt.Sprint(len(d.Conditions))+" with conditions")
	default:
		d.Outcome = OutcomeGo
		d.Reasons = append(passing, "every role approved")
	}
	return d
}

func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
