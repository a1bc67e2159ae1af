package checklist

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	gparser "github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// ParseOptions change how a document is read.
type ParseOptions struct {
	// ListItems makes every list item an item, checkbox or not: for release
	// checklists written as numbered or plain-bullet lists.
	ListItems bool
}

// Parse imports a Markdown checklist with the default options.
func Parse(src []byte) (*Checklist, *ImportReport, error) {
	return ParseWith(src, ParseOptions{})
}

// ParseWith imports a Markdown checklist.
//
// The document is read as CommonMark with GitHub's task lists and tables
// (goldmark), and its tree is walked, so that one list item is one item:
// wrapped lines stay part of its text, and what is indented under it (notes,
// sub-bullets without a box, code) is its Details. Headings follow the
// document's own levels (see levels): a leading `#` title, then sections,
// then groups; deeper headings, numbered bold lines (`1. **Auth**`) and plain
// bullets with boxes under them name sub-groups. Table rows with a box cell
// are items. Plain bullets under a time-window heading (see ParseWindow) are
// tasks. Gates, approver roles and sign-off lines are read as described in
// gates.go and roles.go.
//
// ParseWith returns an error only for a document it cannot use: empty,
// binary, larger than MaxSize, or without a single item or task. The report,
// returned whenever the text could be read, tells what was recognised and
// every line that looked like an item but was not used, and why.
func ParseWith(src []byte, opt ParseOptions) (*Checklist, *ImportReport, error) {
	txt, err := decode(src)
	if err != nil {
		return nil, nil, err
	}
	p := newParser(flatten(frontMatter(txt)), opt)
	doc := markdown.Parser().Parse(text.NewReader(p.src))
	p.levels(doc)
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		p.block(n)
	}
	p.finish()
	if p.next == 0 {
		return nil, p.rep, p.noItems()
	}
	return p.c, p.rep, nil
}

// frontMatter blanks the YAML front matter of a document ("---", "name:
// Release Checklist", ..., "---"), as GitHub's issue templates have: it is
// no heading and no text. Its lines stay, empty, so that line numbers hold.
func frontMatter(txt string) string {
	first, _, ok := strings.Cut(txt, "\n")
	if !ok || strings.TrimRight(first, " \t") != "---" {
		return txt
	}
	end := -1
	for i, n := len(first)+1, 0; i < len(txt) && n < 100; n++ {
		j := strings.IndexByte(txt[i:], '\n')
		if j < 0 {
			break
		}
		if l := strings.TrimRight(txt[i:i+j], " \t"); l == "---" || l == "..." {
			end = i + j
			break
		}
		i += j + 1
	}
	if end < 0 {
		return txt
	}
	return strings.Repeat("\n", strings.Count(txt[:end], "\n")) + txt[end:]
}

// maxIndent caps a line's indent, in columns, and maxMarkers the quote and
// list markers that open it ("> - > - ..."): real checklists nest a few
// levels, and CommonMark parsers slow down with the square of the nesting.
const (
	maxIndent  = 64
	maxMarkers = 16
)

// flatten reads lines nested deeper than maxIndent or maxMarkers as if they
// were nested that deep, so that pathological nesting stays cheap.
func flatten(txt string) string {
	deep := false
	for rest := txt; rest != "" && !deep; {
		end := strings.IndexByte(rest, '\n')
		if end < 0 {
			end = len(rest) - 1
		}
		_, deep = shallow(rest[:end+1])
		rest = rest[end+1:]
	}
	if !deep {
		return txt
	}
	var b strings.Builder
	b.Grow(len(txt))
	for len(txt) > 0 {
		ln := txt
		if i := strings.IndexByte(txt, '\n'); i >= 0 {
			ln, txt = txt[:i+1], txt[i+1:]
		} else {
			txt = ""
		}
		ln, _ = shallow(ln)
		b.WriteString(ln)
	}
	return b.String()
}

// shallow caps a line's indent and opening markers; it tells whether it had to.
func shallow(ln string) (string, bool) {
	body := strings.TrimLeft(ln, " \t")
	indent := ln[:len(ln)-len(body)]
	changed := false
	if columns(indent) > maxIndent {
		indent, changed = strings.Repeat(" ", maxIndent), true
	}
	rest, n, keep := body, 0, 0
	for m := openMarker(rest); m > 0; m = openMarker(rest) {
		rest = rest[m:]
		if n++; n == maxMarkers {
			keep = len(body) - len(rest)
		}
	}
	if n > maxMarkers {
		body, changed = body[:keep]+rest, true
	}
	if !changed {
		return ln, false
	}
	return indent + body, true
}

// openMarker returns the length of a quote or list marker at the start of s
// with the blanks after it, 0 when s starts with none.
func openMarker(s string) int {
	m := 0
	switch k := markerLen(s); {
	case s == "":
		return 0
	case s[0] == '>':
		m = 1
	case k > 0 && (k == len(s) || s[k] == ' ' || s[k] == '\t'):
		m = k
	default:
		return 0
	}
	for m < len(s) && (s[m] == ' ' || s[m] == '\t') {
		m++
	}
	return m
}

// columns is the width of an indent, a tab reaching the next multiple of 4.
func columns(indent string) int {
	col := 0
	for i := 0; i < len(indent); i++ {
		if indent[i] == '\t' {
			col += 4 - col%4
		} else {
			col++
		}
	}
	return col
}

// markdown is CommonMark with GitHub's task lists and tables; it is safe
// for concurrent use. Emphasis is left unparsed: item text keeps its stars
// as written, and parsing them costs a fifth of the import.
var markdown = goldmark.New(
	goldmark.WithParser(gparser.NewParser(
		gparser.WithBlockParsers(gparser.DefaultBlockParsers()...),
		gparser.WithInlineParsers(withoutEmphasis(gparser.DefaultInlineParsers())...),
		gparser.WithParagraphTransformers(refDefsOnly(gparser.DefaultParagraphTransformers())...),
	)),
	goldmark.WithExtensions(extension.TaskList, extension.Table),
)

// refDefsOnly runs the paragraph transformers (link reference definitions,
// "[high_img]: https://...") only on paragraphs that start with "[": the
// others cannot hold one, and trying costs a tenth of the import.
func refDefsOnly(ps []util.PrioritizedValue) []util.PrioritizedValue {
	out := make([]util.PrioritizedValue, len(ps))
	for i, p := range ps {
		out[i] = util.Prioritized(bracketed{p.Value.(gparser.ParagraphTransformer)}, p.Priority)
	}
	return out
}

type bracketed struct{ gparser.ParagraphTransformer }

func (b bracketed) Transform(node *ast.Paragraph, reader text.Reader, pc gparser.Context) {
	if lines := node.Lines(); lines.Len() > 0 {
		if seg := lines.At(0); bytes.HasPrefix(bytes.TrimLeft(seg.Value(reader.Source()), " "), []byte("[")) {
			b.ParagraphTransformer.Transform(node, reader, pc)
		}
	}
}

func withoutEmphasis(ps []util.PrioritizedValue) []util.PrioritizedValue {
	out := ps[:0:0]
	for _, p := range ps {
		if ip, ok := p.Value.(gparser.InlineParser); ok && string(ip.Trigger()) == "*_" {
			continue
		}
		out = append(out, p)
	}
	return out
}

// parser is the importer's state while it walks the document's tree.
type parser struct {
	c   *Checklist
	rep *ImportReport
	opt ParseOptions
	src []byte
	doc string // the decoded text
	// starts holds the offset of every line's first byte.
	starts []int

	sec      *Section
	secWin   *WindowSpec // the window the section's heading names, if any
	grp      *Group
	meta     []sectionMeta // parallel to c.Sections
	subgroup string        // set by a deeper heading or a numbered bold line
	next     int           // the last item number given

	// heading levels of the document: see levels.
	title        ast.Node
	sectionLevel int
	groupLevel   int
	dropped      map[ast.Node]bool // headings that are no section: "# License"

	ctx     context
	ctxUsed bool // a list was read in ctx: prose after it ends it
	refs    []gateRef
	sw      [][]string   // words of section titles, by section index
	gw      [][][]string // words of group titles, by section and group index
	roles   map[string]*Role
	slab    []Item // items are allocated in blocks: imports make thousands
	overall *foundGate
	seenBox bool // a checkbox or task was seen, even one consumed as a gate or role
	// roleHead is a group heading under an approvals section that names a
	// role ("### QA Lead"), until its "Name:" line makes it one.
	roleHead *roleHeading
	plain    int // list items without a box that were not used
	// plainLines are the lines of the first unused list items outside
	// others, reported when the document has no items at all.
	plainLines []int
}

func newParser(txt string, opt ParseOptions) *parser {
	p := &parser{c: &Checklist{}, rep: &ImportReport{}, opt: opt, src: []byte(txt), doc: txt}
	p.starts = append(make([]int, 0, strings.Count(txt, "\n")+2), 0)
	for i := strings.IndexByte(txt, '\n'); i >= 0; {
		p.starts = append(p.starts, i+1)
		next := strings.IndexByte(txt[i+1:], '\n')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return p
}

// sectionMeta is what the importer learns about a section besides the model.
type sectionMeta struct {
	line       int
	titled     bool     // its title names a launch decision
	decision   []string // why the section is a decision section
	groupLines []int
	// criteria counts the tasks made of conditions listed under a criteria
	// heading ("Exit Criteria"); a section of nothing else is a decision.
	criteria int
	// inherited holds the groups whose window is their section's: "## T-1
	// Week" over "### Infrastructure".
	inherited map[int]bool
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

func (p *parser) setContext(c context) {
	p.ctx, p.ctxUsed = c, false
}

// lineAt returns the 1-based line holding the byte at offset.
func (p *parser) lineAt(offset int) int {
	lo, hi := 0, len(p.starts)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if p.starts[mid] <= offset {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// raw returns line n as written, without its newline.
func (p *parser) raw(n int) string {
	if n < 1 || n > len(p.starts) {
		return ""
	}
	end := len(p.doc)
	if n < len(p.starts) {
		end = p.starts[n] - 1
	}
	return p.doc[p.starts[n-1]:end]
}

// block reads one block of the document's top level.
func (p *parser) block(n ast.Node) {
	switch n := n.(type) {
	case *ast.Heading:
		p.heading(n)
	case *ast.Paragraph, *ast.TextBlock:
		p.prose(n)
	case *ast.List:
		p.list(n)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		p.code(n)
	case *ast.HTMLBlock:
		p.htmlBlock(n)
	case *ast.ThematicBreak:
		p.setContext(context{})
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			p.block(c)
		}
	default:
		if isTable(n) {
			p.table(n)
		}
	}
}

func (p *parser) heading(h *ast.Heading) {
	p.subgroup, p.roleHead = "", nil
	p.setContext(context{})
	title, number := cleanTitle(p.segmentsText(h.Lines()))
	n := p.headingLine(h)
	switch {
	case h == p.title:
		p.c.Title = title
	case p.dropped[h]:
		p.sec, p.grp = nil, nil
	case h.Level <= p.sectionLevel:
		p.startSection(title, number, n)
	case h.Level <= p.groupLevel:
		p.startGroup(title, n)
	default:
		p.group()
		p.subgroup = title
		p.headingContext(title)
	}
}

// segmentsText joins the lines of a block's source with spaces.
func (p *parser) segmentsText(lines *text.Segments) string {
	if lines.Len() == 1 {
		seg := lines.At(0)
		return string(seg.Value(p.src))
	}
	var b strings.Builder
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if i > 0 {
			b.WriteByte(' ')
		}
		// A setext heading's lines end in their newline and trailing spaces.
		b.Write(bytes.TrimSpace(seg.Value(p.src)))
	}
	return b.String()
}

// headingLine is the line of a heading, also of one without a title.
func (p *parser) headingLine(h *ast.Heading) int {
	if h.Lines().Len() > 0 {
		return p.lineAt(h.Lines().At(0).Start)
	}
	if pos := h.Pos(); pos >= 0 {
		return p.lineAt(pos)
	}
	return 0
}

func (p *parser) startSection(title string, number, n int) {
	p.sec = &Section{Index: len(p.c.Sections), Number: number, Title: title}
	p.grp, p.secWin = nil, nil
	if w, ok := ParseWindow(title); ok && title != "" {
		p.secWin = &w
	}
	p.c.Sections = append(p.c.Sections, p.sec)
	p.meta = append(p.meta, sectionMeta{line: n})
	if decisionTitle(title) {
		p.meta[p.sec.Index].titled = true
		p.decide(fmt.Sprintf("its title %q names a launch decision", title))
	}
	p.headingContext(title)
}

func (p *parser) startGroup(title string, n int) {
	s := p.section()
	p.grp = &Group{Index: len(s.Groups), Title: title, Priority: priorityOf(title)}
	m := &p.meta[s.Index]
	if w, ok := ParseWindow(title); ok {
		p.grp.Window = &w
	} else if p.secWin != nil {
		w := *p.secWin
		p.grp.Window = &w
		if m.inherited == nil {
			m.inherited = map[int]bool{}
		}
		m.inherited[p.grp.Index] = true
	}
	s.Groups = append(s.Groups, p.grp)
	m.groupLines = append(m.groupLines, n)
	p.headingContext(title)
	if approvalsLabel(s.Title) && roleName(title) {
		p.roleHead = &roleHeading{name: title}
	}
}

// section returns the current section, starting an untitled one for items
// that come before any section heading.
func (p *parser) section() *Section {
	if p.sec == nil {
		p.startSection("", 0, 0)
	}
	return p.sec
}

// group returns the current group, starting an untitled one for items that
// come before any group heading of their section. Under a section heading
// that names a time window ("## Post-Go-Live (1 Week)"), that group is the
// window, named as the section.
func (p *parser) group() *Group {
	s := p.section()
	if p.grp == nil {
		p.grp = &Group{Index: len(s.Groups)}
		if p.secWin != nil {
			w := *p.secWin
			p.grp.Title, p.grp.Window = s.Title, &w
		}
		s.Groups = append(s.Groups, p.grp)
		m := &p.meta[s.Index]
		m.groupLines = append(m.groupLines, m.line)
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

// prose reads a paragraph line by line: sign-off lines, gates, labels that
// open a gate or roles context, and lines with boxes inside them.
func (p *parser) prose(n ast.Node) {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		ln := p.lineAt(seg.Start)
		p.text(line{n: ln, raw: p.raw(ln), text: strings.TrimSpace(string(seg.Value(p.src)))})
	}
}

// text reads a line of prose: a sign-off line, a gate, a label that opens a
// gate or roles context, or inline boxes. Other prose ends a context a list
// was read in; prose between a heading or label and its list does not.
func (p *parser) text(l line) {
	plain := unstar(l.text)
	switch {
	case p.inlineRoles(l, plain):
	case p.signoff(plain):
	case p.overallGate(l, plain):
	case p.criteriaLabel(plain):
	case p.ctx.kind == ctxNone && p.criterionLine(l, plain):
	case p.roleHeadingLine(l, plain):
	case rolesLabel(plain):
		p.setContext(context{kind: ctxRoles})
	default:
		if p.ctxUsed {
			p.setContext(context{})
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
	p.skip(l, itemLike(strings.TrimLeft(l.raw, " \t>")))
}

// code reports the lines of a code block that look like items.
func (p *parser) code(n ast.Node) {
	lines := n.Lines()
	if lines.Len() == 0 {
		return
	}
	open := p.lineAt(lines.At(0).Start)
	if _, fenced := n.(*ast.FencedCodeBlock); fenced && open > 1 {
		open--
	}
	p.reportLines(lines, fmt.Sprintf("inside the code block opened at line %d", open))
}

// htmlBlock reports the lines of raw HTML that look like items.
func (p *parser) htmlBlock(n *ast.HTMLBlock) {
	why := "inside an HTML block, which golive does not read"
	p.reportLines(n.Lines(), why)
	if n.HasClosure() {
		closure := text.NewSegments()
		closure.Append(n.ClosureLine)
		p.reportLines(closure, why)
	}
}

func (p *parser) reportLines(lines *text.Segments, why string) {
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		s := strings.TrimSpace(string(seg.Value(p.src)))
		if itemLike(s) != "" {
			ln := p.lineAt(seg.Start)
			p.skip(line{n: ln, raw: p.raw(ln)}, why)
		}
	}
}

func (p *parser) newItem(n int, text string, done, task bool, parent, depth int) *Item {
	g := p.group()
	priority := g.Priority
	if tag := itemPriority(text); tag != "" {
		priority = tag
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
		Priority: priority,
		Parent:   parent,
		Depth:    depth,
		Subgroup: p.subgroup,
		Task:     task,
		Line:     n,
	}
	g.Items = append(g.Items, it)
	return it
}

func (p *parser) skip(l line, why string) {
	raw := l.raw
	if raw == "" {
		raw = p.raw(l.n)
	}
	p.rep.Skipped = append(p.rep.Skipped, ImportProblem{Line: l.n, Text: clip(strings.TrimSpace(raw)), Reason: why})
}

// finish settles what needs the whole document: section kinds, gates, windows.
func (p *parser) finish() {
	p.dropEmptyTail()
	p.dropEmptyHead()
	for i, s := range p.c.Sections {
		s.Kind = p.kind(s, p.meta[i])
	}
	p.gates()
	for _, s := range p.c.Sections {
		for _, g := range s.Groups {
			// A heading that names a time but holds no task (a table of
			// contents, a contact table) has nothing to remind of.
			if g.Window == nil || len(g.Items) == 0 {
				continue
			}
			name := g.Title
			if p.meta[s.Index].inherited[g.Index] {
				name = s.Title + " › " + g.Title
			}
			w := Window{Name: name, OffsetMinutes: g.Window.OffsetMinutes, Section: s.Index, Group: g.Index, Items: []int{}}
			for _, it := range g.Items {
				w.Items = append(w.Items, it.Number)
			}
			p.c.Windows = append(p.c.Windows, w)
		}
	}
	p.report()
}

// dropEmptyTail leaves out the sections after the last one that holds
// anything golive uses: a trailing "## License", "## Contact Information" or
// appendix with no item, rule or approver is not part of the checklist. The
// report names them, so that nothing disappears unsaid.
func (p *parser) dropEmptyTail() {
	n := len(p.c.Sections)
	for n > 0 && p.emptySection(n-1) {
		n--
	}
	if n == len(p.c.Sections) {
		return
	}
	for i, s := range p.c.Sections[n:] {
		if s.Title != "" {
			p.rep.Skipped = append(p.rep.Skipped, ImportProblem{Line: p.meta[n+i].line, Text: clip(s.Title),
				Reason: "a section after the last item, with no item, rule or approver: not part of the checklist"})
		}
	}
	p.c.Sections, p.meta = p.c.Sections[:n], p.meta[:n]
}

// dropEmptyHead leaves out the sections before the first one that holds
// anything golive uses: a subtitle under the document's title ("## Acme
// Payments Platform"), an overview or a table of contents is not part of
// the checklist, and would show as an empty first section. The report
// names them, as dropEmptyTail's.
func (p *parser) dropEmptyHead() {
	n := 0
	for n < len(p.c.Sections) && p.emptySection(n) {
		n++
	}
	if n == 0 {
		return
	}
	for i, s := range p.c.Sections[:n] {
		if s.Title != "" {
			p.rep.Skipped = append(p.rep.Skipped, ImportProblem{Line: p.meta[i].line, Text: clip(s.Title),
				Reason: "a section before the first item, with no item, rule or approver: not part of the checklist"})
		}
	}
	p.c.Sections, p.meta = p.c.Sections[n:], p.meta[n:]
	for i, s := range p.c.Sections {
		s.Index = i
	}
}

// emptySection tells whether section i holds no item and nothing that
// makes it a decision section.
func (p *parser) emptySection(i int) bool {
	if len(p.meta[i].decision) > 0 {
		return false
	}
	for _, g := range p.c.Sections[i].Groups {
		if len(g.Items) > 0 {
			return false
		}
	}
	return true
}

// kind classifies a section. A section without items is a decision section
// when its title names a launch decision or it holds GO criteria, roles or
// the launch decision. A section with ordinary items is one only when its
// title says so and it holds roles, criteria or decision lines too ("Sign-Off"
// with its approvers and a final checklist), or its title names criteria
// ("Go-Live Criteria"): items next to an approvals list, or under a
// "Sign-off" heading that names no approver, keep counting. A window section
// is one whose every group with items is a time window; any other is
// readiness.
func (p *parser) kind(s *Section, m sectionMeta) SectionKind {
	items := 0
	for _, g := range s.Groups {
		items += len(g.Items)
	}
	// Reasons beyond the title: roles, criteria, decision lines.
	held := len(m.decision)
	if m.titled {
		held--
	}
	switch {
	case items == 0 && len(m.decision) > 0,
		m.titled && (held > 0 || containsFold(s.Title, "criteria")),
		items > 0 && items == m.criteria:
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

// NoItemsError is the error for a document without a single item: it wraps
// ErrNoItems and tells how many plain list items the document has, which
// ParseOptions.ListItems would import.
type NoItemsError struct {
	// ListItems counts the list items without a checkbox.
	ListItems int
	why       string
}

func (e *NoItemsError) Error() string { return ErrNoItems.Error() + ": " + e.why }

func (e *NoItemsError) Unwrap() error { return ErrNoItems }

// noItems explains why a document without items cannot be imported.
func (p *parser) noItems() error {
	e := &NoItemsError{ListItems: p.plain}
	for _, n := range p.plainLines {
		p.skip(line{n: n}, "a list item without a checkbox: golive reads \"- [ ] text\" items, or every list item with the list-items option")
	}
	switch {
	case p.plain > 0:
		e.why = fmt.Sprintf("it has no checkboxes (\"- [ ] text\") but %s, which can be imported as items", plural(p.plain, "list item"))
	case len(p.rep.Skipped) > 0:
		first := p.rep.Skipped[0]
		e.why = fmt.Sprintf("%d line(s) look like items but are not, the first at line %d (%s)", len(p.rep.Skipped), first.Line, first.Reason)
	case p.seenBox:
		e.why = "its only checkboxes are gates and approver roles; write each item as \"- [ ] text\""
	default:
		e.why = "write each item as a Markdown checkbox, \"- [ ] text\""
	}
	return e
}

// IsNoItems tells whether err is a NoItemsError and returns it.
func IsNoItems(err error) (*NoItemsError, bool) {
	var e *NoItemsError
	ok := errors.As(err, &e)
	return e, ok
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
