package checklist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

// issueExamples are the four checklists of issue 10 that were GO with exit 0
// while nothing they ask for was done: each must be NO-GO or PENDING.
var issueExamples = []struct {
	name string
	src  string
}{
	{"approvals next to items", "# Launch\n- [ ] write docs\n- [ ] load test\n- [x] deploy script\n\n**Approved by:**\n- Eng Lead: Dana\n- PM: Sam\n"},
	{"only a launch-day window", "# Launch\n## Launch Day Tasks\n### Launch Day\n- [ ] Deploy to production\n"},
	{"owner placeholder under an item", "# Launch\n## Readiness\n- [ ] Load test passed\n### Final Approvals\n- [ ] **Security sign-off**\n  - Owner: [Security Team]\n"},
	{"approver behind a bold label", "# Launch\n## Readiness\n- [x] Tests pass\n## Sign-Off\n### Required Approvals\n**Go/No-Go Decision:**\n- [ ] **Business Owner:** GO / NO-GO\n"},
}

func TestIssueExamplesAreNeverGo(t *testing.T) {
	for _, ex := range issueExamples {
		t.Run(ex.name, func(t *testing.T) {
			c, _, err := checklist.Parse([]byte(ex.src))
			require.NoError(t, err)
			r := checklist.Score(c)
			assert.Contains(t, []checklist.Outcome{checklist.OutcomeNoGo, checklist.OutcomePending}, r.Decision.Outcome, r.Decision.Reasons)
			assert.NotContains(t, r.Decision.Reasons, checklist.ReasonAllApproved)
		})
	}
}

// TestIssueExampleReasons checks the reason each example gives, read as
// written.
func TestIssueExampleReasons(t *testing.T) {
	reasons := func(t *testing.T, i int) checklist.Report {
		t.Helper()
		c, _, err := checklist.Parse([]byte(issueExamples[i].src))
		require.NoError(t, err)
		return checklist.Score(c)
	}
	t.Run("approvals next to items", func(t *testing.T) {
		// The items next to the approvals keep counting: 1/3.
		r := reasons(t, 0)
		require.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
		assert.Equal(t, []string{"Overall readiness: 1/3 = 33.3%, needs ≥ 85%: failing"}, r.Decision.Reasons)
	})
	t.Run("only a launch-day window", func(t *testing.T) {
		r := reasons(t, 1)
		assert.True(t, r.DueWindows)
		assert.Equal(t, checklist.Count{Done: 0, Total: 1}, r.Readiness)
		assert.Equal(t, []string{"Overall readiness: 0/1 = 0.0%, needs ≥ 85%: failing", checklist.ReasonNoApprovers}, r.Decision.Reasons)
	})
	t.Run("owner placeholder under an item", func(t *testing.T) {
		r := reasons(t, 2)
		assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
		for _, role := range r.Roles {
			assert.NotEqual(t, "Owner", role.Name, "a Key: value note is the item's detail, never a role")
			assert.NotEqual(t, "[Security Team]", role.By, "a placeholder is never an approval")
		}
		assert.Equal(t, []string{"Overall readiness: 0/2 = 0.0%, needs ≥ 85%: failing", checklist.ReasonNoApprovers}, r.Decision.Reasons)
	})
	t.Run("approver behind a bold label", func(t *testing.T) {
		r := reasons(t, 3)
		assert.Equal(t, checklist.OutcomePending, r.Decision.Outcome)
		assert.Equal(t, []string{"Business Owner has not approved yet"}, r.Decision.Reasons)
	})
}

func TestCountOfNothing(t *testing.T) {
	var empty checklist.Count
	assert.True(t, empty.Empty())
	assert.Zero(t, empty.Percent(), "nothing counted is never 100%")
	assert.Equal(t, "—", empty.PercentText())
	assert.Equal(t, "no items counted", empty.String())

	c := checklist.Count{Done: 78, Total: 199}
	assert.False(t, c.Empty())
	assert.Equal(t, "39.2%", c.PercentText())
	assert.Equal(t, "78/199 = 39.2%", c.String())
}

// model is a checklist of sections given as kinds and done flags per group.
func model(sections ...*checklist.Section) *checklist.Checklist {
	c := &checklist.Checklist{Title: "Model"}
	n := 0
	for i, s := range sections {
		s.Index = i
		for j, g := range s.Groups {
			g.Index = j
			for _, it := range g.Items {
				n++
				it.Number = n
			}
			if g.Window != nil {
				w := checklist.Window{Name: g.Title, OffsetMinutes: g.Window.OffsetMinutes, Section: i, Group: j, Items: []int{}}
				for _, it := range g.Items {
					w.Items = append(w.Items, it.Number)
				}
				c.Windows = append(c.Windows, w)
			}
		}
		c.Sections = append(c.Sections, s)
	}
	return c
}

func sec(title string, kind checklist.SectionKind, groups ...*checklist.Group) *checklist.Section {
	return &checklist.Section{Title: title, Kind: kind, Groups: groups}
}

func grp(title string, done ...bool) *checklist.Group {
	g := &checklist.Group{Title: title}
	for _, d := range done {
		g.Items = append(g.Items, &checklist.Item{Text: "task", Done: d})
	}
	return g
}

func win(title string, offset int, done ...bool) *checklist.Group {
	g := grp(title, done...)
	g.Window = &checklist.WindowSpec{OffsetMinutes: offset * 24 * 60}
	return g
}

var overall = checklist.Gate{Name: "Overall readiness", Kind: checklist.GateOverall, Threshold: 85, Target: checklist.Target{Section: -1, Group: -1}}

func TestGateOverNoItemsFails(t *testing.T) {
	c := model(
		sec("Work", checklist.KindReadiness, grp("", true, true)),
		sec("Compliance", checklist.KindReadiness, grp("Empty")),
	)
	c.Gates = []checklist.Gate{overall,
		{Name: "Compliance", Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: 1, Group: -1}},
		{Name: "Zero bar", Kind: checklist.GateRequired, Threshold: 0, Target: checklist.Target{Section: 1, Group: 0}},
	}
	c.Roles = []*checklist.Role{{Name: "Lead", Verdict: checklist.VerdictApproved}}
	r := checklist.Score(c)
	assert.True(t, r.Gates[0].Passed)
	assert.False(t, r.Gates[1].Passed, "a 100% gate over nothing does not pass vacuously")
	assert.False(t, r.Gates[2].Passed, "not even a 0% gate")
	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
	assert.Equal(t, []string{"Compliance: no items counted, needs ≥ 100%: failing", "Zero bar: no items counted, needs ≥ 0%: failing"}, r.Decision.Reasons)
}

func TestNothingCountedIsNeverGo(t *testing.T) {
	tests := []struct {
		name   string
		c      *checklist.Checklist
		reason string
	}{
		{"only decision sections", model(sec("Sign-Off", checklist.KindDecision, grp("", true, true))), checklist.ReasonNothingCounted},
		{"windows after launch only", model(
			sec("Go-Live Criteria", checklist.KindDecision, grp("", true)),
			sec("Post-Launch", checklist.KindWindow, win("First Week", 1, true), win("First Month", 7, true)),
		), checklist.ReasonNothingCounted + "; " + checklist.ReasonAfterLaunch},
		{"no items at all", model(sec("Empty", checklist.KindReadiness, grp("Nothing"))), checklist.ReasonNoItems},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every role approved and no gate stated: still NO-GO.
			tt.c.Roles = []*checklist.Role{{Name: "Lead", Verdict: checklist.VerdictApproved}}
			r := checklist.Score(tt.c)
			assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
			assert.Equal(t, []string{tt.reason}, r.Decision.Reasons)

			tt.c.Gates = []checklist.Gate{overall}
			r = checklist.Score(tt.c)
			assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
			assert.Equal(t, []string{"Overall readiness: no items counted, needs ≥ 85%: failing", tt.reason}, r.Decision.Reasons)
			assert.False(t, r.DueWindows)
			assert.Equal(t, "every readiness section", r.TargetName(overall))
		})
	}
}

func TestNoApproversNamed(t *testing.T) {
	c := model(sec("Work", checklist.KindReadiness, grp("", true, true)))
	c.Gates = []checklist.Gate{overall}
	r := checklist.Score(c)
	assert.Equal(t, checklist.OutcomeGo, r.Decision.Outcome, "the gates alone decide")
	assert.Equal(t, []string{"Overall readiness: 2/2 = 100.0%, needs ≥ 85%: passing", "no approvers named: nobody approved"}, r.Decision.Reasons)

	c.Sections[0].Groups[0].Items[0].Done = false
	r = checklist.Score(c)
	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
	assert.Equal(t, []string{"Overall readiness: 1/2 = 50.0%, needs ≥ 85%: failing", "no approvers named: nobody approved"}, r.Decision.Reasons)

	c.Sections[0].Groups[0].Items[0].Done = true
	c.Roles = []*checklist.Role{{Name: "Lead", Verdict: checklist.VerdictApproved}}
	r = checklist.Score(c)
	assert.Equal(t, checklist.OutcomeGo, r.Decision.Outcome)
	assert.Equal(t, []string{"Overall readiness: 2/2 = 100.0%, needs ≥ 85%: passing", "every role approved"}, r.Decision.Reasons)
}

func TestWindowsDueByLaunchCountWithoutReadinessSections(t *testing.T) {
	c := model(
		sec("Timeline", checklist.KindWindow,
			win("1 Week Before Launch", -7, true, true),
			win("Launch Day", 0, true, false),
			win("1 Day After Launch", 1, false, false, false),
		),
		sec("Sign-Off", checklist.KindDecision, grp("Approvals")),
	)
	c.Gates = []checklist.Gate{overall}
	r := checklist.Score(c)
	assert.True(t, r.DueWindows)
	assert.Equal(t, checklist.Count{Done: 3, Total: 4}, r.Readiness, "the after-launch window never counts")
	assert.Equal(t, checklist.Count{Done: 3, Total: 4}, r.Sections[0].Counted)
	assert.Equal(t, []bool{true, true, false}, []bool{r.Sections[0].Groups[0].Counted, r.Sections[0].Groups[1].Counted, r.Sections[0].Groups[2].Counted})
	assert.Equal(t, "every time window due by launch", r.TargetName(overall))
	assert.Equal(t, []string{"Overall readiness: 3/4 = 75.0%, needs ≥ 85%: failing", checklist.ReasonNoApprovers}, r.Decision.Reasons)

	c.Sections[0].Groups[1].Items[1].Done = true
	assert.Equal(t, checklist.OutcomeGo, checklist.Score(c).Decision.Outcome, "everything due by launch is done")

	// Readiness sections holding more items restore the usual rule: windows
	// do not count.
	c = model(
		sec("Work", checklist.KindReadiness, grp("", false, false, false)),
		sec("Timeline", checklist.KindWindow, win("Launch Day", 0, true, true)),
	)
	r = checklist.Score(c)
	assert.False(t, r.DueWindows)
	assert.Empty(t, r.WindowsNote())
	assert.Equal(t, checklist.Count{Done: 0, Total: 3}, r.Readiness)
	assert.Equal(t, checklist.Count{}, r.Sections[1].Counted)

	// As many items before launch as after it (a cutover plan: T-48h and
	// T-24h windows, then canary and rollout steps): both count.
	c = model(
		sec("Canary", checklist.KindReadiness, grp("", true)),
		sec("Freeze", checklist.KindWindow, win("T-1", -1, false)),
	)
	r = checklist.Score(c)
	assert.True(t, r.DueWindows)
	assert.Equal(t, checklist.Count{Done: 1, Total: 2}, r.Readiness)

	// A short rollback procedure beside the bulk of the work in windows: the
	// windows due by launch count as well, so that ticking the rollback
	// steps alone is never GO.
	c = model(
		sec("Rollback Procedure", checklist.KindReadiness, grp("", true)),
		sec("Timeline", checklist.KindWindow, win("Launch Day", 0, false, false), win("First Week", 7, false)),
	)
	c.Gates = []checklist.Gate{overall}
	r = checklist.Score(c)
	assert.True(t, r.DueWindows)
	assert.Equal(t, checklist.ReasonMostlyWindows, r.WindowsNote())
	assert.Equal(t, checklist.Count{Done: 1, Total: 3}, r.Readiness, "the rollback step and launch day; never the first week")
	assert.Equal(t, "every readiness section and time window due by launch", r.TargetName(overall))
	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
}

// TestWindowOnlyChecklist imports a checklist made only of time windows.
func TestWindowOnlyChecklist(t *testing.T) {
	src := "# Cutover\n## Timeline\n### 1 Week Before Launch\n- [x] Freeze code\n- [ ] Back up the database\n" +
		"### Launch Day\n- [ ] Deploy\n### First Week\n- [ ] Watch error rates\n"
	c, _, err := checklist.Parse([]byte(src))
	require.NoError(t, err)
	r := checklist.Score(c)
	assert.True(t, r.DueWindows)
	assert.Equal(t, "1/3 = 33.3%", r.Readiness.String())
	assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)

	all := checklist.Score(tickAll(c))
	assert.Equal(t, checklist.OutcomeGo, all.Decision.Outcome)
	assert.Equal(t, []string{"Overall readiness: 3/3 = 100.0%, needs ≥ 85%: passing", checklist.ReasonNoApprovers}, all.Decision.Reasons)
}

func tickAll(c *checklist.Checklist) *checklist.Checklist {
	for _, it := range c.Items() {
		it.Done = true
	}
	return c
}
