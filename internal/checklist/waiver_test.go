package checklist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

func TestWaiversCountForTheirGatesNotForReadiness(t *testing.T) {
	c := &checklist.Checklist{
		Sections: []*checklist.Section{{Index: 0, Title: "Security", Kind: checklist.KindReadiness, Groups: []*checklist.Group{{Index: 0, Items: []*checklist.Item{
			{Number: 1, Text: "Secrets rotated", Done: true, Priority: "P0"},
			{Number: 2, Text: "WAF configured", Priority: "P0",
				Waiver: &checklist.Waiver{By: "USEC", Until: "2026-11-30", Reason: "WAF next week"}},
		}}}}},
		Gates: []checklist.Gate{
			{Name: "Security", Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: 0, Group: -1}},
			{Name: "P0", Kind: checklist.GatePriority, Threshold: 100, Target: checklist.Target{Priority: "P0"}},
			{Name: "Overall readiness", Kind: checklist.GateOverall, Threshold: 100, Target: checklist.Target{Section: -1, Group: -1}},
		},
	}
	passed := func(r checklist.Report) []bool {
		var out []bool
		for _, g := range r.Gates {
			out = append(out, g.Passed)
		}
		return out
	}
	r := checklist.ScoreOn(c, "2026-11-30")
	assert.Equal(t, []bool{true, true, false}, passed(r), "the section and P0 gates count the waiver; overall readiness never does")
	assert.Equal(t, checklist.Count{Done: 1, Total: 2}, r.Readiness)
	assert.Equal(t, "2/2 = 100.0% (1 waived)", r.Gates[1].Count.String())
	require.Len(t, r.Waivers, 1)
	assert.Equal(t, checklist.WaivedItem{Number: 2, Text: "WAF configured", Waiver: *c.Sections[0].Groups[0].Items[1].Waiver}, r.Waivers[0])

	assert.Equal(t, []bool{false, false, false}, passed(checklist.ScoreOn(c, "2026-12-01")), "lapsed the day after")
	assert.Empty(t, checklist.ScoreOn(c, "2026-12-01").Waivers)
	assert.Equal(t, []bool{false, false, false}, passed(checklist.Score(c)), "a document counts no waiver")

	c.Gates = c.Gates[:2]
	assert.Equal(t, "GO with 1 waiver", checklist.ScoreOn(c, "2026-11-30").OutcomeText())
	assert.Equal(t, "NO-GO", checklist.ScoreOn(c, "2026-12-01").OutcomeText())
}
