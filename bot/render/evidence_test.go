package render

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

func TestEvidenceShowsInStatusAndChecklist(t *testing.T) {
	l := small()
	ran := fixedNow.Add(-time.Hour)
	_, err := l.RecordEvidence("token:ci", 1, launch.Report{Pass: true, Summary: "k6: p95 180 ms <!channel> & *bold*",
		URL: "https://ci.example.com/run?id=381&x=1", At: ran}, fixedNow)
	require.NoError(t, err)
	_, err = l.RecordEvidence("token:ci", 3, launch.Report{Pass: false, Summary: strings.Repeat("timeout ", 30)}, fixedNow)
	require.NoError(t, err)

	st := Status(l, testTOD, fixedNow)
	assert.Empty(t, CheckMessage(st))
	s := mrkdwnText(t, st)
	assert.Contains(t, s, "*Evidence from pipelines* (2): 1 passing, 1 failing")
	assert.Contains(t, s, "✅ *1.* WAF on — k6: p95 180 ms &lt;!channel&gt; &amp; *bold* (token:ci, "+ran.Format("2 Jan 15:04 UTC")+") <https://ci.example.com/run?id=381&amp;x=1|run>")
	assert.Less(t, strings.Index(s, "❌ *3.*"), strings.Index(s, "✅ *1.*"), "failures first")
	assertInert(t, s)

	opt := itemOption(l.Checklist.Item(3), nil)
	require.NotNil(t, opt.Description)
	assert.True(t, strings.HasPrefix(opt.Description.Text, "❌ timeout"), opt.Description.Text)
	assert.True(t, strings.HasSuffix(opt.Description.Text, "(token:ci, "+fixedNow.UTC().Format("2 Jan 15:04 UTC")+")"), opt.Description.Text)
	assert.LessOrEqual(t, utf8.RuneCountInString(opt.Description.Text), maxOptionDesc)
}

func TestStaleAndReverifyLines(t *testing.T) {
	l := small()
	ran := fixedNow.Add(-30 * time.Hour)
	_, err := l.RecordEvidence("token:ci", 1, launch.Report{Pass: true, Summary: "scan clean", At: ran}, fixedNow)
	require.NoError(t, err)
	l.Checklist.Item(1).Fresh = 24 * time.Hour

	st := Status(l, testTOD, fixedNow)
	assert.Empty(t, CheckMessage(st))
	s := mrkdwnText(t, st)
	assert.Contains(t, s, "*Stale verification* (1): counted as open for their gates until verified again")
	assert.Contains(t, s, "⌛ *1.* WAF on — verified "+ran.In(l.Location()).Format("2 Jan 15:04")+", must be within 24h")

	m := ReminderMessage(l, schedule.Content{Kind: schedule.KindCountdown, Countdown: "Launch day", Reverify: l.Checklist.Items()[:1]}, nil)
	assert.Empty(t, CheckMessage(m))
	assert.Contains(t, mrkdwnText(t, m), "*Verify again before the launch* (1)")
}

func TestProbeResultsShowInStatusRemindersAndChecklist(t *testing.T) {
	l := small()
	for _, n := range []int{1, 2, 3} {
		p, err := checklist.ParseProbe("http https://status.example.com/" + strconv.Itoa(n))
		require.NoError(t, err)
		l.Checklist.Item(n).Probe = p
	}
	ran := fixedNow.Add(-2 * time.Hour) // 08:30 in Paris
	_, _, err := l.RecordProbes([]launch.ProbeResult{
		{Item: 1, Spec: l.Checklist.Item(1).Probe.String(), Pass: true, Summary: "HTTP 200 in 12 ms", Value: "12ms", At: ran},
		{Item: 2, Spec: l.Checklist.Item(2).Probe.String(), Pass: true, Summary: "HTTP 200 in 9 ms", Value: "9ms", At: ran},
		{Item: 3, Spec: l.Checklist.Item(3).Probe.String(), Pass: false, Summary: "HTTP 503 in 4 ms, wanted 200 <!here>", At: ran},
	}, ran)
	require.NoError(t, err)

	st := Status(l, testTOD, fixedNow)
	assert.Empty(t, CheckMessage(st))
	s := mrkdwnText(t, st)
	assert.Contains(t, s, "*Probes*: 2 items verified automatically at 08:30; 1 failing")
	assert.Contains(t, s, "✗ *3.* Runbook — HTTP 503 in 4 ms, wanted 200 &lt;!here&gt; (2 h ago)")
	assert.NotContains(t, s, "Evidence from pipelines", "probes are not a pipeline's reports")
	assertInert(t, s)

	m := ReminderMessage(l, schedule.Content{Kind: schedule.KindCountdown, Countdown: "Launch in 12 days", At: fixedNow}, nil)
	assert.Contains(t, mrkdwnText(t, m), "*Probes*: 2 items verified automatically at 08:30; 1 failing")

	opt := itemOption(l.Checklist.Item(1), nil)
	assert.Equal(t, "✓ HTTP 200 in 12 ms (probe, "+ran.Format("2 Jan 15:04 UTC")+")", opt.Description.Text)
	assert.True(t, strings.HasPrefix(itemOption(l.Checklist.Item(3), nil).Description.Text, "✗ HTTP 503"))
	assert.Equal(t, "3 h ago", Age(3*time.Hour+10*time.Minute))
	assert.Equal(t, "2 days ago", Age(50*time.Hour))
}
