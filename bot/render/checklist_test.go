package render

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/golive/golive/internal/launch"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChecklistGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	m := Checklist(l, View{Section: sec.Index}, "<@U0DANA> ticked 17.")
	golden(t, "Checklist", m)
	assert.Equal(t, "Checklist: Security (20/32 done)", m.Text)
	assert.Equal(t, "1.0", navValue(t, m, ActionSignoff), "Security has a sign-off line")
	assert.Empty(t, navValue(t, Checklist(l, View{Section: 10}, ""), ActionSignoff), "the assessment has none")
	assert.Empty(t, CheckMessage(m))
}

// checkboxes returns the checkboxes elements of a message with their block ids.
func checkboxes(m Message) (map[string]*slack.CheckboxGroupsBlockElement, []string) {
	out := map[string]*slack.CheckboxGroupsBlockElement{}
	var order []string
	for _, b := range m.Blocks {
		a, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, e := range a.Elements.ElementSet {
			if c, ok := e.(*slack.CheckboxGroupsBlockElement); ok {
				out[a.BlockID] = c
				order = append(order, a.BlockID)
			}
		}
	}
	return out, order
}

// TestChecklistShowsEveryItemOnce walks every page of every section of big
// checklists: each item appears exactly once, as its number, ticked when
// done, and ElementItems agrees with what was rendered.
func TestChecklistShowsEveryItemOnce(t *testing.T) {
	for name, l := range map[string]*launch.Launch{
		"seed000":             seedLaunch(t, "seed000.md"),
		"seed004":             seedLaunch(t, "seed004.md"),
		"500 items":           generated(10, 5, 10, 60),
		"300-item section":    generated(1, 10, 30, 500),
		"120 sections":        generated(120, 1, 3, 40),
		"300 items one group": generated(1, 1, 300, 80),
	} {
		t.Run(name, func(t *testing.T) {
			seen := map[int]int{}
			for s := range l.Checklist.Sections {
				pages := Pages(l, s)
				require.GreaterOrEqual(t, pages, 1)
				for p := range pages {
					v := View{Section: s, Page: p}
					m := Checklist(l, v, "")
					require.Empty(t, CheckMessage(m), v.String())
					boxes, order := checkboxes(m)
					for k, id := range order {
						assert.Equal(t, TickBlockID(v, k), id)
						box := boxes[id]
						assert.Equal(t, ActionTick+":"+strconv.Itoa(k), box.ActionID)
						want, ok := ElementItems(l, v, k)
						require.True(t, ok)
						var got []int
						done := map[string]bool{}
						for _, o := range box.InitialOptions {
							done[o.Value] = true
						}
						for _, o := range box.Options {
							n, err := strconv.Atoi(o.Value)
							require.NoError(t, err)
							got = append(got, n)
							seen[n]++
							assert.Equal(t, l.Checklist.Item(n).Done, done[o.Value], "item %d", n)
							assert.True(t, strings.HasPrefix(strings.TrimLeft(o.Text.Text, " ↳"), o.Value+". "), o.Text.Text)
							assert.Equal(t, slack.PlainTextType, o.Text.Type)
						}
						assert.Equal(t, want, got)
					}
					_, ok := ElementItems(l, v, len(order))
					assert.False(t, ok)
				}
			}
			for _, it := range l.Checklist.Items() {
				assert.Equal(t, 1, seen[it.Number], "item %d", it.Number)
			}
		})
	}
}

func TestChecklistPaginatesBigSection(t *testing.T) {
	l := generated(1, 10, 30, 500)
	require.Greater(t, Pages(l, 0), 1)
	first := Checklist(l, View{}, "")
	last := Checklist(l, View{Page: Pages(l, 0) - 1}, "")
	assert.Equal(t, "0.1", navValue(t, first, ActionNavNext))
	assert.Equal(t, "", navValue(t, first, ActionNavPrev), "no previous on the first page")
	assert.Equal(t, View{Page: Pages(l, 0) - 2}.String(), navValue(t, last, ActionNavPrev))
	assert.Equal(t, "", navValue(t, last, ActionNavNext), "no next on the last page of the last section")
}

func TestChecklistNavigatesAcrossSections(t *testing.T) {
	l := generated(3, 10, 30, 40)
	pages := Pages(l, 0)
	m := Checklist(l, View{Section: 1}, "")
	assert.Equal(t, View{Section: 0, Page: pages - 1}.String(), navValue(t, m, ActionNavPrev), "back to the last page of the section before")
	m = Checklist(l, View{Section: 0, Page: pages - 1}, "")
	assert.Equal(t, "1.0", navValue(t, m, ActionNavNext))
}

func TestChecklistClampsForgedViews(t *testing.T) {
	l := generated(3, 1, 5, 40)
	for _, v := range []View{{Section: 99}, {Section: 1, Page: 99}, {Section: -1, Page: -5}} {
		m := Checklist(l, v, "")
		assert.Empty(t, CheckMessage(m))
		assert.Equal(t, ClampView(l, v), viewOf(t, m))
	}
	assert.Equal(t, View{Section: 2}, ClampView(l, View{Section: 99}))
}

func TestSectionPickerWindowsLongChecklists(t *testing.T) {
	l := generated(120, 1, 1, 10)
	for _, s := range []int{0, 60, 119} {
		m := Checklist(l, View{Section: s}, "")
		sel := picker(t, m)
		assert.Len(t, sel.Options, 100)
		require.NotNil(t, sel.InitialOption)
		assert.Equal(t, View{Section: s}.String(), sel.InitialOption.Value)
	}
}

func TestItemOptionFitsAndKeepsNumberAndOwner(t *testing.T) {
	l := generated(1, 1, 8, 500)
	it := l.Checklist.Items()[3]
	o := itemOption(it, func(string) string { return "dana" })
	assert.LessOrEqual(t, utf8.RuneCountInString(o.Text.Text), 75)
	assert.True(t, strings.HasPrefix(o.Text.Text, "4. Item 4"))
	assert.True(t, strings.HasSuffix(o.Text.Text, "… — @dana"), o.Text.Text)
	require.NotNil(t, o.Description)
	assert.True(t, strings.HasPrefix(o.Description.Text, "…"))
	assert.LessOrEqual(t, utf8.RuneCountInString(o.Description.Text), 75)

	it.Depth = 40
	assert.LessOrEqual(t, utf8.RuneCountInString(itemOption(it, nil).Text.Text), 75, "deep nesting")
	it.Text, it.Owner, it.Note, it.Depth = "Short", "", "", 0
	o = itemOption(it, nil)
	assert.Equal(t, "4. Short", o.Text.Text)
	assert.Nil(t, o.Description)

	// The document's notes under the item show under it, on one line.
	it.Details = "Owner: [DevOps]\nrunbook: https://wiki/runbook\n" + strings.Repeat("more ", 40)
	o = itemOption(it, nil)
	require.NotNil(t, o.Description)
	assert.True(t, strings.HasPrefix(o.Description.Text, "Owner: [DevOps] · runbook: https://wiki/runbook · more"), o.Description.Text)
	assert.LessOrEqual(t, utf8.RuneCountInString(o.Description.Text), 75)
	it.Note = "ticket 42"
	assert.Equal(t, "ticket 42", itemOption(it, nil).Description.Text, "a note set in Slack comes first")
}

func navValue(t *testing.T, m Message, action string) string {
	t.Helper()
	for _, b := range m.Blocks {
		if a, ok := b.(*slack.ActionBlock); ok && a.BlockID == BlockNav {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok && btn.ActionID == action {
					return btn.Value
				}
			}
		}
	}
	return ""
}

func picker(t *testing.T, m Message) *slack.SelectBlockElement {
	t.Helper()
	for _, b := range m.Blocks {
		if a, ok := b.(*slack.ActionBlock); ok && a.BlockID == BlockNav {
			if s, ok := a.Elements.ElementSet[0].(*slack.SelectBlockElement); ok {
				return s
			}
		}
	}
	t.Fatal("no section picker")
	return nil
}

// viewOf reads the view back from the first checkboxes block id.
func viewOf(t *testing.T, m Message) View {
	t.Helper()
	_, order := checkboxes(m)
	require.NotEmpty(t, order)
	v, _, err := ParseTickBlockID(order[0])
	require.NoError(t, err)
	return v
}
