package launch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/golive/golive/internal/checklist"
)

// RemovedByUpdate is the reason an update gives the items it takes out.
const RemovedByUpdate = "not in the new checklist"

// minSimilarity is how alike (0 to 1, see similarity) two texts must be
// for an item whose text changed to be taken for the same item reworded: a
// few words changed pass, a wholly different item does not.
const minSimilarity = 0.5

// Kinds of Change.
const (
	ChangeAdded    = "added"
	ChangeRemoved  = "removed"
	ChangeReworded = "reworded"
)

// Change is one item an update adds, removes or rewords.
type Change struct {
	Kind    string
	Section string // the title of the section it is in (was in, when removed)
	// Number is the item's number: kept when reworded or removed, the
	// number it will get when added.
	Number int
	Before string // the text it had, "" when added
	After  string // the text it gets, "" when removed
	// Done tells whether the item is done: a done item reworded or removed
	// is worth a look.
	Done bool
}

// Diff is what bringing in a newer version of the checklist changes in a
// live launch: its items, counted and listed, the other changes of the
// document, and the sign-offs and approvals it voids.
type Diff struct {
	Added, Removed, Reworded, Unchanged int
	Changes                             []Change
	// Other lists the changes that are not items, as sentences: sections,
	// gates, roles, time windows, the title, items' details or priority.
	Other []string
	// Signoffs are the titles of the sections whose sign-off is voided.
	Signoffs []string
	// Verdicts are the names of the roles whose answer goes back to pending.
	Verdicts []string
}

// Empty tells whether the update would change nothing.
func (d Diff) Empty() bool {
	return len(d.Changes) == 0 && len(d.Other) == 0
}

// Digest summarises the diff: an update is applied only when the diff
// computed at that moment has the digest of the one the person saw, so
// that nobody confirms changes they were not shown.
func (d Diff) Digest() string {
	// Marshalling plain slices, strings and numbers cannot fail.
	b, _ := json.Marshal(d)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// Summary is the diff's counts in a sentence: "5 added, 1 removed, 2
// reworded, 100 unchanged".
func (d Diff) Summary() string {
	return fmt.Sprintf("%d added, %d removed, %d reworded, %d unchanged", d.Added, d.Removed, d.Reworded, d.Unchanged)
}

// CanUpdate tells whether user may bring a newer checklist into the
// launch: its creator, since an update may touch every section.
func (l *Launch) CanUpdate(user string) error {
	if user == l.Creator {
		return nil
	}
	return Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can update its checklist from a newer version: it may change every section.", l.Creator)
}

// UpdateChecklist brings a newer version of the checklist (next, freshly
// parsed; it is not changed) into the launch. Items are matched by section
// and text, then, where the text changed slightly, by position in their
// group: matched items keep their number and everything people did to them;
// new items arrive open with numbers never given before; items gone from
// the document are removed, kept in Removed. Sections keep their owners;
// gates, windows and roles follow the document, role holders and answers
// kept where the role still exists. A sign-off of a section the update
// touches is voided, and so is every answer when the update changes what
// the decision rests on. The channel is told what changed (NoticeUpdated).
// An update that changes nothing returns no events.
func (l *Launch) UpdateChecklist(user string, next *checklist.Checklist, now time.Time) (Diff, []Event, error) {
	if err := l.CanUpdate(user); err != nil {
		return Diff{}, nil, err
	}
	p, err := l.plan(next)
	if err != nil {
		return Diff{}, nil, err
	}
	if p.diff.Empty() {
		return p.diff, nil, nil
	}
	if err := CheckChecklist(p.list); err != nil {
		return Diff{}, nil, err
	}
	events := []Event{{Actor: user, Kind: KindUpdate, After: p.diff.Summary()}}
	for _, c := range p.diff.Changes {
		switch c.Kind {
		case ChangeAdded:
			events = append(events, Event{Actor: user, Kind: KindAdd, Items: []int{c.Number}, After: fmt.Sprintf("%s (in %s)", c.After, c.Section)})
		case ChangeRemoved:
			events = append(events, Event{Actor: user, Kind: KindRemove, Items: []int{c.Number}, Before: c.Before, After: "removed: " + RemovedByUpdate})
			l.Removed = append(l.Removed, RemovedItem{Number: c.Number, Section: c.Section, Text: c.Before, Done: c.Done, By: user, At: now, Reason: RemovedByUpdate})
		case ChangeReworded:
			action := KindEdit
			if c.Done {
				action = KindEditDone
			}
			events = append(events, Event{Actor: user, Kind: action, Items: []int{c.Number}, Before: c.Before, After: c.After})
		}
	}
	for _, o := range p.diff.Other {
		events = append(events, Event{Actor: user, Kind: KindUpdate, After: o})
	}
	for _, title := range p.diff.Signoffs {
		events = append(events, Event{Actor: user, Kind: KindSignoffVoid, Section: title,
			Before: "signed by " + p.signedBy[title], After: "void: the checklist was updated"})
	}
	for _, r := range p.list.Roles {
		if was, ok := p.voided[r.Name]; ok {
			events = append(events, Event{Actor: user, Kind: KindVerdictVoid, Role: r.Name,
				Before: string(was), After: string(checklist.VerdictPending) + ": the checklist was updated"})
		}
	}
	l.Checklist = p.list
	l.LastItem = p.last
	diff := p.diff
	l.notify(Notice{Kind: NoticeUpdated, Actor: user, Diff: &diff})
	return p.diff, events, nil
}

// updatePlan is an update worked out: the checklist the launch gets, and
// what it changes.
type updatePlan struct {
	list     *checklist.Checklist
	last     int // the launch's LastItem after the update
	diff     Diff
	signedBy map[string]string            // section title: who had signed it
	voided   map[string]checklist.Verdict // role name: the answer voided
}

// match pairs the items of the live checklist with those of the document.
type match struct {
	// live maps a document item (by its number in the document) to the
	// live item it is, nil when it is new.
	live map[int]*checklist.Item
	// taken marks the live items matched, by number.
	taken map[int]bool
	// sectionOf maps a document section index to the live section it is.
	sectionOf map[int]*checklist.Section
	// pairs caches the letter pairs of live items' texts, by number.
	pairs map[int]bigramSet
}

// plan works the update out without changing the launch.
func (l *Launch) plan(next *checklist.Checklist) (*updatePlan, error) {
	if next == nil {
		return nil, Errorf(EINVALID, "The new checklist is empty.")
	}
	m := matchItems(l.Checklist, next)
	p := &updatePlan{signedBy: map[string]string{}, voided: map[string]checklist.Verdict{}}
	list := &checklist.Checklist{Title: next.Title, Gates: append([]checklist.Gate(nil), next.Gates...)}
	// final maps a document item number to the number it has in the launch.
	final := map[int]int{}
	last := l.highestItem()
	for _, it := range next.Items() {
		if old := m.live[it.Number]; old != nil {
			final[it.Number] = old.Number
		} else {
			last++
			final[it.Number] = last
		}
	}
	p.last = last
	touched := map[*checklist.Section]bool{}
	decisive := false
	for _, ns := range next.Sections {
		s := *ns
		s.Groups = nil
		old := m.sectionOf[ns.Index]
		if old != nil {
			// The section keeps what people set on it.
			s.Owner, s.Signoff = old.Owner, old.Signoff
			if s.Owner == "" {
				s.Owner = ns.Owner
			}
		}
		for _, ng := range ns.Groups {
			g := *ng
			g.Items = make([]*checklist.Item, 0, len(ng.Items))
			for _, nit := range ng.Items {
				it := mergeItem(m.live[nit.Number], nit)
				it.Number = final[nit.Number]
				// Parents are numbered as the launch numbers them; 0 stays 0.
				it.Parent = final[nit.Parent]
				g.Items = append(g.Items, it)
				old := m.live[nit.Number]
				switch {
				case old == nil:
					p.diff.Added++
					p.diff.Changes = append(p.diff.Changes, Change{Kind: ChangeAdded, Section: s.Title, Number: it.Number, After: it.Text})
				case normText(old.Text) != normText(nit.Text):
					p.diff.Reworded++
					p.diff.Changes = append(p.diff.Changes, Change{Kind: ChangeReworded, Section: s.Title, Number: it.Number,
						Before: old.Text, After: it.Text, Done: it.Done})
				default:
					p.diff.Unchanged++
					// The wording the live launch has stands when only
					// case, spacing or a final full stop differ.
					it.Text = old.Text
					if old.Priority != it.Priority {
						p.diff.Other = append(p.diff.Other, fmt.Sprintf("item %d: priority %s instead of %s", it.Number, orNone(it.Priority), orNone(old.Priority)))
						decisive = true
					}
					if old.Details != it.Details {
						p.diff.Other = append(p.diff.Other, fmt.Sprintf("item %d: the text under it changed", it.Number))
					}
					if probeText(old.Probe) != probeText(it.Probe) {
						p.diff.Other = append(p.diff.Other, fmt.Sprintf("item %d: probe %s instead of %s", it.Number, probeText(it.Probe), probeText(old.Probe)))
					}
					continue
				}
				touched[&s] = true
				if gated(next, ns, ng, nit) {
					decisive = true
				}
			}
			s.Groups = append(s.Groups, &g)
		}
		list.Sections = append(list.Sections, &s)
		if touched[&s] && s.Signoff != nil {
			p.diff.Signoffs = append(p.diff.Signoffs, s.Title)
			p.signedBy[s.Title] = s.Signoff.By
		}
	}
	// Live items the document no longer has.
	for _, os := range l.Checklist.Sections {
		for _, og := range os.Groups {
			for _, it := range og.Items {
				if m.taken[it.Number] {
					continue
				}
				p.diff.Removed++
				p.diff.Changes = append(p.diff.Changes, Change{Kind: ChangeRemoved, Section: os.Title, Number: it.Number, Before: it.Text, Done: it.Done})
				if gated(l.Checklist, os, og, it) {
					decisive = true
				}
				// The section's sign-off was given with this item in it.
				for _, s := range list.Sections {
					if m.sectionOf[s.Index] == os && s.Signoff != nil && !touched[s] {
						touched[s] = true
						p.diff.Signoffs = append(p.diff.Signoffs, s.Title)
						p.signedBy[s.Title] = s.Signoff.By
					}
				}
			}
		}
	}
	for _, s := range list.Sections {
		if touched[s] {
			s.Signoff = nil
		}
	}
	p.diff.Other = append(p.diff.Other, sectionChanges(l.Checklist, next, m)...)
	if a, b := gateKeys(l.Checklist), gateKeys(next); !equalStrings(a, b) {
		p.diff.Other = append(p.diff.Other, "the decision rules (gates) changed: "+strings.Join(b, "; "))
		decisive = true
	}
	if l.Checklist.Title != next.Title {
		p.diff.Other = append(p.diff.Other, fmt.Sprintf("title: “%s” instead of “%s”", next.Title, l.Checklist.Title))
	}
	// Time windows follow the document, their tasks by their launch numbers.
	for _, w := range next.Windows {
		w.Items = mapNumbers(w.Items, final)
		list.Windows = append(list.Windows, w)
	}
	if a, b := windowKeys(l.Checklist.Windows), windowKeys(list.Windows); !equalStrings(a, b) {
		p.diff.Other = append(p.diff.Other, "the time windows changed: "+orNone(strings.Join(b, "; ")))
	}
	p.diff.Other = append(p.diff.Other, l.mergeRoles(list, next, p, decisive)...)
	p.list = list
	return p, nil
}

// mergeRoles gives list the document's roles, each keeping its holder and
// answer where the launch has a role of that name; when decisive, the
// answers go back to pending. It returns the role changes, as sentences.
func (l *Launch) mergeRoles(list, next *checklist.Checklist, p *updatePlan, decisive bool) []string {
	var other []string
	for _, nr := range next.Roles {
		r := *nr
		if old := l.Checklist.Role(nr.Name); old != nil {
			r = *old
			r.Name, r.Description = nr.Name, nr.Description
			if old.Description != nr.Description {
				other = append(other, fmt.Sprintf("role %s: its description changed", nr.Name))
			}
			if decisive && r.Verdict != checklist.VerdictPending && r.Verdict != "" {
				// An approval of another checklist is no approval of this one.
				p.voided[r.Name] = r.Verdict
				p.diff.Verdicts = append(p.diff.Verdicts, r.Name)
				r.Verdict, r.Note, r.By, r.At = checklist.VerdictPending, "", "", time.Time{}
				r.Version++
			}
		} else {
			other = append(other, fmt.Sprintf("role %s added", nr.Name))
		}
		list.Roles = append(list.Roles, &r)
	}
	for _, old := range l.Checklist.Roles {
		if next.Role(old.Name) == nil {
			other = append(other, fmt.Sprintf("role %s removed", old.Name))
		}
	}
	return other
}

// mergeItem is the item a matched live item becomes: everything people
// did to it kept (it is copied whole), what the document says of it taken
// from the document: a probe the document declares replaces the item's
// (one it does not declare leaves the item's, which `probe` may have
// set). An unmatched document item arrives open.
func mergeItem(live, doc *checklist.Item) *checklist.Item {
	if live == nil {
		it := *doc
		it.Done, it.DoneBy, it.DoneAt = false, "", time.Time{}
		return &it
	}
	it := *live
	it.Text = doc.Text
	it.Priority = doc.Priority
	it.Details = doc.Details
	it.Depth = doc.Depth
	it.Subgroup = doc.Subgroup
	it.Line = doc.Line
	if doc.Probe != nil {
		it.Probe = doc.Probe
	}
	return &it
}

// matchItems pairs document items with live ones: first by section and
// text, in the same group then anywhere in the section; then, in each
// group, the items left by their position between matched neighbours,
// when their texts are alike enough. Texts are looked up, not compared
// pairwise: a checklist of thousands of items matches in milliseconds.
func matchItems(old, next *checklist.Checklist) *match {
	m := &match{live: map[int]*checklist.Item{}, taken: map[int]bool{}, sectionOf: map[int]*checklist.Section{}, pairs: map[int]bigramSet{}}
	used := map[*checklist.Section]bool{}
	for _, ns := range next.Sections {
		for _, os := range old.Sections {
			if !used[os] && normText(os.Title) == normText(ns.Title) {
				used[os] = true
				m.sectionOf[ns.Index] = os
				break
			}
		}
	}
	for _, ns := range next.Sections {
		os := m.sectionOf[ns.Index]
		if os == nil {
			continue
		}
		// The live items of the section by text, in order, and of each group.
		bySection := map[string][]*checklist.Item{}
		byGroup := map[*checklist.Group]map[string][]*checklist.Item{}
		for _, og := range os.Groups {
			byGroup[og] = map[string][]*checklist.Item{}
			for _, it := range og.Items {
				t := normText(it.Text)
				bySection[t] = append(bySection[t], it)
				byGroup[og][t] = append(byGroup[og][t], it)
			}
		}
		// Same group, same text.
		for _, ng := range ns.Groups {
			if og := sameGroup(os, ng); og != nil {
				for _, nit := range ng.Items {
					m.pairFirst(nit, byGroup[og][normText(nit.Text)])
				}
			}
		}
		// Same section, same text: an item moved to another group.
		for _, ng := range ns.Groups {
			for _, nit := range ng.Items {
				if m.live[nit.Number] == nil {
					m.pairFirst(nit, bySection[normText(nit.Text)])
				}
			}
		}
		// Reworded: by position within the group.
		for _, ng := range ns.Groups {
			if og := sameGroup(os, ng); og != nil {
				m.pairByPosition(ng.Items, og.Items)
			}
		}
	}
	return m
}

// pairFirst matches nit with the first of candidates not matched yet.
func (m *match) pairFirst(nit *checklist.Item, candidates []*checklist.Item) {
	for _, it := range candidates {
		if !m.taken[it.Number] {
			m.pair(nit, it)
			return
		}
	}
}

func (m *match) pair(nit, it *checklist.Item) {
	m.live[nit.Number] = it
	m.taken[it.Number] = true
}

// maxLookahead bounds how many live items an unmatched document item is
// compared with, so that a group rewritten wholesale costs little.
const maxLookahead = 20

// pairByPosition matches the free document items of a group with the free
// live items of the same group lying between the same matched neighbours,
// in order, when their texts are alike enough.
func (m *match) pairByPosition(next, old []*checklist.Item) {
	index := make(map[int]int, len(old)) // live number: position in old
	for i, it := range old {
		index[it.Number] = i
	}
	anchor := func(nit *checklist.Item) (int, bool) {
		if it := m.live[nit.Number]; it != nil {
			i, ok := index[it.Number]
			return i, ok
		}
		return 0, false
	}
	// hiOf[j] is the position in old of the first matched neighbour after
	// next[j], len(old) when none.
	hiOf := make([]int, len(next))
	hi := len(old)
	for j := len(next) - 1; j >= 0; j-- {
		hiOf[j] = hi
		if i, ok := anchor(next[j]); ok {
			hi = i
		}
	}
	lo := -1 // the position in old of the last matched neighbour
	for j, nit := range next {
		if m.live[nit.Number] != nil {
			if i, ok := anchor(nit); ok {
				lo = i
			}
			continue
		}
		var want bigramSet
		for i := lo + 1; i < hiOf[j] && i <= lo+maxLookahead; i++ {
			it := old[i]
			if m.taken[it.Number] {
				continue
			}
			if want == nil {
				want = bigrams(nit.Text)
			}
			have, ok := m.pairs[it.Number]
			if !ok {
				have = bigrams(it.Text)
				m.pairs[it.Number] = have
			}
			if have.similarity(want) >= minSimilarity {
				m.pair(nit, it)
				lo = i
				break
			}
		}
	}
}

// sameGroup is the group of live section s with ng's title, nil when none.
func sameGroup(s *checklist.Section, ng *checklist.Group) *checklist.Group {
	for _, g := range s.Groups {
		if normText(g.Title) == normText(ng.Title) {
			return g
		}
	}
	return nil
}

// gated tells whether item it, in group g of section s of c, counts in one
// of c's gates: a change to it changes what the decision rests on.
func gated(c *checklist.Checklist, s *checklist.Section, g *checklist.Group, it *checklist.Item) bool {
	for _, gate := range c.Gates {
		t := gate.Target
		switch {
		case gate.Unresolved:
		case t.Priority != "":
			if it.Priority == t.Priority {
				return true
			}
		case t.Section < 0:
			if s.Kind == checklist.KindReadiness {
				return true
			}
		case t.Section == s.Index && (t.Group < 0 || t.Group == g.Index):
			return true
		}
	}
	return false
}

// gateKeys describes each gate by what it measures, naming its target
// rather than numbering it: sections moving about change no gate.
func gateKeys(c *checklist.Checklist) []string {
	var out []string
	for _, g := range c.Gates {
		target := "all readiness sections"
		t := g.Target
		switch {
		case g.Unresolved:
			target = "nothing found"
		case t.Priority != "":
			target = "every " + t.Priority + " item"
		case t.Section >= 0 && t.Section < len(c.Sections):
			s := c.Sections[t.Section]
			target = s.Title
			if t.Group >= 0 && t.Group < len(s.Groups) {
				target += " / " + s.Groups[t.Group].Title
			}
		}
		op := "at least"
		if g.Strict {
			op = "above"
		}
		out = append(out, fmt.Sprintf("%s: %s %v%% of %s", g.Name, op, g.Threshold, target))
	}
	return out
}

// windowKeys describes each time window by its name, offset and tasks.
func windowKeys(ws []checklist.Window) []string {
	var out []string
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%s (%d min, items %v)", w.Name, w.OffsetMinutes, w.Items))
	}
	return out
}

// sectionChanges names the sections added and removed.
func sectionChanges(old, next *checklist.Checklist, m *match) []string {
	var out []string
	kept := map[*checklist.Section]bool{}
	for _, ns := range next.Sections {
		if os := m.sectionOf[ns.Index]; os != nil {
			kept[os] = true
			if os.Title != ns.Title {
				out = append(out, fmt.Sprintf("section “%s” is now “%s”", os.Title, ns.Title))
			}
		} else {
			out = append(out, fmt.Sprintf("section %s added", ns.Title))
		}
	}
	for _, os := range old.Sections {
		if !kept[os] {
			out = append(out, fmt.Sprintf("section %s removed", os.Title))
		}
	}
	return out
}

func mapNumbers(in []int, final map[int]int) []int {
	out := make([]int, 0, len(in))
	for _, n := range in {
		if f, ok := final[n]; ok {
			out = append(out, f)
		}
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// normText is text as items are matched: case, spacing and final
// punctuation aside.
func normText(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// bigramSet is the letter pairs of a text after normText, each two runes
// packed in one number, sorted.
type bigramSet []uint64

// similarity is the Dice coefficient of two texts' letter pairs: 1 for the
// same text, near 0 for unrelated ones.
func (a bigramSet) similarity(b bigramSet) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

// bigrams returns the letter pairs of normText(s).
func bigrams(s string) bigramSet {
	r := []rune(normText(s))
	out := make(bigramSet, 0, max(len(r)-1, 0))
	for i := 0; i+1 < len(r); i++ {
		out = append(out, uint64(r[i])<<32|uint64(uint32(r[i+1])))
	}
	slices.Sort(out)
	return out
}
