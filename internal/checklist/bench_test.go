package checklist_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive/golive/internal/checklist"
)

// BenchmarkParseScoreSeed000 imports and scores seed 000 (target: well
// under a millisecond).
func BenchmarkParseScoreSeed000(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "seed000.md"))
	if err != nil {
		b.Fatal(err)
	}
	benchParseScore(b, src)
}

// BenchmarkParseScore10000 imports and scores a 10 000-item checklist with
// gates, nesting and windows (target: under 50 ms).
func BenchmarkParseScore10000(b *testing.B) {
	benchParseScore(b, []byte(bigChecklist(10_000)))
}

func benchParseScore(b *testing.B, src []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		c, _, err := checklist.Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		checklist.Score(c)
	}
}

// bigChecklist writes n items in sections of 100, groups of 10, every fifth
// item nested, a window section and GO criteria naming every section.
func bigChecklist(n int) string {
	var b strings.Builder
	b.WriteString("# Big launch\n")
	sections := 0
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			sections++
			fmt.Fprintf(&b, "\n## %d. Area %d 🔒\n", sections, sections)
		}
		if i%10 == 0 {
			fmt.Fprintf(&b, "\n### Group %d\n", i/10)
		}
		indent, box := "", "[ ]"
		if i%5 == 4 {
			indent = "  "
		}
		if i%3 == 0 {
			box = "[x]"
		}
		fmt.Fprintf(&b, "%s- %s item %d with an ordinary amount of text\n", indent, box, i+1)
	}
	b.WriteString("\n## Launch Week\n### 1 Week Before Launch\n- freeze\n### Launch Day\n- deploy\n")
	b.WriteString("\n## Launch Readiness Assessment\n**Minimum recommended**: 85% for production launch\n\n**Critical for GO (should be > 90%):**\n")
	for s := 1; s <= sections; s++ {
		fmt.Fprintf(&b, "- [ ] Area %d (Section %d)\n", s, s)
	}
	b.WriteString("\n**Approved by:**\n- Engineering Lead: ____\n- Product Manager: ____\n")
	return b.String()
}
