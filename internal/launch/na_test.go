package launch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

func TestNeedsConfirmation(t *testing.T) {
	l := sample()
	assert.False(t, l.NeedsConfirmation(2), "no 100% gate, no P0")
	l.Checklist.Gates = []checklist.Gate{{Name: "Security", Threshold: 100, Target: checklist.Target{Section: 0, Group: -1}}}
	assert.True(t, l.NeedsConfirmation(2), "in a 100% gate")
	assert.False(t, l.NeedsConfirmation(3), "another section")
	l.Checklist.Gates[0].Threshold = 80
	assert.False(t, l.NeedsConfirmation(2), "an 80% gate")
	l.Checklist.Item(3).Priority = "P0"
	assert.True(t, l.NeedsConfirmation(3), "a P0 item")
}

func TestNAConfirmation(t *testing.T) {
	l := sample()
	l.Checklist.Gates = []checklist.Gate{{Name: "Security", Threshold: 100, Target: checklist.Target{Section: 0, Group: -1}}}
	l.Checklist.Roles[0].Holder = "ULEAD"
	before := l.Decide(now)

	pending, events, err := l.SetNA("USEC", 2, "no WAF in front", now)
	require.NoError(t, err)
	assert.True(t, pending)
	assert.Equal(t, []launch.Event{{Actor: "USEC", Kind: launch.KindNA, Items: []int{2}, After: "n/a: no WAF in front (awaiting a role holder's confirmation)"}}, events)
	assert.Equal(t, before.Gates, l.Decide(now).Gates, "awaiting confirmation, it counts as open")
	asked := l.Checklist.Item(2).NA.At

	_, _, err = l.AnswerNA("USEC", 2, asked, true)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err), "the section's owner holds no role")
	_, _, err = l.AnswerNA("ULEAD", 2, asked.Add(-time.Millisecond), true)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err), "an older request")

	l.Checklist.Roles[0].Holder = "USEC"
	_, _, err = l.AnswerNA("USEC", 2, asked, true)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err), "who asked cannot confirm")
	l.Checklist.Roles[0].Holder = "ULEAD"

	requester, events, err := l.AnswerNA("ULEAD", 2, asked, true)
	require.NoError(t, err)
	assert.Equal(t, "USEC", requester)
	assert.Equal(t, launch.Kind("na-accept"), events[0].Kind)
	assert.True(t, l.Decide(now).Gates[0].Passed, "confirmed, item 2 leaves the gate: item 1 is done")
	_, _, err = l.AnswerNA("ULEAD", 2, asked, false)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err), "already answered")

	_, events, err = l.SetNA("UBOSS", 2, "off", now)
	require.NoError(t, err)
	assert.Equal(t, launch.Kind("na-off"), events[0].Kind)
	assert.Nil(t, l.Checklist.Item(2).NA)
	assert.False(t, l.Decide(now).Gates[0].Passed)

	_, _, err = l.SetNA("UBOSS", 2, "again", now)
	require.NoError(t, err)
	_, events, err = l.AnswerNA("ULEAD", 2, l.Checklist.Item(2).NA.At, false)
	require.NoError(t, err)
	assert.Equal(t, launch.Kind("na-refuse"), events[0].Kind)
	assert.Nil(t, l.Checklist.Item(2).NA, "refused, it applies again")

	pending, _, err = l.SetNA("UBOSS", 3, "no runbook needed", now)
	require.NoError(t, err)
	assert.False(t, pending, "outside any 100% gate, it stands at once")
	assert.Equal(t, 2, l.Decide(now).Readiness.Total)

	_, _, err = l.SetNA("UBOSS", 2, "  ", now)
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
}
