package checklist

import (
	"fmt"
	"math"
)

// ReportJSON is the JSON shape of a Report, as `golive check --json` prints
// it; percentages are rounded to one decimal, pass or fail is not.
type ReportJSON struct {
	Title     string  `json:"title"`
	Readiness float64 `json:"readiness"` // percent
	Done      int     `json:"done"`
	Total     int     `json:"total"`
	// DueWindows is true when readiness counts the time windows due by
	// launch: they hold more items than the readiness sections.
	DueWindows bool          `json:"due_windows,omitempty"`
	Sections   []SectionJSON `json:"sections"`
	Gates      []GateJSON    `json:"gates"`
	Roles      []RoleJSON    `json:"roles"`
	Decision   Outcome       `json:"decision"`
	Reasons    []string      `json:"reasons"`
	Conditions []string      `json:"conditions"`
}

// SectionJSON is one section's progress; only "readiness" sections count
// towards the readiness figure.
type SectionJSON struct {
	Title   string      `json:"title"`
	Kind    SectionKind `json:"kind"`
	Done    int         `json:"done"`
	Total   int         `json:"total"`
	Percent float64     `json:"percent"`
	Groups  []GroupJSON `json:"groups"`
}

// GroupJSON is one group's progress; Counted tells whether its items count
// towards readiness.
type GroupJSON struct {
	Title   string  `json:"title"`
	Done    int     `json:"done"`
	Total   int     `json:"total"`
	Percent float64 `json:"percent"`
	Counted bool    `json:"counted"`
}

// GateJSON is one gate measured: value and threshold in percent.
type GateJSON struct {
	Name       string   `json:"name"`
	Kind       GateKind `json:"kind"`
	Value      float64  `json:"value"`
	Threshold  float64  `json:"threshold"`
	Strict     bool     `json:"strict"`
	Rule       string   `json:"rule"`
	Passed     bool     `json:"passed"`
	Done       int      `json:"done"`
	Total      int      `json:"total"`
	Target     string   `json:"target"`
	Source     string   `json:"source,omitempty"`
	Unresolved bool     `json:"unresolved,omitempty"`
	// Waived is how many of Done only a waiver makes done.
	Waived int `json:"waived,omitempty"`
}

// RoleJSON is one approver role and its verdict.
type RoleJSON struct {
	Role        string  `json:"role"`
	Status      Verdict `json:"status"`
	Description string  `json:"description,omitempty"`
	By          string  `json:"by,omitempty"`
	Note        string  `json:"note,omitempty"`
}

// JSON returns the report in its JSON shape; lists are empty, never null.
// An empty count's percentage is 0, never 100: its total of 0 tells it apart.
func (r Report) JSON() ReportJSON {
	out := ReportJSON{
		Title:      r.Title,
		Readiness:  round1(r.Readiness.Percent()),
		Done:       r.Readiness.Done,
		Total:      r.Readiness.Total,
		DueWindows: r.DueWindows,
		Sections:   make([]SectionJSON, 0, len(r.Sections)),
		Gates:      make([]GateJSON, 0, len(r.Gates)),
		Roles:      make([]RoleJSON, 0, len(r.Roles)),
		Decision:   r.Decision.Outcome,
		Reasons:    append([]string{}, r.Decision.Reasons...),
		Conditions: append([]string{}, r.Decision.Conditions...),
	}
	for _, s := range r.Sections {
		sj := SectionJSON{Title: s.Title, Kind: s.Kind, Done: s.Count.Done, Total: s.Count.Total, Percent: round1(s.Count.Percent()), Groups: make([]GroupJSON, 0, len(s.Groups))}
		for _, g := range s.Groups {
			sj.Groups = append(sj.Groups, GroupJSON{Title: g.Title, Done: g.Count.Done, Total: g.Count.Total, Percent: round1(g.Count.Percent()), Counted: g.Counted && !g.Count.Empty()})
		}
		out.Sections = append(out.Sections, sj)
	}
	for _, g := range r.Gates {
		out.Gates = append(out.Gates, GateJSON{
			Name: g.Name, Kind: g.Kind, Value: round1(g.Value()), Threshold: g.Threshold, Strict: g.Strict, Rule: g.Rule(),
			Passed: g.Passed, Done: g.Count.Done, Total: g.Count.Total, Target: r.TargetName(g.Gate), Source: g.Source, Unresolved: g.Unresolved,
			Waived: g.Count.Waived,
		})
	}
	for _, role := range r.Roles {
		out.Roles = append(out.Roles, RoleJSON{Role: role.Name, Status: role.Verdict, Description: role.Description, By: role.By, Note: role.Note})
	}
	return out
}

// TargetName names what a gate measures: "every readiness section",
// "Security", "Monitoring & Observability › Health Checks", "every P0 item".
func (r Report) TargetName(g Gate) string {
	t := g.Target
	switch {
	case g.Unresolved:
		return "not found in the checklist"
	case t.Priority != "":
		return fmt.Sprintf("every %s item", t.Priority)
	case (t.Section < 0 || t.Section >= len(r.Sections)) && r.DueWindows && r.sections > 0:
		return "every readiness section and time window due by launch"
	case (t.Section < 0 || t.Section >= len(r.Sections)) && r.DueWindows:
		return "every time window due by launch"
	case t.Section < 0 || t.Section >= len(r.Sections):
		return "every readiness section"
	}
	s := r.Sections[t.Section]
	if t.Group >= 0 && t.Group < len(s.Groups) && s.Groups[t.Group].Title != "" {
		return s.Title + " › " + s.Groups[t.Group].Title
	}
	return s.Title
}

// round1 rounds a percentage to one decimal, as people read it.
func round1(p float64) float64 { return math.Round(p*10) / 10 }

// WindowJSON is one time window as `golive check --json` and the export
// list it: its heading, its offset from the launch in minutes (negative
// before it) and the numbers of its items.
type WindowJSON struct {
	Title         string `json:"title"`
	OffsetMinutes int    `json:"offset_minutes"`
	Items         []int  `json:"items"`
}

// WindowsJSON lists the checklist's time windows in document order; empty,
// never null.
func WindowsJSON(c *Checklist) []WindowJSON {
	out := make([]WindowJSON, 0, len(c.Windows))
	for _, w := range c.Windows {
		out = append(out, WindowJSON{Title: w.Name, OffsetMinutes: w.OffsetMinutes, Items: append([]int{}, w.Items...)})
	}
	return out
}
