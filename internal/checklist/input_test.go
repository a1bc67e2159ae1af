package checklist_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

func TestParseBadInput(t *testing.T) {
	junk := make([]byte, 4096)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rnd.IntN(256))
	}
	tests := []struct {
		name    string
		src     []byte
		err     error
		message string
	}{
		{"empty", nil, checklist.ErrEmpty, "the checklist is empty"},
		{"blank lines and a BOM", []byte("\xEF\xBB\xBF\n \r\n\t\n"), checklist.ErrEmpty, "empty"},
		{"no checkboxes", []byte("# Notes\n\nJust prose.\n\n- a bullet\n"), checklist.ErrNoItems, `it has no checkboxes ("- [ ] text") but 1 list item`},
		{"no list at all", []byte("# Notes\n\nJust prose.\n"), checklist.ErrNoItems, `write each item as a Markdown checkbox, "- [ ] text"`},
		{"only malformed boxes", []byte("# Notes\n-[ ] a\n-[x] b\n"), checklist.ErrNoItems, "2 line(s) look like items but are not, the first at line 2"},
		{"only gates and roles", []byte("**Required for GO (100%):**\n- [ ] Security\n\n**Approved by:**\n- Lead: ___\n"), checklist.ErrNoItems, "its only checkboxes are gates and approver roles"},
		{"boxes in code only", []byte("```\n- [ ] a\n```\n"), checklist.ErrNoItems, "the first at line 2"},
		{"binary junk", junk, checklist.ErrBinary, "save the checklist as Markdown text"},
		{"NUL bytes", []byte("- [ ] a\x00\x00b"), checklist.ErrBinary, "NUL bytes"},
		{"control characters", bytes.Repeat([]byte("- [ ] a\x01\x02\x03\n"), 10), checklist.ErrBinary, "control characters"},
		{"too large", bytes.Repeat([]byte("- [ ] item\n"), checklist.MaxSize/11+100_000), checklist.ErrTooLarge, "it is 11.0 MB and golive reads checklists up to 10.0 MB"},
		{"one byte too large", bytes.Repeat([]byte("x"), checklist.MaxSize+1), checklist.ErrTooLarge,
			"it is 10 485 761 bytes and golive reads checklists up to 10 485 760 bytes (10.0 MB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := checklist.Parse(tt.src)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.err)
			assert.Contains(t, err.Error(), tt.message)
			assert.Nil(t, c)
		})
	}
}

func TestParseTenMegabytes(t *testing.T) {
	var b strings.Builder
	n := 0
	for b.Len() < 10_000_000 {
		n++
		if n%50 == 1 {
			fmt.Fprintf(&b, "## Section %d\n", n)
		}
		fmt.Fprintf(&b, "- [x] item %d with some words to make the line longer than most\n", n)
	}
	require.LessOrEqual(t, b.Len(), checklist.MaxSize)
	c, rep, err := checklist.Parse([]byte(b.String()))
	require.NoError(t, err)
	assert.Len(t, c.Items(), n)
	assert.Equal(t, n, rep.Items)
	assert.Equal(t, checklist.Count{Done: n, Total: n}, checklist.Score(c).Readiness)
}

func TestParseHundredThousandItems(t *testing.T) {
	const n = 100_000
	var b strings.Builder
	b.WriteString("# Big\n## One\n### G\n")
	for i := 1; i <= n; i++ {
		// Every tenth item nests under the one before it.
		if i%10 == 0 {
			b.WriteString("  ")
		}
		fmt.Fprintf(&b, "- [ ] item %d\n", i)
	}
	c, _, err := checklist.Parse([]byte(b.String()))
	require.NoError(t, err)
	items := c.Items()
	require.Len(t, items, n)
	assert.Equal(t, n, items[n-1].Number)
	assert.Equal(t, n-1, items[n-1].Parent)
	r := checklist.Score(c)
	assert.Equal(t, checklist.Count{Total: n}, r.Readiness)
	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
}

// TestParseDeepNesting: nesting deeper than 64 columns of indent reads as
// siblings at that depth; CommonMark parsers slow down with its square.
func TestParseDeepNesting(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 2_000; i++ {
		b.WriteString(strings.Repeat("  ", i))
		b.WriteString("- [ ] x\n")
	}
	c, _, err := checklist.Parse([]byte(b.String()))
	require.NoError(t, err)
	items := c.Items()
	require.Len(t, items, 2_000)
	assert.Equal(t, 31, items[31].Depth)
	assert.Equal(t, 32, items[len(items)-1].Depth)
	assert.Equal(t, 32, items[len(items)-2].Depth, "siblings at the deepest level")
}

// TestParseDeepMarkers: a line opened by thousands of list or quote markers
// nests 16 levels at most; it took seconds before, and minutes at 10 MB.
func TestParseDeepMarkers(t *testing.T) {
	for _, unit := range []string{"- ", "1. ", "> ", "> - "} {
		c, rep, err := checklist.Parse([]byte(strings.Repeat(unit, 100_000) + "[ ] x\n- [ ] y\n"))
		require.NoError(t, err, unit)
		items := c.Items()
		assert.Equal(t, "y", items[len(items)-1].Text, unit)
		for _, it := range items {
			assert.LessOrEqual(t, it.Depth, 16, unit)
		}
		assert.NotNil(t, rep)
	}
}

func TestParseLongLine(t *testing.T) {
	c, rep, err := checklist.Parse([]byte("- [ ] " + strings.Repeat("word ", 200_000) + "\n-[ ] " + strings.Repeat("x", 1000)))
	require.NoError(t, err)
	assert.Len(t, c.Items(), 1)
	require.Len(t, rep.Skipped, 1)
	assert.LessOrEqual(t, len(rep.Skipped[0].Text), 130, "reports clip long lines")
}
