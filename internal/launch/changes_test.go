package launch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// sample builds a small launch: section Security (owner USEC, signed off)
// with items 1 (owned by UOWN) and 2 (unowned), section Docs with item 3.
func sample() *launch.Launch {
	return &launch.Launch{
		ID: 1, Name: "Atlas", Date: "2026-12-01", Timezone: "Europe/Paris", Creator: "UBOSS",
		Checklist: &checklist.Checklist{
			Sections: []*checklist.Section{
				{Index: 0, Number: 2, Title: "Security", Kind: checklist.KindReadiness, Owner: "USEC", HasSignoff: true,
					Signoff: &checklist.Signoff{By: "USEC", At: now},
					Groups: []*checklist.Group{{Items: []*checklist.Item{
						{Number: 1, Text: "Secrets rotated", Owner: "UOWN", Done: true, DoneBy: "UOWN", DoneAt: now},
						{Number: 2, Text: "WAF configured"},
					}}}},
				{Index: 1, Number: 7, Title: "Documentation", Kind: checklist.KindReadiness,
					Groups: []*checklist.Group{{Items: []*checklist.Item{{Number: 3, Text: "Runbook"}}}}},
			},
			Roles: []*checklist.Role{{Name: "Security Lead", Verdict: checklist.VerdictPending}},
		},
	}
}

func TestCanTick(t *testing.T) {
	tests := []struct {
		user   string
		number int
		code   string
	}{
		{"UOWN", 1, ""},  // the item's owner
		{"USEC", 1, ""},  // the section's owner
		{"UBOSS", 1, ""}, // the creator
		{"UOTHER", 1, launch.EFORBIDDEN},
		{"UOTHER", 2, ""}, // unowned: anyone in the channel
		{"UOTHER", 99, launch.ENOTFOUND},
	}
	for _, tt := range tests {
		err := sample().CanTick(tt.user, tt.number)
		assert.Equal(t, tt.code, launch.ErrorCode(err), "%s ticking %d", tt.user, tt.number)
	}
}

func TestSetDoneRefusalChangesNothing(t *testing.T) {
	l := sample()
	events, err := l.SetDone("UOTHER", []int{2, 1}, false, now)
	require.Error(t, err)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	assert.Contains(t, err.Error(), "<@UOWN>")
	assert.Empty(t, events)
	assert.True(t, l.Checklist.Item(1).Done)
	assert.NotNil(t, l.Checklist.Sections[0].Signoff)
}

func TestUntickVoidsSignoff(t *testing.T) {
	l := sample()
	events, err := l.SetDone("UOWN", []int{1}, false, now)
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, launch.Kind("untick"), events[0].Kind)
	assert.Equal(t, launch.Kind("signoff-void"), events[1].Kind)
	assert.Nil(t, l.Checklist.Sections[0].Signoff)
	it := l.Checklist.Item(1)
	assert.False(t, it.Done)
	assert.Empty(t, it.DoneBy)
}

func TestTickRecordsWhoAndWhenOnceOnly(t *testing.T) {
	l := sample()
	events, err := l.SetDone("UX", []int{2, 2, 3}, true, now)
	require.NoError(t, err)
	assert.Len(t, events, 2, "a number given twice is one change")
	assert.Equal(t, "UX", l.Checklist.Item(2).DoneBy)
	assert.Equal(t, now, l.Checklist.Item(2).DoneAt)

	again, err := l.SetDone("UX", []int{2}, true, now)
	require.NoError(t, err)
	assert.Empty(t, again, "ticking a done item changes nothing")
}

func TestFindSection(t *testing.T) {
	l := sample()
	for ref, want := range map[string]string{"2": "Security", "security": "Security", "Doc": "Documentation", `"Documentation"`: "Documentation", "urity": "Security"} {
		s, err := l.FindSection(ref)
		require.NoError(t, err, ref)
		assert.Equal(t, want, s.Title)
	}
	_, err := l.FindSection("Legal")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	assert.Contains(t, err.Error(), "Security, Documentation")
}

func TestSignOffWithOpenItems(t *testing.T) {
	l := sample()
	_, err := l.SignOff("UOTHER", "Documentation", now)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	events, err := l.SignOff("UBOSS", "Documentation", now)
	require.NoError(t, err)
	assert.Equal(t, "signed with 1 open items", events[0].After)
	assert.Equal(t, 1, l.Checklist.Sections[1].Signoff.OpenItems)
}

func TestOnlyTheHolderAnswers(t *testing.T) {
	l := sample()
	_, err := l.Answer("USEC", "Security Lead", checklist.VerdictApproved, "", now)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err), "nobody holds the role yet")

	_, err = l.SetRoleHolder("USEC", "Security Lead", "USEC")
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err), "only the creator assigns roles")
	_, err = l.SetRoleHolder("UBOSS", "security lead", "USEC")
	require.NoError(t, err)

	_, err = l.Answer("UOTHER", "Security Lead", checklist.VerdictApproved, "", now)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	_, err = l.Answer("USEC", "Security Lead", checklist.VerdictRejected, " ", now)
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err), "a rejection needs a reason")

	_, err = l.Answer("USEC", "Security Lead", checklist.VerdictConditional, "WAF before GA", now)
	require.NoError(t, err)
	r := l.Checklist.Role("Security Lead")
	assert.Equal(t, checklist.VerdictConditional, r.Verdict)
	assert.Equal(t, "WAF before GA", r.Note)

	// A new holder starts pending: an approval belongs to a person.
	_, err = l.SetRoleHolder("UBOSS", "Security Lead", "UNEW")
	require.NoError(t, err)
	assert.Equal(t, checklist.VerdictPending, r.Verdict)
}

// Every change of a role's holder or answer makes a new version of its
// request; a refused change or a no-op does not.
func TestRoleVersionCountsHoldersAndAnswers(t *testing.T) {
	l := sample()
	r := l.Checklist.Role("Security Lead")
	steps := []struct {
		name    string
		do      func() error
		version int
	}{
		{"a holder", func() error { _, err := l.SetRoleHolder("UBOSS", "Security Lead", "USEC"); return err }, 1},
		{"the same holder", func() error { _, err := l.SetRoleHolder("UBOSS", "Security Lead", "USEC"); return err }, 1},
		{"an answer", func() error {
			_, err := l.Answer("USEC", "Security Lead", checklist.VerdictApproved, "", now)
			return err
		}, 2},
		{"a refused answer", func() error {
			_, err := l.Answer("UOTHER", "Security Lead", checklist.VerdictRejected, "no", now)
			require.Error(t, err)
			return nil
		}, 2},
		{"another answer", func() error {
			_, err := l.Answer("USEC", "Security Lead", checklist.VerdictRejected, "pen test", now)
			return err
		}, 3},
		{"a new holder", func() error { _, err := l.SetRoleHolder("UBOSS", "Security Lead", "UNEW"); return err }, 4},
	}
	for _, s := range steps {
		require.NoError(t, s.do(), s.name)
		assert.Equal(t, s.version, r.Version, s.name)
	}
}

func TestDaysToLaunchUsesTheLaunchZone(t *testing.T) {
	l := &launch.Launch{Date: "2026-12-01", Timezone: "Pacific/Auckland"}
	// 2026-11-30 12:00 UTC is already 2026-12-01 01:00 in Auckland.
	assert.Equal(t, 0, l.DaysToLaunch(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)))
	assert.Equal(t, 1, l.DaysToLaunch(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)))
	assert.Equal(t, -2, l.DaysToLaunch(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)))
}

// TestDaysToLaunchCountsCalendarDays: days are counted by date, so that
// no date overflows (durations stop at 292 years: "106751 days").
func TestDaysToLaunchCountsCalendarDays(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for date, want := range map[string]int{
		"2026-11-20": 0, "2026-11-21": 1, "2027-11-20": 365, "2025-11-20": -365,
		"9999-12-31": 2912119, "0001-01-01": -739939, // as Python's datetime.date counts them
	} {
		l := &launch.Launch{Date: date, Timezone: "UTC"}
		assert.Equal(t, want, l.DaysToLaunch(now), date)
	}
}

func TestReadDate(t *testing.T) {
	now := time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC) // already the 21st in Tokyo
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want string
		err  string
	}{
		{"2026-12-08", time.UTC, "2026-12-08", ""},
		{" 2025-11-20 ", time.UTC, "2025-11-20", ""},
		{"2031-11-20", time.UTC, "2031-11-20", ""},
		{"2025-11-20", tokyo, "", "2025-11-20 is too far from today (2026-11-21): golive takes dates from 2025-11-21 to 2031-11-21."},
		{"0000-01-01", time.UTC, "", "0000-01-01 is too far from today"},
		{"9999-12-31", time.UTC, "", "9999-12-31 is too far from today"},
		{"2026-02-30", time.UTC, "", `"2026-02-30" is not a date`},
		{"tomorrow", time.UTC, "", `"tomorrow" is not a date`},
	} {
		got, err := launch.ReadDate(tc.in, now, tc.loc)
		if tc.err != "" {
			require.Error(t, err, tc.in)
			assert.Contains(t, err.Error(), tc.err, tc.in)
			assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got)
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string][2]int{"14:00": {14, 0}, "9:30": {9, 30}, "00:00": {0, 0}, "23:59": {23, 59}} {
		h, m, err := launch.ParseTime(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, [2]int{h, m}, in)
	}
	for _, in := range []string{"24:00", "9:5", "14", "2pm", "14:60", "-1:00", "123:00", ""} {
		_, _, err := launch.ParseTime(in)
		assert.Error(t, err, in)
	}
}

// TestMoveDateDatesTheLaunch: moving the date or the time dates the launch
// at now; the time is kept when only the date moves.
func TestMoveDateDatesTheLaunch(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	l := &launch.Launch{Date: "2026-12-01", Time: "09:00", Timezone: "UTC", Creator: "UC"}
	evs, err := l.MoveDate("UC", "2026-12-08", "14:00", now)
	require.NoError(t, err)
	assert.Equal(t, []launch.Event{{Actor: "UC", Kind: launch.KindDate, Before: "2026-12-01 09:00", After: "2026-12-08 14:00"}}, evs)
	assert.Equal(t, now, l.DatedAt)
	evs, err = l.MoveDate("UC", "2026-12-09", "", now.Add(time.Hour))
	require.NoError(t, err)
	assert.Len(t, evs, 1)
	assert.Equal(t, "14:00", l.Time)
	evs, err = l.MoveDate("UC", "2026-12-09", "14:00", now.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Empty(t, evs, "nothing changed")
	assert.Equal(t, now.Add(time.Hour), l.DatedAt)
	_, err = l.MoveDate("UOTHER", "2026-12-10", "", now)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
}
