package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/slack-go/slack"
)

// ActionSignoff is the action id of the "Sign off" button on the view of a
// section that has a sign-off line; its value is the section's View ("3.0").
// With open items the handler asks first (SignoffConfirm).
const ActionSignoff = "signoff"

// BlockNav is the block id of the checklist's navigation row.
const BlockNav = "nav"

// Blocks around a page's items: header, summary, divider, navigation, note.
const pageChrome = 5

// pageBudget is how many blocks of groups and checkboxes fit on one page.
const pageBudget = maxMessageBlocks - pageChrome

// Names resolves a Slack user id to a display name for plain_text places
// (checkbox options), where <@U…> mentions do not render. It returns "" when
// it does not know the user.
type Names func(userID string) string

// Checklist renders one page of one section as an interactive message:
// checkboxes to tick, group titles, a section picker, previous and next
// buttons, and note (who did what) at the bottom. An out-of-range view shows
// the nearest page that exists. Owners show as their stored id in the
// checkbox options; ChecklistNamed shows names.
func Checklist(l *launch.Launch, v View, note string) Message {
	return ChecklistNamed(l, v, note, nil)
}

// ChecklistNamed is Checklist with owners' display names in the checkbox
// options (plain text, where mentions do not render).
func ChecklistNamed(l *launch.Launch, v View, note string, names Names) Message {
	secs := l.Checklist.Sections
	if len(secs) == 0 {
		return Notice("This checklist has no sections.")
	}
	v = ClampView(l, v)
	s := secs[v.Section]
	pages := paginate(s)
	count := sectionCount(s)

	title := brief(s.Title, 100)
	blocks := []slack.Block{
		header(fmt.Sprintf("Checklist: %s (%d/%d done)", title, count.Done, count.Total)),
		contextBlock(sectionSummary(l, v, len(pages), count)),
		slack.NewDividerBlock(),
	}
	k := 0
	for _, u := range pages[v.Page] {
		if u.items == nil {
			blocks = append(blocks, u.block)
			continue
		}
		blocks = append(blocks, checkboxBlock(v, k, u.items, names))
		k++
	}
	if len(pages[v.Page]) == 0 {
		blocks = append(blocks, section("_No items in this section._"))
	}
	blocks = append(blocks, navBlock(l, v, len(pages)))
	if strings.TrimSpace(note) == "" {
		note = "Tick a box to mark an item done, or type `tick` and the item's number."
		blocks = append(blocks, contextBlock(note))
	} else {
		blocks = append(blocks, contextBlock(escapeKeepMentions(clip(note, maxSectionText))))
	}
	return Message{
		Text:   clip(Escape(fmt.Sprintf("Checklist: %s (%d/%d done)", title, count.Done, count.Total)), maxMessageText),
		Blocks: blocks,
	}
}

// ClampView returns the view itself when it exists in the launch, else the
// nearest one: views come back from clicks and may be stale or forged.
func ClampView(l *launch.Launch, v View) View {
	secs := l.Checklist.Sections
	if len(secs) == 0 {
		return View{}
	}
	v.Section = min(max(v.Section, 0), len(secs)-1)
	v.Page = min(max(v.Page, 0), len(paginate(secs[v.Section]))-1)
	return v
}

// Pages tells how many pages the section with the given index takes.
func Pages(l *launch.Launch, section int) int {
	if section < 0 || section >= len(l.Checklist.Sections) {
		return 0
	}
	return len(paginate(l.Checklist.Sections[section]))
}

// ElementItems returns the item numbers in the k-th checkboxes element of a
// view, in order, as Checklist renders it: a click's selected options are the
// element's whole selection, so the items left out of it are unticked.
func ElementItems(l *launch.Launch, v View, k int) ([]int, bool) {
	secs := l.Checklist.Sections
	if v.Section < 0 || v.Section >= len(secs) || k < 0 {
		return nil, false
	}
	pages := paginate(secs[v.Section])
	if v.Page < 0 || v.Page >= len(pages) {
		return nil, false
	}
	i := 0
	for _, u := range pages[v.Page] {
		if u.items == nil {
			continue
		}
		if i == k {
			nums := make([]int, len(u.items))
			for j, it := range u.items {
				nums[j] = it.Number
			}
			return nums, true
		}
		i++
	}
	return nil, false
}

// TickBlockID is the block id of the k-th checkboxes element of a view.
func TickBlockID(v View, k int) string {
	return "v:" + v.String() + ":" + strconv.Itoa(k)
}

// ParseTickBlockID reads a block id made by TickBlockID.
func ParseTickBlockID(id string) (View, int, error) {
	rest, ok := strings.CutPrefix(id, "v:")
	if !ok {
		return View{}, 0, fmt.Errorf("block id %q: not a checklist block", id)
	}
	vs, ks, ok := strings.Cut(rest, ":")
	if !ok {
		return View{}, 0, fmt.Errorf("block id %q: no element number", id)
	}
	v, err := ParseView(vs)
	if err != nil {
		return View{}, 0, fmt.Errorf("block id: %w", err)
	}
	k, err := viewNumber(ks)
	if err != nil || k >= pageBudget {
		return View{}, 0, fmt.Errorf("block id %q: bad element number", id)
	}
	return v, k, nil
}

// unit is one block of a page: a group or sub-group title, or up to ten items.
type unit struct {
	block slack.Block
	items []*checklist.Item
	group *checklist.Group
	title bool // the group's own title
}

// paginate lays a section's groups and items out in pages of at most
// pageBudget blocks. The layout depends only on the structure, not on what is
// done, so a tick never moves an item to another page. Always one page at least.
func paginate(s *checklist.Section) [][]unit {
	units := sectionUnits(s)
	var pages [][]unit
	var cur []unit
	for i, u := range units {
		need := 1
		if u.items == nil {
			// A title takes its following titles and one block of items along.
			for j := i + 1; j < len(units); j++ {
				need++
				if units[j].items != nil {
					break
				}
			}
		}
		if len(cur) > 0 && len(cur)+need > pageBudget {
			pages = append(pages, cur)
			cur = nil
			if !u.title && u.group.Title != "" {
				cur = append(cur, unit{block: contextBlock("*" + Escape(brief(u.group.Title, 200)) + "* (continued)"), group: u.group})
			}
		}
		cur = append(cur, u)
	}
	return append(pages, cur)
}

func sectionUnits(s *checklist.Section) []unit {
	var units []unit
	for _, g := range s.Groups {
		if len(g.Items) == 0 {
			continue
		}
		if g.Title != "" {
			units = append(units, unit{block: groupTitle(g), group: g, title: true})
		}
		var run []*checklist.Item
		sub := ""
		flush := func() {
			if len(run) > 0 {
				units = append(units, unit{items: run, group: g})
				run = nil
			}
		}
		for _, it := range g.Items {
			if it.Subgroup != sub {
				flush()
				sub = it.Subgroup
				if sub != "" {
					units = append(units, unit{block: contextBlock("*" + Escape(brief(sub, 200)) + "*"), group: g})
				}
			}
			if len(run) == maxCheckboxOpts {
				flush()
			}
			run = append(run, it)
		}
		flush()
	}
	return units
}

func groupTitle(g *checklist.Group) slack.Block {
	var c checklist.Count
	for _, it := range g.Items {
		if it.Excluded() {
			continue
		}
		c.Total++
		if it.Done {
			c.Done++
		}
	}
	text := "*" + Escape(brief(g.Title, 500)) + "*  " + fmt.Sprintf("%d/%d", c.Done, c.Total)
	if g.Priority != "" {
		text += " · " + Escape(g.Priority)
	}
	if g.Owner != "" {
		text += " · owner " + mention(g.Owner)
	}
	return section(text)
}

func checkboxBlock(v View, k int, items []*checklist.Item, names Names) slack.Block {
	opts := make([]*slack.OptionBlockObject, len(items))
	var done []*slack.OptionBlockObject
	for i, it := range items {
		opts[i] = itemOption(it, names)
		if it.Done {
			done = append(done, opts[i])
		}
	}
	box := slack.NewCheckboxGroupsBlockElement(ActionTick+":"+strconv.Itoa(k), opts...)
	box.InitialOptions = done
	return slack.NewActionBlock(TickBlockID(v, k), box)
}

// itemOption shows "12. Text — @owner" within Slack's 75 characters: the
// number and owner always, the text cut with "…" when it must be, and then
// the rest of the text in the option's description.
func itemOption(it *checklist.Item, names Names) *slack.OptionBlockObject {
	prefix := strconv.Itoa(it.Number) + ". "
	if it.Depth > 0 {
		prefix = strings.Repeat("  ", min(it.Depth-1, 4)) + "↳ " + prefix
	}
	suffix := ""
	if it.Owner != "" {
		suffix = " — @" + plainBrief(plainName(it.Owner, names), 30)
	}
	if d, err := time.Parse(launch.DateLayout, it.Due); err == nil {
		// Its due date, short: the option has 75 characters in all.
		suffix += " · 📅 " + d.Format("2 Jan")
	}
	text := plainBrief(it.Text, 1000)
	room := maxOptionText - utf8.RuneCountInString(prefix) - utf8.RuneCountInString(suffix)
	shown := clipPlain(text, room)
	if it.NA != nil {
		return naOption(it, prefix+text+suffix)
	}
	var desc *slack.TextBlockObject
	if w := it.Waiver; w != nil && !w.Noticed && !it.Done {
		// Shown until golive notices its lapse: the date says when it ends.
		desc = waiverDesc(w)
	} else if it.Evidence != nil {
		desc = evidenceDesc(it.Evidence)
	} else if rest := strings.TrimPrefix(text, strings.TrimSuffix(shown, "…")); shown != text && rest != "" {
		desc = plain(clipPlain("…"+strings.TrimSpace(rest), maxOptionDesc))
	} else if len(it.Notes) > 0 {
		desc = latestNote(it)
	} else if note := plainBrief(it.Note, maxOptionDesc); note != "" {
		desc = plain(note)
	} else if details := plainBrief(strings.ReplaceAll(it.Details, "\n", " · "), maxOptionDesc); details != "" {
		// The document's notes under the item: "Owner: DevOps · Runbook: https://…".
		desc = plain(details)
	}
	return slack.NewOptionBlockObject(strconv.Itoa(it.Number), plain(prefix+shown+suffix), desc)
}

// latestNote shows the item's latest note under it, in mrkdwn so that a
// link in it stays a link, escaped like all user text and clipped (after
// escaping) to the option's description; the export has every note whole.
func latestNote(it *checklist.Item) *slack.TextBlockObject {
	prefix := "📎 "
	if n := len(it.Notes); n > 1 {
		prefix = fmt.Sprintf("📎 %d notes, latest: ", n)
	}
	note := plainBrief(it.Notes[len(it.Notes)-1].Text, maxOptionDesc)
	room := maxOptionDesc - utf8.RuneCountInString(prefix)
	text := prefix + Escape(clipPlain(note, room))
	for ; utf8.RuneCountInString(text) > maxOptionDesc && room > 1; room-- {
		text = prefix + Escape(clipPlain(note, room-1))
	}
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func sectionCount(s *checklist.Section) checklist.Count {
	var c checklist.Count
	for _, g := range s.Groups {
		for _, it := range g.Items {
			if it.Excluded() {
				continue
			}
			c.Total++
			if it.Done {
				c.Done++
			}
		}
	}
	return c
}

// progress is a section's share done, "no items" for a section without any.
func progress(c checklist.Count) string {
	if c.Empty() {
		return "no items"
	}
	return c.PercentText() + " done"
}

func sectionSummary(l *launch.Launch, v View, pages int, c checklist.Count) string {
	s := l.Checklist.Sections[v.Section]
	parts := []string{
		fmt.Sprintf("Section %d of %d", v.Section+1, len(l.Checklist.Sections)),
		progress(c),
	}
	if pages > 1 {
		parts = append(parts, fmt.Sprintf("page %d of %d", v.Page+1, pages))
	}
	if s.Owner != "" {
		parts = append(parts, "owner "+mention(s.Owner))
	}
	if s.Signoff != nil {
		parts = append(parts, fmt.Sprintf("signed off by %s on %s with %d open items",
			mention(s.Signoff.By), s.Signoff.At.In(l.Location()).Format(launch.DateLayout), s.Signoff.OpenItems))
	}
	parts = append(parts, Escape(brief(l.Name, 100)))
	return strings.Join(parts, " · ")
}

// navBlock holds the section picker, previous and next, and the sign-off
// button of a section that has a sign-off line.
func navBlock(l *launch.Launch, v View, pages int) slack.Block {
	secs := l.Checklist.Sections
	elems := []slack.BlockElement{sectionPicker(l, v)}
	if prev, ok := step(l, v, pages, -1); ok {
		elems = append(elems, slack.NewButtonBlockElement(ActionNavPrev, prev.String(), plain("◀ Previous")))
	}
	if next, ok := step(l, v, pages, +1); ok {
		elems = append(elems, slack.NewButtonBlockElement(ActionNavNext, next.String(), plain("Next ▶")))
	}
	if secs[v.Section].HasSignoff {
		elems = append(elems, slack.NewButtonBlockElement(ActionSignoff, View{Section: v.Section}.String(), plain("Sign off")))
	}
	return slack.NewActionBlock(BlockNav, elems...)
}

// step finds the view before (-1) or after (+1): the next page of this
// section, else the neighbouring section (its last page going back).
func step(l *launch.Launch, v View, pages, dir int) (View, bool) {
	switch {
	case dir > 0 && v.Page+1 < pages:
		return View{Section: v.Section, Page: v.Page + 1}, true
	case dir < 0 && v.Page > 0:
		return View{Section: v.Section, Page: v.Page - 1}, true
	}
	next := v.Section + dir
	if next < 0 || next >= len(l.Checklist.Sections) {
		return View{}, false
	}
	if dir < 0 {
		return View{Section: next, Page: Pages(l, next) - 1}, true
	}
	return View{Section: next}, true
}

// sectionPicker offers the sections to jump to: all of them, or the 100
// around the current one for a very long checklist (previous and next reach
// the others).
func sectionPicker(l *launch.Launch, v View) slack.BlockElement {
	secs := l.Checklist.Sections
	from := 0
	if len(secs) > maxSelectOpts {
		from = min(max(v.Section-maxSelectOpts/2, 0), len(secs)-maxSelectOpts)
	}
	to := min(from+maxSelectOpts, len(secs))
	opts := make([]*slack.OptionBlockObject, 0, to-from)
	var current *slack.OptionBlockObject
	for i := from; i < to; i++ {
		c := sectionCount(secs[i])
		count := fmt.Sprintf(" (%d/%d)", c.Done, c.Total)
		text := plainBrief(secs[i].Title, maxOptionText-utf8.RuneCountInString(count)) + count
		o := slack.NewOptionBlockObject(View{Section: i}.String(), plain(text), nil)
		if i == v.Section {
			current = o
		}
		opts = append(opts, o)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Go to section"), ActionPick, opts...)
	sel.InitialOption = current
	return sel
}
