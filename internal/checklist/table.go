package checklist

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// boxTokens are what a table cell holds for a box, and whether it is ticked.
// A cross (❌) is a box not done yet.
var boxTokens = []struct {
	token string
	done  bool
}{
	{"[ ]", false}, {"[x]", true}, {"[X]", true},
	{"☐", false}, {"☑", true}, {"☒", true}, {"✅", true}, {"✔", true}, {"✓", true},
	{"❌", false}, {"⬜", false}, {"✗", false}, {"✘", false},
	{"&#9744;", false}, {"&#9745;", true}, {"&#9746;", true}, {"&#x2610;", false}, {"&#x2611;", true},
	{":white_check_mark:", true}, {":heavy_check_mark:", true}, {":x:", false}, {":white_large_square:", false},
}

// cellBox reads a cell that is a box, alone or before text ("[ ] Deploy",
// "✅ Done"): whether it is ticked and the text after it.
func cellBox(cell string) (done bool, rest string, ok bool) {
	for _, b := range boxTokens {
		after, found := strings.CutPrefix(cell, b.token)
		if !found {
			continue
		}
		// A variation selector often follows an emoji: "✔️".
		after = strings.TrimPrefix(after, "\uFE0F")
		if after != "" && after[0] != ' ' && after[0] != '\t' {
			continue
		}
		if countBoxes(after) > 0 {
			return false, "", false // "[ ] Yes [ ] No": a choice, not a box
		}
		return b.done, strings.TrimSpace(after), true
	}
	return false, "", false
}

// cells returns a table row's cells as plain text, and the addresses of
// their links.
func (p *parser) cells(row ast.Node) ([]string, []string) {
	var out, links []string
	for c := row.FirstChild(); c != nil; c = c.NextSibling() {
		w := inlineWriter{src: p.src}
		w.write(c)
		out = append(out, strings.Join(nonEmpty(w.lines()), " "))
		links = append(links, w.links...)
	}
	return out, links
}

// rowBox finds a row's box cells: the row is ticked when each is; its
// text is the first other cell with text, or the text after a box.
func (p *parser) rowBox(row ast.Node) (done bool, cells []string, ok bool) {
	cells, _ = p.cells(row)
	done = true
	for _, c := range cells {
		d, _, isBox := cellBox(c)
		if isBox {
			ok = true
			done = done && d
		}
	}
	return done && ok, cells, ok
}

// table reads a table: each row with a box cell is an item; its other
// cells are its text (the first with text) and details ("Owner: Dana").
func (p *parser) table(n ast.Node) {
	var header []string
	if h, ok := n.FirstChild().(*east.TableHeader); ok {
		header, _ = p.cells(h)
	}
	if p.ctx.kind == ctxRoles && p.approvalTable(n, header) {
		return
	}
	if p.ctx.kind == ctxNone && p.criteriaTable(n) {
		return
	}
	if p.ctx.kind == ctxNone && p.inCriteria() && rolesHeader(header) && p.approvalTable(n, header) {
		// "| Role | Name | Decision |" under a "Go/No-Go" heading.
		return
	}
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		if _, ok := row.(*east.TableHeader); ok {
			continue
		}
		ln := p.rowLine(row)
		done, cells, ok := p.rowBox(row)
		if !ok {
			for _, c := range cells {
				if why := itemLike(c); why != "" {
					if countBoxes(c) < 2 {
						why = "a table row whose checkbox is not a cell of its own: write \"| [ ] | text |\""
					}
					p.skip(line{n: ln}, why)
					break
				}
			}
			continue
		}
		_, links := p.cells(row)
		text := ""
		var details []string
		for i, c := range cells {
			if _, rest, isBox := cellBox(c); isBox {
				c = rest
			}
			switch {
			case c == "":
			case text == "":
				text = c
			case i < len(header) && header[i] != "":
				details = append(details, header[i]+": "+c)
			default:
				details = append(details, c)
			}
		}
		if text == "" {
			p.skip(line{n: ln}, "a table row with a checkbox but no text")
			continue
		}
		p.seenBox = true
		it := p.newItem(ln, text, done, false, 0, 0)
		details = append(details, links...)
		if len(details) > 0 {
			it.Details = strings.Join(details, "\n")
			it.Priority = detailPriority(it, details)
		}
	}
	if p.ctx.kind != ctxNone {
		p.ctxUsed = true
	}
}

// rowLine is the line of a table row.
func (p *parser) rowLine(row ast.Node) int {
	if pos := row.Pos(); pos >= 0 {
		return p.lineAt(pos)
	}
	for c := row.FirstChild(); c != nil; c = c.NextSibling() {
		if pos := c.Pos(); pos >= 0 {
			return p.lineAt(pos)
		}
	}
	return 0
}

// tableLines writes a table indented under an item as detail lines.
func (p *parser) tableLines(n ast.Node) []string {
	var out []string
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		cells, _ := p.cells(row)
		if s := strings.Trim(strings.Join(cells, " | "), " |"); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// approvalTable reads a table of approvers under an approvals heading or
// label, one role a row: "| Role | Name | Status |". A name filled in is the
// role's approval, as in an "Approved by" list, unless a status column says
// otherwise ("Pending", "Rejected"). It returns false for a table without a
// column of roles, which is read as any other table.
func (p *parser) approvalTable(n ast.Node, header []string) bool {
	role, name, status := -1, -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.Trim(unstar(h), " :")) {
		case "role", "approver role", "function", "team", "area", "responsibility", "approver", "stakeholder":
			if role < 0 {
				role = i
			}
		case "name", "approver name", "signed by", "approved by", "person", "signature", "sign-off", "signoff":
			if name < 0 {
				name = i
			}
		case "status", "decision", "approved", "approval", "verdict", "approved?", "sign-off status":
			status = i
		}
	}
	if role < 0 {
		return false
	}
	cell := func(cells []string, i int) string {
		if i < 0 || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(unstar(cells[i]))
	}
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		if _, ok := row.(*east.TableHeader); ok {
			continue
		}
		cells, _ := p.cells(row)
		title := cell(cells, role)
		if isPlaceholder(title) {
			continue
		}
		ln := p.rowLine(row)
		if !p.addRole(line{n: ln, raw: strings.Join(cells, " | "), text: title + ": " + cell(cells, name)}) {
			p.skip(line{n: ln, raw: strings.Join(cells, " | ")}, "a row of an approvals table whose first column names no role")
			continue
		}
		r := p.c.Roles[len(p.c.Roles)-1]
		if !strings.EqualFold(r.Name, title) {
			continue // already listed: addRole reported it
		}
		by, _ := filledName(cell(cells, name))
		switch v := strings.ToLower(cell(cells, status)); {
		case status < 0:
			// No status column: the name filled in, or not, decides.
		case strings.Trim(v, "_-–—. ") == "":
			// A status column left blank: whoever holds the role has not
			// answered yet, whatever name stands beside it.
			r.Verdict, r.By = VerdictPending, ""
		case approvedWords[v]:
			r.Verdict, r.By = VerdictApproved, by
		case rejectedWords[v]:
			r.Verdict, r.By = VerdictRejected, by
		default:
			r.Verdict, r.By = VerdictPending, ""
		}
		p.rep.Roles[len(p.rep.Roles)-1].Verdict, p.rep.Roles[len(p.rep.Roles)-1].By = r.Verdict, r.By
	}
	return true
}

// approvedWords and rejectedWords are what a status cell of an approvals
// table says for an answer; anything else ("Pending", "In review") is none.
var (
	approvedWords = map[string]bool{"approved": true, "yes": true, "y": true, "go": true, "signed": true, "done": true,
		"✅": true, "✓": true, "✔": true, "✔️": true, "[x]": true, "☑": true}
	rejectedWords = map[string]bool{"rejected": true, "no": true, "n": true, "no-go": true, "no go": true, "❌": true, "✗": true}
)
