package launch

import (
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// CanEdit tells whether user may add to, reword, remove or annotate the
// items of section s: its owner or the launch's creator.
func (l *Launch) CanEdit(user string, s *checklist.Section, what string) error {
	if user == l.Creator || (s.Owner != "" && user == s.Owner) {
		return nil
	}
	if s.Owner == "" {
		return Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can %s in %s, which has no owner.", l.Creator, what, s.Title)
	}
	return Errorf(EFORBIDDEN, "Only the owner of %s, <@%s>, or the launch's creator <@%s> can %s there.", s.Title, s.Owner, l.Creator, what)
}

// AddItem adds an open item with text to the section or group ref names
// (a section gets it in its last group) and returns its number: one higher
// than any number the launch ever gave, so removed numbers are never reused.
// Adding to a signed-off section voids the sign-off, and the channel is told
// (NoticeAddVoided).
func (l *Launch) AddItem(user, ref, text string) (int, []Event, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil, Errorf(EINVALID, "Say the new item's text, in quotes.")
	}
	if err := CheckLength("new item's text", text, MaxItemText); err != nil {
		return 0, nil, err
	}
	s, g, err := l.findPlace(ref)
	if err != nil {
		return 0, nil, err
	}
	if err := l.CanEdit(user, s, "add items"); err != nil {
		return 0, nil, err
	}
	if g == nil {
		g = &checklist.Group{Index: len(s.Groups)}
		s.Groups = append(s.Groups, g)
	}
	n := l.highestItem() + 1
	l.LastItem = n
	// In a time window's group, an item is a task like its neighbours.
	task := g.Window != nil
	if len(g.Items) > 0 {
		task = g.Items[len(g.Items)-1].Task
	}
	g.Items = append(g.Items, &checklist.Item{Number: n, Text: text, Priority: g.Priority, Task: task})
	for i, w := range l.Checklist.Windows {
		if w.Section == s.Index && w.Group == g.Index {
			l.Checklist.Windows[i].Items = append(append([]int(nil), w.Items...), n)
		}
	}
	where := s.Title
	if g.Title != "" {
		where += " / " + g.Title
	}
	events := []Event{{Actor: user, Kind: KindAdd, Items: []int{n}, After: fmt.Sprintf("%s (in %s)", text, where)}}
	if s.Signoff != nil {
		// The section was signed off without this item: as an untick does,
		// the new open item voids the sign-off.
		events = append(events, Event{Actor: user, Kind: KindSignoffVoid, Section: s.Title,
			Before: "signed by " + s.Signoff.By, After: fmt.Sprintf("void: item %d added", n)})
		l.notify(Notice{Kind: NoticeAddVoided, Actor: user, Items: []int{n}, Sections: []string{s.Title}})
		s.Signoff = nil
	}
	return n, events, nil
}

// EditItem rewords item number and tells whether the item was done: the
// channel hears of a done item that changed (NoticeDoneReworded).
func (l *Launch) EditItem(user string, number int, text string) (wasDone bool, before string, events []Event, err error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return false, "", nil, Errorf(EINVALID, "Say the item's new text, in quotes.")
	}
	if err := CheckLength(fmt.Sprintf("text of item %d", number), text, MaxItemText); err != nil {
		return false, "", nil, err
	}
	s, _, it := l.Checklist.Locate(number)
	if it == nil {
		return false, "", nil, l.removedOrNoItem(number)
	}
	if err := l.CanEdit(user, s, "reword items"); err != nil {
		return false, "", nil, err
	}
	if it.Text == text {
		return it.Done, it.Text, nil, nil
	}
	before = it.Text
	it.Text = text
	action := KindEdit
	if it.Done {
		// What was ticked is no longer what it says: the channel hears it.
		action = KindEditDone
		l.notify(Notice{Kind: NoticeDoneReworded, Actor: user, Items: []int{number}, Before: before, After: text})
	}
	return it.Done, before, []Event{{Actor: user, Kind: action, Items: []int{number}, Before: before, After: text}}, nil
}

// RemoveItem takes item number out of the checklist: it counts nowhere
// any more, is kept in Removed with who, when and why, and its number is
// never given again.
func (l *Launch) RemoveItem(user string, number int, reason string, now time.Time) (RemovedItem, []Event, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return RemovedItem{}, nil, Errorf(EINVALID, "Say why item %d goes, in quotes: the reason stays in the audit log.", number)
	}
	if err := CheckLength("reason", reason, MaxNote); err != nil {
		return RemovedItem{}, nil, err
	}
	s, g, it := l.Checklist.Locate(number)
	if it == nil {
		return RemovedItem{}, nil, l.removedOrNoItem(number)
	}
	if err := l.CanEdit(user, s, "remove items"); err != nil {
		return RemovedItem{}, nil, err
	}
	l.LastItem = l.highestItem()
	items := g.Items[:0:0]
	for _, other := range g.Items {
		if other.Number == number {
			continue
		}
		if other.Parent == number {
			// Its children move up to its parent.
			other.Parent = it.Parent
		}
		items = append(items, other)
	}
	g.Items = items
	for i, w := range l.Checklist.Windows {
		var kept []int
		for _, n := range w.Items {
			if n != number {
				kept = append(kept, n)
			}
		}
		l.Checklist.Windows[i].Items = kept
	}
	gone := RemovedItem{Number: number, Section: s.Title, Text: it.Text, Done: it.Done, By: user, At: now, Reason: reason}
	l.Removed = append(l.Removed, gone)
	return gone, []Event{{Actor: user, Kind: KindRemove, Items: []int{number}, Before: it.Text, After: "removed: " + reason}}, nil
}

// AddNote adds evidence or a comment (text, often a link) to item number.
func (l *Launch) AddNote(user string, number int, text string, now time.Time) ([]Event, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, Errorf(EINVALID, "Say the note: some text or a link.")
	}
	if err := CheckLength(fmt.Sprintf("note on item %d", number), text, MaxNote); err != nil {
		return nil, err
	}
	s, _, it := l.Checklist.Locate(number)
	if it == nil {
		return nil, l.removedOrNoItem(number)
	}
	if err := l.CanEdit(user, s, "add notes to items"); err != nil {
		return nil, err
	}
	it.Notes = append(it.Notes, checklist.Note{By: user, At: now, Text: text})
	return []Event{{Actor: user, Kind: KindNote, Items: []int{number}, After: text}}, nil
}

// highestItem is the highest number the launch ever gave an item.
func (l *Launch) highestItem() int {
	n := l.LastItem
	for _, it := range l.Checklist.Items() {
		n = max(n, it.Number)
	}
	for _, r := range l.Removed {
		n = max(n, r.Number)
	}
	return n
}

// removedOrNoItem explains a missing item, naming its removal when it was removed.
func (l *Launch) removedOrNoItem(n int) error {
	for _, r := range l.Removed {
		if r.Number == n {
			return Errorf(ENOTFOUND, "Item %d was removed on %s: %s", n, r.At.In(l.Location()).Format(DateLayout), r.Reason)
		}
	}
	return l.noItem(n)
}

// findPlace finds where an added item goes: a section by FindSection's
// rules (its last group), or else a group by its title, exact, then unique
// prefix, then unique substring, ignoring case.
func (l *Launch) findPlace(ref string) (*checklist.Section, *checklist.Group, error) {
	s, err := l.FindSection(ref)
	if err == nil {
		if len(s.Groups) == 0 {
			return s, nil, nil
		}
		return s, s.Groups[len(s.Groups)-1], nil
	}
	if ErrorCode(err) != ENOTFOUND {
		return nil, nil, err
	}
	low := strings.ToLower(strings.TrimSpace(strings.Trim(strings.TrimSpace(ref), `"“”`)))
	type place struct {
		s *checklist.Section
		g *checklist.Group
	}
	for _, match := range []func(string) bool{
		func(t string) bool { return t == low },
		func(t string) bool { return strings.HasPrefix(t, low) },
		func(t string) bool { return strings.Contains(t, low) },
	} {
		var found []place
		for _, s := range l.Checklist.Sections {
			for _, g := range s.Groups {
				if g.Title != "" && match(strings.ToLower(g.Title)) {
					found = append(found, place{s, g})
				}
			}
		}
		if len(found) == 1 {
			return found[0].s, found[0].g, nil
		}
		if len(found) > 1 {
			names := make([]string, len(found))
			for i, p := range found {
				names[i] = p.g.Title
			}
			return nil, nil, Errorf(EINVALID, "%q matches several groups: %s. Be more precise, or name the section.", ref, strings.Join(names, ", "))
		}
	}
	return nil, nil, Errorf(ENOTFOUND, "There is no section or group %q. Sections: %s.", ref, l.sectionNames())
}
