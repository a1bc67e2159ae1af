package launch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// TestWhoMayDoWhat: every permission rule of a launch, in one table. In
// sample(), UBOSS created the launch, USEC owns the section Security (its
// item 1 owned by UOWN, item 2 unowned), Documentation has no owner, and
// ULEAD holds the role Security Lead. UOTHER is anyone else in the channel.
func TestWhoMayDoWhat(t *testing.T) {
	rules := []struct {
		name string
		// may does the action as user on a fresh launch.
		may  func(l *launch.Launch, user string) error
		whom map[string]bool // user → allowed; users not listed: refused
	}{
		{"tick an owned item", func(l *launch.Launch, u string) error { return l.CanTick(u, 1) },
			map[string]bool{"UBOSS": true, "USEC": true, "UOWN": true}},
		{"tick an unowned item", func(l *launch.Launch, u string) error { return l.CanTick(u, 2) },
			map[string]bool{"UBOSS": true, "USEC": true, "UOWN": true, "ULEAD": true, "UOTHER": true}},
		{"assign an item", func(l *launch.Launch, u string) error { return errOf(l.SetItemOwner(u, 2, "UNEW")) },
			map[string]bool{"UBOSS": true, "USEC": true}},
		{"assign a section", func(l *launch.Launch, u string) error { return errOf(l.SetSectionOwner(u, "Security", "UNEW")) },
			map[string]bool{"UBOSS": true}},
		{"sign a section off", func(l *launch.Launch, u string) error { return l.CanSignOff(u, l.Checklist.Sections[0]) },
			map[string]bool{"UBOSS": true, "USEC": true}},
		{"sign an unowned section off", func(l *launch.Launch, u string) error { return l.CanSignOff(u, l.Checklist.Sections[1]) },
			map[string]bool{"UBOSS": true}},
		{"reword in an owned section", func(l *launch.Launch, u string) error { return l.CanEdit(u, l.Checklist.Sections[0], "reword items") },
			map[string]bool{"UBOSS": true, "USEC": true}},
		{"reword in an unowned section", func(l *launch.Launch, u string) error { return l.CanEdit(u, l.Checklist.Sections[1], "reword items") },
			map[string]bool{"UBOSS": true}},
		{"move the date", func(l *launch.Launch, u string) error { return errOf(l.MoveDate(u, "2026-12-03", "", now)) },
			map[string]bool{"UBOSS": true}},
		{"archive", func(l *launch.Launch, u string) error { return errOf(l.Archive(u)) },
			map[string]bool{"UBOSS": true}},
		{"switch the daily reminders", func(l *launch.Launch, u string) error { return errOf(l.SetReminders(u, false)) },
			map[string]bool{"UBOSS": true}},
		{"change the time zone", func(l *launch.Launch, u string) error { return errOf(l.SetTimezone(u, "Asia/Tokyo")) },
			map[string]bool{"UBOSS": true}},
		{"update the checklist", func(l *launch.Launch, u string) error { return l.CanUpdate(u) },
			map[string]bool{"UBOSS": true}},
		{"add a role", func(l *launch.Launch, u string) error { return errOf(l.AddRole(u, "Legal")) },
			map[string]bool{"UBOSS": true}},
		{"remove a role", func(l *launch.Launch, u string) error { return errOf(l.RemoveRole(u, "Security Lead")) },
			map[string]bool{"UBOSS": true}},
		{"give a role", func(l *launch.Launch, u string) error { return errOf(l.SetRoleHolder(u, "Security Lead", "UNEW")) },
			map[string]bool{"UBOSS": true}},
		{"answer for a role", func(l *launch.Launch, u string) error { return l.CanAnswer(u, "Security Lead") },
			map[string]bool{"ULEAD": true}},
		{"ask for approvals", func(l *launch.Launch, u string) error { return l.CanRequestApprovals(u) },
			map[string]bool{"UBOSS": true, "ULEAD": true}},
		{"set the review date", func(l *launch.Launch, u string) error { return errOf(l.SetReview(u, "2026-12-10", now)) },
			map[string]bool{"UBOSS": true, "ULEAD": true}},
		{"waive an item", func(l *launch.Launch, u string) error {
			_, _, err := l.Waive(u, 2, "2026-11-30", "vendor fix due", now)
			return err
		}, map[string]bool{"ULEAD": true}},
	}
	for _, rule := range rules {
		for _, user := range []string{"UBOSS", "USEC", "UOWN", "ULEAD", "UOTHER"} {
			l := sample()
			l.Checklist.Roles[0].Holder = "ULEAD"
			err := rule.may(l, user)
			if rule.whom[user] {
				assert.NoError(t, err, "%s may %s", user, rule.name)
			} else {
				assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err), "%s may not %s: %v", user, rule.name, err)
			}
		}
	}
}

func TestNobodyAnswersForARoleNobodyHolds(t *testing.T) {
	l := sample()
	err := l.CanAnswer("UBOSS", "Security Lead")
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	assert.Equal(t, "Nobody holds the role Security Lead now, so nobody can answer for it; nothing was recorded.", launch.ErrorMessage(err))
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(l.CanAnswer("UBOSS", "Legal")))
}

func errOf(_ []launch.Event, err error) error { return err }

// TestChangesSayWhatTheChannelHears: the notices each change makes, as the
// domain decides them; the bot only words them.
func TestChangesSayWhatTheChannelHears(t *testing.T) {
	t.Run("an untick voids a sign-off", func(t *testing.T) {
		l := sample()
		_, err := l.SetDone("UOWN", []int{1}, false, now)
		require.NoError(t, err)
		assert.Equal(t, []launch.Notice{{Kind: launch.NoticeUntickVoided, Actor: "UOWN", Sections: []string{"Security"},
			Key: "notice:1:" + launch.InstantKey(now) + ":void:UOWN:Security"}}, l.Notices(now))
		assert.Empty(t, l.Notices(now), "handed over once")
	})
	t.Run("a tick says nothing", func(t *testing.T) {
		l := sample()
		_, err := l.SetDone("UOWN", []int{2}, true, now)
		require.NoError(t, err)
		assert.Empty(t, l.Notices(now))
	})
	t.Run("an item added to a signed-off section", func(t *testing.T) {
		l := sample()
		n, _, err := l.AddItem("USEC", "Security", "Pen test")
		require.NoError(t, err)
		assert.Equal(t, []launch.Notice{{Kind: launch.NoticeAddVoided, Actor: "USEC", Items: []int{n}, Sections: []string{"Security"},
			Key: "notice:1:" + launch.InstantKey(now) + ":add:4:void"}}, l.Notices(now))
	})
	t.Run("a done item reworded", func(t *testing.T) {
		l := sample()
		_, _, _, err := l.EditItem("USEC", 1, "Secrets rotated twice")
		require.NoError(t, err)
		assert.Equal(t, []launch.Notice{{Kind: launch.NoticeDoneReworded, Actor: "USEC", Items: []int{1},
			Before: "Secrets rotated", After: "Secrets rotated twice",
			Key: "notice:1:" + launch.InstantKey(now) + ":edit:1:USEC"}}, l.Notices(now))
		_, _, _, err = l.EditItem("USEC", 2, "WAF rules reviewed")
		require.NoError(t, err)
		assert.Empty(t, l.Notices(now), "an open item reworded says nothing")
	})
	t.Run("the last answer makes a decision due", func(t *testing.T) {
		l := sample()
		l.Checklist.Roles[0].Holder = "ULEAD"
		events, err := l.RecordAnswer("ULEAD", "Security Lead", checklist.VerdictApproved, "", now)
		require.NoError(t, err)
		require.Len(t, events, 2)
		assert.Equal(t, launch.KindVerdict, events[0].Kind)
		assert.Equal(t, launch.Event{Actor: launch.Golive, Kind: launch.KindAnnounce}, launch.Event{Actor: events[1].Actor, Kind: events[1].Kind})
		require.NotNil(t, l.Announced)
		assert.Equal(t, []launch.Notice{{Kind: launch.NoticeDecision, Actor: launch.Golive, Key: "announce:1:" + launch.InstantKey(now)}}, l.Notices(now))

		// Answering again, every role answered already: no decision is due.
		events, err = l.RecordAnswer("ULEAD", "Security Lead", checklist.VerdictConditional, "Load test first", now.Add(time.Minute))
		require.NoError(t, err)
		assert.Len(t, events, 1)
	})
	t.Run("an answer that is not the last", func(t *testing.T) {
		l := sample()
		l.Checklist.Roles = append(l.Checklist.Roles, &checklist.Role{Name: "Product", Holder: "UPM", Verdict: checklist.VerdictPending})
		l.Checklist.Roles[0].Holder = "ULEAD"
		events, err := l.RecordAnswer("ULEAD", "Security Lead", checklist.VerdictApproved, "", now)
		require.NoError(t, err)
		assert.Len(t, events, 1)
		assert.Nil(t, l.Announced)
		assert.Empty(t, l.Notices(now))
	})
	t.Run("a change that leaves a GO stale", func(t *testing.T) {
		l := sample()
		l.Checklist.Sections[0].Groups[0].Items[1].Done = true
		l.Checklist.Sections[1].Groups[0].Items[0].Done = true
		l.Checklist.Roles[0].Holder = "ULEAD"
		_, err := l.RecordAnswer("ULEAD", "Security Lead", checklist.VerdictApproved, "", now)
		require.NoError(t, err)
		require.Equal(t, checklist.OutcomeGo, l.Announced.Outcome)
		l.Notices(now)
		_, err = l.SetDone("UBOSS", []int{3}, false, now)
		require.NoError(t, err)
		assert.Equal(t, []launch.Notice{{Kind: launch.NoticeStale, Key: "stale:1:" + launch.InstantKey(now)}}, l.Notices(now))
	})
}

func TestRequestApprovalsAsksTheHolders(t *testing.T) {
	l := sample()
	_, _, err := l.RequestApprovals("UBOSS", time.Time{})
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err), "nobody holds a role: nobody to ask")

	l.Checklist.Roles = append(l.Checklist.Roles, &checklist.Role{Name: "Legal"}, &checklist.Role{Name: "Product", Holder: "UPM"})
	l.Checklist.Roles[0].Holder = "ULEAD"
	assert.False(t, l.AsksNewHolder(l.Checklist.Roles[0]), "nobody asked yet: a new holder waits for `approvals`")
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	roles, events, err := l.RequestApprovals("UPM", at)
	require.NoError(t, err)
	assert.Equal(t, at, l.ApprovalsAsked)
	assert.True(t, l.AsksNewHolder(l.Checklist.Roles[0]), "asked once: a new holder is asked at once")
	assert.False(t, l.AsksNewHolder(l.Checklist.Roles[1]), "a role nobody holds asks nobody")
	assert.Equal(t, []*checklist.Role{l.Checklist.Roles[0], l.Checklist.Roles[2]}, roles, "the roles nobody holds are not asked")
	assert.Equal(t, []launch.Event{{Actor: "UPM", Kind: launch.KindApprovalsRequest,
		After: "asked Security Lead (<@ULEAD>), Product (<@UPM>)"}}, events)
}
