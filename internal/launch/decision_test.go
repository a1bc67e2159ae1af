package launch_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// gated is sample() with a required gate on Security (section 0) and two
// held roles.
func gated() *launch.Launch {
	l := sample()
	l.Checklist.Gates = []checklist.Gate{
		{Name: "Security", Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: 0, Group: -1}},
	}
	l.Checklist.Roles = []*checklist.Role{
		{Name: "Security Lead", Holder: "USEC", Verdict: checklist.VerdictPending},
		{Name: "Product Manager", Holder: "UPM", Verdict: checklist.VerdictPending},
	}
	return l
}

func approveAll(t *testing.T, l *launch.Launch) {
	t.Helper()
	for _, r := range l.Checklist.Roles {
		_, err := l.Answer(r.Holder, r.Name, checklist.VerdictApproved, "", now)
		require.NoError(t, err)
	}
}

func TestNoGoWhileARequiredGateFailsWhateverTheApprovals(t *testing.T) {
	l := gated()
	approveAll(t, l)
	require.False(t, l.Checklist.Item(2).Done, "precondition: Security is 1/2")

	events, err := l.Announce("UANY", now)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, checklist.OutcomeNoGo, l.Announced.Outcome)
	assert.Contains(t, l.Decide(now).Decision.Reasons, "Security: 1/2 = 50.0%, needs ≥ 100%: failing")

	_, err = l.SetDone("UANY", []int{2}, true, now)
	require.NoError(t, err)
	_, err = l.Announce("UANY", now)
	require.NoError(t, err)
	assert.Equal(t, checklist.OutcomeGo, l.Announced.Outcome, "every gate passes and every role approved")
}

func TestUnheldRolesNeverCountAsApproved(t *testing.T) {
	l := gated()
	approveAll(t, l)
	_, err := l.SetDone("UANY", []int{2}, true, now)
	require.NoError(t, err)
	// A verdict read from the document, with nobody holding the role.
	l.Checklist.Roles = append(l.Checklist.Roles, &checklist.Role{Name: "Legal", Verdict: checklist.VerdictApproved, By: "Jane"})

	assert.Equal(t, []string{"Legal"}, l.Unheld())
	assert.False(t, l.AllAnswered())
	d := l.Decide(now).Decision
	assert.Equal(t, checklist.OutcomePending, d.Outcome)
	assert.Equal(t, []string{"Legal has not approved yet"}, d.Reasons)
	assert.Equal(t, checklist.VerdictApproved, l.Checklist.Role("Legal").Verdict, "Decide changes nothing")
}

func TestFingerprintFollowsEveryInput(t *testing.T) {
	base := gated().Fingerprint(now)
	assert.Equal(t, base, gated().Fingerprint(now), "same facts, same fingerprint")

	changes := map[string]func(l *launch.Launch){
		"tick":    func(l *launch.Launch) { l.Checklist.Item(2).Done = true },
		"gate":    func(l *launch.Launch) { l.Checklist.Gates[0].Threshold = 90 },
		"holder":  func(l *launch.Launch) { l.Checklist.Roles[0].Holder = "UNEW" },
		"verdict": func(l *launch.Launch) { l.Checklist.Roles[0].Verdict = checklist.VerdictApproved },
		"note":    func(l *launch.Launch) { l.Checklist.Roles[0].Note = "WAF first" },
		"role":    func(l *launch.Launch) { l.Checklist.Roles = l.Checklist.Roles[:1] },
		"n/a": func(l *launch.Launch) {
			l.Checklist.Item(3).NA = &checklist.NA{By: "UBOSS", Reason: "no docs", At: now, Confirmed: true}
		},
		"waiver": func(l *launch.Launch) {
			l.Checklist.Item(2).Waiver = &checklist.Waiver{By: "USEC", Until: "2026-11-30", Reason: "WAF next week", At: now}
		},
	}
	for name, change := range changes {
		l := gated()
		change(l)
		assert.NotEqual(t, base, l.Fingerprint(now), name)
	}

	l := gated()
	l.Checklist.Item(3).NA = &checklist.NA{By: "UBOSS", Reason: "no docs", At: now}
	assert.Equal(t, base, l.Fingerprint(now), "an N/A awaiting confirmation counts as open: nothing changed")
	l.Checklist.Item(2).Waiver = &checklist.Waiver{By: "USEC", Until: "2026-11-24", Reason: "lapsed", At: now}
	assert.Equal(t, base, l.Fingerprint(now), "a waiver whose date has passed counts nowhere")

	l = gated()
	l.Checklist.Item(1).DoneBy = "USOMEONE"
	l.ReviewDate = "2026-12-24"
	assert.Equal(t, base, l.Fingerprint(now), "who ticked and the review date do not change the decision")
}

func TestStaleOnlyAfterAGoWhoseFactsChanged(t *testing.T) {
	l := gated()
	assert.False(t, l.Stale(now), "nothing announced")

	_, err := l.Announce("UANY", now)
	require.NoError(t, err)
	_, err = l.SetDone("UANY", []int{3}, true, now)
	require.NoError(t, err)
	assert.False(t, l.Stale(now), "a NO-GO is never stale: it asks for changes")

	approveAll(t, l)
	_, err = l.SetDone("UANY", []int{2}, true, now)
	require.NoError(t, err)
	_, err = l.Announce("UANY", now)
	require.NoError(t, err)
	require.Equal(t, checklist.OutcomeGo, l.Announced.Outcome)
	assert.False(t, l.Stale(now))

	_, err = l.SetDone("UOWN", []int{1}, false, now)
	require.NoError(t, err)
	assert.True(t, l.Stale(now), "an untick after a GO")
	_, err = l.SetDone("UOWN", []int{1}, true, now)
	require.NoError(t, err)
	assert.False(t, l.Stale(now), "back to the facts the GO was given on")

	_, err = l.Answer("UPM", "Product Manager", checklist.VerdictConditional, "Docs by Friday", now)
	require.NoError(t, err)
	assert.True(t, l.Stale(now), "a verdict change after a GO")
}

func TestAnnounceFreezesTheReportAndItsInputs(t *testing.T) {
	l := gated()
	at := now.Add(time.Hour)
	events, err := l.Announce("UANY", at)
	require.NoError(t, err)
	require.Len(t, events, 1)
	ev := events[0]
	assert.Equal(t, launch.Kind("announce"), ev.Kind)
	assert.Equal(t, "UANY", ev.Actor)
	assert.Empty(t, ev.Before)

	var snap launch.Snapshot
	require.NoError(t, json.Unmarshal([]byte(ev.After), &snap))
	assert.Equal(t, checklist.OutcomeNoGo, snap.Outcome)
	assert.Equal(t, l.Fingerprint(now), snap.Fingerprint)
	assert.Equal(t, []int{1}, snap.Done)
	assert.Equal(t, 1, snap.Report.Readiness.Done)
	assert.Equal(t, 3, snap.Report.Readiness.Total)
	require.Len(t, snap.Report.Gates, 1)
	assert.False(t, snap.Report.Gates[0].Passed)
	assert.Equal(t, &launch.Announcement{Outcome: checklist.OutcomeNoGo, At: at, By: "UANY", Fingerprint: snap.Fingerprint}, l.Announced)

	events, err = l.Announce("UANY", at)
	require.NoError(t, err)
	assert.Equal(t, "NO-GO", events[0].Before, "the previous announcement")
}

func TestSetReview(t *testing.T) {
	l := gated()
	_, err := l.SetReview("UOTHER", "2026-12-10", now)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	_, err = l.SetReview("UBOSS", "10/12/2026", now)
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
	_, err = l.SetReview("UBOSS", "2026-11-24", now)
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err), "yesterday")

	events, err := l.SetReview("UPM", " 2026-12-10 ", now)
	require.NoError(t, err, "a role holder may")
	require.Len(t, events, 1)
	assert.Equal(t, launch.Event{Actor: "UPM", Kind: launch.KindReview, After: "2026-12-10"}, events[0])
	assert.Equal(t, "2026-12-10", l.ReviewDate)

	events, err = l.SetReview("UBOSS", "2026-12-10", now)
	require.NoError(t, err)
	assert.Empty(t, events, "the same date again changes nothing")
}

func TestWhoMayRequestApprovals(t *testing.T) {
	l := gated()
	assert.NoError(t, l.CanRequestApprovals("UBOSS"))
	assert.NoError(t, l.CanRequestApprovals("UPM"))
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(l.CanRequestApprovals("UOTHER")))
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(l.CanRequestApprovals("")), "nobody holds an unheld role")
}

func TestAllAnswered(t *testing.T) {
	l := gated()
	assert.False(t, l.AllAnswered())
	_, err := l.Answer("USEC", "Security Lead", checklist.VerdictRejected, "pen test open", now)
	require.NoError(t, err)
	assert.False(t, l.AllAnswered())
	_, err = l.Answer("UPM", "Product Manager", checklist.VerdictApproved, "", now)
	require.NoError(t, err)
	assert.True(t, l.AllAnswered(), "a rejection is an answer")

	l.Checklist.Roles = nil
	assert.False(t, l.AllAnswered(), "no roles, no decision by approvals")
}

func TestAnswersFreezeOnceTheDecisionIsAnnounced(t *testing.T) {
	l := gated()
	assert.NoError(t, l.AnswerFrozen("Security Lead", time.Time{}, now), "pending")
	approveAll(t, l)
	assert.NoError(t, l.AnswerFrozen("Security Lead", time.Time{}, now), "nothing announced yet")

	_, err := l.Announce("UANY", now.Add(time.Minute))
	require.NoError(t, err)
	err = l.AnswerFrozen("security lead", now, now)
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err))
	assert.Contains(t, err.Error(), "`approvals`")

	assert.NoError(t, l.AnswerFrozen("Security Lead", now.Add(time.Hour), now), "asked again after the announcement")
	_, err = l.Answer("USEC", "Security Lead", checklist.VerdictApproved, "", now.Add(2*time.Minute))
	require.NoError(t, err)
	assert.NoError(t, l.AnswerFrozen("Security Lead", now, now), "answered after the announcement")

	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(l.AnswerFrozen("Legal", now, now)))
}

func TestNAOffAfterAGoMakesItStale(t *testing.T) {
	l := gated()
	approveAll(t, l)
	_, err := l.SetDone("USEC", []int{2}, true, now)
	require.NoError(t, err)
	_, _, err = l.SetNA("UBOSS", 3, "no docs this release", now)
	require.NoError(t, err)
	_, err = l.Announce("UANY", now)
	require.NoError(t, err)
	require.Equal(t, checklist.OutcomeGo, l.Announced.Outcome)
	require.False(t, l.Stale(now))

	_, _, err = l.SetNA("UBOSS", 3, "off", now)
	require.NoError(t, err)
	assert.True(t, l.Stale(now), "the item counts again: the GO was given without it")
}

func TestAWaiverLapsingMakesAGoStale(t *testing.T) {
	l := gated()
	approveAll(t, l)
	l.Checklist.Roles[0].Holder = "USEC"
	_, events, err := l.Waive("USEC", 2, "2026-11-26", "WAF rules land on the 26th", now)
	require.NoError(t, err)
	require.Len(t, events, 1)
	_, err = l.Announce("UANY", now)
	require.NoError(t, err)
	require.Equal(t, checklist.OutcomeGo, l.Announced.Outcome, "the waiver lets Security pass")

	// 2026-11-26 23:30 in Paris is still the waiver's last day.
	lastMinute := time.Date(2026, 11, 26, 22, 30, 0, 0, time.UTC)
	assert.False(t, l.Stale(lastMinute))
	assert.Equal(t, checklist.OutcomeGo, l.Decide(lastMinute).Decision.Outcome)
	after := time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC) // midnight in Paris
	assert.True(t, l.Stale(after), "lapsed, before anything recorded it")
	assert.Equal(t, checklist.OutcomeNoGo, l.Decide(after).Decision.Outcome)
}
