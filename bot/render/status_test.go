package render

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestStatusGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	m := Status(l, testTOD, fixedNow)
	golden(t, "Status", m)
	assert.Empty(t, CheckMessage(m))
	assert.Equal(t, "Launch Realtor AI Copilot: readiness 39.7%, NO-GO", m.Text)
}

func TestStatusSeed000AsWritten(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	m := Status(l, testTOD, fixedNow)
	assert.Equal(t, "Launch Realtor AI Copilot: readiness 39.2%, NO-GO", m.Text)
	s := mrkdwnText(t, m)
	for _, want := range []string{
		"Launch in 12 days",
		"`▓▓▓▓░░░░░░` 39.2%",
		"78/199 items done",
		"*Security*: 19/32 = 59.4%, needs ≥ 100%, failing",
		"*Infrastructure*: 19/21 = 90.5%, needs &gt; 90%, passing",
		"*Decision: NO-GO*",
		"*Security Lead*: _nobody yet_",
	} {
		assert.Contains(t, s, want)
	}
}

func TestBar(t *testing.T) {
	for p, want := range map[float64]string{
		0: "░░░░░░░░░░", 0.4: "▓░░░░░░░░░", 39.2: "▓▓▓▓░░░░░░", 96: "▓▓▓▓▓▓▓▓▓░", 99.9: "▓▓▓▓▓▓▓▓▓░", 100: "▓▓▓▓▓▓▓▓▓▓",
	} {
		assert.Equal(t, want, Bar(p), "%v%%", p)
	}
}

func TestCountdown(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	for at, want := range map[string]string{
		"2026-03-01T12:00:00Z": "Launch in 1 day",
		"2026-03-01T23:30:00Z": "Launch day", // already March 2 in Paris
		"2026-03-02T10:00:00Z": "Launch day",
		"2026-03-05T10:00:00Z": "Launched 3 days ago",
	} {
		now, err := time.Parse(time.RFC3339, at)
		if assert.NoError(t, err) {
			assert.True(t, strings.Contains(mrkdwnText(t, Status(l, testTOD, now)), want), "%s: want %q", at, want)
		}
	}
}
