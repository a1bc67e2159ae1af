package launch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestSetProbe(t *testing.T) {
	l := sample()
	_, _, err := l.SetProbe("UOTHER", 2, "tls waf.example.com")
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	_, _, err = l.SetProbe("USEC", 2, "tls waf.example.com min_days=x")
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
	assert.Contains(t, err.Error(), "min_days")
	_, _, err = l.SetProbe("USEC", 99, "tls waf.example.com")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))

	p, events, err := l.SetProbe("USEC", 2, "tls waf.example.com min_days=14")
	require.NoError(t, err)
	assert.Equal(t, "tls waf.example.com:443 min_days=14", p.String())
	assert.Equal(t, []launch.Event{{Actor: "USEC", Kind: launch.KindProbe, Items: []int{2}, Before: "none", After: p.String()}}, events)
	_, events, err = l.SetProbe("USEC", 2, "tls waf.example.com:443 min_days=14")
	require.NoError(t, err)
	assert.Empty(t, events, "the same probe again changes nothing")
	require.Len(t, l.Probes(), 1)

	_, events, err = l.SetProbe("UBOSS", 2, "off")
	require.NoError(t, err)
	assert.Equal(t, "none", events[0].After)
	assert.Empty(t, l.Probes())
}

func TestRecordProbesTellsOncePerChange(t *testing.T) {
	l := sample()
	p, _, err := l.SetProbe("USEC", 2, "http https://waf.example.com/health")
	require.NoError(t, err)
	spec := p.String()
	run := func(pass bool, at time.Time) (launch.ProbeRun, []launch.Event) {
		t.Helper()
		r, events, err := l.RecordProbes([]launch.ProbeResult{
			{Item: 2, Spec: spec, Pass: pass, Summary: "HTTP 200 in 12 ms", Value: "12ms", At: at},
			{Item: 3, Spec: "http https://gone.example.com", Pass: true, Summary: "no probe there", At: at},
		}, at)
		require.NoError(t, err)
		return r, events
	}

	// A first pass ticks quietly.
	r, events := run(true, now)
	assert.Equal(t, launch.ProbeRun{Recorded: 1, Passed: 1}, r)
	assert.Equal(t, []launch.Kind{launch.KindProbeRun, launch.KindEvidence, launch.KindTick}, kinds(events))
	assert.Equal(t, "1 of 1 passed", events[0].After)
	assert.Empty(t, l.Notices(now))
	_, _, it := l.Checklist.Locate(2)
	assert.True(t, it.Done)
	assert.Equal(t, "12ms", it.Evidence.Value)
	assert.Equal(t, launch.ProbeActor, it.Evidence.By)

	// The same outcome again: stored, told nothing.
	_, events = run(true, now.Add(time.Hour))
	assert.Equal(t, []launch.Kind{launch.KindProbeRun}, kinds(events))
	assert.Equal(t, now.Add(time.Hour), it.Evidence.At, "the evidence is the latest run's")

	// A fail unticks and tells, once.
	r, events = run(false, now.Add(2*time.Hour))
	assert.Equal(t, []int{2}, r.Changed)
	assert.Equal(t, []launch.Kind{launch.KindProbeRun, launch.KindEvidence, launch.KindUntick, launch.KindSignoffVoid}, kinds(events))
	assert.False(t, it.Done)
	notices := l.Notices(now.Add(2 * time.Hour))
	require.Len(t, notices, 2, "the fail, and the sign-off it voided")
	assert.Equal(t, launch.NoticeUntickVoided, notices[1].Kind)
	assert.Equal(t, launch.NoticeProbe, notices[0].Kind)
	assert.Equal(t, "fail", notices[0].After)
	r, _ = run(false, now.Add(3*time.Hour))
	assert.Empty(t, r.Changed)
	assert.Empty(t, l.Notices(now.Add(3*time.Hour)), "still failing: nothing new to tell")

	// Back to a pass: ticks and tells.
	r, _ = run(true, now.Add(4*time.Hour))
	assert.Equal(t, []int{2}, r.Changed)
	assert.True(t, it.Done)
	require.Len(t, l.Notices(now.Add(4*time.Hour)), 1)

	// A probe changed since the run started: its result is dropped.
	_, _, err = l.SetProbe("USEC", 2, "http https://waf.example.com/other")
	require.NoError(t, err)
	r, events = run(false, now.Add(5*time.Hour))
	assert.Zero(t, r.Recorded)
	assert.Empty(t, events)
}

func kinds(events []launch.Event) []launch.Kind {
	var out []launch.Kind
	for _, e := range events {
		out = append(out, e.Kind)
	}
	return out
}
