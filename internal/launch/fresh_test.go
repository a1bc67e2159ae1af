package launch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

func TestReadFresh(t *testing.T) {
	for in, want := range map[string]time.Duration{"90m": 90 * time.Minute, "24h": 24 * time.Hour, "7D": 7 * 24 * time.Hour, "off": 0} {
		d, err := launch.ReadFresh(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, d, in)
	}
	for _, bad := range []string{"", "24", "h", "-1h", "0h", "1.5h", "400d", "99999999d", "soon"} {
		_, err := launch.ReadFresh(bad)
		assert.Equal(t, launch.EINVALID, launch.ErrorCode(err), bad)
	}
	assert.Equal(t, "24h", launch.FreshText(24*time.Hour))
	assert.Equal(t, "7d", launch.FreshText(7*24*time.Hour))
	assert.Equal(t, "90m", launch.FreshText(90*time.Minute))
}

// freshLaunch is sample() with a gate over Security that needs every item,
// both done: item 1 ticked at now, item 2 by a passing check an hour before.
func freshLaunch(t *testing.T) *launch.Launch {
	l := sample()
	l.Checklist.Gates = []checklist.Gate{{Name: "Security", Kind: checklist.GateRequired, Threshold: 100,
		Target: checklist.Target{Section: 0, Group: -1}}}
	_, err := l.RecordEvidence("token:ci", 2, launch.Report{Pass: true, Summary: "scan clean", At: now.Add(-time.Hour)}, now)
	require.NoError(t, err)
	return l
}

func TestStaleEvidenceCountsOpenForItsGates(t *testing.T) {
	l := freshLaunch(t)
	require.True(t, l.Decide(now).Gates[0].Passed)

	_, _, err := l.SetFresh("UOTHER", "Security", 24*time.Hour)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	changed, events, err := l.SetFresh("USEC", "Security", 24*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, changed)
	assert.Equal(t, launch.KindFresh, events[0].Kind)
	assert.Equal(t, "any age", events[0].Before)
	assert.Equal(t, "24h", events[0].After)
	fp := l.Fingerprint(now)

	later := now.Add(23*time.Hour + 30*time.Minute)
	rep := l.Decide(later)
	assert.False(t, rep.Gates[0].Passed, "item 2's check ran 24h30m before")
	assert.Equal(t, "1/2 = 50.0% (1 stale)", rep.Gates[0].Count.String())
	require.Len(t, rep.Stale, 1)
	assert.Equal(t, 2, rep.Stale[0].Number)
	assert.Equal(t, now.Add(-time.Hour), rep.Stale[0].VerifiedAt)
	assert.Equal(t, 2, rep.Readiness.Done, "readiness still counts what is done")
	assert.NotEqual(t, fp, l.Fingerprint(later), "an announced GO goes stale with its evidence")

	_, err = l.RecordEvidence("token:ci", 2, launch.Report{Pass: true, Summary: "scan clean", At: later}, later)
	require.NoError(t, err)
	assert.True(t, l.Decide(later).Gates[0].Passed, "verified again")

	changed, _, err = l.SetFresh("UBOSS", "2", 0)
	require.NoError(t, err)
	assert.Equal(t, []int{2}, changed)
	changed, events, err = l.SetFresh("UBOSS", "2", 0)
	require.NoError(t, err)
	assert.Empty(t, changed)
	assert.Empty(t, events)
	_, _, err = l.SetFresh("UBOSS", "99", time.Hour)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
}

func TestTickingAFreshItemAgainVerifiesItAnew(t *testing.T) {
	l := freshLaunch(t)
	_, _, err := l.SetFresh("USEC", "Security", 24*time.Hour)
	require.NoError(t, err)
	later := now.Add(30 * time.Hour)
	require.False(t, l.Decide(later).Gates[0].Passed, "both verifications are older than 24h")

	events, err := l.SetDone("UBOSS", []int{1, 2}, true, later)
	require.NoError(t, err)
	require.Len(t, events, 2)
	for _, e := range events {
		assert.Equal(t, launch.KindTick, e.Kind)
		assert.Equal(t, "verified again", e.After)
	}
	assert.True(t, l.Decide(later).Gates[0].Passed, "ticked again: verified at later")
	_, _, it := l.Checklist.Locate(2)
	assert.Equal(t, later, it.VerifiedAt(), "the tick is newer than the check")

	// Without a freshness, a tick of a done item changes nothing, as before.
	_, _, err = l.SetFresh("USEC", "Security", 0)
	require.NoError(t, err)
	events, err = l.SetDone("UBOSS", []int{1}, true, later.Add(time.Hour))
	require.NoError(t, err)
	assert.Empty(t, events)
}
