package checklist

import (
	"fmt"
	"strconv"
	"strings"
)

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

// NameMatches tells whether a gate reference named name is read as the
// section or group titled title: its words are among the title's, without
// case, plurals or little words ("blockers" is "Security — BLOCKER").
func NameMatches(name, title string) bool {
	nw := words(name)
	return len(nw) > 0 && subsetWords(nw, words(title))
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
