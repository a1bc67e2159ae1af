package export

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// Markdown writes the launch's checklist in the format golive imports, so
// that checklist.Parse reads back the same sections, groups, sub-groups,
// items (nesting and done states included), sign-offs, windows, gates and
// roles. An item's due date, N/A mark, waiver and notes follow it as HTML
// comments ("<!-- golive: due 2026-11-28 -->"), which readers see in the
// file and the importer ignores. What the format cannot say is left out:
// owners, who ticked what and when, removed items (JSON and CSV have them),
// and verdicts other than a plain approval.
func Markdown(l *launch.Launch) ([]byte, error) {
	c := l.Checklist
	var b strings.Builder
	title := c.Title
	if strings.TrimSpace(title) == "" {
		title = l.Name
	}
	fmt.Fprintf(&b, "# %s\n", oneLine(title))

	// Gates and roles go at the end of the first decision section, or of a
	// section of their own when the checklist has none.
	rules := rulesMarkdown(c)
	decision := -1
	for i, s := range c.Sections {
		if s.Kind == checklist.KindDecision {
			decision = i
			break
		}
	}
	for i, s := range c.Sections {
		writeSection(&b, s)
		if i == decision {
			b.WriteString(rules)
		}
		if s.Kind == checklist.KindDecision {
			// Keeps the section a decision section whatever else moved.
			b.WriteString("\n**Decision:** [ ] GO  [ ] NO-GO\n")
		}
		writeSignoff(&b, s)
	}
	if decision < 0 && rules != "" {
		b.WriteString("\n---\n\n## Go/No-Go Criteria\n")
		b.WriteString(rules)
	}
	return []byte(b.String()), nil
}

// contextWords are heading words that make the importer read the lines under
// them as gates or roles; a neutral line after such a heading keeps the
// items under it items.
var contextWords = regexp.MustCompile(`(?i)%|approv|sign[\s-]?off|signature|signator`)

func writeSection(b *strings.Builder, s *checklist.Section) {
	if s.Title != "" || s.Index > 0 {
		b.WriteString("\n---\n\n## ")
		if s.Number > 0 {
			b.WriteString(strconv.Itoa(s.Number) + ". ")
		}
		b.WriteString(oneLine(s.Title) + "\n")
	}
	for gi, g := range s.Groups {
		if g.Title != "" || gi > 0 {
			fmt.Fprintf(b, "\n### %s\n", oneLine(g.Title))
		}
		if len(g.Items) == 0 {
			continue
		}
		if contextWords.MatchString(g.Title) || (gi == 0 && g.Title == "" && contextWords.MatchString(s.Title)) {
			b.WriteString("\nItems:\n")
		}
		b.WriteString("\n")
		writeItems(b, g)
	}
}

func writeItems(b *strings.Builder, g *checklist.Group) {
	sub, subs := "", 0
	for _, it := range g.Items {
		if it.Subgroup != sub {
			sub = it.Subgroup
			if sub != "" {
				subs++
				fmt.Fprintf(b, "\n%d. **%s**\n", subs, oneLine(sub))
			}
		}
		indent := 2 * it.Depth
		if sub != "" {
			indent += 3
		}
		b.WriteString(strings.Repeat(" ", indent))
		switch {
		case it.Task && !it.Done:
			b.WriteString("- ")
		case it.Done:
			b.WriteString("- [x] ")
		default:
			b.WriteString("- [ ] ")
		}
		b.WriteString(oneLine(it.Text))
		if it.Probe != nil {
			// On the item's line, where the importer reads it back.
			b.WriteString(" <!-- golive: " + commentText(it.Probe.String()) + " -->")
		}
		b.WriteString("\n")
		writeDetails(b, it.Details, indent+2)
		writeLive(b, it, indent+2)
	}
}

// writeLive writes what was said of an item during the launch as HTML
// comments indented under it, one a line: the importer ignores HTML, so
// the file imports into the same items, and a reader still sees them.
func writeLive(b *strings.Builder, it *checklist.Item, indent int) {
	var lines []string
	if it.Due != "" {
		lines = append(lines, "due "+it.Due)
	}
	if na := it.NA; na != nil {
		state := "not confirmed yet"
		switch {
		case na.Confirmed && na.ConfirmedBy != "":
			state = "confirmed by " + na.ConfirmedBy
		case na.Confirmed:
			state = "confirmed"
		}
		lines = append(lines, fmt.Sprintf("not applicable (by %s at %s, %s): %s", na.By, timestamp(na.At), state, na.Reason))
	}
	if w := it.Waiver; w != nil {
		lines = append(lines, fmt.Sprintf("waived until %s (by %s at %s): %s", w.Until, w.By, timestamp(w.At), w.Reason))
	}
	if it.Fresh > 0 {
		lines = append(lines, "fresh within "+launch.FreshText(it.Fresh))
	}
	if e := it.Evidence; e != nil {
		line := fmt.Sprintf("evidence %s (by %s at %s): %s", e.Status(), e.By, timestamp(e.At), e.Summary)
		if e.URL != "" {
			line += " " + e.URL
		}
		lines = append(lines, line)
	}
	for _, n := range it.Notes {
		lines = append(lines, fmt.Sprintf("note (by %s at %s): %s", n.By, timestamp(n.At), n.Text))
	}
	for _, l := range lines {
		b.WriteString(strings.Repeat(" ", indent) + "<!-- golive: " + commentText(l) + " -->\n")
	}
}

// commentText keeps text inside one HTML comment on one line: a line break
// or a "-->" in a note would end it, and what follows would be read.
func commentText(s string) string {
	return strings.ReplaceAll(oneLine(s), "--", "- -")
}

// writeDetails writes an item's details as a paragraph indented under it,
// which the importer reads as its details again.
func writeDetails(b *strings.Builder, details string, indent int) {
	if details == "" {
		return
	}
	b.WriteString("\n")
	for _, d := range strings.Split(details, "\n") {
		if d = oneLine(d); d != "" {
			d = escapeStart(d)
			b.WriteString(strings.Repeat(" ", indent) + d + "\n")
		}
	}
}

// escapeStart escapes what would make a detail line a block of its own: a
// list marker, heading, quote, table or fence.
func escapeStart(d string) string {
	if strings.ContainsRune("-+*#>|=`~[", rune(d[0])) {
		return "\\" + d
	}
	i := 0
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	if i > 0 && i < len(d) && (d[i] == '.' || d[i] == ')') {
		return d[:i] + "\\" + d[i:]
	}
	return d
}

func writeSignoff(b *strings.Builder, s *checklist.Section) {
	if !s.HasSignoff {
		return
	}
	if so := s.Signoff; so != nil && blankless(so.By) != "" {
		date := "__________"
		if !so.At.IsZero() {
			date = so.At.UTC().Format(launch.DateLayout)
		}
		fmt.Fprintf(b, "\n**Sign-off:** %s  Date: %s\n", blankless(so.By), date)
		return
	}
	b.WriteString("\n**Sign-off:** _______________  Date: __________\n")
}

// rulesMarkdown writes the gates the document stated and the roles, in the
// phrasing the importer reads. The default overall minimum and the P0 gate
// are left to the importer, which makes them again.
func rulesMarkdown(c *checklist.Checklist) string {
	var b strings.Builder
	label := ""
	for _, g := range c.Gates {
		switch {
		case g.Kind == checklist.GateOverall && g.Source != "":
			fmt.Fprintf(&b, "\n**Minimum overall readiness**: %s\n", percent(g))
			label = ""
		case g.Kind == checklist.GateRequired || g.Kind == checklist.GateCritical:
			if l := criteriaLabel(g); l != label {
				fmt.Fprintf(&b, "\n%s\n", l)
				label = l
			}
			fmt.Fprintf(&b, "- [ ] %s\n", reference(c, g))
		}
	}
	if len(c.Roles) > 0 {
		b.WriteString("\n**Approved by:**\n")
		for _, r := range c.Roles {
			b.WriteString(roleLine(r) + "\n")
		}
	}
	return b.String()
}

func percent(g checklist.Gate) string {
	v := strconv.FormatFloat(g.Threshold, 'f', -1, 64) + "%"
	if g.Strict {
		return "above " + v
	}
	return "at least " + v
}

func criteriaLabel(g checklist.Gate) string {
	v := strconv.FormatFloat(g.Threshold, 'f', -1, 64) + "%"
	op := ""
	if g.Strict {
		op = "> "
	}
	if g.Kind == checklist.GateCritical {
		return fmt.Sprintf("**Critical for GO (should be %s%s):**", op, v)
	}
	return fmt.Sprintf("**Required for GO (must be %s%s):**", op, v)
}

// reference names a gate's target so that the importer resolves it to the
// same section or group: "Security (Section 2)", "Health Checks (Section 4 -
// Health Checks)"; by title for unnumbered sections.
func reference(c *checklist.Checklist, g checklist.Gate) string {
	name := oneLine(g.Name)
	t := g.Target
	if g.Unresolved || t.Section < 0 || t.Section >= len(c.Sections) {
		return name
	}
	s := c.Sections[t.Section]
	var grp *checklist.Group
	if t.Group >= 0 && t.Group < len(s.Groups) {
		grp = s.Groups[t.Group]
	}
	if s.Number > 0 {
		if grp != nil {
			// The group after the number decides; the name is free.
			return fmt.Sprintf("%s (Section %d - %s)", noParens(name), s.Number, oneLine(grp.Title))
		}
		return fmt.Sprintf("%s (Section %d)", refName(name, s.Title), s.Number)
	}
	if grp != nil {
		return refName(name, grp.Title)
	}
	// The gate's own name ("blockers" for "Security — BLOCKER") when it
	// resolves there, so that the round trip changes no gate.
	return refName(name, s.Title)
}

// refName keeps the gate's own name when the importer reads it as the
// target's title, and uses the title otherwise.
func refName(name, title string) string {
	if checklist.NameMatches(name, title) {
		return noParens(name)
	}
	return noParens(oneLine(title))
}

// noParens drops brackets, which would end a reference's name early.
func noParens(s string) string {
	return strings.TrimSpace(strings.NewReplacer("(", "", ")", "").Replace(s))
}

// roleLine is "- Security Lead: ____", the approver's name in the blank once
// approved, or the checkbox form when the role has a description.
func roleLine(r *checklist.Role) string {
	name := strings.NewReplacer(":", " ").Replace(oneLine(r.Name))
	approved := r.Verdict == checklist.VerdictApproved
	if r.Description != "" {
		box := "[ ]"
		if approved {
			box = "[x]"
		}
		return fmt.Sprintf("- %s **%s:** %s", box, name, oneLine(r.Description))
	}
	by := blankless(r.By)
	if by == "" {
		by = blankless(r.Holder)
	}
	if !approved || by == "" {
		return "- " + name + ": _______________"
	}
	if !r.At.IsZero() {
		return fmt.Sprintf("- %s: %s  Date: %s", name, by, r.At.UTC().Format(launch.DateLayout))
	}
	return "- " + name + ": " + by
}

// blankless keeps a name written into a blank from reading as something
// else: no line breaks, no "Date:" label of its own.
func blankless(s string) string {
	return strings.TrimSpace(strings.NewReplacer("Date:", "Date", "date:", "date").Replace(oneLine(s)))
}

// oneLine folds line breaks and whitespace runs into single spaces: a line
// break in a title or an item would end it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
