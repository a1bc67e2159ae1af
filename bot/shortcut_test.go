package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// shortcutPayload is the message_action payload of "Start a launch" used
// by user on a message of channel.
func (h *harness) shortcutPayload(user, channel string, message map[string]any) map[string]any {
	return map[string]any{
		"type":         "message_action",
		"callback_id":  ShortcutImport,
		"trigger_id":   "trigger-shortcut",
		"response_url": h.slack.responseURL("shortcut"),
		"team":         map[string]any{"id": testTeam},
		"user":         map[string]any{"id": user, "name": "importer"},
		"channel":      map[string]any{"id": channel, "name": "launch"},
		"message":      message,
	}
}

// sharedMessage is a message that shares files, with text.
func sharedMessage(text string, files ...map[string]any) map[string]any {
	m := map[string]any{"type": "message", "ts": "1700000000.000042", "user": "USHARER", "text": text}
	if len(files) > 0 {
		fs := make([]any, len(files))
		for i, f := range files {
			fs[i] = f
		}
		m["files"] = fs
	}
	return m
}

// openedForm waits for the n-th views.open and returns the view it asked for.
func (h *harness) openedForm(n int) slack.ModalViewRequest {
	h.t.Helper()
	require.Eventually(h.t, func() bool { return h.slack.count("views.open") >= n }, 5*time.Second, 5*time.Millisecond)
	var req struct {
		TriggerID string                 `json:"trigger_id"`
		View      slack.ModalViewRequest `json:"view"`
	}
	require.NoError(h.t, json.Unmarshal(h.slack.callsOf("views.open")[n-1].JSON, &req))
	assert.Equal(h.t, "trigger-shortcut", req.TriggerID)
	assert.Empty(h.t, render.CheckModal(req.View), "the form stays inside Slack's limits")
	return req.View
}

// formSubmission is the submission of a form Slack opened: only its name,
// date and time are filled in.
func formSubmission(user string, form slack.ModalViewRequest, name, date string) map[string]any {
	return map[string]any{
		"type": "view_submission",
		"team": map[string]any{"id": testTeam},
		"user": map[string]any{"id": user, "name": "importer"},
		"view": map[string]any{
			"id": "V1", "type": "modal", "callback_id": form.CallbackID, "private_metadata": form.PrivateMetadata,
			"state": map[string]any{"values": map[string]any{
				render.ImportNameBlock: map[string]any{render.ImportNameAction: map[string]any{"type": "plain_text_input", "value": name}},
				render.ImportDateBlock: map[string]any{render.ImportDateAction: map[string]any{"type": "datepicker", "selected_date": date}},
			}},
		},
	}
}

// shortcutAnswer waits for the shortcut's private answer through its response_url.
func (h *harness) shortcutAnswer() string {
	h.t.Helper()
	require.Eventually(h.t, func() bool { return h.slack.count("response_url") >= 1 }, 5*time.Second, 5*time.Millisecond)
	a := h.slack.responses(h.t)[0]
	assert.NotEqual(h.t, slack.ResponseTypeInChannel, a.ResponseType, "for the user alone")
	return a.Text
}

// inputBlocks are the ids of a view's input blocks.
func inputBlocks(v slack.ModalViewRequest) []string {
	var ids []string
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			ids = append(ids, in.BlockID)
		}
	}
	return ids
}

// TestShortcutFileOpensTheFormWithIt: the shortcut on a message sharing the
// seed checklist opens the import form with that file chosen; the user gives
// a name and a date, sees the preview, and Confirm creates the launch.
func TestShortcutFileOpensTheFormWithIt(t *testing.T) {
	h := newHarness(t)
	data, err := os.ReadFile(filepath.Join("..", "internal", "checklist", "testdata", "seed000.md"))
	require.NoError(t, err)
	file := h.slack.shareFile("FSEED", "launch-checklist.md", "text/markdown", fakeFile{data: data, contentType: "text/markdown"})
	a := h.interact(h.shortcutPayload("UIMP", testChan, sharedMessage("Our checklist <@UDANA>", file)))
	require.Equal(t, http.StatusOK, a.Status)
	assert.Empty(t, strings.TrimSpace(string(a.Body)), "a shortcut is acknowledged empty")

	form := h.openedForm(1)
	assert.Equal(t, render.ImportCallbackID, form.CallbackID)
	assert.Equal(t, testChan+" file FSEED", form.PrivateMetadata)
	assert.Contains(t, viewJSON(t, form), "the file *launch-checklist.md* from the message you picked (13 KB)")
	assert.Equal(t, []string{render.ImportNameBlock, render.ImportDateBlock, render.ImportTimeBlock, render.ImportOptionsBlock}, inputBlocks(form),
		"no file or paste field: the checklist is chosen")

	preview := importConfirmed(t, h, "UIMP", formSubmission("UIMP", form, "Checkout v2", "2026-12-01"))
	assert.Contains(t, viewJSON(t, preview), "*Checkout v2*: 252 items")
	l := h.launch()
	assert.Equal(t, "UIMP", l.Creator)
	assert.Len(t, l.Checklist.Items(), 252)
	assert.GreaterOrEqual(t, h.slack.count("files.info"), 1, "the file is found again by its id")
	assert.Equal(t, 1, h.slack.count("file_download"))
	assert.Zero(t, h.slack.count("response_url"), "no answer besides the form")
}

// TestShortcutTextChecklist: a message whose own text is a checklist
// (escaped by Slack, with the composer's bullets) opens the form with it.
func TestShortcutTextChecklist(t *testing.T) {
	h := newHarness(t)
	text := "## Security\n• [ ] Keys rotated &amp; stored\n• [x] p95 &lt; 1 s\n## Operations\n• [ ] Runbook written"
	h.interact(h.shortcutPayload("UIMP", testChan, sharedMessage(text)))
	form := h.openedForm(1)
	assert.True(t, strings.HasPrefix(form.PrivateMetadata, testChan+" text "), form.PrivateMetadata)
	assert.Contains(t, viewJSON(t, form), "the text of the message you picked")

	// Someone else's submission of this form (a forged payload) is refused.
	errs := submitErrors(t, h.interact(formSubmission("UOTHER", form, "Payments", "2026-12-01")))
	assert.Contains(t, errs[render.ImportOptionsBlock], "someone else's import")

	importConfirmed(t, h, "UIMP", formSubmission("UIMP", form, "Payments", "2026-12-01"))
	items := h.launch().Checklist.Items()
	require.Len(t, items, 3)
	assert.Equal(t, "Keys rotated & stored", items[0].Text)
	assert.Equal(t, "p95 < 1 s", items[1].Text)
	assert.True(t, items[1].Done)
}

// TestShortcutWithoutChecklist: a message golive cannot start a launch from
// gets the reason privately, and no form opens.
func TestShortcutWithoutChecklist(t *testing.T) {
	big := make([]byte, render.ImportFileMaxBytes+1)
	cases := map[string]struct {
		message map[string]any
		want    string
	}{
		"prose":    {sharedMessage("Ship it on Monday?"), "This message has no checklist golive can import"},
		"empty":    {sharedMessage(""), "This message has no checklist golive can import"},
		"image":    {sharedMessage("", map[string]any{"id": "FIMG", "name": "diagram.png", "mimetype": "image/png", "size": 2048}), "diagram.png: This file is image/png, not text"},
		"too big":  {sharedMessage("", map[string]any{"id": "FBIG", "name": "huge.md", "mimetype": "text/markdown", "size": len(big)}), "huge.md: This file is larger than 1024 KB"},
		"deleted":  {sharedMessage("", map[string]any{"id": "FDEL", "name": "old.md", "mode": "tombstone"}), "old.md: This file was deleted"},
		"escaped":  {sharedMessage("", map[string]any{"id": "FX", "name": "<!channel>.pdf", "mimetype": "application/pdf", "size": 10}), "‹!channel›.pdf"},
		"bullets":  {sharedMessage("• Tag the release\n• Announce it"), "This message has no checklist"},
		"no files": {sharedMessage("- [ ]"), "This message has no checklist"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			a := h.interact(h.shortcutPayload("UIMP", testChan, c.message))
			require.Equal(t, http.StatusOK, a.Status)
			assert.Contains(t, h.shortcutAnswer(), c.want)
			assert.Zero(t, h.slack.count("views.open"), "no form")
		})
	}

	// A usable file after an unusable one is the one chosen.
	h := newHarness(t)
	md := h.slack.shareFile("FMD", "checklist.md", "text/markdown", fakeFile{data: []byte(smallChecklist), contentType: "text/markdown"})
	h.interact(h.shortcutPayload("UIMP", testChan, sharedMessage("",
		map[string]any{"id": "FIMG", "name": "diagram.png", "mimetype": "image/png", "size": 2048}, md)))
	assert.Equal(t, testChan+" file FMD", h.openedForm(1).PrivateMetadata)
}

// TestShortcutChannelChecks: the shortcut in a channel with an active launch
// is refused, with the way to update it; after the launch is archived, the
// form opens. A file that changed since (now too large) is refused in the form.
func TestShortcutChannelChecks(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	file := h.slack.shareFile("FSMALL", "checklist.md", "text/markdown", fakeFile{data: []byte(smallChecklist), contentType: "text/markdown"})
	h.interact(h.shortcutPayload("UIMP", testChan, sharedMessage("", file)))
	// As with the slash command there, which updates the launch, for its
	// creator only.
	want := h.command("UIMP", "import").Answer.Text
	assert.Contains(t, want, "Only the launch's creator <@UCREATOR> can update its checklist")
	assert.Equal(t, want, h.shortcutAnswer(), "the same answer as /golive import")
	assert.Zero(t, h.slack.count("views.open"))

	archived := h.command(creator, "archive")
	require.Contains(t, archived.Answer.Text, "archived")
	h.interact(h.shortcutPayload("UIMP", testChan, sharedMessage("", file)))
	form := h.openedForm(1)

	// The file grew past the limit between the shortcut and the submission.
	h.slack.shareFile("FSMALL", "checklist.md", "text/markdown", fakeFile{data: []byte(strings.Repeat("x", render.ImportFileMaxBytes+1)), contentType: "text/markdown"})
	errs := submitErrors(t, h.interact(formSubmission("UIMP", form, "Payments", "2026-12-01")))
	assert.Contains(t, errs[render.ImportOptionsBlock], "larger than 1024 KB")

	// A form whose private_metadata was tampered with is refused.
	form.PrivateMetadata = testChan + " file ../../etc"
	errs = submitErrors(t, h.interact(formSubmission("UIMP", form, "Payments", "2026-12-01")))
	assert.Contains(t, errs[render.ImportMarkdownBlock], "lost track")

	// A message without a channel (a forged payload) opens nothing.
	h.interact(h.shortcutPayload("UIMP", "", sharedMessage("", file)))
	require.Eventually(t, func() bool { return h.slack.count("response_url") >= 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Contains(t, h.slack.responses(t)[1].Text, "cannot tell which channel")
	assert.Equal(t, 1, h.slack.count("views.open"))
	_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "nothing was created")
}

// TestShortcutUnknown: a shortcut golive does not know is answered, not dropped.
func TestShortcutUnknown(t *testing.T) {
	h := newHarness(t)
	p := h.shortcutPayload("UIMP", testChan, sharedMessage(smallChecklist))
	p["callback_id"] = "something_else"
	h.interact(p)
	assert.Contains(t, h.shortcutAnswer(), "golive does not know this shortcut")
	assert.Zero(t, h.slack.count("views.open"))
}

// TestShortcutUpdatesTheRunningLaunch: the launch's creator using the
// shortcut on a newer version of its checklist gets the update form with
// that file, then the update preview; Confirm updates the launch.
func TestShortcutUpdatesTheRunningLaunch(t *testing.T) {
	h := newHarness(t)
	importConfirmed(t, h, creator, importSubmission(creator, testChan, "Payments", "2026-12-01", smallChecklist))
	h.change(func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UDEV", []int{1}, true, now)
	})
	newer := smallChecklist + "- [ ] Dashboards reviewed\n"
	file := h.slack.shareFile("FNEWER", "checklist-v2.md", "text/markdown", fakeFile{data: []byte(newer), contentType: "text/markdown"})
	h.interact(h.shortcutPayload(creator, testChan, sharedMessage("v2 of the checklist", file)))
	form := h.openedForm(1)
	assert.Equal(t, testChan+" file FNEWER", form.PrivateMetadata)
	assert.Contains(t, viewJSON(t, form), "This channel runs the launch *Payments*: golive brings the file *checklist-v2.md* from the message you picked")
	assert.Equal(t, []string{render.ImportOptionsBlock}, inputBlocks(form), "nothing to fill in")

	sub := formSubmission(creator, form, "", "")
	delete(sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any), render.ImportNameBlock)
	delete(sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any), render.ImportDateBlock)
	preview := previewOf(t, h.interact(sub))
	assert.Contains(t, viewJSON(t, preview), "*1 added, 0 removed, 0 reworded*")
	assert.Equal(t, "clear", responseAction(t, h.interact(confirmPayload(creator, preview))))
	l := h.launch()
	require.Len(t, l.Checklist.Items(), 4)
	assert.True(t, l.Checklist.Item(1).Done, "the tick stays")
	assert.Equal(t, "Dashboards reviewed", l.Checklist.Item(4).Text)
}
