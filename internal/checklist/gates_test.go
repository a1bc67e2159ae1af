package checklist_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

const referenced = `# Launch
## 1. Security
### Auth
- [x] a
## 2. Monitoring & Observability
### Health Checks
- [x] h
### Alerting
- [ ] al
### Logging
- [x] l
## 3. Testing
### Unit Tests
- [x] u
### Load Tests
- [x] lt
## 4. Go / No-Go
`

func TestGateReferences(t *testing.T) {
	tests := []struct {
		ref     string
		target  string // as Report.TargetName says it; "" when unresolved
		problem string // part of the unresolved reason
	}{
		{"Security (Section 1)", "Security", ""},
		{"Security", "Security", ""},
		{"**Security**", "Security", ""},
		{"Section 1", "Security", ""},
		{"Monitoring (Section 2)", "Monitoring & Observability", ""},
		{"Monitoring", "Monitoring & Observability", ""},
		{"Health Checks (Section 2 - Health Checks)", "Monitoring & Observability › Health Checks", ""},
		{"Section 2: Health Checks", "Monitoring & Observability › Health Checks", ""},
		{"Health Checks (Section 2)", "Monitoring & Observability › Health Checks", ""},
		{"Health Checks", "Monitoring & Observability › Health Checks", ""},
		{"Observability alerting (Section 2)", "Monitoring & Observability › Alerting", ""},
		{"Testing load (Section 3)", "Testing › Load Tests", ""},
		{"Unit test", "Testing › Unit Tests", ""},
		{"Alerting (Section 9)", "", "there is no section 9"},
		{"Tracing (Section 2 - Tracing)", "", `has no group "Tracing"`},
		{"Billing (Section 1)", "", `section 1 is "Security"`},
		{"Billing", "", `no section or group is called "Billing"`},
		{"Tests", "", "several groups"},
		{"All P0 items", "every P0 item", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			src := referenced + "**Required for GO (must be 100%):**\n- [ ] " + tt.ref + "\n"
			c, rep := mustParse(t, src)
			r := checklist.Score(c)
			require.Len(t, r.Gates, 2, "the overall default and the reference")
			g := r.Gates[1]
			assert.Equal(t, checklist.GateRequired, g.Kind)
			assert.Equal(t, 19, rep.Gates[1].Line)
			if tt.problem == "" {
				assert.False(t, g.Unresolved)
				assert.Equal(t, tt.target, r.TargetName(g.Gate))
				if g.Target.Priority != "" {
					// No item of the fixture is marked P0: the gate can never
					// pass, and the report says how to mark them.
					require.Len(t, rep.Unresolved, 1)
					assert.Contains(t, rep.Unresolved[0].Reason, "no item is marked P0")
					return
				}
				assert.Empty(t, rep.Unresolved)
				return
			}
			assert.True(t, g.Unresolved)
			assert.False(t, g.Passed, "an unresolved reference fails its gate")
			require.Len(t, rep.Unresolved, 1)
			assert.Equal(t, 19, rep.Unresolved[0].Line)
			assert.Contains(t, rep.Unresolved[0].Reason, tt.problem)
			assert.Contains(t, r.Decision.Reasons, g.Name+": not found in the checklist, needs ≥ 100%: failing")
			assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
		})
	}
}

func TestGateCriteria(t *testing.T) {
	tests := []struct {
		label     string
		kind      checklist.GateKind
		threshold float64
		strict    bool
	}{
		{"**Required for GO (must be 100%):**", checklist.GateRequired, 100, false},
		{"**Critical for GO (should be > 90%):**", checklist.GateCritical, 90, true},
		{"Critical for launch (at least 95%):", checklist.GateCritical, 95, false},
		{"Must pass before release (above 80%):", checklist.GateRequired, 80, true},
		{"### Blocking for go-live (≥ 99.5%)", checklist.GateRequired, 99.5, false},
		{"Needed for GO (100%):", checklist.GateRequired, 100, false},
		{"Wanted for GO (75%):", checklist.GateCritical, 75, false},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			c, _ := mustParse(t, referenced+tt.label+"\n\n- Security (Section 1)\n")
			require.Len(t, c.Gates, 2)
			g := c.Gates[1]
			assert.Equal(t, "Security", g.Name)
			assert.Equal(t, tt.kind, g.Kind)
			assert.Equal(t, tt.threshold, g.Threshold)
			assert.Equal(t, tt.strict, g.Strict)
			assert.Equal(t, checklist.KindDecision, c.Sections[3].Kind)
		})
	}
}

func TestGateContextEnds(t *testing.T) {
	src := referenced + "**Required for GO (must be 100%):**\n- Security\n\nSome prose ends the list.\n- [ ] an item again\n"
	c, _ := mustParse(t, src)
	require.Len(t, c.Gates, 3, "the overall minimum, Security, and the decision section's own item")
	assert.Equal(t, "an item again", c.Items()[len(c.Items())-1].Text)
}

// TestDecisionItemGates: ordinary items of a decision section, which
// readiness leaves out, are a 100% gate unless a rule measures them.
func TestDecisionItemGates(t *testing.T) {
	src := "# Release\n## Work\n- [x] Build\n## Final Go/No-Go Gate\nAll items below must be checked before release:\n" +
		"- [ ] No open critical findings\n- [x] SLO dashboard green\n\nApprovals:\n- Backend owner: Dana\n" +
		"## Go-Live Criteria\n### Should Have (P1)\n- [ ] Dark mode\n"
	c, rep := mustParse(t, src)
	require.Equal(t, checklist.KindDecision, c.Sections[1].Kind)
	require.Len(t, c.Gates, 2, "the overall minimum and the final gate; P1 items are not blocking")
	g := c.Gates[1]
	assert.Equal(t, "Final Go/No-Go Gate", g.Name)
	assert.Equal(t, checklist.GateRequired, g.Kind)
	assert.Equal(t, 100.0, g.Threshold)
	assert.Equal(t, `section "Final Go/No-Go Gate"`, rep.Gates[1].Target)

	r := checklist.Score(c)
	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome, "an open box the document calls blocking")
	assert.Contains(t, r.Decision.Reasons, "Final Go/No-Go Gate: 1/2 = 50.0%, needs ≥ 100%: failing")
	assert.Equal(t, "Final Go/No-Go Gate", r.TargetName(g))

	c.Item(2).Done = true
	assert.Equal(t, checklist.OutcomeGo, checklist.Score(c).Decision.Outcome)
}

func TestOverallMinimum(t *testing.T) {
	src := referenced + "Overall readiness must be at least 90% for launch.\n\n**Minimum readiness**: 70%\n"
	c, rep := mustParse(t, src)
	require.Len(t, c.Gates, 1)
	g := c.Gates[0]
	assert.Equal(t, checklist.GateOverall, g.Kind)
	assert.Equal(t, 90.0, g.Threshold)
	assert.Equal(t, "line 18: Overall readiness must be at least 90% for launch.", g.Source)
	assert.Empty(t, rep.Defaults)
	require.Len(t, rep.Skipped, 1, "the second minimum is reported")
	assert.Equal(t, 20, rep.Skipped[0].Line)

	// As a bullet, too.
	c, _ = mustParse(t, "## Work\n- [ ] a\n## Launch Criteria\n- Minimum readiness: 80%\n")
	assert.Equal(t, 80.0, c.Gates[0].Threshold)
	assert.Equal(t, checklist.KindDecision, c.Sections[1].Kind)

	// A percentage in an ordinary readiness section is no minimum.
	c, rep = mustParse(t, "## Testing\n- [ ] a\nCoverage at least 80% of lines.\n")
	assert.Equal(t, float64(checklist.DefaultMinimum), c.Gates[0].Threshold)
	assert.Equal(t, checklist.KindReadiness, c.Sections[0].Kind)
	assert.Len(t, rep.Defaults, 1)
}

func TestPriorityGate(t *testing.T) {
	c, _ := mustParse(t, "## Criteria\n### Must Have (P0)\n- [x] a\n### Should Have (P1)\n- [ ] b\n## More\n### P0 blockers\n- [ ] c\n")
	r := checklist.Score(c)
	require.Len(t, r.Gates, 2)
	p0 := r.Gates[1]
	assert.Equal(t, "P0 items", p0.Name, "several P0 groups")
	assert.Equal(t, checklist.Count{Done: 1, Total: 2}, p0.Count)
	assert.Equal(t, "P1", c.Item(2).Priority)

	c, _ = mustParse(t, "## Criteria\n### Should Have (P1)\n- [ ] b\n### HTTP2 support\n- [ ] c\n")
	assert.Len(t, c.Gates, 1, "no P0 items, no priority gate")
	assert.Empty(t, c.Item(2).Priority)
}

func TestRoles(t *testing.T) {
	allDone := "# L\n## Work\n- [x] done\n"
	tests := []struct {
		name    string
		src     string
		roles   []checklist.Role
		outcome checklist.Outcome
	}{
		{
			name: "blank and filled names",
			src:  allDone + "## Launch Decision\n**Approved by:**\n- Engineering Lead: Dana Scully  Date: 2026-01-05\n- Product Manager: _______________\n- QA: TBD\n",
			roles: []checklist.Role{
				{Name: "Engineering Lead", Verdict: checklist.VerdictApproved, By: "Dana Scully", At: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
				{Name: "Product Manager", Verdict: checklist.VerdictPending},
				{Name: "QA", Verdict: checklist.VerdictPending},
			},
			outcome: checklist.OutcomePending,
		},
		{
			name: "every name filled",
			src:  allDone + "## Sign-off\n**Approved by:**\n- Engineering Lead: Dana\n- Product Manager: Fox\n",
			roles: []checklist.Role{
				{Name: "Engineering Lead", Verdict: checklist.VerdictApproved, By: "Dana"},
				{Name: "Product Manager", Verdict: checklist.VerdictApproved, By: "Fox"},
			},
			outcome: checklist.OutcomeGo,
		},
		{
			name: "approval checkboxes",
			src:  allDone + "## Sign-Off\n### Required Approvals\n- [x] **Technical Lead:** System ready\n- [ ] **Security Team**: Review approved\n- [x] Not a role, an item\n### Final Checklist\n- [x] **Docs:** reviewed\n",
			roles: []checklist.Role{
				{Name: "Technical Lead", Description: "System ready", Verdict: checklist.VerdictApproved},
				{Name: "Security Team", Description: "Review approved", Verdict: checklist.VerdictPending},
			},
			outcome: checklist.OutcomePending,
		},
		{
			name: "an indented note under a role keeps the list open",
			src:  allDone + "## Approvals\n**Approved by:**\n- Security Lead: ____\n  (after the pen test)\n- Legal: Ana\n",
			roles: []checklist.Role{
				{Name: "Security Lead", Verdict: checklist.VerdictPending},
				{Name: "Legal", Verdict: checklist.VerdictApproved, By: "Ana"},
			},
			outcome: checklist.OutcomePending,
		},
		{
			name:    "no roles at all",
			src:     allDone,
			roles:   nil,
			outcome: checklist.OutcomeGo,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rep := mustParse(t, tt.src)
			var got []checklist.Role
			for _, r := range c.Roles {
				got = append(got, *r)
			}
			assert.Equal(t, tt.roles, got)
			assert.Len(t, rep.Roles, len(tt.roles))
			assert.Equal(t, tt.outcome, checklist.Score(c).Decision.Outcome)
			for _, s := range c.Sections[1:] {
				assert.Equal(t, checklist.KindDecision, s.Kind, s.Title)
			}
		})
	}
}

func TestApprovalItemsStayItems(t *testing.T) {
	c, _ := mustParse(t, "## Sign-Off\n### Required Approvals\n- [ ] Not a role, an item\n- [x] **Lead:** ok\n")
	assert.Equal(t, []string{"Not a role, an item"}, texts(c.Items()))
	require.Len(t, c.Roles, 1)
}

func TestDuplicateRole(t *testing.T) {
	c, rep := mustParse(t, "- [ ] a\n**Approved by:**\n- Lead: ___\n- lead: Dana\n")
	require.Len(t, c.Roles, 1)
	assert.Equal(t, checklist.VerdictPending, c.Roles[0].Verdict)
	require.Len(t, rep.Skipped, 1)
	assert.Equal(t, 4, rep.Skipped[0].Line)
}
