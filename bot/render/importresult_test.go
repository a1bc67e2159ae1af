package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestImportResultGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	src := strings.Join([]string{
		"# Hostile <!channel> launch",
		"## 1. Security",
		"### Auth",
		"- [ ] Keys rotated",
		"- [x] MFA on <!here>",
		"-[ ] not quite an item <@U123>",
		"## Go/No-Go Decision Criteria",
		"**Required for GO (must be 100%):**",
		"- [ ] Security (Section 1)",
		"- [ ] Payments (Section 9)",
		"**Approved by:**",
		"- Security Lead: _______________",
		"## Launch",
		"### 1 Week Before Launch",
		"- Final security audit",
	}, "\n")
	c, rep, err := checklist.Parse([]byte(src))
	require.NoError(t, err)
	l.Checklist = c
	m := ImportResult(l, rep)
	golden(t, "ImportResult", m)
	assert.Empty(t, CheckMessage(m))
	s := mrkdwnText(t, m)
	assertInert(t, s)
	for _, p := range rep.Skipped {
		assert.Contains(t, s, fmt.Sprintf("Line %d: ", p.Line))
	}
}

func TestImportResultSeeds(t *testing.T) {
	for _, file := range []string{"seed000.md", "seed004.md"} {
		l := seedLaunch(t, file)
		_, rep, err := checklist.Parse(readSeed(t, file))
		require.NoError(t, err)
		m := ImportResult(l, rep)
		assert.Empty(t, CheckMessage(m), file)
		s := mrkdwnText(t, m)
		for _, sec := range rep.Sections {
			assert.Contains(t, s, "*"+Escape(sec.Title)+"*", file)
		}
		for _, r := range rep.Roles {
			assert.Contains(t, s, "*"+Escape(r.Name)+"*", file)
		}
		for _, p := range rep.Skipped {
			assert.Contains(t, s, fmt.Sprintf("Line %d: ", p.Line), file)
		}
	}
}

// TestImportResultListsEverySkippedLine: a 3000-character paste (the modal's
// limit) of nothing but near-items lists every one of them.
func TestImportResultListsEverySkippedLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("## S\n- [ ] one real item\n")
	for b.Len() < 3000 {
		b.WriteString("-[x] x\n")
	}
	c, rep, err := checklist.Parse([]byte(b.String()))
	require.NoError(t, err)
	require.Greater(t, len(rep.Skipped), 300, "the parser reports near-items as skipped")
	l := &launch.Launch{Name: "Paste", Date: "2026-03-02", Timezone: "UTC", Checklist: c}
	m := ImportResult(l, rep)
	assert.Empty(t, CheckMessage(m))
	s := mrkdwnText(t, m)
	for _, p := range rep.Skipped {
		assert.Contains(t, s, fmt.Sprintf("Line %d: ", p.Line))
	}
}
