package checklist

import (
	"fmt"
	"strings"
)

// Parse imports a Markdown checklist.
//
// The format: a `#` heading is the title, `##` headings are sections, `###`
// headings are groups, `- [ ]` and `- [x]` (also `*`, `+`, `1.` and `[X]`)
// at any indent are items, nested by indent; `1. **Name**` lines and `####`
// headings inside a group name sub-groups; plain bullets under a time-window
// heading (see ParseWindow) are tasks. Code blocks, tables and prose are not
// items. Gates, approver roles and sign-off lines are read as described in
// gates.go and roles.go.
//
// Parse returns an error only for a document it cannot use: empty, binary,
// larger than MaxSize, or without a single item or task. The report, returned
// whenever the text could be read, tells what was recognised and skipped.
func Parse(src []byte) (*Checklist, *ImportReport, error) {
	text, err := decode(src)
	if err != nil {
		return nil, nil, err
	}
	p := &parser{c: &Checklist{}, rep: &ImportReport{}}
	n := 0
	for len(text) > 0 {
		n++
		raw := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			raw, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		p.line(classify(n, raw))
	}
	p.finish()
	if p.next == 0 {
		return nil, p.rep, p.noItems()
	}
	return p.c, p.rep, nil
}

// parser is the importer's state while it reads the document line by line.
type parser struct {
	c   *Checklist
	rep *ImportReport

	sec      *Section
	grp      *Group
	meta     []sectionMeta // parallel to c.Sections
	subgroup string
	stack    []openItem // items that later, deeper-indented items nest under
	next     int        // the last item number given

	fence     string // the open code fence's marker, "" outside code
	fenceLine int

	ctx     context
	refs    []gateRef
	sw      [][]string   // words of section titles, by section index
	gw      [][][]string // words of group titles, by section and group index
	roles   map[string]*Role
	slab    []Item // items are allocated in blocks: imports make thousands
	overall *foundGate
	seenBox bool // a checkbox or task was seen, even one consumed as a gate or role
}

// sectionMeta is what the importer learns about a section besides the model.
type sectionMeta struct {
	line       int
	decision   []string // why the section is a decision section
	groupLines []int
}

// openItem is an item that deeper-indented items nest under.
type openItem struct {
	indent int
	number int
}

// contextKind says how the list lines that follow are read.
type contextKind int

const (
	ctxNone  contextKind = iota
	ctxGate              // list lines are references of a gate criterion
	ctxRoles             // list lines are approver roles
)

// context is a run of list lines introduced by a label or heading such as
// "**Required for GO (must be 100%):**" or "### Required Approvals".
type context struct {
	kind      contextKind
	gateKind  GateKind
	threshold float64
	strict    bool
}

func (p *parser) line(l line) {
	if p.fence != "" {
		if l.kind == lineFence && strings.HasPrefix(l.text, p.fence) {
			p.fence = ""
		} else if itemLike(strings.TrimLeft(l.raw, " \t")) != "" {
			p.skip(l, fmt.Sprintf("inside the code block opened at line %d", p.fenceLine))
		}
		return
	}
	switch l.kind {
	case lineBlank:
		// Blank lines separate a label from its list: contexts stay open.
	case lineRule:
		p.ctx = context{}
	case lineFence:
		p.fence, p.fenceLine = l.text[:3], l.n
	case lineHeading:
		p.heading(l)
	case lineTable:
		if itemLike(strings.TrimLeft(l.text, "| \t")) != "" {
			p.skip(l, "inside a table")
		}
	case lineCheckbox:
		p.checkbox(l)
	case lineBullet:
		p.bullet(l)
	default:
		p.text(l)
	}
}

func (p *parser) heading(l line) {
	p.stack, p.subgroup, p.ctx = p.stack[:0], "", context{}
	title, number := cleanTitle(l.text)
	switch {
	case l.level == 1 && p.c.Title == "" && len(p.c.Sections) == 0:
		p.c.Title = title
	case l.level <= 2:
		p.startSection(title, number, l.n)
	case l.level == 3:
		p.startGroup(title, l.n)
	default:
		p.group()
		p.subgroup = title
		p.headingContext(title)
	}
}

func (p *parser) startSection(title string, number, n int) {
	p.sec = &Section{Index: len(p.c.Sections), Number: number, Title: title}
	p.grp = nil
	p.c.Sections = append(p.c.Sections, p.sec)
	p.meta = append(p.meta, sectionMeta{line: n})
	if decisionTitle(title) {
		p.decide(fmt.Sprintf("its title %q names a launch decision", title))
	}
	p.headingContext(title)
}

func (p *parser) startGroup(title string, n int) {
	s := p.section()
	p.grp = &Group{Index: len(s.Groups), Title: title, Priority: priorityOf(title)}
	if w, ok := ParseWindow(title); ok {
		p.grp.Window = &w
	}
	s.Groups = append(s.Groups, p.grp)
	m := &p.meta[s.Index]
	m.groupLines = append(m.groupLines, n)
	p.headingContext(title)
}

// section returns the current section, starting an untitled one for items
// that come before any `##` heading.
func (p *parser) section() *Section {
	if p.sec == nil {
		p.startSection("", 0, 0)
	}
	return p.sec
}

// group returns the current group, starting an untitled one for items that
// come before any `###` heading of their section.
func (p *parser) group() *Group {
	s := p.section()
	if p.grp == nil {
		p.grp = &Group{Index: len(s.Groups)}
		s.Groups = append(s.Groups, p.grp)
		m := &p.meta[s.Index]
		m.groupLines = append(m.groupLines, 0)
	}
	return p.grp
}

// decide marks the current section as a decision section, for a reason.
func (p *parser) decide(why string) {
	s := p.section()
	m := &p.meta[s.Index]
	for _, w := range m.decision {
		if w == why {
			return
		}
	}
	m.decision = append(m.decision, why)
}

func (p *parser) checkbox(l line) {
	p.seenBox = true
	switch {
	case l.text == "":
		p.skip(l, "a checkbox without text")
		return
	case countBoxes(l.text) > 0:
		p.inlineBoxes(l)
		return
	case p.ctx.kind == ctxGate:
		p.addRef(l)
		return
	case p.ctx.kind == ctxRoles && p.addRole(l):
		return
	}
	p.addItem(l, l.text, l.done, false)
}

func (p *parser) bullet(l line) {
	if name, ok := boldHeading(l); ok {
		p.stack, p.subgroup = p.stack[:0], name
		p.group()
		return
	}
	if why := itemLike(l.text); why != "" {
		p.skip(l, why)
		return
	}
	switch {
	case p.overallGate(l, unstar(l.text)):
	case p.ctx.kind == ctxGate:
		p.seenBox = true
		p.addRef(l)
	case p.ctx.kind == ctxRoles && p.addRole(l):
		p.seenBox = true
	case p.grp != nil && p.grp.Window != nil && l.text != "":
		p.seenBox = true
		p.addItem(l, l.text, false, true)
	}
}

// boldHeading recognises a numbered bold sub-group heading: "1. **Authentication**".
func boldHeading(l line) (string, bool) {
	if l.marker == "" || l.marker[0] < '0' || l.marker[0] > '9' {
		return "", false
	}
	t := strings.TrimSuffix(l.text, ":")
	if len(t) < 5 || !strings.HasPrefix(t, "**") || !strings.HasSuffix(t, "**") || strings.Contains(t[2:len(t)-2], "**") {
		return "", false
	}
	name, _ := cleanTitle(t)
	return name, name != ""
}

// text reads a line of prose: a sign-off line, a gate, a label that opens a
// gate or roles context, or inline boxes. Other prose at the margin ends the
// context; indented prose continues a list item and leaves it open.
func (p *parser) text(l line) {
	p.popTo(l.indent)
	plain := unstar(l.text)
	switch {
	case p.signoff(plain):
	case p.overallGate(l, plain):
	case p.criteriaLabel(plain):
	case rolesLabel(plain):
		p.ctx = context{kind: ctxRoles}
	default:
		if l.indent < 2 {
			p.ctx = context{}
		}
		if itemLike(l.text) != "" {
			p.inlineBoxes(l)
		}
	}
}

// unstar drops the bold and italic stars of a line: "**Approved by:**".
func unstar(s string) string {
	if strings.IndexByte(s, '*') < 0 {
		return s
	}
	return strings.TrimSpace(strings.ReplaceAll(s, "*", ""))
}

// inlineBoxes reports a line with boxes inside it; "[ ] GO [ ] NO-GO" marks
// the section as holding the launch decision.
func (p *parser) inlineBoxes(l line) {
	if goNoGo(l.text) {
		p.decide("it holds the launch decision")
		p.skip(l, "the launch decision is computed by golive from the checklist's rules, not ticked")
		return
	}
	p.skip(l, itemLike(strings.TrimLeft(l.raw, " \t")))
}

func (p *parser) addItem(l line, text string, done, task bool) {
	g := p.group()
	p.popTo(l.indent)
	parent := 0
	if len(p.stack) > 0 {
		parent = p.stack[len(p.stack)-1].number
	}
	p.next++
	if len(p.slab) == 0 {
		p.slab = make([]Item, 64)
	}
	it := &p.slab[0]
	p.slab = p.slab[1:]
	*it = Item{
		Number:   p.next,
		Text:     text,
		Done:     done,
		Priority: g.Priority,
		Parent:   parent,
		Depth:    len(p.stack),
		Subgroup: p.subgroup,
		Task:     task,
		Line:     l.n,
	}
	g.Items = append(g.Items, it)
	p.stack = append(p.stack, openItem{indent: l.indent, number: p.next})
}

// popTo closes the open items a line at this indent is not nested under.
func (p *parser) popTo(indent int) {
	for len(p.stack) > 0 && p.stack[len(p.stack)-1].indent >= indent {
		p.stack = p.stack[:len(p.stack)-1]
	}
}

func (p *parser) skip(l line, why string) {
	p.rep.Skipped = append(p.rep.Skipped, ImportProblem{Line: l.n, Text: clip(strings.TrimSpace(l.raw)), Reason: why})
}

// finish settles what needs the whole document: section kinds, gates, windows.
func (p *parser) finish() {
	for i, s := range p.c.Sections {
		s.Kind = p.kind(s, p.meta[i])
	}
	p.gates()
	for _, s := range p.c.Sections {
		for _, g := range s.Groups {
			if g.Window == nil {
				continue
			}
			w := Window{Name: g.Title, OffsetMinutes: g.Window.OffsetMinutes, Section: s.Index, Group: g.Index, Items: []int{}}
			for _, it := range g.Items {
				w.Items = append(w.Items, it.Number)
			}
			p.c.Windows = append(p.c.Windows, w)
		}
	}
	p.report()
}

// kind classifies a section: a decision section holds GO criteria, roles or
// the launch decision (or says so in its title); a window section is one
// whose every group with items is a time window; any other is readiness.
func (p *parser) kind(s *Section, m sectionMeta) SectionKind {
	if len(m.decision) > 0 {
		return KindDecision
	}
	windows := 0
	for _, g := range s.Groups {
		if len(g.Items) == 0 {
			continue
		}
		if g.Window == nil {
			return KindReadiness
		}
		windows++
	}
	if windows > 0 {
		return KindWindow
	}
	return KindReadiness
}

// noItems explains why a document without items cannot be imported.
func (p *parser) noItems() error {
	if len(p.rep.Skipped) > 0 {
		first := p.rep.Skipped[0]
		return fmt.Errorf("%w: %d line(s) look like items but are not, the first at line %d (%s)", ErrNoItems, len(p.rep.Skipped), first.Line, first.Reason)
	}
	if p.seenBox {
		return fmt.Errorf("%w: its only checkboxes are gates and approver roles; write each item as \"- [ ] text\"", ErrNoItems)
	}
	return fmt.Errorf("%w: write each item as a Markdown checkbox, \"- [ ] text\"", ErrNoItems)
}

// clip shortens a line for a report.
func clip(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
