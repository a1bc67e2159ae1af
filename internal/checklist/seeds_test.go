package checklist_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

func parseFile(t testing.TB, name string) (*checklist.Checklist, *checklist.ImportReport) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	c, rep, err := checklist.Parse(src)
	require.NoError(t, err)
	return c, rep
}

func gateByName(t *testing.T, r checklist.Report, name string) checklist.GateResult {
	t.Helper()
	for _, g := range r.Gates {
		if g.Name == name {
			return g
		}
	}
	require.Failf(t, "no gate", "no gate named %q", name)
	return checklist.GateResult{}
}

// TestSeed000 holds seed 000 to the figures the issue states.
func TestSeed000(t *testing.T) {
	c, rep := parseFile(t, "seed000.md")
	r := checklist.Score(c)

	assert.Equal(t, "Production Readiness Checklist", c.Title)
	assert.Equal(t, checklist.Count{Done: 78, Total: 199}, r.Readiness)
	assert.Equal(t, "78/199 = 39.2%", r.Readiness.String())

	titles := []string{"Infrastructure", "Security", "Database & Storage", "Monitoring & Observability", "Performance & Scalability",
		"Feature Completeness", "Documentation", "Compliance & Legal", "Disaster Recovery", "Pre-Launch Tasks",
		"Launch Readiness Assessment", "Post-Launch Monitoring Checklist"}
	// The trailing "Appendix: Key Metrics" holds no item, rule or approver.
	require.Len(t, c.Sections, len(titles))
	for i, s := range c.Sections {
		assert.Equal(t, titles[i], s.Title, "section %d", i)
		if i < 11 {
			assert.Equal(t, i+1, s.Number, "number of %s", s.Title)
		}
	}
	kinds := map[string]checklist.SectionKind{
		"Pre-Launch Tasks": checklist.KindWindow, "Post-Launch Monitoring Checklist": checklist.KindWindow,
		"Launch Readiness Assessment": checklist.KindDecision,
	}
	for _, s := range c.Sections {
		want, ok := kinds[s.Title]
		if !ok {
			want = checklist.KindReadiness
		}
		assert.Equal(t, want, s.Kind, s.Title)
		assert.Equal(t, s.Index <= 9, s.HasSignoff, "sign-off line of %s", s.Title)
		assert.Nil(t, s.Signoff, "nobody signed %s off", s.Title)
	}

	type want struct {
		kind   checklist.GateKind
		count  checklist.Count
		rule   string
		passed bool
	}
	wants := map[string]want{
		"Overall readiness":         {checklist.GateOverall, checklist.Count{Done: 78, Total: 199}, "≥ 85%", false},
		"Security":                  {checklist.GateRequired, checklist.Count{Done: 19, Total: 32}, "≥ 100%", false},
		"Health Checks":             {checklist.GateRequired, checklist.Count{Done: 5, Total: 5}, "≥ 100%", true},
		"Core Features":             {checklist.GateRequired, checklist.Count{Done: 10, Total: 10}, "≥ 100%", true},
		"Disaster Recovery backups": {checklist.GateRequired, checklist.Count{Done: 0, Total: 6}, "≥ 100%", false},
		"Infrastructure":            {checklist.GateCritical, checklist.Count{Done: 19, Total: 21}, "> 90%", true},
		"Monitoring":                {checklist.GateCritical, checklist.Count{Done: 13, Total: 34}, "> 90%", false},
		"Documentation":             {checklist.GateCritical, checklist.Count{Done: 7, Total: 21}, "> 90%", false},
	}
	require.Len(t, r.Gates, len(wants))
	for name, w := range wants {
		g := gateByName(t, r, name)
		assert.Equal(t, w.kind, g.Kind, name)
		assert.Equal(t, w.count, g.Count, name)
		assert.Equal(t, w.rule, g.Rule(), name)
		assert.Equal(t, w.passed, g.Passed, name)
		assert.False(t, g.Unresolved, name)
	}
	assert.Equal(t, "90.5%", checklist.FormatPercent(gateByName(t, r, "Infrastructure").Value()))
	assert.Equal(t, "39.2%", checklist.FormatPercent(gateByName(t, r, "Overall readiness").Value()))
	assert.Equal(t, "Disaster Recovery › Backup & Recovery", r.TargetName(gateByName(t, r, "Disaster Recovery backups").Gate))
	assert.Equal(t, "Monitoring & Observability › Health Checks", r.TargetName(gateByName(t, r, "Health Checks").Gate))
	assert.Equal(t, "Monitoring & Observability", r.TargetName(gateByName(t, r, "Monitoring").Gate))
	assert.Equal(t, "line 381: **Minimum recommended**: 85% for production launch", gateByName(t, r, "Overall readiness").Source)

	require.Len(t, c.Roles, 4)
	for i, name := range []string{"Engineering Lead", "Product Manager", "Security Lead", "Operations Lead"} {
		assert.Equal(t, name, c.Roles[i].Name)
		assert.Equal(t, checklist.VerdictPending, c.Roles[i].Verdict)
	}

	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
	assert.Equal(t, []string{
		"Overall readiness: 78/199 = 39.2%, needs ≥ 85%: failing",
		"Security: 19/32 = 59.4%, needs ≥ 100%: failing",
		"Disaster Recovery backups: 0/6 = 0.0%, needs ≥ 100%: failing",
		"Monitoring: 13/34 = 38.2%, needs > 90%: failing",
		"Documentation: 7/21 = 33.3%, needs > 90%: failing",
		"Engineering Lead has not approved yet",
		"Product Manager has not approved yet",
		"Security Lead has not approved yet",
		"Operations Lead has not approved yet",
	}, r.Decision.Reasons)

	// Nested alerts are items of their own, children of "Critical alerts configured".
	var alerting *checklist.Group
	for _, gr := range c.Sections[3].Groups {
		if gr.Title == "Alerting" {
			alerting = gr
		}
	}
	require.NotNil(t, alerting)
	require.Len(t, alerting.Items, 11)
	parent := alerting.Items[0]
	assert.Equal(t, "Critical alerts configured", parent.Text)
	for _, it := range alerting.Items[1:7] {
		assert.Equal(t, parent.Number, it.Parent, it.Text)
		assert.Equal(t, 1, it.Depth, it.Text)
	}
	for _, it := range alerting.Items[7:] {
		assert.Zero(t, it.Parent, it.Text)
	}

	// Windows, in document order, with their offsets in minutes; "First
	// 24 Hours" starts an hour after launch, so that it stays after it.
	const day = 24 * 60
	offsets := []struct {
		name   string
		offset int
	}{{"1 Week Before Launch", -7 * day}, {"3 Days Before Launch", -3 * day}, {"1 Day Before Launch", -day}, {"Launch Day", 0},
		{"1 Day After Launch", day}, {"First 24 Hours", 60}, {"First Week", day}, {"First Month", 7 * day}}
	require.Len(t, c.Windows, len(offsets))
	for i, w := range offsets {
		assert.Equal(t, w.name, c.Windows[i].Name)
		assert.Equal(t, w.offset, c.Windows[i].OffsetMinutes, w.name)
		_, g, _ := c.Locate(c.Windows[i].Items[0])
		assert.Equal(t, w.name, g.Title)
	}
	assert.Len(t, c.Windows[0].Items, 7)

	// Every item numbered 1..N in document order.
	items := c.Items()
	assert.Len(t, items, 252)
	for i, it := range items {
		assert.Equal(t, i+1, it.Number)
		assert.False(t, it.Task, "seed 000 windows hold checkboxes, not tasks")
	}
	assert.Equal(t, 12, items[0].Line)

	// The report: every gate with its line, the skipped decision boxes.
	assert.Empty(t, rep.Unresolved)
	require.Len(t, rep.Skipped, 2)
	assert.Equal(t, 400, rep.Skipped[0].Line)
	assert.Equal(t, 448, rep.Skipped[1].Line, "the trailing appendix holds no item")
	assert.Equal(t, 381, rep.Gates[0].Line)
	assert.Equal(t, 386, rep.Gates[1].Line)
	assert.Equal(t, `group "Backup & Recovery" of section 9 "Disaster Recovery"`, rep.Gates[4].Target)
	assert.Equal(t, 403, rep.Roles[0].Line)
	assert.Empty(t, rep.Defaults, "seed 000 states its minimum")
}

// TestSeed004 covers priority tiers, approval checkboxes, plain-bullet tasks
// of time windows, and numbered bold sub-groups.
func TestSeed004(t *testing.T) {
	c, rep := parseFile(t, "seed004.md")
	r := checklist.Score(c)

	assert.Equal(t, "Production Readiness Checklist", c.Title)
	// The subtitle under the title is no section: it would show as an
	// empty first one, "0/0".
	assert.Equal(t, "Pre-Deployment Checklist", c.Sections[0].Title)
	assert.Contains(t, rep.Skipped, checklist.ImportProblem{Line: 2, Text: "Enterprise Company Verification Intelligence (ECVI)",
		Reason: "a section before the first item, with no item, rule or approver: not part of the checklist"})
	kinds := map[string]checklist.SectionKind{}
	for _, s := range c.Sections {
		kinds[s.Title] = s.Kind
	}
	assert.Equal(t, map[string]checklist.SectionKind{
		"Pre-Deployment Checklist": checklist.KindReadiness,
		"Deployment Checklist":     checklist.KindReadiness,
		"Production Smoke Tests":   checklist.KindReadiness,
		"Go-Live Criteria":         checklist.KindDecision,
		"Rollback Plan":            checklist.KindReadiness,
		"Support Readiness":        checklist.KindReadiness,
		"Post-Launch Monitoring":   checklist.KindWindow,
		"Success Metrics":          checklist.KindReadiness,
		"Sign-Off":                 checklist.KindDecision,
	}, kinds)
	assert.Equal(t, checklist.Count{Done: 58, Total: 143}, r.Readiness)
	assert.Equal(t, "Infrastructure & Deployment", c.Sections[0].Groups[0].Title, "trailing emoji stripped")

	// P0 gate: 5 of the 8 "Must Have (P0)" items are done.
	p0 := gateByName(t, r, "Must Have (P0)")
	assert.Equal(t, checklist.GatePriority, p0.Kind)
	assert.Equal(t, "P0", p0.Target.Priority)
	assert.Equal(t, checklist.Count{Done: 5, Total: 8}, p0.Count)
	assert.False(t, p0.Passed)
	overall := gateByName(t, r, "Overall readiness")
	assert.Equal(t, float64(checklist.DefaultMinimum), overall.Threshold)
	assert.Empty(t, overall.Source, "the document states no minimum: a default")
	// The Sign-Off section's "Final Checklist" is left out of readiness: its
	// seven items are a gate of their own, so that no GO leaves them open.
	final := gateByName(t, r, "Final Checklist")
	assert.Equal(t, checklist.GateRequired, final.Kind)
	assert.Equal(t, checklist.Count{Done: 0, Total: 7}, final.Count)
	assert.False(t, final.Passed)
	assert.Len(t, r.Gates, 3)
	assert.Len(t, rep.Defaults, 1)

	priorities := map[string]string{"Must Have (P0)": "P0", "Should Have (P1)": "P1", "Nice to Have (P2)": "P2"}
	for _, g := range c.Sections[3].Groups {
		assert.Equal(t, priorities[g.Title], g.Priority, g.Title)
		for _, it := range g.Items {
			assert.Equal(t, g.Priority, it.Priority, it.Text)
		}
	}

	// Five roles from the "Required Approvals" checkboxes, all pending.
	require.Len(t, c.Roles, 5)
	for i, name := range []string{"Technical Lead", "Security Team", "Operations", "Product Owner", "Compliance"} {
		assert.Equal(t, name, c.Roles[i].Name)
		assert.Equal(t, checklist.VerdictPending, c.Roles[i].Verdict)
	}
	assert.Equal(t, "System ready for production", c.Roles[0].Description)
	signoff := c.Sections[8]
	require.Len(t, signoff.Groups, 2)
	assert.Empty(t, signoff.Groups[0].Items, "approvals are roles, not items")
	assert.Len(t, signoff.Groups[1].Items, 7, "the Final Checklist stays items")

	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
	assert.Contains(t, r.Decision.Reasons, "Must Have (P0): 5/8 = 62.5%, needs ≥ 100%: failing")
	assert.Contains(t, r.Decision.Reasons, "Compliance has not approved yet")

	// Post-launch windows hold five plain-bullet tasks each.
	require.Len(t, c.Windows, 3)
	for i, w := range []struct {
		name   string
		offset int
		first  string
	}{{"First 24 Hours", 60, "Monitor error rates"}, {"First Week", 24 * 60, "Daily performance reviews"}, {"First Month", 7 * 24 * 60, "Weekly performance reports"}} {
		win := c.Windows[i]
		assert.Equal(t, w.name, win.Name)
		assert.Equal(t, w.offset, win.OffsetMinutes)
		require.Len(t, win.Items, 5, w.name)
		for _, n := range win.Items {
			it := c.Item(n)
			assert.True(t, it.Task, it.Text)
			assert.False(t, it.Done, it.Text)
		}
		assert.Equal(t, w.first, c.Item(win.Items[0]).Text)
	}
	assert.Equal(t, 15, rep.Tasks)

	// Smoke tests: six numbered bold sub-groups of "Critical Path Tests".
	crit := c.Sections[2].Groups[0]
	require.Equal(t, "Critical Path Tests", crit.Title)
	subgroups := map[string]int{}
	var order []string
	for _, it := range crit.Items {
		if subgroups[it.Subgroup] == 0 {
			order = append(order, it.Subgroup)
		}
		subgroups[it.Subgroup]++
		assert.Zero(t, it.Parent, "items under a sub-group heading are not nested in an item")
	}
	assert.Equal(t, []string{"Authentication", "Company Management", "Verification", "Reports", "Reviews", "Data Corrections"}, order)
	assert.Equal(t, map[string]int{"Authentication": 4, "Company Management": 5, "Verification": 4, "Reports": 5, "Reviews": 3, "Data Corrections": 3}, subgroups)
	assert.Empty(t, c.Sections[2].Groups[1].Items[0].Subgroup, "a new group ends the sub-group")

	// The rollback code block and plain bullets are no items.
	assert.Zero(t, len(c.Sections[4].Groups[0].Items)+len(c.Sections[4].Groups[1].Items))
	assert.Len(t, rep.Skipped, 1, "the subtitle only")
	assert.Empty(t, rep.Unresolved)
}
