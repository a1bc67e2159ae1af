package launch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestRecordEvidencePassTicksAndFailUnticks(t *testing.T) {
	l := sample()
	ran := now.Add(-10 * time.Minute)
	events, err := l.RecordEvidence("token:ci", 2, launch.Report{Pass: true, Summary: " k6: p95 180 ms ", URL: "https://ci.example.com/381", At: ran}, now)
	require.NoError(t, err)
	_, _, it := l.Checklist.Locate(2)
	assert.True(t, it.Done)
	assert.Equal(t, "token:ci", it.DoneBy)
	require.NotNil(t, it.Evidence)
	assert.Equal(t, "k6: p95 180 ms", it.Evidence.Summary)
	assert.Equal(t, ran, it.Evidence.At)
	assert.Equal(t, now, it.Evidence.Received)
	require.Len(t, events, 2)
	assert.Equal(t, launch.KindEvidence, events[0].Kind)
	assert.Equal(t, []int{2}, events[0].Items)
	assert.Equal(t, launch.KindTick, events[1].Kind)
	assert.Equal(t, "token:ci", events[1].Actor)

	events, err = l.RecordEvidence("token:ci", 1, launch.Report{Pass: false, Summary: "cert expires in 3 days"}, now)
	require.NoError(t, err)
	_, _, it = l.Checklist.Locate(1)
	assert.False(t, it.Done)
	assert.Equal(t, "fail", it.Evidence.Status())
	assert.Equal(t, now, it.Evidence.At, "no time given: now")
	var kinds []launch.Kind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []launch.Kind{launch.KindEvidence, launch.KindUntick, launch.KindSignoffVoid}, kinds, "a fail voids the section's sign-off as an untick does")
	assert.Nil(t, l.Checklist.Sections[0].Signoff)

	events, err = l.RecordEvidence("token:ci", 1, launch.Report{Pass: false, Summary: "still failing"}, now)
	require.NoError(t, err)
	assert.Len(t, events, 1, "evidence again on an open item records it, without an untick")
}

func TestRecordEvidenceRefusesBadReports(t *testing.T) {
	tests := []struct {
		name string
		n    int
		r    launch.Report
		code string
	}{
		{"no item", 99, launch.Report{Pass: true, Summary: "ok"}, launch.ENOTFOUND},
		{"no summary", 2, launch.Report{Pass: true, Summary: "  "}, launch.EINVALID},
		{"long summary", 2, launch.Report{Pass: true, Summary: strings.Repeat("x", launch.MaxEvidenceSummary+1)}, launch.EINVALID},
		{"two lines", 2, launch.Report{Pass: true, Summary: "ok\n<!channel>"}, launch.EINVALID},
		{"javascript url", 2, launch.Report{Pass: true, Summary: "ok", URL: "javascript:alert(1)"}, launch.EINVALID},
		{"relative url", 2, launch.Report{Pass: true, Summary: "ok", URL: "/runs/1"}, launch.EINVALID},
		{"url with a space", 2, launch.Report{Pass: true, Summary: "ok", URL: "https://ci.example.com/a b"}, launch.EINVALID},
		{"url breaking out of a link", 2, launch.Report{Pass: true, Summary: "ok", URL: "https://ci.example.com/|<!channel>"}, launch.EINVALID},
		{"long url", 2, launch.Report{Pass: true, Summary: "ok", URL: "https://x.example/" + strings.Repeat("a", launch.MaxEvidenceURL)}, launch.EINVALID},
		{"future", 2, launch.Report{Pass: true, Summary: "ok", At: now.Add(time.Hour)}, launch.EINVALID},
	}
	for _, tt := range tests {
		l := sample()
		events, err := l.RecordEvidence("token:ci", tt.n, tt.r, now)
		assert.Equal(t, tt.code, launch.ErrorCode(err), tt.name)
		assert.Empty(t, events, tt.name)
		_, _, it := l.Checklist.Locate(2)
		assert.False(t, it.Done, tt.name)
		assert.Nil(t, it.Evidence, tt.name)
	}
	l := sample()
	l.Archived = true
	_, err := l.RecordEvidence("token:ci", 2, launch.Report{Pass: true, Summary: "ok"}, now)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err))
}

func TestTokenSecretAndNames(t *testing.T) {
	secret, err := launch.NewTokenSecret(strings.NewReader(strings.Repeat("k", 32)))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(secret, launch.TokenPrefix))
	assert.Len(t, secret, len(launch.TokenPrefix)+52, "32 bytes in unpadded base32")
	assert.Len(t, launch.HashToken(secret), 64)
	_, err = launch.NewTokenSecret(strings.NewReader("short"))
	assert.Error(t, err)

	for _, ok := range []string{"ci", "deploy-pipeline", "k6.load_test", "A1"} {
		assert.NoError(t, launch.CheckTokenName(ok), ok)
	}
	for _, bad := range []string{"", "-ci", "two words", "<!channel>", strings.Repeat("a", 41), "ci\n"} {
		assert.Equal(t, launch.EINVALID, launch.ErrorCode(launch.CheckTokenName(bad)), bad)
	}
	l := sample()
	_, err = l.CreateToken("UOWN", "ci")
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	events, err := l.CreateToken("UBOSS", "ci")
	require.NoError(t, err)
	assert.Equal(t, launch.KindTokenCreate, events[0].Kind)
	assert.Equal(t, "API token", events[0].Subject())
}
