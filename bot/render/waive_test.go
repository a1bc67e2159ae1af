package render

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

func TestGoWithWaiversGolden(t *testing.T) {
	l := small()
	allPassing(l)
	answer(t, l, "Security Lead", checklist.VerdictApproved, "")
	answer(t, l, "Product Owner", checklist.VerdictApproved, "")
	for _, n := range []int{1, 3} {
		it := l.Checklist.Item(n)
		it.Done = false
		it.Waiver = &checklist.Waiver{By: "U0DANA", Until: "2026-03-03", Reason: "Vendor <fix> & rollout on the 3rd", At: fixedNow}
	}

	m := announce(t, l)
	assert.Empty(t, CheckMessage(m))
	assert.Equal(t, "GO with 2 waivers for Checkout v2: every gate passes and every role approved.", m.Text)
	s := mrkdwnText(t, m)
	for _, want := range []string{
		"✅ *Security*: 2/2 = 100.0% (1 waived), needs ≥ 100%, passing",
		"*Waivers* (2): counted as done for their gates, never for readiness",
		"🛡 *1.* WAF on — <@U0DANA>, until 2026-03-03: Vendor &lt;fix&gt; &amp; rollout on the 3rd",
		"🛡 *3.* Runbook",
		"`▓▓▓░░░░░░░` 1/3 = 33.3%",
	} {
		assert.Contains(t, s, want)
	}
	assertInert(t, s)
	golden(t, "Announcement_GO_waivers", m)

	st := Status(l, testTOD, fixedNow)
	assert.Empty(t, CheckMessage(st))
	assert.Equal(t, "Launch Checkout v2: readiness 33.3%, GO with 2 waivers", st.Text)
	assert.Contains(t, mrkdwnText(t, st), "🛡 *3.* Runbook — <@U0DANA>, until 2026-03-03")

	req := ApprovalRequest(l, l.Checklist.Role("Security Lead"), fixedNow)
	assert.Empty(t, CheckMessage(req))
	assert.Contains(t, req.Text, "(readiness 33.3%, GO with 2 waivers now)")
	assert.Contains(t, mrkdwnText(t, req), "*Waivers* (2)", "the approver sees what is waived")

	opt := itemOption(l.Checklist.Item(1), nil)
	require.NotNil(t, opt.Description)
	assert.True(t, strings.HasPrefix(opt.Description.Text, "🛡 Waived until 3 Mar, <@U0DANA>: Vendor &lt;fix&gt; &amp;"), opt.Description.Text)
	assert.LessOrEqual(t, utf8.RuneCountInString(opt.Description.Text), maxOptionDesc)
	l.Checklist.Item(1).Waiver.Noticed = true
	assert.Nil(t, itemOption(l.Checklist.Item(1), nil).Description, "a lapse noticed: the item is just open")
}
