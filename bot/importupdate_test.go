package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/export"
	"github.com/golive/golive/internal/launch"
)

// updateSubmission is the update form (no name, no date) with markdown pasted.
func updateSubmission(user, markdown string) map[string]any {
	sub := importSubmission(user, testChan, "", "", markdown)
	values := sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
	delete(values, render.ImportNameBlock)
	delete(values, render.ImportDateBlock)
	return sub
}

// updatedView decodes a view_submission acknowledgement that replaces the
// view, checks it against Slack's limits, and returns it.
func updatedView(t *testing.T, a ack) slack.ModalViewRequest {
	t.Helper()
	var resp struct {
		ResponseAction string                 `json:"response_action"`
		View           slack.ModalViewRequest `json:"view"`
	}
	require.NoError(t, json.Unmarshal(a.Body, &resp), "%s", a.Body)
	require.Equal(t, "update", resp.ResponseAction, "%s", a.Body)
	assert.Empty(t, render.CheckModal(resp.View))
	return resp.View
}

// change applies fn to the test channel's launch, as a command would.
func (h *harness) change(fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) {
	h.t.Helper()
	_, err := h.store.Update(context.Background(), h.launch().ID, fn)
	require.NoError(h.t, err)
}

// auditActions counts the launch's audit rows by action.
func (h *harness) auditActions() map[string]int {
	h.t.Helper()
	entries, err := h.store.Audit(context.Background(), h.launch().ID)
	require.NoError(h.t, err)
	out := map[string]int{}
	for _, e := range entries {
		out[string(e.Kind)]++
	}
	return out
}

const manyItemsHead = "# Big launch\n\n## 1. Readiness\n"

func manyItems(items, added int) string {
	var b strings.Builder
	b.WriteString(manyItemsHead)
	for i := 1; i <= items; i++ {
		fmt.Fprintf(&b, "- [ ] Check %d green\n", i)
	}
	for i := 1; i <= added; i++ {
		fmt.Fprintf(&b, "- [ ] New step %d\n", i)
	}
	return b.String()
}

// TestImportUpdateKeeps100TicksAndAddsFive is the "done when": a
// newer checklist with 5 more items, brought into a launch with 100 ticks.
func TestImportUpdateKeeps100TicksAndAddsFive(t *testing.T) {
	h := newHarness(t)
	importConfirmed(t, h, "UIMP", importSubmission("UIMP", testChan, "Big", "2026-12-01", manyItems(100, 0)))
	h.change(func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		var all []int
		for _, it := range l.Checklist.Items() {
			all = append(all, it.Number)
		}
		return l.SetDone("UDEV", all, true, now)
	})
	ts := h.postChecklist("")
	require.NotEmpty(t, ts)
	updates := h.slack.count("chat.update")

	preview := previewOf(t, h.interact(updateSubmission("UIMP", manyItems(100, 5))))
	body := viewJSON(t, preview)
	assert.Contains(t, body, "*Update Big* from this checklist: *5 added, 0 removed, 0 reworded*, 100 unchanged.")
	assert.Contains(t, body, "➕ *105* · Readiness · New step 5")
	assert.Len(t, h.launch().Checklist.Items(), 100, "nothing changes before Confirm")

	assert.Equal(t, "clear", responseAction(t, h.interact(confirmPayload("UIMP", preview))))
	l := h.launch()
	require.Len(t, l.Checklist.Items(), 105)
	done := 0
	for _, it := range l.Checklist.Items() {
		if it.Done {
			done++
			assert.Equal(t, "UDEV", it.DoneBy)
		}
	}
	assert.Equal(t, 100, done, "every tick stays")
	for n := 101; n <= 105; n++ {
		assert.False(t, l.Checklist.Item(n).Done, "item %d arrives open", n)
	}
	assert.Equal(t, 5, h.auditActions()["add"])

	// The channel is told, and the open checklist message shows the new items.
	require.Eventually(t, func() bool {
		for _, c := range h.slack.callsOf("chat.postMessage") {
			if strings.Contains(c.Form.Get("text"), "<@UIMP> updated the checklist of “Big” from a newer version: 5 added, 0 removed, 0 reworded, 100 unchanged.") {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return h.slack.count("chat.update") > updates }, 5*time.Second, 5*time.Millisecond)
}

const updateV1 = `# Payments go-live
## 1. Security
- [ ] Secrets rotated
- [ ] Pen test done
- [ ] TLS certificates renewed
**Sign-off:** _______________  Date: __________
## 2. Operations
- [ ] Runbook written
## 3. Go/No-Go
**Approved by:**
- Security Lead: _______________
`

func TestImportUpdateRewordsRemovesAndVoids(t *testing.T) {
	h := newHarness(t)
	importConfirmed(t, h, "UIMP", importSubmission("UIMP", testChan, "Payments", "2026-12-01", updateV1))
	h.change(func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		var events []launch.Event
		for _, step := range []func() ([]launch.Event, error){
			func() ([]launch.Event, error) { return l.SetDone("UIMP", []int{1, 3}, true, now) },
			func() ([]launch.Event, error) { return l.SetItemOwner("UIMP", 1, "UDANA") },
			func() ([]launch.Event, error) { return l.SignOff("UIMP", "Security", now) },
			func() ([]launch.Event, error) { return l.SetRoleHolder("UIMP", "Security Lead", "ULEAD") },
			func() ([]launch.Event, error) {
				return l.Answer("ULEAD", "Security Lead", checklist.VerdictApproved, "", now)
			},
		} {
			evs, err := step()
			if err != nil {
				return nil, err
			}
			events = append(events, evs...)
		}
		return events, nil
	})
	v2 := strings.NewReplacer("- [ ] Secrets rotated\n", "- [ ] Secrets rotated every quarter\n",
		"- [ ] TLS certificates renewed\n", "").Replace(updateV1)

	// Only the creator: the form says so, and nothing is kept.
	errs := submitErrors(t, h.interact(updateSubmission("UOTHER", v2)))
	assert.Contains(t, errs[render.ImportFileBlock], "Only the launch's creator <@UIMP>")

	preview := previewOf(t, h.interact(updateSubmission("UIMP", v2)))
	body := viewJSON(t, preview)
	assert.Contains(t, body, "*0 added, 1 removed, 1 reworded*, 2 unchanged")
	assert.Contains(t, body, "✏️ *1* · Security · Secrets rotated _(done)_")
	assert.Contains(t, body, "      → Secrets rotated every quarter")
	assert.Contains(t, body, "➖ *3* · Security · ~TLS certificates renewed~ _(done)_")
	assert.Contains(t, body, "The sign-off of Security becomes void")
	assert.Contains(t, body, "The answers of Security Lead go back to pending")

	// A double Confirm applies once.
	assert.Equal(t, "clear", responseAction(t, h.interact(confirmPayload("UIMP", preview))))
	assert.Equal(t, "clear", responseAction(t, h.interact(confirmPayload("UIMP", preview))))
	actions := h.auditActions()
	assert.Equal(t, 1, actions["remove"])
	assert.Equal(t, 1, actions["edit-done"])
	assert.Equal(t, 1, actions["signoff-void"])
	assert.Equal(t, 1, actions["verdict-void"])

	l := h.launch()
	it := l.Checklist.Item(1)
	assert.Equal(t, "Secrets rotated every quarter", it.Text)
	assert.True(t, it.Done, "the reworded item keeps its tick")
	assert.Equal(t, "UDANA", it.Owner)
	assert.Nil(t, l.Checklist.Item(3))
	require.Len(t, l.Removed, 1)
	assert.Equal(t, launch.RemovedByUpdate, l.Removed[0].Reason)
	assert.Nil(t, l.Checklist.Sections[0].Signoff)
	role := l.Checklist.Role("Security Lead")
	assert.Equal(t, "ULEAD", role.Holder)
	assert.Equal(t, checklist.VerdictPending, role.Verdict)

	require.Eventually(t, func() bool {
		for _, c := range h.slack.callsOf("chat.postMessage") {
			text := c.Form.Get("text")
			if strings.Contains(text, "updated the checklist") {
				return strings.Contains(text, "The sign-off of Security is void now") &&
					strings.Contains(text, "The answers of Security Lead were given on the old checklist and are back to pending") &&
					strings.Contains(text, "Done items that changed: 1 (reworded), 3 (removed)")
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond)
}

// TestImportUpdateConfirmsOnlyWhatItShowed: when the launch changes between
// the preview and Confirm, nothing is applied and the new preview shows.
func TestImportUpdateConfirmsOnlyWhatItShowed(t *testing.T) {
	h := newHarness(t)
	importConfirmed(t, h, "UIMP", importSubmission("UIMP", testChan, "Payments", "2026-12-01", updateV1))
	v2 := strings.Replace(updateV1, "- [ ] Runbook written\n", "- [ ] Runbook written\n- [ ] On-call rota\n", 1)
	preview := previewOf(t, h.interact(updateSubmission("UIMP", v2)))
	assert.Contains(t, viewJSON(t, preview), "*1 added, 0 removed, 0 reworded*")

	// Meanwhile item 2 is removed in Slack: the update would now add it back.
	h.change(func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		_, events, err := l.RemoveItem("UIMP", 2, "done elsewhere", now)
		return events, err
	})
	again := updatedView(t, h.interact(confirmPayload("UIMP", preview)))
	body := viewJSON(t, again)
	assert.Contains(t, body, "The launch changed since that preview, so nothing was updated.")
	assert.Contains(t, body, "*2 added, 0 removed, 0 reworded*")
	assert.Zero(t, h.auditActions()["update"], "nothing was applied")

	assert.Equal(t, "clear", responseAction(t, h.interact(confirmPayload("UIMP", again))))
	assert.Equal(t, 1, h.auditActions()["update"])
	assert.Len(t, h.launch().Checklist.Items(), 5)
}

// TestImportUpdateOfItsOwnExportChangesNothing: the Markdown export of a
// worked launch, brought back into it, has nothing new.
func TestImportUpdateOfItsOwnExportChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	require.Contains(t, h.command(creator, "tick 1 2 3 85").Answer.Text, "You ticked")
	require.Contains(t, h.command(creator, `remove 4 "not for us"`).Answer.Text, "You removed item 4")
	require.Contains(t, h.command(creator, `add Security "Chaos drill"`).Answer.Text, "You added item")
	require.Contains(t, h.command(creator, `owner 5 <@UDANA|dana>`).Answer.Text, "")
	before := h.auditActions()
	md, err := export.Markdown(h.launch())
	require.NoError(t, err)
	file := h.slack.shareFile("FEXPORT", "golive-checkout-v2.md", "text/markdown", fakeFile{data: md, contentType: "text/markdown"})
	sub := fileSubmission(creator, testChan, "", "", file)
	values := sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
	delete(values, render.ImportNameBlock)
	delete(values, render.ImportDateBlock)
	delete(values, render.ImportMarkdownBlock)
	errs := submitErrors(t, h.interact(sub))
	assert.Contains(t, errs[render.ImportFileBlock], "This checklist has nothing new for “Checkout v2”")
	assert.Equal(t, before, h.auditActions(), "nothing changed")
}

func TestImportCommandOffersTheUpdate(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	a := h.command("UOTHER", "import")
	assert.Contains(t, a.Answer.Text, "Only the launch's creator <@UCREATOR> can update its checklist")
	assert.Zero(t, h.slack.count("views.open"))

	h.command(creator, "import")
	require.Eventually(t, func() bool { return h.slack.count("views.open") == 1 }, 5*time.Second, 5*time.Millisecond)
	view := unJSON(string(h.slack.callsOf("views.open")[0].JSON))
	assert.Contains(t, view, "Update the checklist")
	assert.Contains(t, view, "This channel runs the launch *Checkout v2*")
	assert.NotContains(t, view, render.ImportDateBlock, "the launch keeps its date")
}

// TestImportUpdateFileRefusals: a file golive cannot use, in the update
// form, gets its reason under the file field, and nothing changes.
func TestImportUpdateFileRefusals(t *testing.T) {
	h := newHarness(t)
	importConfirmed(t, h, "UIMP", importSubmission("UIMP", testChan, "Payments", "2026-12-01", updateV1))
	for want, file := range map[string]map[string]any{
		"This file is image/png, not text": h.slack.shareFile("FPNG", "diagram.png", "image/png", fakeFile{data: []byte("\x89PNG"), contentType: "image/png"}),
		"This is not a checklist golive can read": h.slack.shareFile("FTXT", "notes.md", "text/markdown",
			fakeFile{data: []byte("Just prose, no box."), contentType: "text/markdown"}),
	} {
		sub := fileSubmission("UIMP", testChan, "", "", file)
		values := sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
		delete(values, render.ImportNameBlock)
		delete(values, render.ImportDateBlock)
		delete(values, render.ImportMarkdownBlock)
		errs := submitErrors(t, h.interact(sub))
		assert.Contains(t, errs[render.ImportFileBlock], want)
	}
	assert.Zero(t, h.auditActions()["update"])
}

// TestShellUpdateIsToldAndRefreshed: an update from the shell (`golive
// import --update`) is told in the channel by the bot, and the launch's
// open checklist messages show it.
func TestShellUpdateIsToldAndRefreshed(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.newLaunch()
	ts := h.postChecklist("Security")
	require.NotEmpty(t, ts)
	updates := h.slack.count("chat.update")
	md, err := export.Markdown(h.launch())
	require.NoError(t, err)
	next, _, err := checklist.Parse([]byte(strings.Replace(string(md), "- [ ] API key authentication implemented\n",
		"- [ ] API key authentication implemented\n- [ ] Secrets scanned in CI\n", 1)))
	require.NoError(t, err)
	var diff launch.Diff
	// As `golive import --update` does, from another process: the sender
	// is not poked, and finds the notice on its own.
	_, err = h.store.Update(ctx, h.launch().ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		d, events, err := l.UpdateChecklist(creator, next, now)
		diff = d
		if err != nil {
			return nil, err
		}
		return events, TellNotices(l, now)
	})
	require.NoError(t, err)
	require.Equal(t, 1, diff.Added)

	var posts []fakeCall
	require.Eventually(t, func() bool {
		posts = h.slack.callsOf("chat.postMessage")
		return len(posts) > 0 && strings.Contains(unJSON(posts[len(posts)-1].Form.Get("text")), "updated the checklist")
	}, 5*time.Second, 5*time.Millisecond)
	assert.Contains(t, unJSON(posts[len(posts)-1].Form.Get("text")), "<@UCREATOR> updated the checklist of “Checkout v2” from a newer version: 1 added, 0 removed")
	require.Eventually(t, func() bool { return h.slack.count("chat.update") > updates }, 5*time.Second, 5*time.Millisecond)
	m, _ := h.slack.message(ts)
	assert.Contains(t, unJSON(m.Blocks), "Secrets scanned in CI")
}
