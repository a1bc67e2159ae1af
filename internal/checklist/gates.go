package checklist

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// How gates come from the document:
//
//   - A line such as "**Minimum recommended**: 85% for production launch" or
//     "Overall readiness must be at least 90%", in a decision section or a
//     group about readiness, sets the overall readiness gate (GateOverall).
//   - A label ending in a colon, or a heading, that names GO (or launch,
//     release) and a percentage, such as "**Required for GO (must be 100%):**"
//     or "**Critical for GO (should be > 90%):**", makes each list line under
//     it a reference ("Security (Section 2)", "Health Checks (Section 4 -
//     Health Checks)") and each reference a gate. "critical" or "should" gives
//     GateCritical, "required" or "must" GateRequired; ">", "above" or "more
//     than" makes the threshold strict.
//   - Items of a group whose heading says P0 ("Must Have (P0)") make a
//     GatePriority gate: every P0 item done.
//
// References resolve by section number and by name (see resolve). One that
// does not resolve is reported and kept as a gate that fails, never dropped.

// DefaultMinimum is the overall readiness a checklist needs when its document
// states no minimum: 85%, the figure of the commonest launch checklists
// (seed 000 among them), strict enough that a half-done launch is NO-GO.
const DefaultMinimum = 85

// maxRefs caps the gate references of one checklist; real ones have a dozen.
const maxRefs = 200

// gateRef is a list line under a gate criterion, resolved once the whole
// document is known.
type gateRef struct {
	ctx     context
	text    string // the line's text, without list marker or box
	raw     string
	line    int
	section int // the section holding the criterion, never its own target
	// problem, when set, is why the criterion cannot be measured at all.
	problem string
	// written is set for a criterion written on a line of its own
	// ("Security: 100%"), rather than listed under a label.
	written bool
	// boxed is set for a criterion written as a box to tick ("- [ ]
	// Security: 100%"): it is measured when it names what the checklist
	// holds, and is only that box, ticked by people, when it does not.
	boxed bool
}

// foundGate is a gate with the document line it was read from.
type foundGate struct {
	gate   Gate
	line   int
	target string // the target as people read it: section 2 "Security"
}

var (
	goWordsRe  = regexp.MustCompile(`(?i)\b(go|go[\s-]?live|launch|release|ship)\b`)
	decisionRe = regexp.MustCompile(`(?i)\b(go[\s-]*live|launch|release|readiness|go\s*/\s*no[\s-]*go)\s+(criteria|assessment|decision|approvals?)\b|\bsign[\s-]*offs?\b|\bapprovals?\b|\bgo\s*/\s*no[\s-]*go\b`)
	noGoRe     = regexp.MustCompile(`\bNO[\s-]?GO\b|\[[ xX]\]\s*GO\b|(?i:\bgo\s*/\s*no[\s-]*go\b)`)
)

// unmark drops inline emphasis and code marks from a reference.
var unmark = strings.NewReplacer("*", "", "`", "")

// decisionTitle tells whether a section title names a launch decision:
// "Go-Live Criteria", "Launch Readiness Assessment", "Sign-Off", "Approvals".
func decisionTitle(title string) bool {
	title = asciiDashes(title)
	return containsFold(title, "go", "sign", "approv") && decisionRe.MatchString(title)
}

// choiceRe recognises a box that is an answer to the launch decision rather
// than a task: "[ ] GO - Proceed with launch", "[ ] **NO GO**: Release
// Aborted", "[ ] No-Go", "[ ] SUCCESSFUL - All criteria met", "[x] Approved",
// "[ ] Rejected", "[ ] Modify".
var choiceRe = regexp.MustCompile(`^(?:(?i:go|no[\s-]?go|approved|rejected|conditional(?: go)?|modify|deferred)|GO|NO[\s-]?GO|YES|NO|SUCCESSFUL|PARTIAL|FAILED)(?:$|\s*:|\s+[-–—]\s)`)

// decisionChoice tells whether an item's text is such an answer.
func decisionChoice(text string) bool {
	// Most items fail on their first word, without the regular expression.
	t := strings.TrimLeft(text, "*_ \t")
	word := t
	if i := strings.IndexAny(t, " \t:*"); i >= 0 {
		word = t[:i]
	}
	var lower [16]byte
	if len(word) > len(lower) {
		return false
	}
	for i := 0; i < len(word); i++ {
		lower[i] = lowerASCII(word[i])
	}
	if !choiceWords[string(lower[:len(word)])] && (strings.IndexByte(word, 0xE2) < 0 || !choiceWords[asciiDashes(string(lower[:len(word)]))]) {
		return false
	}
	return choiceRe.MatchString(asciiDashes(unstar(text)))
}

var choiceWords = map[string]bool{
	"go": true, "no-go": true, "nogo": true, "no": true, "yes": true, "successful": true, "partial": true,
	"failed": true, "approved": true, "rejected": true, "conditional": true, "modify": true, "deferred": true,
}

// goNoGo tells whether a line with boxes is the launch decision: "[ ] GO [ ] NO-GO".
func goNoGo(text string) bool { return noGoRe.MatchString(text) }

// threshold reads the first percentage of s, such as "> 90%" or "at least
// 85%", and whether it is strict: ">", "above", "over", "more than".
func threshold(s string) (float64, bool, bool) {
	for i := strings.IndexByte(s, '%'); i >= 0; {
		end := strings.TrimRight(s[:i], " \t")
		start := len(end)
		for start > 0 && (end[start-1] >= '0' && end[start-1] <= '9' || end[start-1] == '.') {
			start--
		}
		if v, err := strconv.ParseFloat(end[start:], 64); err == nil {
			if v < 0 || v > 100 {
				return 0, false, false
			}
			before := strings.ToLower(strings.TrimRight(end[:start], " \t"))
			strict := strings.HasSuffix(before, ">") && !strings.HasSuffix(before, "=>") ||
				containsSuffix(before, "above", "over", "more than", "greater than", "exceeds", "exceed", "exceeding")
			return v, strict, true
		}
		next := strings.IndexByte(s[i+1:], '%')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return 0, false, false
}

// overallGate reads a line stating the overall readiness minimum.
func (p *parser) overallGate(l line, plain string) bool {
	if strings.IndexByte(plain, '%') < 0 {
		return false
	}
	overall := containsFold(plain, "overall", "readiness")
	minimum := containsFold(plain, "minimum", "min ", "min.", "at least", "threshold") ||
		overall && containsFold(plain, "must", "should", "need", "required", "recommended")
	// A label ending in a colon introduces a list of criteria, unless it
	// speaks of the overall readiness itself.
	if !minimum || strings.HasSuffix(plain, ":") && !overall {
		return false
	}
	about := func(s string) bool { return containsFold(s, "readiness", "overall", "score", "criteria", "go") }
	if !about(plain) && (p.sec == nil || !about(p.sec.Title)) && (p.grp == nil || !about(p.grp.Title)) {
		return false
	}
	v, strict, ok := threshold(plain)
	if !ok || !overall && namesTarget(plain) {
		return false
	}
	if !p.setOverall(l, v, strict) {
		return true
	}
	p.decide("it states the overall readiness minimum")
	p.ctx = context{}
	return true
}

// setOverall makes line l's minimum the overall readiness gate; false, and
// reported, when an earlier line stated one.
func (p *parser) setOverall(l line, threshold float64, strict bool) bool {
	if p.overall != nil {
		p.skip(l, fmt.Sprintf("a second overall readiness minimum: the one at line %d applies", p.overall.line))
		return false
	}
	p.overall = &foundGate{
		gate:   Gate{Name: "Overall readiness", Kind: GateOverall, Threshold: threshold, Strict: strict, Target: Target{Section: -1, Group: -1}, Source: source(l.n, l.raw)},
		line:   l.n,
		target: "every readiness section",
	}
	return true
}

// criteriaLabel opens a gate context at a label such as
// "Required for GO (must be 100%):".
func (p *parser) criteriaLabel(plain string) bool {
	if !strings.HasSuffix(plain, ":") {
		return false
	}
	ctx, ok := criteria(plain)
	if ok {
		p.ctx = ctx
	}
	return ok
}

// criteria reads a gate criterion's kind and threshold from a label or heading.
func criteria(s string) (context, bool) {
	if strings.IndexByte(s, '%') < 0 || !goWordsRe.MatchString(s) {
		return context{}, false
	}
	v, strict, ok := threshold(s)
	if !ok {
		return context{}, false
	}
	lower := strings.ToLower(s)
	kind := GateCritical
	switch {
	case strings.Contains(lower, "critical") || strings.Contains(lower, "should"):
	case strings.Contains(lower, "required") || strings.Contains(lower, "must") || strings.Contains(lower, "mandatory") || strings.Contains(lower, "block"):
		kind = GateRequired
	case v >= 100:
		kind = GateRequired
	}
	return context{kind: ctxGate, gateKind: kind, threshold: v, strict: strict}, true
}

// headingContext opens the context a heading names: GO criteria or roles.
func (p *parser) headingContext(title string) {
	if ctx, ok := criteria(title); ok {
		p.ctx = ctx
		return
	}
	if approvalsLabel(title) {
		p.ctx = context{kind: ctxRoles}
	}
}

func (p *parser) addRef(l line) {
	if len(p.refs) == maxRefs {
		p.skip(l, fmt.Sprintf("more than %d gate references: golive keeps the first %d", maxRefs, maxRefs))
		return
	}
	p.refs = append(p.refs, gateRef{ctx: p.ctx, text: l.text, raw: l.raw, line: l.n, section: p.section().Index})
	p.decide("it holds GO criteria")
}

// priorityOf reads a priority tier from a group heading: "Must Have (P0)".
func priorityOf(title string) string {
	for i := 0; i+1 < len(title); i++ {
		if title[i] != 'P' || title[i+1] < '0' || title[i+1] > '4' {
			continue
		}
		if (i == 0 || !isWordByte(title[i-1])) && (i+2 == len(title) || !isWordByte(title[i+2])) {
			return title[i : i+2]
		}
	}
	return ""
}

// gates settles the checklist's gates in document order, the overall
// readiness gate first, and reports each.
func (p *parser) gates() {
	var found []foundGate
	if p.overall != nil {
		found = append(found, *p.overall)
	} else {
		found = append(found, foundGate{
			gate:   Gate{Name: "Overall readiness", Kind: GateOverall, Threshold: DefaultMinimum, Target: Target{Section: -1, Group: -1}},
			target: "every readiness section",
		})
		p.rep.Defaults = append(p.rep.Defaults, fmt.Sprintf("The checklist states no overall readiness minimum: golive uses ≥ %d%%.", DefaultMinimum))
	}
	if len(p.refs) > 0 {
		p.indexWords()
	}
	for _, r := range p.refs {
		if r.boxed {
			if _, _, _, problem := p.resolve(splitRef(r.text), r.section); problem != "" {
				continue
			}
		}
		found = append(found, p.refGate(r))
	}
	found = append(found, p.selfGates()...)
	if g, ok := p.priorityGate(); ok && !measuresPriority(found, "P0") {
		found = append(found, g)
	}
	found = append(found, p.decisionItemGates(found)...)
	sort.SliceStable(found, func(i, j int) bool { return found[i].line < found[j].line })
	found = distinctGates(found)
	p.untaggedTiers(found)
	for _, f := range found {
		p.c.Gates = append(p.c.Gates, f.gate)
		p.rep.Gates = append(p.rep.Gates, ImportGate{Name: f.gate.Name, Kind: f.gate.Kind, Rule: f.gate.Rule(), Line: f.line, Target: f.target, Unresolved: f.gate.Unresolved})
	}
}

// distinctGates drops a gate that repeats an earlier one's rule: a
// heading's "Security (must be 100%)" and a criteria line's "Security:
// 100%" are one gate, reported once.
func distinctGates(found []foundGate) []foundGate {
	type rule struct {
		target    Target
		threshold float64
		strict    bool
	}
	seen := map[rule]bool{}
	out := found[:0]
	for _, f := range found {
		r := rule{f.gate.Target, f.gate.Threshold, f.gate.Strict}
		if !f.gate.Unresolved && f.gate.Kind != GateOverall {
			if seen[r] {
				continue
			}
			seen[r] = true
		}
		out = append(out, f)
	}
	return out
}

// untaggedTiers reports a gate over a priority tier no item carries ("100%
// of P0 items closed" with no item marked P0): it can never pass, and the
// team must learn how to mark the items.
func (p *parser) untaggedTiers(found []foundGate) {
	for _, f := range found {
		tier := f.gate.Target.Priority
		if tier == "" || f.gate.Unresolved {
			continue
		}
		tagged := false
		for _, it := range p.c.Items() {
			if it.Priority == tier {
				tagged = true
				break
			}
		}
		if !tagged {
			p.rep.Unresolved = append(p.rep.Unresolved, ImportProblem{Line: f.line, Text: clip(strings.TrimSpace(p.raw(f.line))),
				Reason: fmt.Sprintf("no item is marked %s, so the gate fails with no items counted: mark them (\"- [ ] [%s] ...\", or a heading such as \"### Must Have (%s)\")", tier, tier, tier)})
		}
	}
}

// measuresPriority tells whether a gate of found measures every item of a
// priority tier already ("All P0 items complete").
func measuresPriority(found []foundGate, tier string) bool {
	for _, f := range found {
		if f.gate.Target.Priority == tier {
			return true
		}
	}
	return false
}

// priorityGate makes the "every P0 item done" gate when P0 items exist,
// in groups whose heading says P0 or tagged so themselves ("[P0] ...").
func (p *parser) priorityGate() (foundGate, bool) {
	var groups []string
	line := 0
	for _, s := range p.c.Sections {
		for _, g := range s.Groups {
			first := 0
			for _, it := range g.Items {
				if it.Priority == "P0" {
					first = it.Line
					break
				}
			}
			if first == 0 && (g.Priority != "P0" || len(g.Items) == 0) {
				continue
			}
			if gl := p.meta[s.Index].groupLines[g.Index]; g.Priority == "P0" || first == 0 {
				first = gl
			}
			if line == 0 || first < line {
				line = first
			}
			title := g.Title
			if g.Priority != "P0" || title == "" {
				// Items tagged P0 themselves, not a P0 group.
				title = "P0 items"
			}
			if !slices.Contains(groups, title) {
				groups = append(groups, title)
			}
		}
	}
	if len(groups) == 0 {
		return foundGate{}, false
	}
	name := "P0 items"
	if len(groups) == 1 {
		name = groups[0]
	}
	return foundGate{
		gate:   Gate{Name: name, Kind: GatePriority, Threshold: 100, Target: Target{Section: -1, Group: -1, Priority: "P0"}, Source: fmt.Sprintf("line %d: every item under %s", line, strings.Join(groups, ", "))},
		line:   line,
		target: "every P0 item",
	}, true
}

// decisionItemGates makes a 100% gate of every group of ordinary items in a
// decision section that no rule measures ("### Final Checklist" under
// "## Sign-Off", the boxes of a "Final Go/No-Go Gate"): readiness leaves
// them out, so without a gate they would count for nothing, and a GO could
// be given with them open. Priority tiers keep their own rule: P0 has its
// gate, P1 and P2 are not blocking.
func (p *parser) decisionItemGates(found []foundGate) []foundGate {
	measured := func(si, gi int) bool {
		for _, f := range found {
			t := f.gate.Target
			if t.Priority == "" && t.Section == si && (t.Group < 0 || t.Group == gi) {
				return true
			}
		}
		return false
	}
	var out []foundGate
	for _, s := range p.c.Sections {
		if s.Kind != KindDecision {
			continue
		}
		for _, g := range s.Groups {
			if len(g.Items) == 0 || g.Priority != "" || measured(s.Index, g.Index) {
				continue
			}
			name, target := g.Title, fmt.Sprintf("group %q of section %s", g.Title, sectionLabel(s))
			if name == "" {
				name, target = s.Title, "section "+sectionLabel(s)
			}
			if p.c.Role(name) != nil {
				// A sign-off form's "### QA Lead": the role answers, the gate
				// holds the checks listed under it.
				name += "'s checks"
			}
			line := p.meta[s.Index].groupLines[g.Index]
			out = append(out, foundGate{
				gate: Gate{Name: name, Kind: GateRequired, Threshold: 100, Target: Target{Section: s.Index, Group: g.Index},
					Source: fmt.Sprintf("line %d: items of a decision section, measured by no other rule", line)},
				line:   line,
				target: target,
			})
		}
	}
	return out
}

// refGate turns a reference into a gate, failing and reported when it does
// not resolve.
func (p *parser) refGate(r gateRef) foundGate {
	ref := splitRef(r.text)
	t, label, title, problem := Target{}, "", "", r.problem
	if problem == "" {
		t, label, title, problem = p.resolve(ref, r.section)
	}
	name := ref.name
	if name == "" || t.Priority != "" && strings.EqualFold(name, t.Priority) {
		name = title
	}
	if name == "" {
		name = strings.TrimSpace(r.text)
	}
	g := Gate{Name: name, Kind: r.ctx.gateKind, Threshold: r.ctx.threshold, Strict: r.ctx.strict, Target: t, Source: source(r.line, r.raw)}
	if problem != "" {
		g.Unresolved, g.Target = true, Target{Section: -1, Group: -1}
		label = "unresolved: " + problem
		until := "; the gate fails until the checklist names a section or group that exists"
		switch {
		case r.problem != "":
			until = "; the gate fails until the line is changed"
		case r.written:
			until += ", or the line becomes an item to tick (\"- [ ] " + clip(strings.TrimLeft(strings.TrimSpace(r.raw), "-*+ \t")) + "\")"
		}
		p.rep.Unresolved = append(p.rep.Unresolved, ImportProblem{Line: r.line, Text: clip(strings.TrimSpace(r.raw)), Reason: problem + until})
	}
	return foundGate{gate: g, line: r.line, target: label}
}

// source is a gate's Source: the document line it was read from.
func source(n int, raw string) string {
	return fmt.Sprintf("line %d: %s", n, clip(strings.TrimSpace(raw)))
}
