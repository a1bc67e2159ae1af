package checklist_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

func mustParse(t *testing.T, src string) (*checklist.Checklist, *checklist.ImportReport) {
	t.Helper()
	c, rep, err := checklist.Parse([]byte(src))
	require.NoError(t, err)
	require.NotNil(t, c)
	require.NotNil(t, rep)
	return c, rep
}

func texts(items []*checklist.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Text)
	}
	return out
}

func sectionTitles(c *checklist.Checklist) []string {
	out := []string{}
	for _, s := range c.Sections {
		out = append(out, s.Title)
	}
	return out
}

func TestParseGeneral(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport)
	}{
		{
			name: "other section numbering",
			src:  "# T\n## 2) Security\n- [ ] a\n## 3 - Operations\n- [ ] b\n## 10. Pre-Launch\n- [ ] c\n## 1 Week Plan\n- [ ] d\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, []string{"Security", "Operations", "Pre-Launch", "1 Week Plan"}, sectionTitles(c))
				assert.Equal(t, []int{2, 3, 10, 0}, []int{c.Sections[0].Number, c.Sections[1].Number, c.Sections[2].Number, c.Sections[3].Number})
			},
		},
		{
			name: "CRLF line endings",
			src:  "# Title\r\n## Security\r\n### Auth\r\n- [ ] a\r\n- [x] b\r\n  - [ ] b1\r\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "Title", c.Title)
				assert.Equal(t, []string{"a", "b", "b1"}, texts(c.Items()))
				assert.True(t, c.Item(2).Done)
				assert.Equal(t, 2, c.Item(3).Parent)
				assert.Equal(t, 4, c.Item(1).Line)
			},
		},
		{
			name: "old Mac CR line endings",
			src:  "## S\r- [ ] a\r- [x] b\r",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, []string{"a", "b"}, texts(c.Items()))
			},
		},
		{
			name: "byte-order mark",
			src:  "\xEF\xBB\xBF# Launch\n- [ ] a\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "Launch", c.Title)
				require.Len(t, c.Sections, 1)
				assert.Equal(t, "", c.Sections[0].Title, "items before any ## sit in an untitled section")
				assert.Equal(t, "", c.Sections[0].Groups[0].Title)
			},
		},
		{
			name: "UTF-16 with a byte-order mark",
			src:  utf16LE("# Launch\r\n## Sécurité\r\n- [x] a\r\n"),
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "Launch", c.Title)
				assert.Equal(t, []string{"Sécurité"}, sectionTitles(c))
				assert.True(t, c.Item(1).Done)
			},
		},
		{
			name: "Latin-1 bytes in UTF-8 text",
			src:  "## S\xe9curit\xe9\n- [ ] caf\xe9\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "Sécurité", c.Sections[0].Title)
				assert.Equal(t, "café", c.Item(1).Text)
			},
		},
		{
			name: "nested items with spaces and tabs",
			src:  "## S\n- [ ] a\n  - [ ] a1\n    - [ ] a1x\n  - [x] a2\n- [ ] b\n\t* [ ] b1\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				want := []struct {
					text          string
					parent, depth int
				}{{"a", 0, 0}, {"a1", 1, 1}, {"a1x", 2, 2}, {"a2", 1, 1}, {"b", 0, 0}, {"b1", 5, 1}}
				items := c.Items()
				require.Len(t, items, len(want))
				for i, w := range want {
					assert.Equal(t, w.text, items[i].Text)
					assert.Equal(t, w.parent, items[i].Parent, w.text)
					assert.Equal(t, w.depth, items[i].Depth, w.text)
				}
			},
		},
		{
			name: "list markers and an upper-case X",
			src:  "## S\n* [X] star\n+ [ ] plus\n1. [x] ordered\n2) [ ] paren\n   - [ ]   spaced   \n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, []string{"star", "plus", "ordered", "paren", "spaced"}, texts(c.Items()))
				assert.True(t, c.Item(1).Done)
				assert.True(t, c.Item(3).Done)
				assert.False(t, c.Item(2).Done)
			},
		},
		{
			name: "code fences hold no items",
			src:  "## S\n- [ ] real\n```md\n- [ ] in code\n\n- [x] also code\n```\n~~~\n* [ ] tilde code\n~~~\n   ```\n   - [ ] indented fence\n   ```\n| Item | Done |\n|---|---|\n| [ ] table row | no |\n- [ ] real too\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"real", "table row", "real too"}, texts(c.Items()), "a table row with a box is an item")
				assert.Equal(t, "Done: no", c.Item(2).Details)
				var lines []int
				for _, s := range rep.Skipped {
					lines = append(lines, s.Line)
				}
				assert.Equal(t, []int{4, 6, 9, 12}, lines)
				assert.Contains(t, rep.Skipped[0].Reason, "code block opened at line 3")
			},
		},
		{
			name: "emoji, garbled emoji and numbering in titles",
			src: "# 🚀 Launch 🚀\n## 2. Security üîí\n- [ ] a\n## 1. Infrastructure ‚úÖ\n- [ ] b\n## 3. Compliance & Legal ‚öñÔ∏è\n- [ ] c\n" +
				"## 4. Ops ðŸ”’\n- [ ] d\n## 5. Done âœ…\n- [ ] e\n## 🔒 Locked\n- [ ] f\n## Rocket🚀\n- [ ] g\n## Café ☕️\n- [ ] h\n## 監視 Monitoring 監視\n- [ ] i\n## **Bold** ##\n- [ ] j\n## 🎉\n- [ ] k\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "Launch", c.Title)
				assert.Equal(t, []string{"Security", "Infrastructure", "Compliance & Legal", "Ops", "Done", "Locked", "Rocket", "Café", "監視 Monitoring 監視", "Bold", "🎉"}, sectionTitles(c))
			},
		},
		{
			name: "items before any group sit in an untitled group",
			src:  "## S\n- [ ] loose\n### G\n- [ ] grouped\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				require.Len(t, c.Sections[0].Groups, 2)
				assert.Equal(t, "", c.Sections[0].Groups[0].Title)
				assert.Equal(t, "G", c.Sections[0].Groups[1].Title)
			},
		},
		{
			name: "numbered bold and #### sub-groups",
			src:  "## S\n### G\n1. **Login:**\n   - [ ] a\n2. **Search**\n   - [ ] b\n#### Deep\n- [ ] c\n### H\n- [ ] d\n1. Not **a** heading\n- [ ] e\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				var subs []string
				for _, it := range c.Items() {
					subs = append(subs, it.Subgroup)
				}
				assert.Equal(t, []string{"Login", "Search", "Deep", "", ""}, subs)
				assert.Zero(t, c.Item(1).Parent)
			},
		},
		{
			name: "lines that look like items are reported with the reason",
			src:  "## S\n- [ ] fine\n-[ ] no space\n[ ] no marker\n- [] empty\n- [ ]glued\n- [ ]\n**Decision:** [ ] GO  [ ] NO-GO\nPick [x] one [ ] two\n- [ ] first [x] second\nA [link](http://x) and [x](y) are fine\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"fine"}, texts(c.Items()))
				got := map[int]string{}
				for _, s := range rep.Skipped {
					got[s.Line] = s.Reason
				}
				assert.Len(t, got, 8)
				assert.Contains(t, got[3], "no space between the list marker and the box")
				assert.Contains(t, got[4], "without a list marker")
				assert.Contains(t, got[5], "empty brackets")
				assert.Contains(t, got[6], "no space after the box")
				assert.Contains(t, got[7], "without text")
				assert.Contains(t, got[8], "launch decision")
				assert.Contains(t, got[9], "several checkboxes")
				assert.Contains(t, got[10], "several checkboxes")
			},
		},
		{
			name: "plain bullets are tasks under a time window only",
			src:  "## Ops\n### Notes\n- just prose\n### Launch Day\n- Deploy\n  - Verify\n- [x] Announce\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"Deploy", "Verify", "Announce"}, texts(c.Items()))
				assert.True(t, c.Item(1).Task)
				assert.Equal(t, 1, c.Item(2).Parent)
				assert.False(t, c.Item(3).Task)
				assert.True(t, c.Item(3).Done)
				assert.Equal(t, 2, rep.Tasks)
				assert.Equal(t, checklist.KindWindow, c.Sections[0].Kind, "its only group with items is a window")
			},
		},
		{
			name: "Launch Day in a non-window section",
			src:  "## Operations\n### On-call\n- [x] Rota set\n### Launch Day\n- [ ] Deploy\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				s := c.Sections[0]
				assert.Equal(t, checklist.KindReadiness, s.Kind)
				require.NotNil(t, s.Groups[1].Window)
				assert.Equal(t, 0, s.Groups[1].Window.OffsetMinutes)
				require.Len(t, c.Windows, 1)
				assert.Equal(t, checklist.Window{Name: "Launch Day", OffsetMinutes: 0, Section: 0, Group: 1, Items: []int{2}}, c.Windows[0])
				assert.Equal(t, checklist.Count{Done: 1, Total: 2}, checklist.Score(c).Readiness)
			},
		},
		{
			name: "sign-off lines with and without a name",
			src:  "## A\n- [ ] a\n- [x] b\n**Sign-off:** _______________  Date: __________\n## B\n- [x] c\nSign-off: Dana Scully  Date: 2026-03-01\n## C\n- [ ] d\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.True(t, c.Sections[0].HasSignoff)
				assert.Nil(t, c.Sections[0].Signoff)
				assert.True(t, c.Sections[1].HasSignoff)
				require.NotNil(t, c.Sections[1].Signoff)
				assert.Equal(t, "Dana Scully", c.Sections[1].Signoff.By)
				assert.Equal(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), c.Sections[1].Signoff.At)
				assert.False(t, c.Sections[2].HasSignoff)
				assert.Len(t, c.Items(), 4, "sign-off lines are not items")
			},
		},
		{
			name: "items with colons outside a roles context stay items",
			src:  "## Security\n- [ ] **Pen test:** report attached\n- Lead: nobody\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Empty(t, c.Roles)
				assert.Equal(t, []string{"**Pen test:** report attached"}, texts(c.Items()))
				assert.Equal(t, checklist.KindReadiness, c.Sections[0].Kind)
			},
		},
		{
			name: "no title heading",
			src:  "## Only\n- [ ] a\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "", c.Title)
				assert.Equal(t, []string{"Only"}, sectionTitles(c))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rep := mustParse(t, tt.src)
			tt.check(t, c, rep)
			assertConsistent(t, c)
		})
	}
}

// assertConsistent checks what every parsed checklist must hold: items
// numbered 1..N in document order, parents earlier in the same group, gate
// targets in range, windows naming real items.
func assertConsistent(t *testing.T, c *checklist.Checklist) {
	t.Helper()
	seen := map[int]bool{}
	for i, it := range c.Items() {
		require.Equal(t, i+1, it.Number)
		if it.Parent != 0 {
			require.True(t, seen[it.Parent], "parent %d of item %d comes first", it.Parent, it.Number)
			_, g1, _ := c.Locate(it.Parent)
			_, g2, _ := c.Locate(it.Number)
			require.Same(t, g1, g2, "item %d nests in its own group", it.Number)
		}
		require.False(t, it.Task && it.Done, "tasks start open")
		seen[it.Number] = true
	}
	for _, g := range c.Gates {
		if g.Unresolved || g.Target.Section < 0 {
			continue
		}
		require.Less(t, g.Target.Section, len(c.Sections))
		require.Less(t, g.Target.Group, len(c.Sections[g.Target.Section].Groups))
	}
	for _, w := range c.Windows {
		for _, n := range w.Items {
			require.NotNil(t, c.Item(n))
		}
	}
	for i, s := range c.Sections {
		require.Equal(t, i, s.Index)
		for j, g := range s.Groups {
			require.Equal(t, j, g.Index)
		}
	}
}

func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		if r > 0xFFFF {
			panic("test helper handles the BMP only")
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

func TestParseTitleOnlyLines(t *testing.T) {
	_, rep := mustParse(t, strings.Repeat("- [ ] x\n", 3))
	assert.Equal(t, 3, rep.Items)
}
