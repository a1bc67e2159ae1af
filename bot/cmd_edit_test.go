package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// In the web template, the gate "Health Checks" (100%) measures the group
// Health Checks of section 4: items 85 to 89.
const healthGate = "Health Checks"

func gatePassed(t *testing.T, l *launch.Launch, name string) bool {
	t.Helper()
	for _, g := range l.Decide(testNow).Gates {
		if g.Gate.Name == name {
			return g.Passed
		}
	}
	require.Failf(t, "no gate", "gate %q", name)
	return false
}

func highestNumber(l *launch.Launch) int {
	n := 0
	for _, it := range l.Checklist.Items() {
		n = max(n, it.Number)
	}
	return n
}

func TestAddAndRemoveChangeTheDecision(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	_, g, it := l.Checklist.Locate(89)
	require.NotNil(t, it)
	require.Equal(t, healthGate, g.Title)

	require.Contains(t, h.command(creator, "tick 85 86 87 88").Answer.Text, "You ticked")
	assert.False(t, gatePassed(t, h.launch(), healthGate), "4 of 5 done")
	readiness := h.launch().Decide(testNow).Readiness

	a := h.command(creator, `remove 89 "Covered by the load balancer's probe"`)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "You removed item 89")
	got := h.launch()
	assert.Nil(t, got.Checklist.Item(89))
	assert.True(t, gatePassed(t, got, healthGate), "the removed item no longer counts")
	assert.Equal(t, readiness.Total-1, got.Decide(testNow).Readiness.Total)
	require.Len(t, got.Removed, 1)
	assert.Equal(t, launch.RemovedItem{Number: 89, Section: got.Checklist.Sections[3].Title, Text: it.Text, By: creator,
		At: got.Removed[0].At, Reason: "Covered by the load balancer's probe"}, got.Removed[0])

	a = h.command(creator, `add "Health Checks" "Readiness probe checks the database"`)
	assert.Contains(t, a.Answer.Text, "You added item")
	got = h.launch()
	n := highestNumber(got)
	added := got.Checklist.Item(n)
	require.NotNil(t, added)
	assert.Equal(t, "Readiness probe checks the database", added.Text)
	assert.False(t, added.Done)
	_, g, _ = got.Checklist.Locate(n)
	assert.Equal(t, healthGate, g.Title, "added to the group named")
	assert.False(t, gatePassed(t, got, healthGate), "the added open item counts at once")
	assert.Equal(t, readiness.Total, got.Decide(testNow).Readiness.Total)
	assert.NotEqual(t, l.Fingerprint(testNow), got.Fingerprint(testNow))

	// A section takes the item in its last group.
	a = h.command(creator, `add Security "Pen test report filed"`)
	require.Contains(t, a.Answer.Text, "You added item")
	sec := h.launch().Checklist.Sections[1]
	last := sec.Groups[len(sec.Groups)-1].Items
	assert.Equal(t, "Pen test report filed", last[len(last)-1].Text)

	a = h.command(creator, `add Nowhere "x"`)
	assert.Contains(t, a.Answer.Text, `There is no section or group "Nowhere"`)
}

func TestItemNumbersAreNeverReused(t *testing.T) {
	h := newHarness(t)
	top := highestNumber(h.newLaunch())

	require.Contains(t, h.command(creator, "remove "+itoa(top)+` "obsolete"`).Answer.Text, "You removed")
	require.Contains(t, h.command(creator, `add Security "First added"`).Answer.Text, "You added item "+itoa(top+1))
	require.Contains(t, h.command(creator, "remove "+itoa(top+1)+` "typo"`).Answer.Text, "You removed")
	// The highest number ever given is gone from the checklist: a new item
	// still gets the next one, also after a restart.
	h.stop()
	h = h.another()
	assert.Contains(t, h.command(creator, `add Security "Second added"`).Answer.Text, "You added item "+itoa(top+2))
	l := h.launch()
	assert.Equal(t, top+2, l.LastItem)
	assert.Nil(t, l.Checklist.Item(top+1))
	assert.Equal(t, "Second added", l.Checklist.Item(top+2).Text)

	a := h.command(creator, "edit "+itoa(top+1)+` "back?"`)
	assert.Contains(t, a.Answer.Text, "Item "+itoa(top+1)+" was removed on", "a removed item says so")
}

func TestEditOfADoneItemTellsTheChannel(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	require.Contains(t, h.command("UEVE", "tick 85").Answer.Text, "You ticked")
	posts := h.slack.count("chat.postMessage")

	a := h.command(creator, `edit 86 "Liveness probe: <!channel> restarts a stuck pod"`)
	require.Contains(t, a.Answer.Text, "You reworded item 86")
	assert.NotContains(t, a.Answer.Text, "<!channel>", "no live ping")
	assert.Equal(t, "Liveness probe: @channel restarts a stuck pod", h.launch().Checklist.Item(86).Text, "Slack's markup stored as the word")

	before := h.launch().Checklist.Item(85).Text
	a = h.command(creator, `edit 85 "Readiness probe on /ready"`)
	require.Contains(t, a.Answer.Text, "You reworded item 85")
	require.Eventually(t, func() bool {
		for _, c := range h.slack.callsOf("chat.postMessage") {
			if strings.Contains(unJSON(c.Form.Get("blocks")), "reworded item 85, which is done") {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "the channel is told a done item changed")
	var notice string
	for _, c := range h.slack.callsOf("chat.postMessage")[posts:] {
		if strings.Contains(unJSON(c.Form.Get("blocks")), "reworded item") {
			notice = unJSON(c.Form.Get("blocks"))
			assert.Equal(t, testChan, c.Form.Get("channel"))
		}
	}
	assert.Contains(t, notice, "<@UCREATOR> reworded item 85, which is done")
	assert.Contains(t, notice, "“"+before+"”")
	assert.Contains(t, notice, "“Readiness probe on /ready”")
	assert.NotContains(t, notice, "item 86", "an open item's rewording is not announced")

	it := h.launch().Checklist.Item(85)
	assert.True(t, it.Done, "rewording keeps the tick")
	assert.Equal(t, "Readiness probe on /ready", it.Text)

	assert.Contains(t, h.command(creator, `edit 85 "Readiness probe on /ready"`).Answer.Text, "already says that; nothing changed")
}

func TestEditsNeedTheSectionOwnerOrTheCreator(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	require.Equal(t, "in_channel", h.command(creator, "owner Security <@UDANA|dana>").Answer.ResponseType)
	security := l.Checklist.Sections[1].Groups[0].Items[0].Number // 22
	infra := l.Checklist.Sections[0].Groups[0].Items[0].Number    // 1
	ctx := context.Background()
	audit, err := h.store.Audit(ctx, l.ID)
	require.NoError(t, err)

	for _, cmd := range []string{
		`add Security "Extra"`,
		"edit " + itoa(security) + ` "Reworded"`,
		"remove " + itoa(security) + ` "No reason"`,
		"note " + itoa(security) + " https://evil.example.com",
	} {
		t.Run(cmd, func(t *testing.T) {
			a := h.command("UEVE", cmd)
			assert.Equal(t, "ephemeral", a.Answer.ResponseType)
			assert.Contains(t, a.Answer.Text, "Only the owner of Security, <@UDANA>, or the launch's creator <@UCREATOR>")
		})
	}
	// The section's owner may edit their section, not another.
	assert.Contains(t, h.command("UDANA", "edit "+itoa(infra)+` "Mine now"`).Answer.Text,
		"Only the launch's creator <@UCREATOR> can reword items in Infrastructure")
	after, err := h.store.Audit(ctx, l.ID)
	require.NoError(t, err)
	assert.Len(t, after, len(audit), "refusals change nothing")
	assert.Equal(t, l.Checklist.Items(), h.launch().Checklist.Items())

	assert.Contains(t, h.command("UDANA", `add Security "Extra"`).Answer.Text, "You added item")
	assert.Contains(t, h.command("UDANA", "edit "+itoa(security)+` "Reworded"`).Answer.Text, "You reworded")
	assert.Contains(t, h.command("UDANA", "note "+itoa(security)+" ok").Answer.Text, "You added a note")
	assert.Contains(t, h.command("UDANA", "remove "+itoa(security)+` "Done elsewhere"`).Answer.Text, "You removed")

	after, err = h.store.Audit(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, after, len(audit)+4, "each change is audited")
	var actions []string
	for _, e := range after[len(audit):] {
		assert.Equal(t, "UDANA", e.Actor)
		actions = append(actions, string(e.Kind)+" "+e.Subject()+": "+e.Before+" → "+e.After)
	}
	orig := l.Checklist.Item(security).Text
	assert.Equal(t, []string{
		"add item " + itoa(highestNumber(l)+1) + ":  → Extra (in Security / Network Security)",
		"edit item " + itoa(security) + ": " + orig + " → Reworded",
		"note item " + itoa(security) + ":  → ok",
		"remove item " + itoa(security) + ": Reworded → removed: Done elsewhere",
	}, actions)
}

func TestEditLimitsAndUsage(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	long := strings.Repeat("x", launch.MaxItemText+1)
	assert.Contains(t, h.command(creator, `add Security "`+long+`"`).Answer.Text, "is 501 characters long; keep it to 500 or fewer")
	assert.Contains(t, h.command(creator, `edit 1 "`+long+`"`).Answer.Text, "keep it to 500 or fewer")
	assert.Contains(t, h.command(creator, "note 1 "+strings.Repeat("y", launch.MaxNote+1)).Answer.Text, "is 1001 characters long; keep it to 1000 or fewer")
	assert.Contains(t, h.command(creator, "remove 1 "+strings.Repeat("z", launch.MaxNote+1)).Answer.Text, "keep it to 1000 or fewer")
	assert.Contains(t, h.command(creator, "remove 1").Answer.Text, "Usage:")
	assert.Contains(t, h.command(creator, "edit x \"y\"").Answer.Text, "is not an item number")
	assert.Contains(t, h.command(creator, `edit 99999 "y"`).Answer.Text, "There is no item 99999")
	assert.Contains(t, h.command(creator, `add Security ""`).Answer.Text, "Say the new item's text")
	l := h.launch()
	assert.Empty(t, l.Removed)
	assert.Empty(t, l.Checklist.Item(1).Notes)
	assert.Equal(t, 0, l.LastItem, "nothing was added")
}

func TestNotesShowUnderTheItemAndInTheExport(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	ts := h.postChecklist("Monitoring")

	a := h.command("UCREATOR", "note 86 <https://ci.example.com/run/381?a=1&amp;b=2|ci run>")
	require.Contains(t, a.Answer.Text, "You added a note to item 86: https://ci.example.com/run/381?a=1&amp;b=2", "escaped once")
	h.command("UCREATOR", "note 87 <!channel> see <@U999|mallory>")
	h.command("UCREATOR", `remove 88 "Merged into 87"`)

	l := h.launch()
	require.Len(t, l.Checklist.Item(86).Notes, 1)
	assert.Equal(t, checklist.Note{By: creator, At: l.Checklist.Item(86).Notes[0].At, Text: "https://ci.example.com/run/381?a=1&b=2"},
		l.Checklist.Item(86).Notes[0], "a link is kept as its address")
	assert.Equal(t, "@channel see @mallory", l.Checklist.Item(87).Notes[0].Text, "no live ping or mention is stored")

	// The three changes may reach the message in one refresh or in several
	// (a slow machine): wait for the last one.
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return strings.Contains(unJSON(m.Blocks), "📎 https://ci.example.com/run/381?a=1&amp;b=2") &&
			!strings.Contains(unJSON(m.Blocks), "88. ")
	}, settle, 5*time.Millisecond, "the live checklist shows the note under the item, escaped, and no longer the removed item")
	m, _ := h.slack.message(ts)
	blocks := unJSON(m.Blocks)
	assert.NotContains(t, blocks, "<!channel>")
	assert.NotContains(t, blocks, "88. ", "the removed item is gone from the checklist")

	js, err := exporters["json"](l, testNow)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"text": "https://ci.example.com/run/381?a=1&b=2"`)
	assert.Contains(t, string(js), `"removed_items": [`)
	assert.Contains(t, string(js), `"reason": "Merged into 87"`)
	assert.Contains(t, string(js), `"removed_by": "UCREATOR"`)
	csv, err := exporters["csv"](l, testNow)
	require.NoError(t, err)
	assert.Contains(t, string(csv), "https://ci.example.com/run/381?a=1&b=2 (UCREATOR ")
	assert.Contains(t, string(csv), ",true,UCREATOR,"+l.Removed[0].At.UTC().Format(time.RFC3339)+",Merged into 87"+strings.Repeat(",", 20)+"\r\n",
		"the removed row, with empty due, N/A, waiver, evidence, freshness and probe cells")
}

func TestEditCommandsRefuseAReplay(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	for _, cmd := range []string{`add Security "Once"`, `edit 1 "Once"`, "note 1 once", `remove 2 "once"`} {
		t.Run(cmd, func(t *testing.T) {
			req := h.captureCommand(creator, cmd)
			require.Contains(t, h.send(req).Answer.Text, "You ")
			before := h.launch()
			assert.Contains(t, h.send(req).Answer.Text, msgReplayedCommand)
			after := h.launch()
			assert.Equal(t, before.Checklist.Items(), after.Checklist.Items())
			assert.Equal(t, before.Removed, after.Removed)
		})
	}
}

func TestAddingToASignedOffSectionVoidsItsSignoff(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	sec := l.Checklist.Sections[1]
	var nums []string
	for _, g := range sec.Groups {
		for _, it := range g.Items {
			nums = append(nums, itoa(it.Number))
		}
	}
	require.Contains(t, h.command(creator, "tick "+strings.Join(nums, " ")).Answer.Text, "You ticked")
	_, err := h.store.Update(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SignOff(creator, "Security", now)
	})
	require.NoError(t, err)
	require.NotNil(t, h.launch().Checklist.Sections[1].Signoff)

	a := h.command(creator, `add Security "Pen test report filed"`)
	assert.Contains(t, a.Answer.Text, "The sign-off of Security is void now.")
	assert.Nil(t, h.launch().Checklist.Sections[1].Signoff)
	require.Eventually(t, func() bool {
		for _, c := range h.slack.callsOf("chat.postMessage") {
			if strings.Contains(unJSON(c.Form.Get("blocks")), "to Security: its sign-off is void now") {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "the channel is told")
}
