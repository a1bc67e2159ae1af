package render

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
