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
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		if _, ok := row.(*east.TableHeader); ok {
			header, _ = p.cells(row)
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
