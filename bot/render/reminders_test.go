package render

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

var nine = schedule.DefaultTimeOfDay

// composed is the content of the seed launch's reminder of kind and key at now.
func composed(t *testing.T, l *launch.Launch, r schedule.Reminder, now time.Time) schedule.Content {
	t.Helper()
	c, err := schedule.Compose(l, r, nine, now)
	require.NoError(t, err)
	return c
}

func seedWindow(t *testing.T, l *launch.Launch, name string) schedule.DueWindow {
	t.Helper()
	for _, w := range schedule.Windows(l, nine) {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("seed has no window %q", name)
	return schedule.DueWindow{}
}

func TestReminderWindowGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	week := seedWindow(t, l, "1 Week Before Launch")
	l.Checklist.Item(week.Items[0]).Owner = "U0SAM"
	l.Checklist.Item(week.Items[1]).Text = "Load testing <!channel> & friends"
	_, err := l.SetDone(l.Creator, []int{week.Items[2]}, true, fixedNow)
	require.NoError(t, err)

	w := seedWindow(t, l, "3 Days Before Launch")
	l.Checklist.Item(w.Items[0]).Owner = "U0DANA"
	l.Checklist.Item(w.Items[1]).Owner = "U0SAM"
	l.Checklist.Item(w.Items[2]).Owner = "U0SAM"
	c := composed(t, l, schedule.Reminder{Kind: schedule.KindWindow, Key: w.Key}, w.Due)
	m := ReminderMessage(l, c, nil)
	golden(t, "ReminderWindow", m)
	assert.Empty(t, CheckMessage(m))
	assert.Equal(t, "3 Days Before Launch: 6 of 6 tasks open for Realtor AI Copilot. "+
		"Launch in 3 days: readiness 39.7%, 5 gates failing, 2 approvals pending. 6 overdue from earlier windows.", m.Text)
	s := mrkdwnText(t, m)
	assert.Contains(t, s, "<@U0DANA> ")
	assert.Contains(t, s, "<@U0SAM> ")
	assert.Contains(t, s, "Load testing &lt;!channel&gt; &amp; friends")
	assert.Contains(t, s, "_1 Week Before Launch_")
	assertClickableLikeChecklist(t, l, m)
}

// assertClickableLikeChecklist checks that every checkbox element of m holds
// the very items the checklist's element with the same block id holds: the
// tick handler reads a click through render.ElementItems.
func assertClickableLikeChecklist(t *testing.T, l *launch.Launch, m Message) {
	t.Helper()
	seen := 0
	for _, b := range m.Blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		v, k, err := ParseTickBlockID(ab.BlockID)
		require.NoError(t, err)
		want, ok := ElementItems(l, v, k)
		require.True(t, ok, ab.BlockID)
		box := ab.Elements.ElementSet[0].(*slack.CheckboxGroupsBlockElement)
		assert.Equal(t, ActionTick+":"+strconv.Itoa(k), box.ActionID)
		var got []int
		for _, o := range box.Options {
			n, err := strconv.Atoi(o.Value)
			require.NoError(t, err)
			got = append(got, n)
		}
		assert.Equal(t, want, got, ab.BlockID)
		seen++
	}
	assert.Positive(t, seen, "the reminder has checkboxes")
}

func TestReminderCountdownGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	c := composed(t, l, schedule.Reminder{Kind: schedule.KindCountdown, Key: "2026-02-18"}, fixedNow)
	m := ReminderMessage(l, c, nil)
	golden(t, "ReminderCountdown", m)
	assert.Empty(t, CheckMessage(m))
	assert.Equal(t, "Launch in 12 days: readiness 39.2%, 5 gates failing, 4 approvals pending", m.Text)
	assert.Contains(t, mrkdwnText(t, m), "Next: *1 Week Before Launch* on Mon 23 Feb at 09:00 (Europe/Paris)")
}

func TestReminderOverdueDMGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	week := seedWindow(t, l, "1 Week Before Launch")
	for _, n := range week.Items[:3] {
		l.Checklist.Item(n).Owner = "U0SAM"
	}
	l.Checklist.Item(week.Items[1]).Done = true
	at := seedWindow(t, l, "3 Days Before Launch").Due
	c := composed(t, l, schedule.Reminder{Kind: schedule.KindOverdueDM, Key: "2026-02-27 U0SAM",
		Payload: schedule.Payload{Day: "2026-02-27", Owner: "U0SAM"}}, at)
	m := ReminderMessage(l, c, nil)
	golden(t, "ReminderOverdueDM", m)
	assert.Empty(t, CheckMessage(m))
	n1, n3 := week.Items[0], week.Items[2]
	assert.Equal(t, fmt.Sprintf("2 tasks overdue in Realtor AI Copilot: %d, %d", n1, n3), m.Text)
	assert.Contains(t, mrkdwnText(t, m), fmt.Sprintf("`tick %d %d`", n1, n3))
	for _, b := range m.Blocks {
		assert.NotEqual(t, slack.MBTAction, b.BlockType(), "no checkboxes in a DM: a click there has no channel")
	}
}

// TestReminderOfAHugeWindowKeepsToSlackLimits: a window of 500 tasks and
// 400 overdue ones still makes a message Slack takes.
func TestReminderOfAHugeWindowKeepsToSlackLimits(t *testing.T) {
	l := generated(2, 1, 10, 300)
	sec := &checklist.Section{Index: 2, Number: 3, Title: "Tasks", Kind: checklist.KindWindow}
	n := 10_000
	for gi, offset := range []int{-7, -3} {
		g := &checklist.Group{Index: gi, Title: fmt.Sprintf("Window %d", offset), Window: &checklist.WindowSpec{OffsetMinutes: offset * 1440}}
		w := checklist.Window{Name: g.Title, OffsetMinutes: offset * 1440, Section: 2, Group: gi}
		for i := range 450 {
			n++
			g.Items = append(g.Items, &checklist.Item{Number: n, Text: fmt.Sprintf("Task %d %s", i, "<b>&"), Owner: fmt.Sprintf("U0O%d", i%40), Task: true})
			w.Items = append(w.Items, n)
		}
		sec.Groups = append(sec.Groups, g)
		l.Checklist.Windows = append(l.Checklist.Windows, w)
	}
	l.Checklist.Sections = append(l.Checklist.Sections, sec)
	w := l.Checklist.Windows[1]
	due, err := time.Parse(time.RFC3339, "2026-02-27T09:00:00Z")
	require.NoError(t, err)
	c := composed(t, l, schedule.Reminder{Kind: schedule.KindWindow, Key: schedule.WindowKey(w)}, due)
	require.Len(t, c.Overdue, 450)
	m := ReminderMessage(l, c, nil)
	assert.Empty(t, CheckMessage(m))
	assert.Contains(t, mrkdwnText(t, m), "more tasks: `checklist` shows them all")
	assertClickableLikeChecklist(t, l, m)
}

func TestReminderScheduleGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	m := ReminderSchedule(l, nil, nil, nine, fixedNow)
	golden(t, "ReminderSchedule", m)
	assert.Empty(t, CheckMessage(m))
	s := mrkdwnText(t, m)
	assert.Contains(t, s, "• Thu 19 Feb 09:00 — daily countdown")
	assert.Contains(t, s, "• Mon 23 Feb 09:00 — *1 Week Before Launch* (7 tasks)")
	assert.Contains(t, s, "The daily countdown is on")

	l.RemindersOff = true
	s = mrkdwnText(t, ReminderSchedule(l, nil, nil, nine, fixedNow))
	assert.NotContains(t, s, "daily countdown\n")
	assert.Contains(t, s, "The daily countdown is off; `reminders on` switches it back on.")

	after := ReminderSchedule(l, nil, nil, nine, fixedNow.AddDate(0, 2, 0))
	assert.Contains(t, mrkdwnText(t, after), "Nothing more is planned")
}

// TestReminderScheduleShowsFailuresAndNudges: `schedule` lists the
// reminders being retried and those given up on, in words rather than the
// errors' text, and the holders still to answer the approval request.
func TestReminderScheduleShowsFailuresAndNudges(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	l.Checklist.Roles[0].Holder = "U0ERIN"
	l.Checklist.Roles[1].Holder = "U0FRED"
	l.Checklist.Roles[1].Verdict = checklist.VerdictApproved
	asks := schedule.Asks{{LaunchID: l.ID, Role: l.Checklist.Roles[0].Name, Holder: "U0ERIN", AskedAt: fixedNow.Add(-time.Hour)}}
	due := fixedNow.Add(-2 * time.Hour)
	troubled := []schedule.Reminder{
		{Kind: schedule.KindWindow, Key: "9.0", DueAt: due, State: schedule.StatePending, Attempts: 3,
			NextAttemptAt: fixedNow.Add(4 * time.Minute), LastError: "post window 9.0 of launch 1: not_in_channel",
			Payload: schedule.Payload{Window: "1 Week <Before> Launch"}},
		{Kind: schedule.KindOverdueDM, Key: "2026-02-17 U0SAM", DueAt: due, State: schedule.StateDead, Attempts: 1,
			LastError: "open a DM with U0SAM: user_disabled", Payload: schedule.Payload{Owner: "U0SAM"}},
		{Kind: schedule.KindCountdown, Key: "2026-02-17", DueAt: due, State: schedule.StatePending, Attempts: 1,
			NextAttemptAt: fixedNow, LastError: "load launch: database is locked /var/lib/golive.db"},
	}
	m := ReminderSchedule(l, asks, troubled, nine, fixedNow)
	assert.Empty(t, CheckMessage(m))
	assert.Contains(t, m.Text, "; 3 failing")
	s := mrkdwnText(t, m)
	assert.Contains(t, s, "*Reminders that failed* (3)")
	assert.Contains(t, s, "— *1 Week &lt;Before&gt; Launch*: 3 attempts so far, next try")
	assert.Contains(t, s, "golive is not in the channel: `/invite @golive` there")
	assert.Contains(t, s, "overdue DM to <@U0SAM>: given up on · the person's account is deactivated")
	assert.Contains(t, s, "daily countdown: 1 attempt so far")
	assert.Contains(t, s, "the post failed (golive's logs say why)")
	assert.NotContains(t, s, "database is locked", "an error's own text never reaches Slack")
	assert.Contains(t, s, "Still to answer the approval request: <@U0ERIN>; asked again by DM at 09:00 each day up to launch day.")
	assert.NotContains(t, s, "U0FRED", "who answered is not nudged")
}
