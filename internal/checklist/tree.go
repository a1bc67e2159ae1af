package checklist

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// levels reads the document's heading levels before the walk, so that a
// checklist written with only `#`, only `##` or only `###` headings reads
// the same. The first heading is the title when it is a `#` heading before
// any item that holds either every item of the document or none of them.
// The shallowest level of the other headings with items under them makes
// sections, the next deeper level used makes groups, deeper ones sub-groups.
// A heading above the section level with no list under it ("# License",
// "# Contributing") is no section.
func (p *parser) levels(doc ast.Node) {
	type head struct {
		h            *ast.Heading
		boxes, lists int // directly under it, before the next heading
	}
	var hs []head
	before := 0 // items before the first heading
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			hs = append(hs, head{h: h})
			continue
		}
		boxes, lists := p.countItems(n)
		if len(hs) == 0 {
			before += boxes
			continue
		}
		hs[len(hs)-1].boxes += boxes
		hs[len(hs)-1].lists += lists
	}
	p.sectionLevel, p.groupLevel = 2, 3
	if len(hs) == 0 {
		return
	}
	// A heading's scope runs to the next heading at its level or above.
	boxes := make([]int, len(hs))
	lists := make([]int, len(hs))
	for i := range hs {
		for j := i; j < len(hs) && (j == i || hs[j].h.Level > hs[i].h.Level); j++ {
			boxes[i] += hs[j].boxes
			lists[i] += hs[j].lists
		}
	}
	first := 0
	if hs[0].h.Level == 1 && before == 0 {
		others := false
		for i := 1; i < len(hs); i++ {
			others = others || hs[i].h.Level == 1 && boxes[i] > 0
		}
		if boxes[0] == 0 || !others {
			p.title, first = hs[0].h, 1
		}
	}
	section, shallowest := 7, 7
	for _, h := range hs[first:] {
		shallowest = min(shallowest, h.h.Level)
	}
	for i := first; i < len(hs); i++ {
		if boxes[i] > 0 {
			section = min(section, hs[i].h.Level)
		}
	}
	if section == 7 {
		section = shallowest
	}
	if section == 7 {
		return
	}
	group := 7
	for _, h := range hs[first:] {
		if h.h.Level > section {
			group = min(group, h.h.Level)
		}
	}
	if group == 7 {
		group = section + 1
	}
	p.sectionLevel, p.groupLevel = section, group
	for i := first; i < len(hs); i++ {
		if hs[i].h.Level < section && lists[i] == 0 {
			if p.dropped == nil {
				p.dropped = map[ast.Node]bool{}
			}
			p.dropped[hs[i].h] = true
		}
	}
}

// countItems counts what could be items in a block: checkboxes and table
// rows with a box (all list items with ParseOptions.ListItems), and list items.
func (p *parser) countItems(n ast.Node) (boxes, lists int) {
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.ListItem:
			lists++
			if p.opt.ListItems {
				boxes++
			} else if head := c.FirstChild(); head != nil {
				if _, ok := head.FirstChild().(*east.TaskCheckBox); ok {
					boxes++
				}
			}
		case *east.TableRow:
			if _, _, ok := p.rowBox(c); ok {
				boxes++
			}
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *east.TableHeader:
			return ast.WalkSkipChildren, nil // inline content holds no items
		}
		return ast.WalkContinue, nil
	})
	return boxes, lists
}

// entry is a list item taken apart: its first paragraph is its text, with
// its box if any.
type entry struct {
	li   *ast.ListItem
	head ast.Node // the first paragraph, nil when the item starts otherwise
	box  bool
	done bool
	line int
	text string
	// notes are the item's own lines that go to its details: wrapped lines
	// that are "Key: value" notes, and the addresses of its links.
	notes []string
	// prose are wrapped lines from a label on ("**Approved by:**" written
	// right under a list): read as prose after the item.
	prose []line
	// probes are the specs of the `<!-- golive: ... -->` comments on its line.
	probes []string
}

func (p *parser) entry(li *ast.ListItem) entry {
	e := entry{li: li, line: p.lineAt(max(li.Pos(), 0))}
	head := li.FirstChild()
	switch head.(type) {
	case *ast.Paragraph, *ast.TextBlock:
	default:
		return e
	}
	e.head = head
	e.line = p.lineAt(max(head.Pos(), 0))
	alone := false // a box with nothing after it on its line
	if box, ok := head.FirstChild().(*east.TaskCheckBox); ok {
		// "- [ ]glued" is no box: GitHub wants a space after it.
		at := box.Pos() + 3
		alone = at < 0 || at >= len(p.src) || p.src[at] == '\n'
		e.box = alone || p.src[at] == ' ' || p.src[at] == '\t'
		e.done = box.IsChecked
	}
	if t, ok := p.plainText(head); ok && !alone {
		// The common case, one line of plain text: no copy.
		e.text = t
		return e
	}
	var w inlineWriter
	w.src = p.src
	w.write(head)
	lines := w.lines()
	for i, l := range lines {
		if i == 0 && !alone {
			e.text = l
			continue
		}
		n := p.lineAt(w.at[i])
		if nested(l) {
			p.skip(line{n: n}, "it continues the text of the item above: indent a nested item under the text of its parent")
			continue
		}
		if label(l) || itemLike(l) != "" {
			// A label, or a line with boxes, wrapped into the item: read as prose.
			for j := i; j < len(lines); j++ {
				n := p.lineAt(w.at[j])
				e.prose = append(e.prose, line{n: n, raw: p.raw(n), text: lines[j]})
			}
			break
		}
		if keyValue(l) {
			e.notes = append(e.notes, nonEmpty(lines[i:])...)
			break
		}
		if l != "" {
			e.text += " " + l
		}
	}
	if !e.box && head.FirstChild() != nil {
		if _, ok := head.FirstChild().(*east.TaskCheckBox); ok {
			// A glued box: keep its text as written, for the report.
			e.text = strings.TrimSpace(string(head.Lines().Value(p.src)))
		}
	}
	e.notes = append(e.notes, w.links...)
	e.probes = w.probes
	return e
}

// plainText returns the text of a paragraph that is one line of plain text
// after its box, if it is.
func (p *parser) plainText(head ast.Node) (string, bool) {
	n := head.FirstChild()
	if _, box := n.(*east.TaskCheckBox); box {
		n = n.NextSibling()
	}
	t, ok := n.(*ast.Text)
	if !ok || t.NextSibling() != nil || t.SoftLineBreak() || t.HardLineBreak() {
		return "", false
	}
	v := p.doc[t.Segment.Start:t.Segment.Stop]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", false
	}
	return strings.TrimSpace(v), true
}

func (e entry) asLine(p *parser) line {
	return line{n: e.line, raw: p.raw(e.line), text: e.text, box: e.box, done: e.done}
}

// list reads a list outside any item: each of its items is an item, a task,
// a gate reference, a role, a sub-group or nothing (see topItem).
func (p *parser) list(l *ast.List) {
	boxes := false
	for c := l.FirstChild(); c != nil && !boxes; c = c.NextSibling() {
		if head := c.FirstChild(); head != nil {
			_, boxes = head.FirstChild().(*east.TaskCheckBox)
		}
	}
	for c := l.FirstChild(); c != nil; c = c.NextSibling() {
		if li, ok := c.(*ast.ListItem); ok {
			p.topItem(li, l.IsOrdered(), boxes)
		}
	}
	if p.ctx.kind != ctxNone {
		p.ctxUsed = true
	}
}

func (p *parser) topItem(li *ast.ListItem, ordered, amongBoxes bool) {
	e := p.entry(li)
	p.codeAsText(&e)
	defer func() {
		for _, l := range e.prose {
			p.text(l)
		}
	}()
	l := e.asLine(p)
	if e.box {
		p.seenBox = true
		switch {
		case e.text == "":
			p.skip(l, "a checkbox without text")
		case countBoxes(e.text) > 0:
			p.inlineBoxes(l)
		case decisionChoice(e.text):
			p.decide("it holds the launch decision")
			p.skip(l, "an answer to the launch decision, which golive computes from the checklist's rules: not an item")
		case p.ctx.kind == ctxGate:
			p.addRef(l)
		case p.ctx.kind == ctxRoles && p.addRole(l):
		default:
			if p.ctx.kind == ctxNone {
				p.boxCriterion(l, unstar(e.text))
			}
			p.item(e, nil, false)
		}
		return
	}
	if why := itemLike(strings.TrimLeft(l.raw, " \t>")); why != "" && e.head != nil {
		p.skip(l, why)
		return
	}
	plain := unstar(e.text)
	switch {
	case e.head == nil && li.FirstChild() == nil:
	case p.overallGate(l, plain):
	case p.ctx.kind == ctxGate:
		p.seenBox = true
		p.addRef(l)
	case p.ctx.kind == ctxRoles && p.addRole(l):
		p.seenBox = true
	case p.ctx.kind == ctxNone && !(belowRe.MatchString(plain) && p.criteriaHeading()) && p.criterionLine(l, plain):
	case p.ctx.kind == ctxNone && e.text != "" && !strings.HasSuffix(plain, ":") && p.criteriaHeading():
		// A condition golive cannot measure ("No Sev-1 incidents in the
		// last 14 days"): a task to tick, so that a person confirms it
		// before GO, never a line dropped.
		p.seenBox = true
		p.decide("it holds GO criteria")
		p.meta[p.section().Index].criteria++
		p.item(e, nil, true)
	case p.opt.ListItems && e.text != "":
		p.item(e, nil, false)
	case p.inWindow() && e.text != "":
		p.seenBox = true
		p.item(e, nil, true)
	case p.hasBoxes(li, e.head):
		// A plain bullet with boxes under it names them: a sub-group.
		saved := p.subgroup
		p.subgroup, _ = cleanTitle(e.text)
		for c := li.FirstChild(); c != nil; c = c.NextSibling() {
			if sub, ok := c.(*ast.List); ok {
				p.list(sub)
			}
		}
		p.subgroup = saved
	case ordered && li.ChildCount() == 1 && boldLabel(e.text) != "":
		// "1. **Authentication**" names the items that follow it.
		p.subgroup = boldLabel(e.text)
		p.group()
	default:
		p.plain += 1 + p.nestedItems(li)
		if len(p.plainLines) < maxListed {
			p.plainLines = append(p.plainLines, e.line)
		}
		if amongBoxes {
			p.skip(l, "a list item without a checkbox, among checkboxes: write \"- [ ] text\" to make it an item")
		}
	}
}

// inWindow tells whether the next item falls in a time-window group.
func (p *parser) inWindow() bool {
	if p.grp != nil {
		return p.grp.Window != nil
	}
	return p.secWin != nil
}

// hasBoxes tells whether a list item has checkboxes (or box rows) nested in it.
func (p *parser) hasBoxes(li *ast.ListItem, head ast.Node) bool {
	for c := li.FirstChild(); c != nil; c = c.NextSibling() {
		if c == head {
			continue
		}
		if boxes, _ := p.countItems(c); boxes > 0 {
			return true
		}
	}
	return false
}

// nestedItems counts the list items nested in a list item.
func (p *parser) nestedItems(li *ast.ListItem) int {
	n := 0
	for c := li.FirstChild(); c != nil; c = c.NextSibling() {
		_, lists := p.countItems(c)
		n += lists
	}
	return n
}

// boldLabel returns the name of a bold label line, "**Authentication:**"
// gives "Authentication"; "" when the text is not wholly bold.
func boldLabel(text string) string {
	t := strings.TrimSuffix(text, ":")
	if len(t) < 5 || !strings.HasPrefix(t, "**") || !strings.HasSuffix(t, "**") || strings.Contains(t[2:len(t)-2], "**") {
		return ""
	}
	name, _ := cleanTitle(t)
	return name
}

// item adds an entry as an item, under parent when not nil, and reads what
// is indented under it: checkboxes are its child items, everything else its
// details.
func (p *parser) item(e entry, parent *Item, task bool) {
	number, depth := 0, 0
	if parent != nil {
		number, depth = parent.Number, parent.Depth+1
	}
	it := p.newItem(e.line, e.text, e.done && !task, task, number, depth)
	p.probe(it, e.probes)
	details := e.notes
	p.body(e.li, e.head, it, &details)
	if len(details) > 0 {
		it.Details = strings.Join(details, "\n")
		it.Priority = detailPriority(it, details)
	}
}

// codeAsText names a box written over a code block alone ("- [ ]" then a
// fenced command) by the command's first line; the block stays its details.
func (p *parser) codeAsText(e *entry) {
	if !e.box || e.text != "" {
		return
	}
	for c := e.li.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := c.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				if t := strings.TrimSpace(string(seg.Value(p.src))); t != "" {
					e.text = clip(t)
					return
				}
			}
		}
	}
}

// body reads the blocks of a list item after its first paragraph.
func (p *parser) body(li ast.Node, head ast.Node, it *Item, details *[]string) {
	for c := li.FirstChild(); c != nil; c = c.NextSibling() {
		if c == head {
			continue
		}
		switch c := c.(type) {
		case *ast.List:
			for sub := c.FirstChild(); sub != nil; sub = sub.NextSibling() {
				if li, ok := sub.(*ast.ListItem); ok {
					p.child(li, it, details)
				}
			}
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := c.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				if s := strings.TrimRight(string(seg.Value(p.src)), " \t\n"); s != "" {
					*details = append(*details, s)
				}
			}
		case *ast.Blockquote:
			p.body(c, nil, it, details)
		case *ast.HTMLBlock:
		default:
			if isTable(c) {
				*details = append(*details, p.tableLines(c)...)
				continue
			}
			var w inlineWriter
			w.src = p.src
			w.write(c)
			*details = append(*details, nonEmpty(w.lines())...)
			*details = append(*details, w.links...)
		}
	}
}

// child reads a list item nested under an item: a checkbox is a child item;
// under a task, a plain bullet is a child task; any other is a detail of
// the item, and what it holds is read the same way.
func (p *parser) child(li *ast.ListItem, parent *Item, details *[]string) {
	e := p.entry(li)
	p.codeAsText(&e)
	switch {
	case e.box && e.text != "" && countBoxes(e.text) == 0:
		p.seenBox = true
		p.item(e, parent, false)
		return
	case e.box:
		l := e.asLine(p)
		if e.text == "" {
			p.skip(l, "a checkbox without text")
		} else {
			p.inlineBoxes(l)
		}
		return
	case e.text != "" && (parent.Task || p.opt.ListItems) && !keyValue(e.text):
		p.item(e, parent, parent.Task)
		return
	}
	if why := itemLike(strings.TrimLeft(p.raw(e.line), " \t>")); why != "" && e.head != nil {
		p.skip(e.asLine(p), why)
	}
	if e.text != "" {
		*details = append(*details, e.text)
	}
	*details = append(*details, e.notes...)
	p.body(li, e.head, parent, details)
}

// label tells whether a line is a label that opens a context or a sign-off
// line: such a line written right under a list is no part of its last item.
func label(l string) bool {
	plain := unstar(l)
	if _, ok := signoffLabel(plain); ok || rolesLabel(plain) {
		return true
	}
	_, ok := criteria(plain)
	return ok && strings.HasSuffix(plain, ":")
}

// nested tells whether a wrapped line of an item's text is a well-formed
// checkbox line, indented too deep to be a list item of its own.
func nested(l string) bool {
	m := markerLen(l)
	return m > 0 && m+1 < len(l) && (l[m] == ' ' || l[m] == '\t') && boxAt(strings.TrimLeft(l[m:], " \t")) == 3
}

func nonEmpty(lines []string) []string {
	out := lines[:0:0]
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// keyValue recognises a note such as "Owner: [DevOps]", "**Status:** done"
// or "Test date: [MM/DD]": a short key, a colon, then the value.
func keyValue(s string) bool {
	key, _, ok := strings.Cut(unstar(s), ":")
	if !ok || key == "" || len(key) > 30 || strings.HasPrefix(s, "http") {
		return false
	}
	words := 0
	for _, f := range strings.Fields(key) {
		words++
		for _, r := range f {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '/' || r == '&' || r == '_' || r == '(' || r == ')' || r > 0x7F) {
				return false
			}
		}
	}
	return words > 0 && words <= 4
}

func isTable(n ast.Node) bool {
	_, ok := n.(*east.Table)
	return ok
}

// inlineWriter writes a paragraph's inline content as plain text, one
// string per source line: emphasis (not parsed) and inline code stay as written, links
// keep their text and give their address to links, images, badges and raw
// HTML are left out.
type inlineWriter struct {
	src     []byte
	b       strings.Builder
	out     []string
	at      []int // the source offset of each line of out
	start   int   // of the line being written, -1 before its first node
	links   []string
	probes  []string
	dropped bool
}

func (w *inlineWriter) lines() []string {
	w.endLine()
	return w.out
}

func (w *inlineWriter) endLine() {
	s := w.b.String()
	if w.dropped {
		s = strings.Join(strings.Fields(s), " ")
		w.dropped = false
	}
	w.out = append(w.out, strings.TrimSpace(s))
	w.at = append(w.at, max(w.start, 0))
	w.b.Reset()
	w.start = -1
}

// inner writes the content of a code span or link on one line: a line
// break inside it is a space.
func (w *inlineWriter) inner(n ast.Node) string {
	sub := inlineWriter{src: w.src}
	sub.write(n)
	w.links = append(w.links, sub.links...)
	w.probes = append(w.probes, sub.probes...)
	w.dropped = w.dropped || sub.dropped
	return strings.ReplaceAll(strings.Join(nonEmpty(sub.lines()), " "), "\n", " ")
}

func (w *inlineWriter) write(n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if _, box := c.(*east.TaskCheckBox); !box && w.b.Len() == 0 && w.start <= 0 {
			w.start = c.Pos()
		}
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(w.src)
			if !c.IsRaw() && bytes.IndexByte(v, '\\') >= 0 {
				v = util.UnescapePunctuations(v)
			}
			w.b.Write(v)
			if c.SoftLineBreak() || c.HardLineBreak() {
				w.endLine()
			}
		case *ast.String:
			w.b.Write(c.Value)
		case *ast.CodeSpan:
			w.b.WriteByte('`')
			w.b.WriteString(w.inner(c))
			w.b.WriteByte('`')
		case *ast.Link:
			label := w.inner(c)
			dest := string(c.Destination)
			switch {
			case label == "":
				w.dropped = true
			case dest != "" && dest != label:
				w.links = append(w.links, label+": "+dest)
			}
			w.b.WriteString(label)
		case *ast.AutoLink:
			w.b.Write(c.Label(w.src))
		case *ast.RawHTML:
			if spec, ok := probeComment(c, w.src); ok {
				w.probes = append(w.probes, spec)
			}
			w.dropped = true
		case *ast.Image:
			w.dropped = true
		case *east.TaskCheckBox:
		default:
			w.write(c)
		}
	}
}

// probeComment returns the spec of a `<!-- golive: SPEC -->` comment.
func probeComment(n *ast.RawHTML, src []byte) (string, bool) {
	var b strings.Builder
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		b.Write(seg.Value(src))
	}
	s, ok := strings.CutPrefix(strings.TrimSpace(b.String()), "<!--")
	if !ok {
		return "", false
	}
	s, ok = strings.CutSuffix(s, "-->")
	if !ok {
		return "", false
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(s), "golive:")
	return strings.TrimSpace(spec), ok
}

// probe gives the item the probe its line declares; a spec golive cannot
// read leaves the item without one, and the import report says why.
func (p *parser) probe(it *Item, specs []string) {
	if len(specs) == 0 {
		return
	}
	if len(specs) > 1 {
		p.rep.Unresolved = append(p.rep.Unresolved, ImportProblem{Line: it.Line, Text: clip(it.Text),
			Reason: "an item has one probe: only the first `<!-- golive: ... -->` is kept"})
	}
	pr, err := ParseProbe(specs[0])
	if err != nil {
		p.rep.Unresolved = append(p.rep.Unresolved, ImportProblem{Line: it.Line, Text: clip(it.Text),
			Reason: "its probe is not read: " + err.Error()})
		return
	}
	it.Probe = pr
}
