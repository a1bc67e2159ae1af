package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// nothingCounted is a launch whose only items sit in a decision section:
// every role approved, and still nothing counts towards readiness.
func nothingCounted(t *testing.T) *launch.Launch {
	l := small()
	l.Checklist.Sections = l.Checklist.Sections[:1]
	l.Checklist.Sections[0].Kind = checklist.KindDecision
	l.Checklist.Gates = []checklist.Gate{{Name: "Overall readiness", Kind: checklist.GateOverall, Threshold: 85, Target: checklist.Target{Section: -1, Group: -1}}}
	allPassing(l)
	answer(t, l, "Security Lead", checklist.VerdictApproved, "")
	answer(t, l, "Product Owner", checklist.VerdictApproved, "")
	return l
}

func TestNothingCountedIsShownAsSuch(t *testing.T) {
	l := nothingCounted(t)
	m := Status(l, testTOD, fixedNow)
	assert.Empty(t, CheckMessage(m))
	assert.Equal(t, "Launch Checkout v2: readiness —, NO-GO", m.Text)
	s := mrkdwnText(t, m)
	for _, want := range []string{
		"*Readiness*\n`░░░░░░░░░░` no items counted",
		"_Every item is in a decision or time-window section: nothing counts towards readiness._",
		"Not counted in readiness: Security 2/2",
		"❌ *Overall readiness*: no items counted, needs ≥ 85%, failing",
		"*Decision: NO-GO*",
		"• every item is in a decision or time-window section: nothing counts towards readiness",
	} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "100.0%")
	assert.NotContains(t, s, "every role approved")

	a := announce(t, l)
	assert.Empty(t, CheckMessage(a))
	assert.Equal(t, "NO-GO for Checkout v2: 1 gate failing, 0 rejections; nothing counts towards readiness.", a.Text)
	s = mrkdwnText(t, a)
	assert.Contains(t, s, "*Why NO-GO*\n❌ *Overall readiness*: no items counted, needs ≥ 85%\n❌ every item is in a decision or time-window section: nothing counts towards readiness")
	assert.Contains(t, s, "*Readiness*\n`░░░░░░░░░░` no items counted")

	req := ApprovalRequest(l, l.Checklist.Role("Security Lead"), fixedNow)
	assert.Contains(t, req.Text, "(readiness —, NO-GO now)")
}

func TestGoWithoutApproversSaysNobodyApproved(t *testing.T) {
	l := small()
	l.Checklist.Roles = nil
	allPassing(l)
	require.Equal(t, checklist.OutcomeGo, l.Decide(fixedNow).Decision.Outcome, "the gates alone decide")

	a := announce(t, l)
	assert.Empty(t, CheckMessage(a))
	assert.Equal(t, "GO for Checkout v2: every gate passes; no approvers named: nobody approved.", a.Text)
	s := mrkdwnText(t, a)
	assert.Contains(t, s, "Every gate passes: *Checkout v2* is GO for 2026-03-02.\nNo approvers named: nobody approved.")
	assert.NotContains(t, s, "every role approved:")

	s = mrkdwnText(t, Status(l, testTOD, fixedNow))
	assert.Contains(t, s, "• no approvers named: nobody approved")
	assert.NotContains(t, s, "• every role approved")
}

func TestStatusCountsWindowsDueByLaunch(t *testing.T) {
	l := small()
	l.Checklist.Sections = []*checklist.Section{{Index: 0, Title: "Timeline", Kind: checklist.KindWindow, Groups: []*checklist.Group{
		{Index: 0, Title: "Launch Day", Window: &checklist.WindowSpec{OffsetMinutes: 0}, Items: []*checklist.Item{{Number: 1, Text: "Deploy", Done: true}}},
		{Index: 1, Title: "First Week", Window: &checklist.WindowSpec{OffsetMinutes: 24 * 60}, Items: []*checklist.Item{{Number: 2, Text: "Watch"}}},
	}}}
	l.Checklist.Windows = []checklist.Window{
		{Name: "Launch Day", OffsetMinutes: 0, Section: 0, Group: 0, Items: []int{1}},
		{Name: "First Week", OffsetMinutes: 24 * 60, Section: 0, Group: 1, Items: []int{2}},
	}
	l.Checklist.Gates = []checklist.Gate{{Name: "Overall readiness", Kind: checklist.GateOverall, Threshold: 85, Target: checklist.Target{Section: -1, Group: -1}}}
	s := mrkdwnText(t, Status(l, testTOD, fixedNow))
	for _, want := range []string{
		"*Readiness*\n`▓▓▓▓▓▓▓▓▓▓` 100.0%\n1/1 items done\n_time windows due by launch_",
		"`▓▓▓▓▓▓▓▓▓▓` 100.0%  Timeline  1/1",
		"Not counted in readiness: Timeline 0/1",
		"✅ *Overall readiness*: 1/1 = 100.0%, needs ≥ 85%, passing",
	} {
		assert.Contains(t, s, want)
	}
}

func TestSectionProgressOfNoItems(t *testing.T) {
	assert.Equal(t, "no items", progress(checklist.Count{}), "never 100% done")
	assert.Equal(t, "50.0% done", progress(checklist.Count{Done: 1, Total: 2}))
}
