package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The four checklists of issue 10 that `golive check` passed with exit 0
// (GO) while nothing they ask for was done. A deploy pipeline gating on the
// exit status would have shipped.
const (
	exampleApprovalsNextToItems = "# Launch\n- [ ] write docs\n- [ ] load test\n- [x] deploy script\n\n**Approved by:**\n- Eng Lead: Dana\n- PM: Sam\n"
	exampleLaunchDayOnly        = "# Launch\n## Launch Day Tasks\n### Launch Day\n- [ ] Deploy to production\n"
	exampleOwnerPlaceholder     = "# Launch\n## Readiness\n- [ ] Load test passed\n### Final Approvals\n- [ ] **Security sign-off**\n  - Owner: [Security Team]\n"
	exampleApproverBehindLabel  = "# Launch\n## Readiness\n- [x] Tests pass\n## Sign-Off\n### Required Approvals\n**Go/No-Go Decision:**\n- [ ] **Business Owner:** GO / NO-GO\n"
)

func TestCheckIssueExamplesExitOne(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		decision string // the decision and its reasons, as the text report prints them
	}{
		{"approvals next to items", exampleApprovalsNextToItems,
			"Decision: NO-GO\n  - Overall readiness: 1/3 = 33.3%, needs ≥ 85%: failing\n\n"},
		{"only a launch-day window", exampleLaunchDayOnly,
			"Decision: NO-GO\n  - Overall readiness: 0/1 = 0.0%, needs ≥ 85%: failing\n  - no approvers named: nobody approved\n\n"},
		{"owner placeholder under an item", exampleOwnerPlaceholder,
			"Decision: NO-GO\n  - Overall readiness: 0/2 = 0.0%, needs ≥ 85%: failing\n  - no approvers named: nobody approved\n\n"},
		{"approver behind a bold label", exampleApproverBehindLabel,
			"Decision: PENDING\n  - Business Owner has not approved yet\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "list.md", tt.src)
			code, out, errOut := check(path)
			assert.Equal(t, 1, code, out)
			assert.Empty(t, errOut)
			assert.Contains(t, out, tt.decision)
			assert.NotContains(t, out, "every role approved")

			code, out, _ = check("--json", path)
			assert.Equal(t, 1, code)
			assert.Contains(t, []string{"NO-GO", "PENDING"}, decodeCheck(t, out).Decision)
		})
	}
}

// TestCheckIssueExamplesAsWritten checks what the importer must read in the
// examples: no role from a Key: value note, no approval by a placeholder.
func TestCheckIssueExamplesAsWritten(t *testing.T) {
	code, out, _ := check("--json", writeFile(t, "list.md", exampleOwnerPlaceholder))
	assert.Equal(t, 1, code)
	doc := decodeCheck(t, out)
	assert.Equal(t, "NO-GO", doc.Decision)
	for _, r := range doc.Roles {
		assert.NotEqual(t, "Owner", r.Role, "a Key: value note is the item's detail, never a role")
		assert.NotEqual(t, "approved", r.Status, "a placeholder never approves")
	}

	code, out, _ = check("--json", writeFile(t, "list.md", exampleApprovalsNextToItems))
	assert.Equal(t, 1, code)
	doc = decodeCheck(t, out)
	assert.Equal(t, 1, doc.Done)
	assert.Equal(t, 3, doc.Total, "the items next to the approvals count")
}

func TestCheckNothingCounted(t *testing.T) {
	path := writeFile(t, "list.md", "# Sign-off only\n## Sign-Off\n- [x] Security review done\n**Approved by:**\n- Lead: Dana\n")
	code, out, _ := check(path)
	assert.Equal(t, 1, code)
	for _, want := range []string{
		"Readiness: no items counted\n",
		"  FAIL  Overall readiness  no items counted  needs ≥ 85%   0/0  every readiness section (overall)\n",
		"Decision: NO-GO\n  - Overall readiness: no items counted, needs ≥ 85%: failing\n" +
			"  - every item is in a decision or time-window section: nothing counts towards readiness\n",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "0/0 = 100", "0/0 is never 100%")

	code, out, _ = check("--json", path)
	assert.Equal(t, 1, code)
	doc := decodeCheck(t, out)
	assert.Zero(t, doc.Readiness)
	assert.Zero(t, doc.Total)
	require.Len(t, doc.Gates, 2, "the overall minimum, and the Sign-Off section's own item")
	assert.False(t, doc.Gates[0].Passed)
	assert.True(t, doc.Gates[1].Passed, "its one item is done")
}

func TestCheckWindowsDueByLaunch(t *testing.T) {
	path := writeFile(t, "list.md", "# Cutover\n## Timeline\n### 1 Week Before Launch\n- [x] Freeze code\n- [x] Back up the database\n"+
		"### Launch Day\n- [x] Deploy\n### First Week\n- [ ] Watch error rates\n")
	code, out, _ := check(path)
	assert.Equal(t, 0, code, out)
	for _, want := range []string{
		"Readiness: 3/3 = 100.0%\n  the checklist has no readiness section: readiness counts the items due by launch, in the time windows before launch and on launch day\n",
		"  Timeline                  3/4   75.0%  time windows, 3/3 due by launch counted\n",
		"      1 Week Before Launch  2/2  100.0%  due by launch, counted\n",
		"      First Week            0/1    0.0%  after launch, not counted\n",
		"  PASS  Overall readiness  100.0%  needs ≥ 85%  3/3  every time window due by launch (overall)\n",
		"Decision: GO\n  - Overall readiness: 3/3 = 100.0%, needs ≥ 85%: passing\n  - no approvers named: nobody approved\n",
	} {
		assert.Contains(t, out, want)
	}
	code, out, _ = check("--json", path)
	assert.Equal(t, 0, code)
	doc := decodeCheck(t, out)
	assert.Equal(t, 3, doc.Total)
	assert.Equal(t, 100.0, doc.Readiness)
}
