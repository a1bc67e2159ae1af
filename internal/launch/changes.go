package launch

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// CanTick tells whether user may tick or untick the item: its owner, the
// owner of its section, or the launch's creator; anyone for an unowned item.
func (l *Launch) CanTick(user string, number int) error {
	s, _, it := l.Checklist.Locate(number)
	if it == nil {
		return l.noItem(number)
	}
	if it.Owner == "" || it.Owner == user || s.Owner == user || l.Creator == user {
		return nil
	}
	return Errorf(EFORBIDDEN, "Item %d is owned by <@%s>; only they, the owner of %s or the launch's creator <@%s> can change it.",
		number, it.Owner, s.Title, l.Creator)
}

// SetDone ticks (done) or unticks the items. Every item is checked before any
// changes, so a refusal changes nothing. Items already in the wanted state
// are left alone and leave no event, except a done item required to be
// fresh: ticking it again verifies it anew. Unticking an item of a signed-off
// section voids the sign-off, and the channel is told (NoticeUntickVoided).
func (l *Launch) SetDone(user string, numbers []int, done bool, now time.Time) ([]Event, error) {
	if len(numbers) == 0 {
		return nil, Errorf(EINVALID, "Say which items, by number: for example `tick 12 14`.")
	}
	for _, n := range numbers {
		if err := l.CanTick(user, n); err != nil {
			return nil, err
		}
	}
	var events []Event
	for _, n := range uniqueInts(numbers) {
		if done {
			if ev, ok := l.reverify(user, n, now); ok {
				events = append(events, ev)
				continue
			}
		}
		events = append(events, l.markDone(user, n, done, now)...)
	}
	l.notifyVoided(user, events)
	return events, nil
}

// reverify ticks again item n, which exists, done already and required
// to be fresh: ticking it is saying it was checked again now, which is
// what its freshness asks for. An item any age of verification will do
// for is left alone, as it always was.
func (l *Launch) reverify(user string, n int, now time.Time) (Event, bool) {
	_, _, it := l.Checklist.Locate(n)
	if !it.Done || it.Fresh == 0 {
		return Event{}, false
	}
	it.DoneBy, it.DoneAt = user, now
	return Event{Actor: user, Kind: KindTick, Items: []int{n}, Before: doneWord(true), After: "verified again"}, true
}

// markDone ticks or unticks item n, which exists, for actor, who may: no
// event when it is in that state already. Unticking an item of a
// signed-off section voids the sign-off.
func (l *Launch) markDone(actor string, n int, done bool, now time.Time) []Event {
	s, _, it := l.Checklist.Locate(n)
	if it.Done == done {
		return nil
	}
	before := doneWord(it.Done)
	it.Done = done
	if done {
		it.DoneBy, it.DoneAt = actor, now
	} else {
		it.DoneBy, it.DoneAt = "", time.Time{}
	}
	action := KindUntick
	if done {
		action = KindTick
	}
	events := []Event{{Actor: actor, Kind: action, Items: []int{n}, Before: before, After: doneWord(done)}}
	if !done && s.Signoff != nil {
		events = append(events, Event{Actor: actor, Kind: KindSignoffVoid, Section: s.Title,
			Before: "signed by " + s.Signoff.By, After: fmt.Sprintf("void: item %d unticked", n)})
		s.Signoff = nil
	}
	return events
}

// notifyVoided tells the channel which sign-offs the unticks of events
// voided, in one notice: the sections need signing off again.
func (l *Launch) notifyVoided(actor string, events []Event) {
	if voided := SectionsOf(events, KindSignoffVoid); len(voided) > 0 {
		l.notify(Notice{Kind: NoticeUntickVoided, Actor: actor, Sections: voided})
	}
}

// SetItemOwner makes owner ("" to clear) the owner of an item. The creator
// and the section's owner may do it.
func (l *Launch) SetItemOwner(user string, number int, owner string) ([]Event, error) {
	s, _, it := l.Checklist.Locate(number)
	if it == nil {
		return nil, l.noItem(number)
	}
	if user != l.Creator && user != s.Owner {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> or the owner of %s can assign item %d.", l.Creator, s.Title, number)
	}
	if it.Owner == owner {
		return nil, nil
	}
	ev := Event{Actor: user, Kind: KindOwner, Items: []int{number}, Before: it.Owner, After: owner}
	it.Owner = owner
	return []Event{ev}, nil
}

// SetSectionOwner makes owner the owner of a section; only the creator may.
func (l *Launch) SetSectionOwner(user, ref, owner string) ([]Event, error) {
	s, err := l.FindSection(ref)
	if err != nil {
		return nil, err
	}
	if user != l.Creator {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can assign section owners.", l.Creator)
	}
	if s.Owner == owner {
		return nil, nil
	}
	ev := Event{Actor: user, Kind: KindOwner, Section: s.Title, Before: s.Owner, After: owner}
	s.Owner = owner
	return []Event{ev}, nil
}

// FindSection finds a section by its number in the document ("2"), its
// position, or its name: exact, then unique prefix, then unique substring,
// all ignoring case.
func (l *Launch) FindSection(ref string) (*checklist.Section, error) {
	ref = strings.TrimSpace(strings.Trim(strings.TrimSpace(ref), `"“”`))
	if ref == "" {
		return nil, Errorf(EINVALID, "Say which section, by name or number.")
	}
	secs := l.Checklist.Sections
	if n, err := strconv.Atoi(ref); err == nil {
		for _, s := range secs {
			if s.Number == n {
				return s, nil
			}
		}
		return nil, Errorf(ENOTFOUND, "There is no section %d. Sections: %s.", n, l.sectionNames())
	}
	low := strings.ToLower(ref)
	for _, match := range []func(string) bool{
		func(t string) bool { return t == low },
		func(t string) bool { return strings.HasPrefix(t, low) },
		func(t string) bool { return strings.Contains(t, low) },
	} {
		var found []*checklist.Section
		for _, s := range secs {
			if match(strings.ToLower(s.Title)) {
				found = append(found, s)
			}
		}
		if len(found) == 1 {
			return found[0], nil
		}
		if len(found) > 1 {
			return nil, Errorf(EINVALID, "%q matches several sections: %s. Be more precise.", ref, titles(found))
		}
	}
	return nil, Errorf(ENOTFOUND, "There is no section %q. Sections: %s.", ref, l.sectionNames())
}

// MoveDate sets a new launch date (ReadDate) and, when at is not "", its
// time of day (HH:MM); only the creator may. The launch is dated at now:
// its windows already passed then are skipped, not posted.
func (l *Launch) MoveDate(user, date, at string, now time.Time) ([]Event, error) {
	if user != l.Creator {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can move the launch date.", l.Creator)
	}
	next, err := ReadDate(date, now, l.Location())
	if err != nil {
		return nil, err
	}
	clock := l.Time
	if at != "" {
		h, m, err := ParseTime(at)
		if err != nil {
			return nil, err
		}
		clock = fmt.Sprintf("%02d:%02d", h, m)
	}
	if next == l.Date && clock == l.Time {
		return nil, nil
	}
	ev := Event{Actor: user, Kind: KindDate, Before: l.When(), After: next}
	l.Date, l.Time, l.DatedAt = next, clock, now
	ev.After = l.When()
	return []Event{ev}, nil
}

// SignOff records user's sign-off of a section. The section's owner or the
// creator may sign; open items are allowed and recorded.
func (l *Launch) SignOff(user, ref string, now time.Time) ([]Event, error) {
	s, err := l.FindSection(ref)
	if err != nil {
		return nil, err
	}
	if err := l.CanSignOff(user, s); err != nil {
		return nil, err
	}
	open := OpenItems(s)
	before := "not signed"
	if s.Signoff != nil {
		before = "signed by " + s.Signoff.By
	}
	s.Signoff = &checklist.Signoff{By: user, At: now, OpenItems: open}
	return []Event{{Actor: user, Kind: KindSignoff, Section: s.Title, Before: before,
		After: fmt.Sprintf("signed with %d open items", open)}}, nil
}

// CanSignOff tells whether user may sign the section off: its owner or the
// launch's creator.
func (l *Launch) CanSignOff(user string, s *checklist.Section) error {
	if user != l.Creator && user != s.Owner {
		return Errorf(EFORBIDDEN, "Only the owner of %s or the launch's creator <@%s> can sign it off.", s.Title, l.Creator)
	}
	return nil
}

// Archive ends the launch, so that its channel can start a new one; only
// its creator may. It is kept, with its audit log, for the export.
func (l *Launch) Archive(user string) ([]Event, error) {
	if user != l.Creator {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can archive it.", l.Creator)
	}
	l.Archived = true
	return []Event{{Actor: user, Kind: KindArchive, Launch: l.Name, Before: "active", After: "archived"}}, nil
}

// OpenItems counts the section's items that are not done.
func OpenItems(s *checklist.Section) int {
	open := 0
	for _, g := range s.Groups {
		for _, it := range g.Items {
			if !it.Done {
				open++
			}
		}
	}
	return open
}

func (l *Launch) noItem(n int) error {
	max := 0
	for _, it := range l.Checklist.Items() {
		if it.Number > max {
			max = it.Number
		}
	}
	return Errorf(ENOTFOUND, "There is no item %d in this launch; items are numbered 1 to %d. `checklist` shows them.", n, max)
}

func (l *Launch) sectionNames() string { return titles(l.Checklist.Sections) }

func titles(secs []*checklist.Section) string {
	names := make([]string, len(secs))
	for i, s := range secs {
		names[i] = s.Title
	}
	return strings.Join(names, ", ")
}

func doneWord(done bool) string {
	if done {
		return "done"
	}
	return "open"
}

func uniqueInts(in []int) []int {
	out := append([]int(nil), in...)
	sort.Ints(out)
	j := 0
	for i, v := range out {
		if i == 0 || v != out[j-1] {
			out[j] = v
			j++
		}
	}
	return out[:j]
}
