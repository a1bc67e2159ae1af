package checklist

import (
	"fmt"
	"strings"
)

// ImportReport tells what the importer recognised in a document: counts per
// section and group, the gates, roles and time windows with the lines they
// came from, the defaults it applied, references it could not resolve, and
// every line it skipped that looked like an item.
type ImportReport struct {
	Title      string          `json:"title"`
	Items      int             `json:"items"` // every item, tasks included
	Tasks      int             `json:"tasks"`
	Sections   []ImportSection `json:"sections"`
	Gates      []ImportGate    `json:"gates"`
	Roles      []ImportRole    `json:"roles"`
	Windows    []ImportWindow  `json:"windows"`
	Defaults   []string        `json:"defaults"`
	Unresolved []ImportProblem `json:"unresolved"`
	Skipped    []ImportProblem `json:"skipped"`
}

// ImportSection is a section as imported.
type ImportSection struct {
	Title   string        `json:"title"`
	Number  int           `json:"number,omitempty"`
	Line    int           `json:"line"`
	Kind    SectionKind   `json:"kind"`
	Why     string        `json:"why"`
	Items   int           `json:"items"`
	Signoff bool          `json:"signoff"`
	Groups  []ImportGroup `json:"groups"`
}

// ImportGroup is a group as imported.
type ImportGroup struct {
	Title    string `json:"title"`
	Line     int    `json:"line"`
	Items    int    `json:"items"`
	Tasks    int    `json:"tasks"`
	Window   string `json:"window,omitempty"` // "7 days before launch"
	Priority string `json:"priority,omitempty"`
}

// ImportGate is a gate as imported; Line is 0 for a default.
type ImportGate struct {
	Name       string   `json:"name"`
	Kind       GateKind `json:"kind"`
	Rule       string   `json:"rule"`
	Line       int      `json:"line"`
	Target     string   `json:"target"`
	Unresolved bool     `json:"unresolved,omitempty"`
}

// ImportRole is an approver role as imported.
type ImportRole struct {
	Name    string  `json:"name"`
	Line    int     `json:"line"`
	Verdict Verdict `json:"verdict"`
	By      string  `json:"by,omitempty"`
}

// ImportWindow is a time window as imported.
type ImportWindow struct {
	Name string `json:"name"`
	// OffsetMinutes is the window's offset from the launch, negative before it.
	OffsetMinutes int `json:"offset_minutes"`
	Line          int `json:"line"`
	Tasks         int `json:"tasks"`
}

// ImportProblem is a line the importer skipped or could not resolve, and why.
type ImportProblem struct {
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

// maxListed caps the skipped lines Lines lists one by one.
const maxListed = 50

// report fills the counts of the import report from the parsed checklist.
func (p *parser) report() {
	r := p.rep
	r.Title = p.c.Title
	r.Sections = make([]ImportSection, 0, len(p.c.Sections))
	for i, s := range p.c.Sections {
		m := p.meta[i]
		is := ImportSection{Title: s.Title, Number: s.Number, Line: m.line, Kind: s.Kind, Signoff: s.HasSignoff, Groups: make([]ImportGroup, 0, len(s.Groups))}
		for j, g := range s.Groups {
			ig := ImportGroup{Title: g.Title, Line: m.groupLines[j], Items: len(g.Items), Priority: g.Priority}
			for _, it := range g.Items {
				if it.Task {
					ig.Tasks++
				}
			}
			if g.Window != nil && len(g.Items) > 0 {
				ig.Window = OffsetWords(g.Window.OffsetMinutes)
				r.Windows = append(r.Windows, ImportWindow{Name: g.Title, OffsetMinutes: g.Window.OffsetMinutes, Line: ig.Line, Tasks: ig.Items})
			}
			is.Items += ig.Items
			r.Items += ig.Items
			r.Tasks += ig.Tasks
			is.Groups = append(is.Groups, ig)
		}
		switch {
		case s.Kind == KindDecision:
			is.Why = strings.Join(m.decision, "; ")
		case s.Kind == KindWindow:
			is.Why = "every group with items is a time window"
		case is.Items == 0:
			is.Why = "no items, not counted"
		default:
			is.Why = "counts towards readiness"
		}
		r.Sections = append(r.Sections, is)
	}
	// Empty lists, not nulls, for JSON readers.
	for _, list := range []*[]ImportProblem{&r.Unresolved, &r.Skipped} {
		if *list == nil {
			*list = []ImportProblem{}
		}
	}
	if r.Gates == nil {
		r.Gates = []ImportGate{}
	}
	if r.Roles == nil {
		r.Roles = []ImportRole{}
	}
	if r.Windows == nil {
		r.Windows = []ImportWindow{}
	}
	if r.Defaults == nil {
		r.Defaults = []string{}
	}
}

// Lines summarises the import for people, one fact a line.
func (r *ImportReport) Lines() []string {
	title := r.Title
	if title == "" {
		title = "untitled checklist"
	}
	head := fmt.Sprintf("Imported %q: %s in %s", title, plural(r.Items, "item"), plural(len(r.Sections), "section"))
	if r.Tasks > 0 {
		head += fmt.Sprintf(", %d of them plain-bullet tasks of time windows", r.Tasks)
	}
	out := []string{head + "."}
	for _, s := range r.Sections {
		out = append(out, s.line())
	}
	for _, g := range r.Gates {
		at := "default"
		if g.Line > 0 {
			at = fmt.Sprintf("line %d", g.Line)
		}
		out = append(out, fmt.Sprintf("Gate (%s): %s %s (%s), on %s.", at, g.Name, g.Rule, g.Kind, g.Target))
	}
	out = append(out, r.Defaults...)
	for _, ro := range r.Roles {
		v := string(ro.Verdict)
		if ro.By != "" {
			v += " by " + ro.By
		}
		out = append(out, fmt.Sprintf("Role (line %d): %s, %s.", ro.Line, ro.Name, v))
	}
	for _, w := range r.Windows {
		out = append(out, fmt.Sprintf("Window (line %d): %q, %s, %s.", w.Line, w.Name, OffsetWords(w.OffsetMinutes), plural(w.Tasks, "task")))
	}
	return append(out, r.Problems()...)
}

// Problems lists the references the import could not resolve and the lines
// it skipped, one a line: what to fix in the document.
func (r *ImportReport) Problems() []string {
	var out []string
	for _, u := range r.Unresolved {
		out = append(out, fmt.Sprintf("Unresolved (line %d): %q: %s.", u.Line, u.Text, u.Reason))
	}
	for i, s := range r.Skipped {
		if i == maxListed {
			out = append(out, fmt.Sprintf("… and %d more skipped lines.", len(r.Skipped)-maxListed))
			break
		}
		out = append(out, fmt.Sprintf("Skipped (line %d): %q: %s.", s.Line, s.Text, s.Reason))
	}
	return out
}

// String is the summary of Lines, one per line.
func (r *ImportReport) String() string { return strings.Join(r.Lines(), "\n") }

func (s ImportSection) line() string {
	name := fmt.Sprintf("%q", s.Title)
	if s.Number > 0 {
		name = fmt.Sprintf("%d %s", s.Number, name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Section %s (line %d): %s, %s (%s)", name, s.Line, s.Kind, plural(s.Items, "item"), s.Why)
	sep := ": "
	for _, g := range s.Groups {
		if g.Items == 0 && g.Title == "" {
			continue
		}
		title := g.Title
		if title == "" {
			title = "(untitled)"
		}
		fmt.Fprintf(&b, "%s%s %d", sep, title, g.Items)
		if g.Priority != "" {
			fmt.Fprintf(&b, " [%s]", g.Priority)
		}
		if g.Window != "" {
			fmt.Fprintf(&b, " [%s]", g.Window)
		}
		sep = ", "
	}
	if s.Signoff {
		b.WriteString("; sign-off line")
	}
	b.WriteString(".")
	return b.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
