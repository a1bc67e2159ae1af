package checklist_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

// written is a checklist whose GO rules are written one to a line, as many
// teams write them, with every approver signed: golive must hold it to
// those rules.
const written = `# Payments API — Launch Readiness

## Security (must be 100%)
- [x] Pen test done
- [x] Secrets in vault
- [ ] [P0] Rotate prod keys

## Infrastructure
- [x] Autoscaling
- [x] Multi-AZ
- [x] CDN
- [x] Backups
- [x] Alerts
- [x] Runbooks
- [x] Dashboards
- [x] Load test
- [x] DNS
- [x] TLS

## Go/No-Go Criteria
- Security: 100%
- Infrastructure > 90%
- Overall >= 85%
- All P0 items complete

## Approvals
- Engineering Lead: Alice
- Security Lead: Bob
`

func TestWrittenCriteriaAreGates(t *testing.T) {
	c, rep := mustParse(t, written)
	r := checklist.Score(c)

	assert.Equal(t, 12, r.Readiness.Done, "11 of 13 done, and the overall gate passes at 92.3%")
	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome,
		"Security is not 100% and a P0 item is open: the checklist's own rules say NO-GO, whatever the approvals")
	assert.Contains(t, r.Decision.Reasons, "Security: 2/3 = 66.7%, needs ≥ 100%: failing")
	assert.Contains(t, r.Decision.Reasons, "P0 items: 0/1 = 0.0%, needs ≥ 100%: failing")

	var rules []string
	for _, g := range r.Gates {
		rules = append(rules, g.Name+" "+g.Rule())
	}
	assert.ElementsMatch(t, []string{
		"Security ≥ 100%", // the heading's bar and the criteria line's are one gate
		"Infrastructure > 90%",
		"Overall readiness ≥ 85%",
		"P0 items ≥ 100%",
	}, rules)
	assert.Empty(t, rep.Defaults, "the checklist states its overall minimum: no default applies")

	// Ticking the open item makes it GO: the rules were read, not invented.
	done := strings.Replace(written, "- [ ] [P0] Rotate prod keys", "- [x] [P0] Rotate prod keys", 1)
	c, _ = mustParse(t, done)
	assert.Equal(t, checklist.OutcomeGo, checklist.Score(c).Decision.Outcome)
}

func TestCriterionLines(t *testing.T) {
	const sections = `# Launch
## Security
- [x] a
- [ ] b
## Infrastructure
- [x] c
- [x] d
- [x] e
- [ ] f
## Launch Criteria
`
	tests := []struct {
		line      string
		name      string // "" when the line states no share: a condition to tick
		threshold float64
		strict    bool
		kind      checklist.GateKind
		problem   string // part of the unresolved reason, for a gate that cannot be measured
	}{
		{"- Security: 100%", "Security", 100, false, checklist.GateRequired, ""},
		{"- **Security** must be 100% complete", "Security", 100, false, checklist.GateRequired, ""},
		{"Security must be 100% complete before launch.", "Security", 100, false, checklist.GateRequired, ""},
		{"- Infrastructure > 90%", "Infrastructure", 90, true, checklist.GateCritical, ""},
		{"- Infrastructure above 90%", "Infrastructure", 90, true, checklist.GateCritical, ""},
		{"- Infrastructure at least 60%", "Infrastructure", 60, false, checklist.GateCritical, ""},
		{"- Infrastructure ≥ 75% (required)", "Infrastructure", 75, false, checklist.GateRequired, ""},
		{"- Overall >= 90%", "Overall readiness", 90, false, checklist.GateOverall, ""},
		{"- Overall readiness at least 90%", "Overall readiness", 90, false, checklist.GateOverall, ""},
		{"- All Security items done", "Security", 100, false, checklist.GateRequired, ""},
		{"- All items complete", "Overall readiness", 100, false, checklist.GateOverall, ""},
		{"- Billing: 100%", "Billing", 100, false, checklist.GateRequired, `no section or group is called "Billing"`},
		{"- Error rate < 1% in staging", "", 0, false, "", ""},
		{"- All critical bugs resolved", "critical bugs", 100, false, checklist.GateRequired, `no section or group is called "critical bugs"`},
		{"- All approvers have signed off", "", 0, false, "", ""},
		{"- Decision made by the release manager", "", 0, false, "", ""},
		{"- No Sev-1 incidents in the last 14 days", "", 0, false, "", ""},
		{"| Area | Required |\n|---|---|\n| Security | 100% |", "Security", 100, false, checklist.GateRequired, ""},
		{"| Area | Owner | Threshold | Status |\n|---|---|---|---|\n| Infrastructure | @eng | > 90% | 🟡 |", "Infrastructure", 90, true, checklist.GateCritical, ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			c, rep := mustParse(t, sections+tt.line+"\n")
			r := checklist.Score(c)
			if tt.name == "" {
				items := c.Items()
				last := items[len(items)-1]
				assert.Equal(t, strings.TrimPrefix(tt.line, "- "), last.Text, "a condition golive cannot measure is a task to tick")
				assert.True(t, last.Task)
				require.Len(t, r.Gates, 2)
				assert.Equal(t, "Launch Criteria", r.Gates[1].Name, "and GO waits for it")
				assert.Equal(t, 0, r.Gates[1].Count.Done)
				assert.Equal(t, 1, r.Gates[1].Count.Total)
				return
			}
			var got *checklist.GateResult
			for i, g := range r.Gates {
				if g.Source != "" && (g.Kind != checklist.GateOverall || tt.kind == checklist.GateOverall) {
					got = &r.Gates[i]
				}
			}
			require.NotNil(t, got, "a gate from %q; gates: %+v", tt.line, r.Gates)
			assert.Equal(t, tt.name, got.Name)
			assert.Equal(t, tt.threshold, got.Threshold)
			assert.Equal(t, tt.strict, got.Strict)
			assert.Equal(t, tt.kind, got.Kind)
			if tt.kind != checklist.GateOverall {
				for _, g := range r.Gates {
					if g.Kind == checklist.GateOverall {
						assert.Equal(t, float64(checklist.DefaultMinimum), g.Threshold, "a section's bar never lowers the overall minimum")
					}
				}
			}
			if tt.problem == "" {
				assert.False(t, got.Unresolved)
				assert.Empty(t, rep.Unresolved)
				return
			}
			assert.True(t, got.Unresolved)
			assert.False(t, got.Passed, "a criterion golive cannot measure fails, never dropped")
			require.Len(t, rep.Unresolved, 1)
			assert.Contains(t, rep.Unresolved[0].Reason, tt.problem)
			assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
		})
	}
}

func TestCeilingUnderDecisionHeading(t *testing.T) {
	// Under a heading of criteria a ceiling is a condition to tick; in a
	// decision section that lists no criteria it is a gate that fails, with
	// what to write instead.
	c, rep := mustParse(t, "# Launch\n## Work\n- [x] a\n## Go/No-Go\n- Error rate < 1% in staging\n")
	r := checklist.Score(c)
	require.Len(t, rep.Unresolved, 1)
	assert.Contains(t, rep.Unresolved[0].Reason, "it sets a ceiling")
	assert.Contains(t, rep.Unresolved[0].Reason, `Make it an item to tick ("- [ ] Error rate < 1% in staging")`)
	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
}

func TestBoxedCriteriaAreMeasured(t *testing.T) {
	// Ticking "Security: 100%" does not pass Security at 50%: the box stays
	// an item to tick, and what it states is measured too.
	src := `# Launch
## Security
- [x] a
- [ ] b
## Go/No-Go Criteria
- [x] Security: 100%
- [x] Every admin pilot task done
- [ ] Error rate below 1%
`
	c, rep := mustParse(t, src)
	r := checklist.Score(c)
	assert.Contains(t, r.Decision.Reasons, "Security: 1/2 = 50.0%, needs ≥ 100%: failing")
	assert.Empty(t, rep.Unresolved, "a box golive cannot measure is only a box to tick")
	var texts []string
	for _, it := range c.Items() {
		texts = append(texts, it.Text)
	}
	assert.Contains(t, texts, "Security: 100%")
	assert.Contains(t, texts, "Error rate below 1%")
}

func TestCriteriaSentence(t *testing.T) {
	src := `# Launch
## Security — BLOCKER
- [x] a
- [ ] b
## Infra
- [x] c
## Go/No-Go

We go if **all blockers are done** and readiness ≥ 90%.

| Role | Name | Decision |
|------|------|----------|
| Eng Manager | Maria | GO |
| Security | Sam | |
`
	c, rep := mustParse(t, src)
	r := checklist.Score(c)
	var rules []string
	for _, g := range r.Gates {
		rules = append(rules, r.TargetName(g.Gate)+" "+g.Rule())
	}
	assert.ElementsMatch(t, []string{"every readiness section ≥ 90%", "Security — BLOCKER ≥ 100%"}, rules)
	assert.Empty(t, rep.Unresolved)
	require.Len(t, c.Roles, 2, "a table of roles under a Go/No-Go heading names the approvers")
	assert.Equal(t, checklist.VerdictApproved, c.Roles[0].Verdict)
	assert.Equal(t, checklist.VerdictPending, c.Roles[1].Verdict, "a blank decision is no approval")
}

func TestExitCriteriaShares(t *testing.T) {
	src := `# Review
## Work
- [ ] [P0] a
- [x] [P0] b
- [x] [P1] c
- [ ] [P1] d
## Exit criteria
- 100% of P0 items closed
- ≥ 50% of P1 items closed
- No Sev-1 incidents in the last 14 days
## Launch Decision
Approvers: SRE Lead, Security Lead
`
	c, rep := mustParse(t, src)
	r := checklist.Score(c)
	var rules []string
	for _, g := range r.Gates {
		rules = append(rules, r.TargetName(g.Gate)+" "+g.Rule()+" "+g.Count.String())
	}
	assert.ElementsMatch(t, []string{
		"every readiness section ≥ 85% 2/4 = 50.0%",
		"every P0 item ≥ 100% 1/2 = 50.0%",
		"every P1 item ≥ 50% 1/2 = 50.0%",
		"Exit criteria ≥ 100% 0/1 = 0.0%", // the Sev-1 condition, to tick
	}, rules)
	assert.Empty(t, rep.Unresolved)
	var roles []string
	for _, role := range c.Roles {
		roles = append(roles, role.Name+" "+string(role.Verdict))
	}
	assert.Equal(t, []string{"SRE Lead pending", "Security Lead pending"}, roles, "roles listed on their label's line")

	c, _ = mustParse(t, "# L\n## Security\n- [x] a\n## Ops\n- [ ] b\n## Launch gate\nLaunch requires Security at 100% and Ops at 100%.\nSign-off: Search Lead, SRE\n")
	r = checklist.Score(c)
	assert.Contains(t, r.Decision.Reasons, "Ops: 0/1 = 0.0%, needs ≥ 100%: failing")
	var names []string
	for _, g := range r.Gates {
		names = append(names, g.Name)
	}
	assert.Equal(t, []string{"Overall readiness", "Security", "Ops"}, names)
	require.Len(t, c.Roles, 2, "a sign-off line of roles names approvers, not who signed the section")
	assert.False(t, c.Sections[2].Signoff != nil)

	c, rep = mustParse(t, "# L\n## W\n- [x] a\n## Exit Criteria\n- All P0 items closed\n")
	require.Len(t, rep.Unresolved, 1)
	assert.Contains(t, rep.Unresolved[0].Reason, "no item is marked P0")
	assert.Equal(t, checklist.OutcomeNoGo, checklist.Score(c).Decision.Outcome)

	c, _ = mustParse(t, "# L\n## W\n- [x] a\n## Sign-off\nApproved by: Alice, Bob\n")
	assert.Empty(t, c.Roles, "names are no roles")
}

func TestCriteriaOutsideCriteriaSectionsAreNoGates(t *testing.T) {
	// Success metrics and a section's prose state targets for the product,
	// not what must be done to launch.
	src := `# Launch
## Readiness
- [x] a
Aim for 95% coverage before launch.
## Success Criteria
| Criteria | Target |
|---|---|
| Uptime | 99.5%+ |
## Success Metrics
- **Uptime:** > 99.5%
`
	c, rep := mustParse(t, src)
	r := checklist.Score(c)
	require.Len(t, r.Gates, 1)
	assert.Equal(t, checklist.GateOverall, r.Gates[0].Kind)
	assert.Empty(t, rep.Unresolved)
}

func TestHeadingBars(t *testing.T) {
	src := `# Launch
## Security (must be 100%)
- [x] a
- [ ] b
## Infrastructure
### Networking (> 90% required)
- [x] c
### Canary (10% of traffic)
- [ ] d
`
	c, _ := mustParse(t, src)
	r := checklist.Score(c)
	var rules []string
	for _, g := range r.Gates {
		rules = append(rules, r.TargetName(g.Gate)+" "+g.Rule())
	}
	assert.ElementsMatch(t, []string{
		"every readiness section ≥ 85%",
		"Security (must be 100%) ≥ 100%",
		"Infrastructure › Networking (> 90% required) > 90%",
	}, rules, "a share of traffic is no bar")
}

func TestItemPriorityTags(t *testing.T) {
	src := `# Launch
## Work
- [ ] [P0] Rotate keys
- [x] P0: Enable TLS
- [ ] Fix the logo (P0)
- [ ] **P1** Nice to have
- [ ] Reduce P0 pager noise
- [ ] Page the on-call
  - Priority: P0

| Done | Task | Priority |
|---|---|---|
| [ ] | Freeze deploys | P0 |
`
	c, rep := mustParse(t, src)
	var tiers []string
	for _, it := range c.Items() {
		tiers = append(tiers, it.Priority)
	}
	assert.Equal(t, []string{"P0", "P0", "P0", "P1", "", "P0", "P0"}, tiers,
		"a tag at the start or the end, a Priority detail or column; a tier named inside the text is no tag")
	r := checklist.Score(c)
	var p0 *checklist.GateResult
	for i, g := range r.Gates {
		if g.Target.Priority == "P0" {
			p0 = &r.Gates[i]
		}
	}
	require.NotNil(t, p0, "tagged P0 items make the every-P0 gate; gates: %+v", rep.Gates)
	assert.Equal(t, "P0 items", p0.Name)
	assert.Equal(t, 1, p0.Count.Done)
	assert.Equal(t, 5, p0.Count.Total)
	assert.False(t, p0.Passed)
}
