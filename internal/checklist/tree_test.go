package checklist_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

func details(items []*checklist.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Details)
	}
	return out
}

func subgroups(items []*checklist.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Subgroup)
	}
	return out
}

func groupTitles(s *checklist.Section) []string {
	out := []string{}
	for _, g := range s.Groups {
		out = append(out, g.Title)
	}
	return out
}

// TestParseMarkdownAsWritten covers what the line-based importer misread:
// one CommonMark list item is one item.
func TestParseMarkdownAsWritten(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport)
	}{
		{
			name: "wrapped item text stays the item's",
			src:  "## S\n- [ ] Rotate every API key\n  used by the billing service\n- [x] Short\nwrapped lazily\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, []string{"Rotate every API key used by the billing service", "Short wrapped lazily"}, texts(c.Items()))
				assert.Equal(t, 2, c.Item(1).Line)
			},
		},
		{
			name: "approved, rejected and modify boxes answer the decision",
			src:  "## Review\n- [x] Threat model reviewed\n## Decision\n- [x] Approved\n- [ ] **Rejected** - reason:\n- [ ] Modify\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"Threat model reviewed"}, texts(c.Items()), "ticking every answer must not make a GO")
				require.Len(t, rep.Skipped, 3)
				assert.Contains(t, rep.Skipped[0].Reason, "an answer to the launch decision")
			},
		},
		{
			name: "a table of approvers under an approvals heading names roles",
			src: "## Work\n- [x] Tests pass\n## Approvals\n| Role | Name | Date | Status |\n|---|---|---|---|\n" +
				"| QA Lead | Jane Roe | 2026-12-01 | Approved |\n| Product Owner | ____ | | |\n" +
				"| Security Lead | Sam | | Rejected |\n| Engineering Manager | Dana | | Pending |\n| Release Manager | Ana | | |\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				require.Len(t, c.Roles, 5)
				got := map[string]checklist.Verdict{}
				for _, r := range c.Roles {
					got[r.Name] = r.Verdict
				}
				assert.Equal(t, map[string]checklist.Verdict{
					"QA Lead": checklist.VerdictApproved, "Product Owner": checklist.VerdictPending,
					"Security Lead": checklist.VerdictRejected, "Engineering Manager": checklist.VerdictPending,
					"Release Manager": checklist.VerdictPending, // its status left blank: not answered
				}, got, "a status column decides, blank for pending; without one, a name filled in approves")
				assert.Equal(t, "Jane Roe", c.Roles[0].By)
				assert.Equal(t, []string{"Tests pass"}, texts(c.Items()), "no row is an item")
			},
		},
		{
			name: "a sign-off form's approver headings are roles, their checks a gate",
			src: "## Work\n- [x] Tests pass\n## Approvals\n### QA Lead\n**Name:** _______\n**Date:** _______\n\n" +
				"- [x] Test plans run\n- [ ] No blocking defect\n\n**Signature:** _______\n" +
				"### Product Owner\n**Name:** Ana Diaz\n- [x] Release notes approved\n### Rollout notes\n- [x] Flags listed\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				require.Len(t, c.Roles, 2, "\"Rollout notes\" names no person")
				assert.Equal(t, "QA Lead", c.Roles[0].Name)
				assert.Equal(t, checklist.VerdictPending, c.Roles[0].Verdict)
				assert.Equal(t, "Product Owner", c.Roles[1].Name)
				assert.Equal(t, "Ana Diaz", c.Roles[1].By)
				var names []string
				for _, g := range c.Gates {
					names = append(names, g.Name)
				}
				assert.Contains(t, names, "QA Lead's checks")
				r := checklist.Score(c)
				assert.Contains(t, r.Decision.Reasons, "QA Lead's checks: 1/2 = 50.0%, needs ≥ 100%: failing")
			},
		},
		{
			name: "a box over a code block alone is named by its first line",
			src:  "## Verify\n- [ ]\n  ```shell\n  docker run --rm img --version\n  ```\n- [x] Tagged\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"docker run --rm img --version", "Tagged"}, texts(c.Items()))
				assert.Equal(t, "docker run --rm img --version", c.Item(1).Details)
				assert.Empty(t, rep.Skipped)
			},
		},
		{
			name: "a heading written over several lines is one title",
			src:  "# T\n\nSecurity  \nReview \n--------\n* [x] Keys rotated\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				require.Len(t, c.Sections, 1)
				assert.Equal(t, "Security Review", c.Sections[0].Title)
			},
		},
		{
			name: "what is indented under a box is its details",
			src: "## S\n- [ ] Load test passed\n  - Owner: [DevOps]\n  - Status: in progress\n  - Test date: [MM/DD]\n" +
				"- [ ] Backups restore\n\n  Restore last night's snapshot into staging.\n\n  ```\n  make restore\n  ```\n" +
				"- [ ] Deploy\n  Owner: Dana\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, []string{"Load test passed", "Backups restore", "Deploy"}, texts(c.Items()))
				assert.Equal(t, []string{
					"Owner: [DevOps]\nStatus: in progress\nTest date: [MM/DD]",
					"Restore last night's snapshot into staging.\nmake restore",
					"Owner: Dana",
				}, details(c.Items()))
				assert.Empty(t, c.Roles, "notes under an item are never roles")
			},
		},
		{
			name: "nested boxes stay child items, notes between them details",
			src:  "## S\n- [ ] Alerts configured\n  - Pager: on-call\n  - [ ] Error rate > 5%\n    - threshold: 5%\n  - [x] Latency\n- [ ] Runbooks\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, []string{"Alerts configured", "Error rate > 5%", "Latency", "Runbooks"}, texts(c.Items()))
				assert.Equal(t, []string{"Pager: on-call", "threshold: 5%", "", ""}, details(c.Items()))
				assert.Equal(t, 1, c.Item(2).Parent)
				assert.Equal(t, 1, c.Item(3).Depth)
				assert.Zero(t, c.Item(4).Parent)
			},
		},
		{
			name: "a plain bullet with boxes under it names them",
			src:  "## Setup\n- prepare environment:\n  - [ ] VPC created\n  - [x] DNS delegated\n- [ ] Smoke test\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"VPC created", "DNS delegated", "Smoke test"}, texts(c.Items()))
				assert.Equal(t, []string{"prepare environment", "prepare environment", ""}, subgroups(c.Items()))
				assert.Zero(t, c.Item(1).Parent)
				assert.Empty(t, rep.Skipped)
			},
		},
		{
			name: "table rows with a box cell are items",
			src: "## Review\n| Done | Check | Owner |\n|---|---|---|\n| [ ] | Threat model | Sec |\n| [x] | Pen test | Ext |\n| ☐ | Data flow | |\n" +
				"| ☑ | Secrets | Ops |\n| ✅ | Backups | |\n| ❌ | Fuzzing | QA |\n| &#9744; | SBOM | |\n| &#9745; | Licences | |\n| Notes | none | |\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, []string{"Threat model", "Pen test", "Data flow", "Secrets", "Backups", "Fuzzing", "SBOM", "Licences"}, texts(c.Items()))
				var done []bool
				for _, it := range c.Items() {
					done = append(done, it.Done)
				}
				assert.Equal(t, []bool{false, true, false, true, true, false, false, true}, done)
				assert.Equal(t, "Owner: Sec", c.Item(1).Details)
				assert.Equal(t, 4, c.Item(1).Line)
			},
		},
		{
			name: "links keep their text, images, badges and HTML leave it",
			src: "## S\n- [ ] Read the [runbook](https://wiki/runbook) ![High][high_img] now <!-- internal -->\n" +
				"- [ ] Build [![CI](https://ci/badge.svg)](https://ci) passes `make test`<br>\n- [ ] See <https://status.example.com>\n\n" +
				"<!--\n- [ ] commented out\n-->\n\n[high_img]: https://img/high.png\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"Read the runbook now", "Build passes `make test`", "See https://status.example.com"}, texts(c.Items()))
				assert.Equal(t, "runbook: https://wiki/runbook", c.Item(1).Details)
				assert.Empty(t, c.Item(2).Details, "a badge is no link worth keeping")
				require.Len(t, rep.Skipped, 1)
				assert.Equal(t, 7, rep.Skipped[0].Line)
				assert.Contains(t, rep.Skipped[0].Reason, "HTML")
			},
		},
		{
			name: "a link or code span wrapped over lines",
			src:  "## S\n- [ ] see [the\n  runbook](http://x) and `make\n  test` now\n  - [a\n    b](http://y)\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, []string{"see the runbook and `make test` now"}, texts(c.Items()))
				assert.Equal(t, "the runbook: http://x\na b\na b: http://y", c.Item(1).Details)
			},
		},
		{
			name: "only ### headings",
			src:  "### Before\n- [ ] a\n### During\n- [ ] b\n#### Checks\n- [ ] c\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "", c.Title)
				assert.Equal(t, []string{"Before", "During"}, sectionTitles(c))
				assert.Equal(t, []string{"Checks"}, groupTitles(c.Sections[1])[1:])
			},
		},
		{
			name: "only # headings, the first a title",
			src:  "# Launch plan\nSome words.\n# Prep\n- [ ] a\n# Go\n- [ ] b\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "Launch plan", c.Title)
				assert.Equal(t, []string{"Prep", "Go"}, sectionTitles(c))
			},
		},
		{
			name: "only # headings, all sections",
			src:  "# Prep\n- [ ] a\n## Infra\n- [ ] b\n# Go\n- [ ] c\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "", c.Title)
				assert.Equal(t, []string{"Prep", "Go"}, sectionTitles(c))
				assert.Equal(t, []string{"", "Infra"}, groupTitles(c.Sections[0]))
			},
		},
		{
			name: "only ## headings with a single # title",
			src:  "# Launch\n- [ ] loose\n## A\n- [ ] a\n## B\n- [ ] b\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "Launch", c.Title)
				assert.Equal(t, []string{"", "A", "B"}, sectionTitles(c))
			},
		},
		{
			name: "a trailing # License or # Contributing is no section",
			src:  "# Launch\n## A\n- [ ] a\n## B\n### G\n- [ ] b\n# Contributing\nPull requests welcome.\n# License\nMIT\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, "Launch", c.Title)
				assert.Equal(t, []string{"A", "B"}, sectionTitles(c))
				assert.Equal(t, []string{"G"}, groupTitles(c.Sections[1]))
			},
		},
		{
			name: "a window heading at section level makes a window section",
			src:  "# Launch\n## Readiness\n- [ ] a\n## 1 Week After Launch\n- [ ] watch errors\n",
			check: func(t *testing.T, c *checklist.Checklist, _ *checklist.ImportReport) {
				assert.Equal(t, checklist.KindReadiness, c.Sections[0].Kind)
				assert.Equal(t, checklist.KindWindow, c.Sections[1].Kind)
				require.Len(t, c.Windows, 1)
				assert.Equal(t, "1 Week After Launch", c.Windows[0].Name)
				assert.Equal(t, []int{2}, c.Windows[0].Items)
			},
		},
		{
			name: "a list item that starts with a nested list",
			src:  "## S\n- - [ ] a\n  - [x] b\n-\n- [ ] c\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"a", "b", "c"}, texts(c.Items()))
				assert.Empty(t, rep.Skipped)
			},
		},
		{
			name: "a plain bullet among boxes is reported",
			src:  "## S\n- [ ] a\n- b forgot its box\n- [ ] c\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"a", "c"}, texts(c.Items()))
				require.Len(t, rep.Skipped, 1)
				assert.Equal(t, 3, rep.Skipped[0].Line)
				assert.Contains(t, rep.Skipped[0].Reason, "without a checkbox")
			},
		},
		{
			name: "a box nested too deep continues the text and is reported",
			src:  "## S\n- [ ] a\n        - [ ] b\n",
			check: func(t *testing.T, c *checklist.Checklist, rep *checklist.ImportReport) {
				assert.Equal(t, []string{"a"}, texts(c.Items()))
				require.Len(t, rep.Skipped, 1)
				assert.Equal(t, 3, rep.Skipped[0].Line)
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

// TestIssueExamplesParserSide: the examples of issue 10 whose misreading was
// the importer's. Each must be NO-GO or PENDING.
func TestIssueExamplesParserSide(t *testing.T) {
	t.Run("items next to an approvals list keep counting", func(t *testing.T) {
		c, _ := mustParse(t, "# Launch\n- [ ] write docs\n- [ ] load test\n- [x] deploy script\n\n**Approved by:**\n- Eng Lead: Dana\n- PM: Sam\n")
		assert.Equal(t, checklist.KindReadiness, c.Sections[0].Kind)
		require.Len(t, c.Roles, 2)
		r := checklist.Score(c)
		assert.Equal(t, checklist.Count{Done: 1, Total: 3}, r.Readiness)
		assert.Equal(t, checklist.OutcomeNoGo, r.Decision.Outcome)
	})
	t.Run("an owner note under an item is its detail, not a role", func(t *testing.T) {
		c, _ := mustParse(t, "# Launch\n## Readiness\n- [ ] Load test passed\n### Final Approvals\n- [ ] **Security sign-off**\n  - Owner: [Security Team]\n")
		assert.Empty(t, c.Roles)
		assert.Equal(t, checklist.KindReadiness, c.Sections[0].Kind)
		it := c.Item(2)
		assert.Equal(t, "**Security sign-off**", it.Text)
		assert.Equal(t, "Owner: [Security Team]", it.Details)
		assert.Equal(t, checklist.OutcomeNoGo, checklist.Score(c).Decision.Outcome)
	})
	t.Run("a label between the heading and the role boxes", func(t *testing.T) {
		c, _ := mustParse(t, "# Launch\n## Readiness\n- [x] Tests pass\n## Sign-Off\n### Required Approvals\n**Go/No-Go Decision:**\n- [ ] **Business Owner:** GO / NO-GO\n")
		require.Len(t, c.Roles, 1)
		assert.Equal(t, "Business Owner", c.Roles[0].Name)
		assert.Equal(t, checklist.OutcomePending, checklist.Score(c).Decision.Outcome)
	})
	t.Run("prose between the heading and the roles list", func(t *testing.T) {
		c, _ := mustParse(t, "## Ready\n- [x] a\n## Approvals\nEach lead signs below once the items are done.\n\n- Engineering Lead: ____\n- QA Lead: TBD\n")
		require.Len(t, c.Roles, 2)
		assert.Equal(t, checklist.OutcomePending, checklist.Score(c).Decision.Outcome)
	})
}

// TestDecisionSections: a title naming a decision makes a decision section
// of one with items only when it also holds approvers, criteria or decision
// lines, or names criteria.
func TestDecisionSections(t *testing.T) {
	for src, want := range map[string]checklist.SectionKind{
		"## Sign-off\n### QA Lead\n- [ ] Regression suite green\n":                      checklist.KindReadiness,
		"## Sign-Off\n- [x] Security review done\n**Approved by:**\n- Lead: Dana\n":     checklist.KindDecision,
		"## Go-Live Criteria\n### Must Have (P0)\n- [ ] Monitoring configured\n":        checklist.KindDecision,
		"## Go/No-Go\n- [ ] Load test passed\n":                                         checklist.KindReadiness,
		"## Go/No-Go\n- [ ] Load test passed\n- [ ] GO - Proceed\n- [ ] NO-GO - Hold\n": checklist.KindDecision,
		"## Launch\n- [ ] Load test passed\n**Approved by:**\n- Eng Lead: Dana\n":       checklist.KindReadiness,
		"## Approvals\n- [ ] **Security:** reviewed\n":                                  checklist.KindDecision,
	} {
		c, _ := mustParse(t, "- [ ] elsewhere\n"+src)
		assert.Equal(t, want, c.Sections[1].Kind, src)
	}
}

func TestPlaceholdersAreNoApproval(t *testing.T) {
	for _, blank := range []string{"[Name]", "[MM/DD]", "____", "TBD", "<name>", "N/A", "-", "?", "[Security Team]", "_______ Date: ______"} {
		t.Run(blank, func(t *testing.T) {
			c, _ := mustParse(t, "## S\n- [x] a\n## Approvals\n- Engineering Lead: "+blank+"\n")
			require.Len(t, c.Roles, 1)
			assert.Equal(t, checklist.VerdictPending, c.Roles[0].Verdict)
			assert.Empty(t, c.Roles[0].By)
		})
	}
	c, _ := mustParse(t, "## S\n- [x] a\n## Approvals\n- Engineering Lead: Dana Scully\n- Date: 2026-01-01\n- Status: pending\n- [ ] QA Lead: ____\n")
	require.Len(t, c.Roles, 2, "Date and Status are no roles; a box with a blank is one")
	assert.Equal(t, checklist.VerdictApproved, c.Roles[0].Verdict)
	assert.Equal(t, "QA Lead", c.Roles[1].Name)
}

func TestParseListItems(t *testing.T) {
	src := "# Release\n1. Tag the release\n2. Build\n   - push images\n   - Owner: Ops\n3. Announce\n"
	_, rep, err := checklist.Parse([]byte(src))
	var e *checklist.NoItemsError
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, checklist.ErrNoItems)
	assert.Equal(t, 5, e.ListItems)
	assert.Contains(t, err.Error(), "but 5 list items")
	require.NotNil(t, rep)
	require.Len(t, rep.Skipped, 3)
	assert.Equal(t, []int{2, 3, 6}, []int{rep.Skipped[0].Line, rep.Skipped[1].Line, rep.Skipped[2].Line})

	c, _, err := checklist.ParseWith([]byte(src), checklist.ParseOptions{ListItems: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"Tag the release", "Build", "push images", "Announce"}, texts(c.Items()))
	assert.Equal(t, 2, c.Item(3).Parent)
	assert.Equal(t, "Owner: Ops", c.Item(2).Details)
	assert.False(t, c.Item(1).Task, "list items are items, exported with a box")
}

func TestParseNumberedBoldSubgroupsWithoutNesting(t *testing.T) {
	c, _ := mustParse(t, "## S\n### G\n1. **Login**\n\n- [ ] a\n- [ ] b\n\n2. **Search**\n\n- [ ] c\n")
	assert.Equal(t, []string{"Login", "Login", "Search"}, subgroups(c.Items()))
}

func TestParseSameAcrossLineEndings(t *testing.T) {
	src := "# Launch\n## A\n- [ ] a\n  wrapped\n  - Owner: x\n| [x] | row |\n|---|---|\n| [ ] | r2 |\n"
	c1, r1 := mustParse(t, src)
	c2, r2 := mustParse(t, "\xEF\xBB\xBF"+strings.ReplaceAll(src, "\n", "  \r\n"))
	assert.Equal(t, texts(c1.Items()), texts(c2.Items()))
	assert.Equal(t, details(c1.Items()), details(c2.Items()))
	assert.Equal(t, r1.String(), r2.String())
}
