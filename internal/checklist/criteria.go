package checklist

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// Teams also write their GO criteria one to a line, in a decision section
// or under a criteria heading, rather than as a label over references:
//
//	## Go/No-Go Criteria
//	- Security: 100%
//	- Infrastructure > 90%
//	- Overall readiness at least 85%
//	- All P0 items complete
//
// and state a section's own bar in its heading ("## Security (must be
// 100%)"). Each such line is a gate. A line there that states a bar golive
// cannot measure from the checklist ("Error rate < 1%") is kept as a gate
// that fails, with the reason: a criterion is never dropped, since a GO
// given while the team's own rule is unmet is the worst answer golive can
// give.

// criterion is a GO criterion read from one line.
type criterion struct {
	target    string // what it measures, as written: "Security", "P0"
	overall   bool   // the overall readiness
	threshold float64
	strict    bool
	kind      GateKind
	problem   string // why golive cannot measure it, when it cannot
}

var (
	// allDoneRe reads "All P0 items complete", "all Security items must be
	// done", "Every P0 task checked".
	allDoneRe = regexp.MustCompile(`(?i)^(?:all|every)\s+(?:of\s+)?(?:the\s+)?(.+?)\s+(?:items?|tasks?|checks?|boxes|checkboxes)?\s*(?:(?:are|is|must\s+be|should\s+be|have\s+been|need\s+to\s+be)\s+)?(?:complete|completed|done|checked|ticked|closed|finished|resolved|signed[\s-]*off|green|passed|met)\.?$`)
	// shareOfRe reads what follows a share: "of P0 items closed".
	shareOfRe = regexp.MustCompile(`(?i)^\s*of\s+(?:the\s+)?(?:all\s+)?(.+?)(?:\s+(?:items?|tasks?|checks?|boxes))?(?:\s+(?:(?:are|is|must\s+be|should\s+be)\s+)?(?:closed|done|complete|completed|checked|ticked|finished|resolved|green|passed))?\s*$`)
	// belowRe finds a bar from above: "< 1%", "below 5%", "at most 2%".
	belowRe = regexp.MustCompile(`(?i)(?:<|≤|=<|\bbelow|\bunder|\bless\s+than|\bat\s+most|\bmax(?:imum)?\b)\s*[\d.]+\s*%`)
	// barWordsRe finds words that make a percentage a bar to reach.
	barWordsRe = regexp.MustCompile(`(?i)(?:>|≥|=>|\bmust\b|\bshould\b|\bat\s+least\b|\babove\b|\bover\b|\bmore\s+than\b|\bgreater\s+than\b|\bmin(?:imum)?\b|\brequired\b|\bmandatory\b|\bneeds?\b)`)
)

// overallWords are the names of the whole checklist's readiness.
var overallWords = map[string]bool{
	"overall": true, "overall readiness": true, "readiness": true, "total": true, "overall score": true,
	"overall completion": true, "overall progress": true, "all items": true, "everything": true,
	"checklist": true, "launch readiness": true, "total readiness": true, "readiness score": true,
	"overall readiness score": true, "total completion": true, "completion": true, "all sections": true,
}

// readCriterion reads a criterion line; false when the line states none.
func readCriterion(plain string) (criterion, bool) {
	plain = strings.TrimSpace(strings.TrimRight(unmark.Replace(plain), "."))
	if m := allDoneRe.FindStringSubmatch(plain); m != nil {
		target := strings.TrimSpace(m[1])
		if containsFold(target, "approv", "sign", "stakeholder", "role", "lead", "owner") {
			// "All approvers have signed off": the roles' answers decide that.
			return criterion{}, false
		}
		return criterion{target: target, overall: overallWords[strings.ToLower(target)] || strings.EqualFold(target, "items"),
			threshold: 100, kind: GateRequired}, true
	}
	if strings.IndexByte(plain, '%') < 0 {
		return criterion{}, false
	}
	v, strict, ok := threshold(plain)
	if !ok {
		return criterion{}, false
	}
	if belowRe.MatchString(plain) {
		return criterion{target: plain, threshold: 100, kind: GateRequired, problem: "it sets a ceiling (\"< 1%\"), which is a measurement, not a share of the checklist done: " +
			"golive cannot measure it. Make it an item to tick (\"- [ ] " + plain + "\") so someone confirms it"}, true
	}
	target := strings.TrimSpace(plain[:numberStart(plain)])
	target = trimBarWords(target)
	if target == "" {
		// "100% of P0 items closed", "≥ 80% of Security done".
		if m := shareOfRe.FindStringSubmatch(plain[strings.IndexByte(plain, '%')+1:]); m != nil {
			target = strings.TrimSpace(m[1])
		}
	}
	if target == "" {
		return criterion{}, false
	}
	c := criterion{target: target, threshold: v, strict: strict, kind: GateCritical}
	lower := strings.ToLower(plain)
	if v >= 100 || strings.Contains(lower, "must") || strings.Contains(lower, "required") || strings.Contains(lower, "mandatory") {
		c.kind = GateRequired
	}
	c.overall = overallWords[strings.ToLower(target)]
	return c, true
}

// minimumWords may stand before an overall minimum's number: "**Minimum
// recommended**: 85% for production launch".
var minimumWords = map[string]bool{
	"minimum": true, "min": true, "min.": true, "recommended": true, "threshold": true, "required": true,
	"go": true, "launch": true, "production": true, "target": true, "bar": true, "passing": true, "pass": true,
	"the": true, "for": true, "a": true, "of": true,
}

// namesTarget tells whether the words before a line's percentage name what
// it measures ("Infrastructure at least 60%"), so that it is no overall
// readiness minimum.
func namesTarget(plain string) bool {
	t := unmark.Replace(plain)
	if strings.IndexByte(t, '%') < 0 {
		return false
	}
	for _, w := range strings.Fields(strings.ToLower(trimBarWords(t[:numberStart(t)]))) {
		if !minimumWords[strings.Trim(w, ":-–—()")] {
			return true
		}
	}
	return false
}

// numberStart is where the first percentage's number starts in s.
func numberStart(s string) int {
	i := strings.IndexByte(s, '%')
	end := strings.TrimRight(s[:i], " \t")
	start := len(end)
	for start > 0 && (end[start-1] >= '0' && end[start-1] <= '9' || end[start-1] == '.') {
		start--
	}
	return start
}

// barWords are the words and signs between a criterion's target and its
// number: "Security must be at least", "Infrastructure: >".
var barWords = []string{
	">=", "=>", "≥", ">", "=", ":", "-", "–", "—", "(", "at least", "must be", "should be", "must", "should",
	"be", "is", "are", "above", "over", "more than", "greater than", "minimum", "min", "of", "needs", "need",
	"required", "completion", "complete", "completed", "done", "items", "readiness", "score", "section", "progress",
	"at", "to", "reach", "reaches",
}

// trimBarWords drops the bar words from the end of a criterion's target.
func trimBarWords(t string) string {
	for {
		t = strings.TrimSpace(t)
		before := t
		for _, w := range barWords {
			if len(t) < len(w) || !strings.EqualFold(t[len(t)-len(w):], w) {
				continue
			}
			// Whole words only: "Monitoring" does not end in "in".
			if rest := t[:len(t)-len(w)]; isWordByte(w[0]) && rest != "" && isWordByte(rest[len(rest)-1]) {
				continue
			}
			if overallWords[strings.ToLower(t)] {
				// "Overall readiness" keeps its name.
				return t
			}
			t = t[:len(t)-len(w)]
			break
		}
		if t == before {
			return t
		}
	}
}

// inCriteria tells whether the current line sits where GO criteria are
// written: a section titled as a launch decision, or a group or sub-heading
// naming criteria.
func (p *parser) inCriteria() bool {
	if p.sec != nil && p.meta[p.sec.Index].titled {
		return true
	}
	return p.underHeading(func(title string) bool {
		return decisionTitle(title) || decisionRe.MatchString(asciiDashes(title)) || namesLaunchCriteria(title, "criteria", "criterion", "gate")
	})
}

// underHeading tells whether a heading the current line sits under (its
// section, group or sub-heading) satisfies is.
func (p *parser) underHeading(is func(title string) bool) bool {
	for _, title := range []string{p.subgroup, p.groupTitle(), p.sectionTitle()} {
		if title != "" && is(title) {
			return true
		}
	}
	return false
}

func (p *parser) groupTitle() string {
	if p.grp == nil {
		return ""
	}
	return p.grp.Title
}

func (p *parser) sectionTitle() string {
	if p.sec == nil {
		return ""
	}
	return p.sec.Title
}

// namesLaunchCriteria tells whether a title holds one of words and is about
// the launch: "Success Criteria" and "Acceptance Criteria" measure the
// product after launch or a feature, not whether to launch.
func namesLaunchCriteria(title string, words ...string) bool {
	return containsFold(title, words...) && !containsFold(title, "success", "acceptance", "metric", "kpi")
}

// criterionLine reads a line where criteria are written as a gate; false
// when it states none.
func (p *parser) criterionLine(l line, plain string) bool {
	if !p.inCriteria() {
		return false
	}
	var cs []criterion
	// "We go if all blockers are done and readiness ≥ 90%" is two.
	if clauses := splitClauses(plain); len(clauses) > 1 {
		for _, clause := range clauses {
			c, ok := readCriterion(clause)
			if !ok {
				cs = nil
				break
			}
			cs = append(cs, c)
		}
	}
	if cs == nil {
		c, ok := readCriterion(plain)
		if !ok {
			return false
		}
		cs = []criterion{c}
	}
	p.decide("it holds GO criteria")
	for _, c := range cs {
		p.addCriterion(l, c, false)
	}
	return true
}

// leadInRe matches the words that open a sentence of criteria: "We go if",
// "Launch only when", "Launch requires".
var leadInRe = regexp.MustCompile(`(?i)^(?:we\s+)?(?:(?:go|launch|ship|release|proceed)\s+)?(?:only\s+)?(?:if|when|requires?|needs?)\s+`)

// clauseRe splits a sentence of criteria into its clauses.
var clauseRe = regexp.MustCompile(`\s*(?:;|,\s*and\s+|,\s+|\s+and\s+)\s*`)

// splitClauses splits a line of criteria at "and", commas and semicolons,
// after its lead-in.
func splitClauses(plain string) []string {
	t := strings.TrimRight(strings.TrimSpace(unmark.Replace(plain)), ".")
	t = leadInRe.ReplaceAllString(t, "")
	return clauseRe.Split(t, -1)
}

// addCriterion adds a criterion read from line l as a gate; boxed when the
// line is a box, which stays an item (gateRef.boxed).
func (p *parser) addCriterion(l line, c criterion, boxed bool) {
	if c.overall && c.problem == "" {
		p.setOverall(l, c.threshold, c.strict)
		return
	}
	if len(p.refs) == maxRefs {
		p.skip(l, fmt.Sprintf("more than %d gate references: golive keeps the first %d", maxRefs, maxRefs))
		return
	}
	p.refs = append(p.refs, gateRef{
		ctx:  context{kind: ctxGate, gateKind: c.kind, threshold: c.threshold, strict: c.strict},
		text: c.target, raw: l.raw, line: l.n, section: p.section().Index, problem: c.problem,
		written: !boxed, boxed: boxed,
	})
}

// boxCriterion measures a criterion written as a box where criteria are
// written ("- [ ] Security: 100%", "- [ ] All P0 items complete"): the box
// stays an item to tick, and what it states is a gate too, so that ticking
// it does not pass Security at 60%.
func (p *parser) boxCriterion(l line, plain string) {
	if !p.inCriteria() {
		return
	}
	// Only a stated share is measured: "All P0 items done" is what the P0
	// gate measures already, and "Every admin pilot task done" is the box
	// its team ticks.
	c, ok := readCriterion(plain)
	if !ok || c.problem != "" || strings.IndexByte(plain, '%') < 0 || len(p.refs) == maxRefs {
		return
	}
	if c.overall && p.overall != nil {
		return // the box stays an item; the minimum stated before applies
	}
	p.addCriterion(l, c, true)
}

// criteriaHeading tells whether the current line sits under a heading
// that names the launch's criteria or conditions ("Exit Criteria", "Launch
// Conditions"), not the product's ("Success Criteria").
func (p *parser) criteriaHeading() bool {
	return p.underHeading(func(title string) bool {
		return namesLaunchCriteria(title, "criteria", "criterion", "condition")
	})
}

// criteriaTable reads a table of criteria where criteria are written, a
// row each ("| Security | 100% |"); false when no row states one, and the
// table is read as any other.
func (p *parser) criteriaTable(n ast.Node) bool {
	if !p.inCriteria() {
		return false
	}
	read := false
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		if _, ok := row.(*east.TableHeader); ok {
			continue
		}
		if _, _, box := p.rowBox(row); box {
			return read
		}
		// The first cell names the target, the first with a percentage its
		// bar; the others (an owner, a status) say nothing of the rule.
		cells, _ := p.cells(row)
		target, bar := "", ""
		for _, c := range cells {
			switch c = strings.TrimSpace(c); {
			case c == "":
			case target == "":
				target = c
			case bar == "" && strings.IndexByte(c, '%') >= 0:
				bar = c
			}
		}
		if target == "" || bar == "" {
			continue
		}
		ln := p.rowLine(row)
		text := target + ": " + bar
		if p.criterionLine(line{n: ln, raw: p.raw(ln), text: text}, unstar(text)) {
			read = true
		}
	}
	return read
}

// rolesHeader tells whether a table's header has a column of approver
// roles by name, not merely an "Area" or "Team" one.
func rolesHeader(header []string) bool {
	for _, h := range header {
		switch strings.ToLower(strings.Trim(unstar(h), " :")) {
		case "role", "approver", "approver role", "stakeholder":
			return true
		}
	}
	return false
}

// selfCriterion reads the bar a section or group heading sets on itself:
// "Security (must be 100%)", "Infrastructure (> 90% required)".
func selfCriterion(title string) (context, bool) {
	if strings.IndexByte(title, '%') < 0 || !barWordsRe.MatchString(title) || belowRe.MatchString(title) {
		return context{}, false
	}
	v, strict, ok := threshold(title)
	if !ok {
		return context{}, false
	}
	kind := GateCritical
	lower := strings.ToLower(title)
	if v >= 100 || strings.Contains(lower, "must") || strings.Contains(lower, "required") || strings.Contains(lower, "mandatory") {
		kind = GateRequired
	}
	return context{kind: ctxGate, gateKind: kind, threshold: v, strict: strict}, true
}

// selfGates makes the gates that section and group headings set on
// themselves, skipping time windows, whose items are not measured so.
func (p *parser) selfGates() []foundGate {
	var out []foundGate
	add := func(title string, t Target, label string, line int) {
		ctx, ok := selfCriterion(title)
		if !ok {
			return
		}
		name := title
		if open := strings.IndexByte(name, '('); open > 0 {
			name = strings.TrimSpace(name[:open])
		}
		out = append(out, foundGate{
			gate:   Gate{Name: name, Kind: ctx.gateKind, Threshold: ctx.threshold, Strict: ctx.strict, Target: t, Source: source(line, p.raw(line))},
			line:   line,
			target: label,
		})
	}
	for _, s := range p.c.Sections {
		if s.Kind == KindDecision || s.Kind == KindWindow {
			continue
		}
		if _, isCriteria := criteria(s.Title); !isCriteria {
			add(s.Title, Target{Section: s.Index, Group: -1}, "section "+sectionLabel(s), p.meta[s.Index].line)
		}
		for _, g := range s.Groups {
			if g.Window != nil || g.Title == "" || g.Title == s.Title {
				continue
			}
			if _, isCriteria := criteria(g.Title); !isCriteria {
				add(g.Title, Target{Section: s.Index, Group: g.Index}, fmt.Sprintf("group %q of section %s", g.Title, sectionLabel(s)), p.meta[s.Index].groupLines[g.Index])
			}
		}
	}
	return out
}

// itemPriority reads a priority tag an item carries itself: "[P0] Rotate
// keys", "**P0** Rotate keys", "P0: Rotate keys", "Rotate keys (P0)".
func itemPriority(text string) string {
	t := strings.TrimSpace(unmark.Replace(text))
	if len(t) >= 2 && t[0] == 'P' && t[1] >= '0' && t[1] <= '4' && (len(t) == 2 || !isWordByte(t[2])) {
		return t[:2]
	}
	for _, open := range []string{"[", "("} {
		if strings.HasPrefix(t, open) || strings.HasSuffix(t, map[string]string{"[": "]", "(": ")"}[open]) {
			if pr := tagIn(t, open); pr != "" {
				return pr
			}
		}
	}
	return ""
}

// detailPriority is the priority an item's details give it ("Priority:
// P0" under it, or in a table's Priority column), unless its text tags it.
func detailPriority(it *Item, details []string) string {
	if itemPriority(it.Text) != "" {
		return it.Priority
	}
	for _, d := range details {
		key, value, ok := strings.Cut(unmark.Replace(d), ":")
		if !ok || !containsFold(key, "priority", "severity", "tier") || len(strings.Fields(key)) > 2 {
			continue
		}
		v := strings.Trim(strings.TrimSpace(value), "[]()")
		if len(v) == 2 && (v[0] == 'P' || v[0] == 'p') && v[1] >= '0' && v[1] <= '4' {
			return "P" + v[1:]
		}
	}
	return it.Priority
}

// tagIn finds a bracketed priority, "[P0]" or "(P0)", at the start or the end of t.
func tagIn(t, open string) string {
	closeBy := map[string]string{"[": "]", "(": ")"}[open]
	for i := 0; i <= 4; i++ {
		tag := open + "P" + string(rune('0'+i)) + closeBy
		if strings.HasPrefix(t, tag) || strings.HasSuffix(t, tag) {
			return tag[1:3]
		}
	}
	return ""
}
