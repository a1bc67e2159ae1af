package checklist

import (
	"fmt"
	"regexp"
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
	return containsFold(title, "go", "sign", "approv") && decisionRe.MatchString(title)
}

// containsAny is a cheap filter run before a regular expression.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// containsFold tells whether s holds any of the lower-case ASCII subs,
// ignoring ASCII case, without allocating.
func containsFold(s string, subs ...string) bool {
	for _, sub := range subs {
		for i := 0; i+len(sub) <= len(s); i++ {
			j := 0
			for j < len(sub) && lowerASCII(s[i+j]) == sub[j] {
				j++
			}
			if j == len(sub) {
				return true
			}
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
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

func containsSuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
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
	if !ok {
		return false
	}
	if p.overall != nil {
		p.skip(l, fmt.Sprintf("a second overall readiness minimum: the one at line %d applies", p.overall.line))
		return true
	}
	p.overall = &foundGate{
		gate:   Gate{Name: "Overall readiness", Kind: GateOverall, Threshold: v, Strict: strict, Target: Target{Section: -1, Group: -1}, Source: source(l.n, l.raw)},
		line:   l.n,
		target: "every readiness section",
	}
	p.decide("it states the overall readiness minimum")
	p.ctx = context{}
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

func isWordByte(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
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
		found = append(found, p.refGate(r))
	}
	if g, ok := p.priorityGate(); ok {
		found = append(found, g)
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].line < found[j].line })
	for _, f := range found {
		p.c.Gates = append(p.c.Gates, f.gate)
		p.rep.Gates = append(p.rep.Gates, ImportGate{Name: f.gate.Name, Kind: f.gate.Kind, Rule: f.gate.Rule(), Line: f.line, Target: f.target, Unresolved: f.gate.Unresolved})
	}
}

// priorityGate makes the "every P0 item done" gate when P0 items exist.
func (p *parser) priorityGate() (foundGate, bool) {
	var groups []string
	line := 0
	for _, s := range p.c.Sections {
		for _, g := range s.Groups {
			if g.Priority != "P0" || len(g.Items) == 0 {
				continue
			}
			if line == 0 {
				line = p.meta[s.Index].groupLines[g.Index]
			}
			groups = append(groups, g.Title)
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

// refGate turns a reference into a gate, failing and reported when it does
// not resolve.
func (p *parser) refGate(r gateRef) foundGate {
	ref := splitRef(r.text)
	t, label, title, problem := p.resolve(ref, r.section)
	name := ref.name
	if name == "" {
		name = title
	}
	if name == "" {
		name = strings.TrimSpace(r.text)
	}
	g := Gate{Name: name, Kind: r.ctx.gateKind, Threshold: r.ctx.threshold, Strict: r.ctx.strict, Target: t, Source: source(r.line, r.raw)}
	if problem != "" {
		g.Unresolved, g.Target = true, Target{Section: -1, Group: -1}
		label = "unresolved: " + problem
		p.rep.Unresolved = append(p.rep.Unresolved, ImportProblem{Line: r.line, Text: clip(strings.TrimSpace(r.raw)), Reason: problem + "; the gate fails until the checklist names a section or group that exists"})
	}
	return foundGate{gate: g, line: r.line, target: label}
}

// reference is a gate reference taken apart: "Health Checks (Section 4 -
// Health Checks)" has the name "Health Checks", section 4 and the group hint
// "Health Checks".
type reference struct {
	name     string
	number   int
	numbered bool
	hint     string
}

func splitRef(text string) reference {
	t := unmark.Replace(text)
	var ref reference
	open := strings.IndexByte(t, '(')
	start, digits, end := sectionNumber(t)
	switch {
	case start < 0 && open >= 0:
		ref.name = t[:open]
	case start < 0:
		ref.name = t
	default:
		ref.number, _ = strconv.Atoi(t[digits:end])
		ref.numbered = true
		after := t[end:]
		if close := strings.IndexByte(after, ')'); close >= 0 {
			after = after[:close]
		}
		ref.hint = strings.Trim(after, " \t-–—:,/.")
		if open >= 0 && open < start {
			ref.name = t[:open]
		} else {
			ref.name = t[:start]
		}
	}
	ref.name = strings.Trim(ref.name, " \t-–—:,(.")
	return ref
}

// sectionNumber finds "Section 4" (or "Sec. 4", "§4") in s and returns
// where it starts, where its digits start and where it ends; -1s when s has
// none.
func sectionNumber(s string) (int, int, int) {
	for i := 0; i < len(s); i++ {
		if i > 0 && isWordByte(s[i-1]) {
			continue
		}
		j := -1
		for _, w := range []string{"section", "sect.", "sec.", "§"} {
			if len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) {
				j = i + len(w)
				break
			}
		}
		if j < 0 {
			continue
		}
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '#') {
			j++
		}
		k := j
		for k < len(s) && k-j < 4 && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j && (k == len(s) || !isWordByte(s[k])) {
			return i, j, k
		}
	}
	return -1, -1, -1
}

// resolve finds what a reference measures. With a section number, that
// section decides: the hint after the number names one of its groups; else
// the name is the section itself when all its words are in the title, or the
// group its other words name ("Disaster Recovery backups" is the Backup &
// Recovery group of "Disaster Recovery").
// Without a number, the name must match exactly one section or group of the
// other sections, first exactly, then by words. Words compare without case,
// plurals or little words such as "and". It returns the target, a label for
// people, the target's title, and the problem when it does not resolve.
func (p *parser) resolve(ref reference, from int) (Target, string, string, string) {
	name, number, hint := ref.name, ref.number, ref.hint
	if ref.numbered {
		s := p.numbered(number)
		if s == nil {
			return Target{}, "", "", fmt.Sprintf("there is no section %d", number)
		}
		if hint != "" {
			if g := p.uniqueGroup([]*Section{s}, words(hint), equalWords); g != nil {
				return groupTarget(s, g)
			}
			if g := p.uniqueGroup([]*Section{s}, words(hint), subsetWords); g != nil {
				return groupTarget(s, g)
			}
			return Target{}, "", "", fmt.Sprintf("section %s has no group %q", sectionLabel(s), hint)
		}
		nw := words(name)
		left := minusWords(nw, p.sw[s.Index])
		if len(left) == 0 {
			return sectionTarget(s)
		}
		if g := p.uniqueGroup([]*Section{s}, left, subsetWords); g != nil {
			return groupTarget(s, g)
		}
		if g := p.uniqueGroup([]*Section{s}, nw, subsetWords); g != nil {
			return groupTarget(s, g)
		}
		return Target{}, "", "", fmt.Sprintf("section %d is %q, and neither it nor one of its groups matches %q", number, s.Title, name)
	}
	nw := words(name)
	if len(nw) == 0 {
		return Target{}, "", "", "it names no section or group"
	}
	var others []*Section
	for _, s := range p.c.Sections {
		if s.Index != from {
			others = append(others, s)
		}
	}
	for _, match := range []func(a, b []string) bool{equalWords, subsetWords} {
		ss, ambiguous := p.uniqueSection(others, nw, match)
		if ambiguous != "" {
			return Target{}, "", "", ambiguous
		}
		if ss != nil {
			return sectionTarget(ss)
		}
		g, s, ambiguous := p.uniqueGroupAll(others, nw, match)
		if ambiguous != "" {
			return Target{}, "", "", ambiguous
		}
		if g != nil {
			return groupTarget(s, g)
		}
	}
	for _, s := range others {
		if sw := p.sw[s.Index]; len(sw) > 0 && subsetWords(sw, nw) {
			if g := p.uniqueGroup([]*Section{s}, minusWords(nw, sw), subsetWords); g != nil {
				return groupTarget(s, g)
			}
		}
	}
	if pr := priorityOf(name); pr != "" {
		return Target{Section: -1, Group: -1, Priority: pr}, "every " + pr + " item", pr + " items", ""
	}
	return Target{}, "", "", fmt.Sprintf("no section or group is called %q", name)
}

// indexWords splits every section title into words once, for resolving
// references; group titles are split when first needed (groupWords).
func (p *parser) indexWords() {
	p.sw = make([][]string, len(p.c.Sections))
	p.gw = make([][][]string, len(p.c.Sections))
	for i, s := range p.c.Sections {
		p.sw[i] = words(s.Title)
	}
}

// groupWords returns the words of every group title of a section.
func (p *parser) groupWords(s *Section) [][]string {
	if p.gw[s.Index] == nil {
		gw := make([][]string, len(s.Groups))
		for j, g := range s.Groups {
			gw[j] = words(g.Title)
		}
		p.gw[s.Index] = gw
	}
	return p.gw[s.Index]
}

func (p *parser) numbered(n int) *Section {
	for _, s := range p.c.Sections {
		if s.Number == n {
			return s
		}
	}
	return nil
}

func sectionTarget(s *Section) (Target, string, string, string) {
	return Target{Section: s.Index, Group: -1}, "section " + sectionLabel(s), s.Title, ""
}

func groupTarget(s *Section, g *Group) (Target, string, string, string) {
	return Target{Section: s.Index, Group: g.Index}, fmt.Sprintf("group %q of section %s", g.Title, sectionLabel(s)), g.Title, ""
}

// sectionLabel names a section for people: 2 "Security", or "Security".
func sectionLabel(s *Section) string {
	if s.Number > 0 {
		return fmt.Sprintf("%d %q", s.Number, s.Title)
	}
	return strconv.Quote(s.Title)
}

// uniqueSection returns the one section whose title matches, or a problem
// when several do.
func (p *parser) uniqueSection(ss []*Section, nw []string, match func(a, b []string) bool) (*Section, string) {
	var found []*Section
	for _, s := range ss {
		if sw := p.sw[s.Index]; len(sw) > 0 && match(nw, sw) {
			found = append(found, s)
		}
	}
	if len(found) > 1 {
		return nil, fmt.Sprintf("it matches several sections: %s and %s", sectionLabel(found[0]), sectionLabel(found[1]))
	}
	if len(found) == 1 {
		return found[0], ""
	}
	return nil, ""
}

// uniqueGroup returns the one group of ss whose title matches, nil when none
// or several do.
func (p *parser) uniqueGroup(ss []*Section, nw []string, match func(a, b []string) bool) *Group {
	g, _, _ := p.uniqueGroupAll(ss, nw, match)
	return g
}

// uniqueGroupAll returns the one group of ss whose title matches and its
// section, or a problem when several do.
func (p *parser) uniqueGroupAll(ss []*Section, nw []string, match func(a, b []string) bool) (*Group, *Section, string) {
	if len(nw) == 0 {
		return nil, nil, ""
	}
	var found *Group
	var in *Section
	for _, s := range ss {
		gws := p.groupWords(s)
		for _, g := range s.Groups {
			if gw := gws[g.Index]; len(gw) > 0 && match(nw, gw) {
				if found != nil {
					return nil, nil, fmt.Sprintf("it matches several groups: %q of section %s and %q of section %s", found.Title, sectionLabel(in), g.Title, sectionLabel(s))
				}
				found, in = g, s
			}
		}
	}
	return found, in, ""
}

// little words carry no meaning when names are compared.
var little = map[string]bool{"and": true, "the": true, "of": true, "for": true, "a": true, "an": true, "to": true, "in": true, "on": true, "section": true}

// words splits a name into lower-case words without little words or plural
// endings: "Backups & Recovery" gives [backup recovery].
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7F)
	}) {
		if little[w] {
			continue
		}
		out = append(out, singular(w))
	}
	return out
}

func singular(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

func equalWords(a, b []string) bool {
	return len(a) == len(b) && subsetWords(a, b)
}

// subsetWords tells whether every word of a is in b.
func subsetWords(a, b []string) bool {
	for _, w := range a {
		found := false
		for _, v := range b {
			if v == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func minusWords(a, b []string) []string {
	var out []string
	for _, w := range a {
		if !subsetWords([]string{w}, b) {
			out = append(out, w)
		}
	}
	return out
}

// source is a gate's Source: the document line it was read from.
func source(n int, raw string) string {
	return fmt.Sprintf("line %d: %s", n, clip(strings.TrimSpace(raw)))
}
