package schedule_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/schedule"
)

func TestWaiverLapseNoticesArePlannedAndDecided(t *testing.T) {
	l := testLaunch("C1", "2026-12-01", "Europe/Paris")
	l.Creator = "UBOSS"
	now := local(t, "Europe/Paris", "2026-11-20 10:00")
	l.Checklist.Item(1).Waiver = &checklist.Waiver{By: "USEC", Until: "2026-11-22", Reason: "soon", At: now}
	l.Checklist.Item(3).Waiver = &checklist.Waiver{By: "USEC", Until: "2026-11-22", Reason: "unowned", At: now}
	l.Checklist.Item(5).Waiver = &checklist.Waiver{By: "USEC", Until: "2026-11-10", Reason: "told already", At: now, Noticed: true}

	var lapses []schedule.Reminder
	for _, r := range schedule.Plan(l, nil, nine, now) {
		if r.Kind == schedule.KindWaiverLapse || r.Kind == schedule.KindWaiverLapseDM {
			lapses = append(lapses, r)
		}
	}
	due := local(t, "Europe/Paris", "2026-11-23 09:00")
	assert.Equal(t, []schedule.Reminder{
		{LaunchID: l.ID, Kind: schedule.KindWaiverLapse, Key: "2026-11-23", DueAt: due, Payload: schedule.Payload{Day: "2026-11-23"}},
		{LaunchID: l.ID, Kind: schedule.KindWaiverLapseDM, Key: "2026-11-23 UALICE", DueAt: due, Payload: schedule.Payload{Day: "2026-11-23", Owner: "UALICE"}},
		{LaunchID: l.ID, Kind: schedule.KindWaiverLapseDM, Key: "2026-11-23 UBOSS", DueAt: due, Payload: schedule.Payload{Day: "2026-11-23", Owner: "UBOSS"}},
	}, lapses, "one channel post for the day, one DM per owner (the creator for an unowned item); nothing for a lapse already told")

	post, dm := lapses[0], lapses[1]
	early := schedule.Decide(l, nil, post, nine, local(t, "Europe/Paris", "2026-11-23 00:30"))
	assert.Equal(t, schedule.Decision{Action: schedule.Wait, DueAt: due}, early, "lapsed at midnight, told at the reminder time")
	late := local(t, "Europe/Paris", "2026-11-26 15:00")
	assert.Equal(t, schedule.Post, schedule.Decide(l, nil, post, nine, late).Action, "posted late after downtime, never skipped as stale")
	assert.Equal(t, schedule.Post, schedule.Decide(l, nil, dm, nine, late).Action)
	assert.Equal(t, []int{1, 3}, numbers(schedule.LapsedOn(l, "2026-11-23")))
	assert.Equal(t, []int{1}, numbers(schedule.LapsedFor(l, "2026-11-23", "UALICE")))

	l.Checklist.Item(1).Owner = "UCAROL"
	assert.Equal(t, schedule.Skip, schedule.Decide(l, nil, dm, nine, late).Action, "the item changed hands")
	l.Checklist.Item(1).Waiver = &checklist.Waiver{By: "USEC", Until: "2026-11-30", Reason: "again", At: late}
	l.Checklist.Item(3).Done = true
	d := schedule.Decide(l, nil, post, nine, late)
	assert.Equal(t, schedule.Skip, d.Action, "waived again, or done: nothing reopened")
	require.NotEmpty(t, d.Reason)

	l.Archived = true
	assert.Equal(t, schedule.Skip, schedule.Decide(l, nil, post, nine, late).Action)
	assert.Empty(t, schedule.Plan(l, nil, nine, time.Time{}))
}
