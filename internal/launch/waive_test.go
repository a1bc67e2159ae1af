package launch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// waivable is gated() with Security Lead held by USEC: item 2 is open in
// the 100% Security gate.
func waivable() *launch.Launch {
	l := gated()
	l.Checklist.Roles[0].Holder = "USEC"
	return l
}

func TestWaiveRefusals(t *testing.T) {
	tests := []struct {
		name, user   string
		number       int
		until, why   string
		code, substr string
	}{
		{"creator holds no role", "UBOSS", 2, "2026-11-30", "soon", launch.EFORBIDDEN, "Only someone holding one of the launch's roles"},
		{"section owner holds no role", "UOWN", 2, "2026-11-30", "soon", launch.EFORBIDDEN, "holding one of the launch's roles"},
		{"no such item", "USEC", 99, "2026-11-30", "soon", launch.ENOTFOUND, ""},
		{"done", "USEC", 1, "2026-11-30", "soon", launch.EINVALID, "Item 1 is done"},
		{"no reason", "USEC", 2, "2026-11-30", " ", launch.EINVALID, "Say why item 2"},
		{"not a date", "USEC", 2, "next week", "soon", launch.EINVALID, "is not a date"},
		{"yesterday", "USEC", 2, "2026-11-24", "soon", launch.EINVALID, "is in the past"},
		{"over a year", "USEC", 2, "2027-11-27", "soon", launch.EINVALID, "too far ahead"},
	}
	for _, tt := range tests {
		l := waivable()
		_, events, err := l.Waive(tt.user, tt.number, tt.until, tt.why, now)
		assert.Equal(t, tt.code, launch.ErrorCode(err), tt.name)
		assert.Contains(t, launch.ErrorMessage(err), tt.substr, tt.name)
		assert.Empty(t, events, tt.name)
		assert.Nil(t, l.Checklist.Item(2).Waiver, tt.name)
	}

	l := waivable()
	_, _, err := l.SetNA("UBOSS", 3, "no docs", now)
	require.NoError(t, err)
	_, _, err = l.Waive("USEC", 3, "2026-11-30", "soon", now)
	assert.Contains(t, launch.ErrorMessage(err), "not applicable")
}

func TestWaiveCountsForItsGatesOnly(t *testing.T) {
	l := waivable()
	approveAll(t, l)
	before := l.Decide(now)
	require.False(t, before.Gates[0].Passed)

	// Today, in the launch's zone, is a valid last day; a year ahead too.
	afterLaunch, events, err := l.Waive("USEC", 2, "2026-11-25", "WAF rules land today", now)
	require.NoError(t, err)
	assert.False(t, afterLaunch)
	assert.Equal(t, []launch.Event{{Actor: "USEC", Kind: launch.KindWaive, Items: []int{2}, After: "waived until 2026-11-25: WAF rules land today"}}, events)
	rep := l.Decide(now)
	assert.True(t, rep.Gates[0].Passed)
	assert.Equal(t, checklist.Count{Done: 2, Total: 2, Waived: 1}, rep.Gates[0].Count)
	assert.Equal(t, before.Readiness, rep.Readiness, "readiness counts what is done, never a waiver")
	assert.Equal(t, checklist.OutcomeGo, rep.Decision.Outcome)
	assert.Equal(t, "GO with 1 waiver", rep.OutcomeText())
	require.Len(t, rep.Waivers, 1)
	assert.Equal(t, 2, rep.Waivers[0].Number)
	assert.Contains(t, rep.Decision.Reasons, "Security: 2/2 = 100.0% (1 waived), needs ≥ 100%: passing")

	// The same waiver again changes nothing; a new date replaces it.
	_, events, err = l.Waive("USEC", 2, "2026-11-25", "WAF rules land today", now)
	require.NoError(t, err)
	assert.Empty(t, events)
	afterLaunch, events, err = l.Waive("USEC", 2, "2027-11-26", "WAF rules next year", now)
	require.NoError(t, err)
	assert.True(t, afterLaunch, "after the launch date is allowed, and said")
	assert.Equal(t, "waived until 2026-11-25: WAF rules land today", events[0].Before)

	_, events, err = l.Waive("USEC", 2, "off", "", now)
	require.NoError(t, err)
	assert.Equal(t, launch.Kind("waive-off"), events[0].Kind)
	assert.Nil(t, l.Checklist.Item(2).Waiver)
	assert.False(t, l.Decide(now).Gates[0].Passed)
	_, events, err = l.Waive("USEC", 2, "OFF", "", now)
	require.NoError(t, err)
	assert.Empty(t, events, "no waiver to take away")
}

func TestWaiverTimeZoneAndLapseNotice(t *testing.T) {
	l := waivable()
	l.Timezone = "Pacific/Auckland" // UTC+13 in November
	// now is 2026-11-25 10:00 UTC: already 23:00 on the 25th in Auckland.
	_, _, err := l.Waive("USEC", 2, "2026-11-25", "today, local", now)
	require.NoError(t, err)
	assert.True(t, l.Checklist.Item(2).WaivedOn(l.Today(now)))
	nextDay := now.Add(time.Hour) // midnight in Auckland
	assert.False(t, l.Decide(nextDay).Gates[0].Passed, "lapsed at local midnight")
	assert.Empty(t, l.Decide(nextDay).Waivers)

	assert.Empty(t, l.NoticeLapses(now), "not lapsed yet")
	events := l.NoticeLapses(nextDay)
	assert.True(t, l.Checklist.Item(2).Waiver.Noticed)
	assert.Equal(t, []launch.Event{{Actor: launch.Golive, Kind: launch.KindWaiverLapse, Items: []int{2},
		Before: "waived until 2026-11-25: today, local", After: "open: counts as open for its gates again"}}, events)
	assert.Empty(t, l.NoticeLapses(nextDay.Add(time.Hour)), "noticed once")
}

func TestAnUpdatedChecklistKeepsWaivers(t *testing.T) {
	l := reimportLaunch(t)
	_, _, err := l.Waive("ULEAD", 4, "2026-11-30", "WAF lands on the 30th", now)
	require.NoError(t, err)
	doc := strings.Replace(reimportDoc, "- [ ] WAF configured\n", "- [ ] WAF configured in front of the API\n", 1)
	_, _, err = l.UpdateChecklist("UBOSS", parseDoc(t, doc), now)
	require.NoError(t, err)
	waf := l.Checklist.Item(4)
	require.NotNil(t, waf)
	assert.Equal(t, "WAF configured in front of the API", waf.Text)
	require.NotNil(t, waf.Waiver, "a matched item keeps its waiver")
	assert.Equal(t, "2026-11-30", waf.Waiver.Until)
}
