package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// plainItem returns the first item of l that is in no time window, so
// that only its own due date can make it overdue.
func plainItem(t *testing.T, l *launch.Launch) int {
	t.Helper()
	var inWindow []int
	for _, w := range schedule.Windows(l, schedule.DefaultTimeOfDay) {
		inWindow = append(inWindow, w.Items...)
	}
	for _, it := range l.Checklist.Items() {
		if !slices.Contains(inWindow, it.Number) {
			return it.Number
		}
	}
	require.Fail(t, "every item is in a window")
	return 0
}

func TestDueCommand(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch() // dated 2026-12-01; the clock reads 2026-11-20
	n := plainItem(t, l)
	ref := itoa(n)

	a := h.command("USTRANGER", "due "+ref+" 2026-11-25")
	assert.Contains(t, a.Answer.Text, "Only the launch's creator")
	assert.Empty(t, h.launch().Checklist.Item(n).Due, "a refused due date is not set")

	a = h.command(creator, "due "+ref+" T-3d")
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "Item "+ref+" is due on 2026-11-28")
	assert.Equal(t, "2026-11-28", h.launch().Checklist.Item(n).Due, "three days before the launch date")

	a = h.command(creator, "due "+ref+" 2026-11-28")
	assert.Contains(t, a.Answer.Text, "already due on 2026-11-28; nothing changed")

	for arg, want := range map[string]string{
		"2026-13-01": `"2026-13-01" is not a due date`,
		"tomorrow":   `"tomorrow" is not a due date`,
		"2036-01-01": "is too far from today",
		"T-900d":     "is too far from today",
	} {
		a = h.command(creator, "due "+ref+" "+arg)
		assert.Contains(t, a.Answer.Text, want, arg)
	}
	a = h.command(creator, "due nine 2026-11-25")
	assert.Contains(t, a.Answer.Text, "is not an item number")
	a = h.command(creator, "due 9999 2026-11-25")
	assert.Contains(t, a.Answer.Text, "9999")
	assert.Equal(t, "2026-11-28", h.launch().Checklist.Item(n).Due, "refused dates change nothing")

	// The owner of the item's section may set it too.
	s, _, _ := h.launch().Checklist.Locate(n)
	require.Contains(t, h.command(creator, "owner "+strings.Fields(s.Title)[0]+" <@UDANA>").Answer.Text, "UDANA")
	require.Equal(t, "UDANA", h.launch().Checklist.Sections[s.Index].Owner)
	a = h.command("UDANA", "due "+ref+" 2026-11-27")
	assert.Contains(t, a.Answer.Text, "is due on 2026-11-27")

	// A replay of a signed due command changes nothing.
	replay := h.captureCommand(creator, "due "+ref+" off")
	a = h.send(replay)
	assert.Contains(t, a.Answer.Text, "no due date of its own any more")
	assert.Empty(t, h.launch().Checklist.Item(n).Due)
	require.Contains(t, h.command("UDANA", "due "+ref+" 2026-11-27").Answer.Text, "is due on 2026-11-27")
	a = h.send(replay)
	assert.Equal(t, msgReplayedCommand, a.Answer.Text)
	assert.Equal(t, "2026-11-27", h.launch().Checklist.Item(n).Due)
	require.Contains(t, h.command(creator, "due "+ref+" off").Answer.Text, "no due date of its own any more")

	// A window's task is due with its window until given a date of its own.
	w := schedule.Windows(l, schedule.DefaultTimeOfDay)[0]
	a = h.command(creator, "due "+itoa(w.Items[0])+" off")
	assert.Contains(t, a.Answer.Text, "It is due with its window *"+w.Name+"*")

	entries, err := h.store.Audit(context.Background(), l.ID)
	require.NoError(t, err)
	var dues []string
	for _, e := range entries {
		if e.Kind == launch.KindDue {
			dues = append(dues, e.Actor+": "+e.Before+" → "+e.After)
		}
	}
	assert.Equal(t, []string{
		creator + ":  → 2026-11-28",
		"UDANA: 2026-11-28 → 2026-11-27",
		creator + ": 2026-11-27 → no due date",
		"UDANA:  → 2026-11-27",
		creator + ": 2026-11-27 → no due date",
	}, dues, "each change is audited, and only changes")
}

// TestOverdueItemFlaggedAndDMed runs delivery on a fake clock:
// an open item past its own due date is flagged in status, and its owner
// gets the daily overdue DM, from the day after the date on (before any
// window of the launch has passed).
func TestOverdueItemFlaggedAndDMed(t *testing.T) {
	ctx := context.Background()
	clock := &settableClock{t: testNow}
	h := newHarness(t, func(c *Config) { c.Now = clock.Now })
	h.store.Now = clock.Now
	dr := h.drive(clock.Now)

	l := h.newLaunch()
	n := plainItem(t, l)
	ref := itoa(n)
	require.Contains(t, h.command(creator, "owner "+ref+" <@UDANA>").Answer.Text, "UDANA")
	require.Contains(t, h.command(creator, "due "+ref+" 2026-11-21").Answer.Text, "is due on 2026-11-21")
	require.Eventually(t, func() bool {
		rows, err := h.store.Reminders(ctx, l.ID)
		require.NoError(t, err)
		for _, r := range rows {
			if r.Kind == schedule.KindDigest && r.Key == "2026-11-22" {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "a digest the day after the due date")

	statusText := func() string {
		before := len(h.slack.callsOf("chat.postMessage"))
		h.command(creator, "status")
		var text string
		require.Eventually(t, func() bool {
			posts := h.slack.callsOf("chat.postMessage")
			if len(posts) == before {
				return false
			}
			text = posts[len(posts)-1].Form.Get("blocks")
			return true
		}, 5*time.Second, 5*time.Millisecond)
		return text
	}
	assert.NotContains(t, statusText(), "Overdue", "not overdue on its due date's eve")

	dr.runTo(clock.Set, clock.Now, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	opens := h.slack.callsOf("conversations.open")
	require.Len(t, opens, 1, "one overdue DM")
	assert.Equal(t, "UDANA", opens[0].Form.Get("users"))
	var dm string
	for _, c := range h.slack.callsOf("chat.postMessage") {
		if strings.HasPrefix(c.Form.Get("channel"), "D") {
			dm = c.Form.Get("blocks")
		}
	}
	assert.Contains(t, dm, "1 task of yours is open, and its due date has passed")
	assert.Contains(t, dm, "*"+ref+"*")
	assert.Contains(t, dm, "due 2026-11-21")

	status := statusText()
	assert.Contains(t, status, "Overdue: 1 open item")
	assert.Contains(t, status, "*"+ref+"* ")
	assert.Contains(t, status, "\\u003c@UDANA\\u003e")

	// Ticked, it is overdue no more.
	require.Contains(t, h.command("UDANA", "tick "+ref).Answer.Text, "You ticked")
	assert.NotContains(t, statusText(), "Overdue")
}
