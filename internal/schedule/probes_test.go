package schedule_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/schedule"
)

func probeRuns(rs []schedule.Reminder) []schedule.Reminder {
	var out []schedule.Reminder
	for _, r := range rs {
		if r.Kind == schedule.KindProbe {
			out = append(out, r)
		}
	}
	return out
}

// TestProbesRunEachMorningOfTheLastWeekAndBeforeWindows: a launch with a
// probe runs it ten minutes before each morning's reminder of its last
// week and before each window's reminder, once per instant; one without
// probes plans no run.
func TestProbesRunEachMorningOfTheLastWeekAndBeforeWindows(t *testing.T) {
	l := testLaunch("C1", "2026-12-01", "Europe/Paris")
	start := local(t, "Europe/Paris", "2026-11-01 12:00")
	require.Empty(t, probeRuns(schedule.Plan(l, nil, nine, start)), "no probe, no run")

	p, err := checklist.ParseProbe("tls api.example.com")
	require.NoError(t, err)
	l.Checklist.Item(1).Probe = p
	runs := probeRuns(schedule.Plan(l, nil, nine, start))
	due := map[string]time.Time{}
	for _, r := range runs {
		due[r.Key] = r.DueAt
	}
	for _, day := range []string{"2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"} {
		assert.Equal(t, local(t, "Europe/Paris", day+" 08:50"), due[day], day)
	}
	_, before := due["2026-11-24"]
	assert.False(t, before, "only the last week")
	windows := 0
	for _, w := range schedule.Windows(l, nine) {
		at, ok := due["window "+w.Key]
		if ok {
			windows++
			assert.Equal(t, w.Due.Add(-10*time.Minute), at)
		}
	}
	assert.Positive(t, windows)
	assert.Len(t, runs, 7+windows, "a window's run on a morning of the last week is that morning's")

	// A claimed run: wait when early, run on time, skip when long past.
	run := schedule.Reminder{LaunchID: l.ID, Kind: schedule.KindProbe, Key: "2026-11-30", DueAt: due["2026-11-30"]}
	d := schedule.Decide(l, nil, run, nine, due["2026-11-30"].Add(-time.Hour))
	assert.Equal(t, schedule.Wait, d.Action)
	assert.Equal(t, schedule.Post, schedule.Decide(l, nil, run, nine, due["2026-11-30"].Add(time.Minute)).Action)
	assert.Equal(t, schedule.Skip, schedule.Decide(l, nil, run, nine, due["2026-11-30"].Add(3*time.Hour)).Action)
	l.Checklist.Item(1).Probe = nil
	d = schedule.Decide(l, nil, run, nine, due["2026-11-30"].Add(time.Minute))
	assert.Equal(t, schedule.Skip, d.Action)
	assert.Equal(t, "no item has a probe any more", d.Reason)
}
