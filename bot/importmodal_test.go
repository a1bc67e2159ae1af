package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
)

// importSubmission is the view_submission payload of the import form.
func importSubmission(user, channel, name, date, markdown string) map[string]any {
	return map[string]any{
		"type": "view_submission",
		"team": map[string]any{"id": testTeam},
		"user": map[string]any{"id": user, "name": "importer"},
		"view": map[string]any{
			"id": "V1", "type": "modal", "callback_id": render.ImportCallbackID, "private_metadata": channel,
			"state": map[string]any{"values": map[string]any{
				render.ImportNameBlock:     map[string]any{render.ImportNameAction: map[string]any{"type": "plain_text_input", "value": name}},
				render.ImportDateBlock:     map[string]any{render.ImportDateAction: map[string]any{"type": "datepicker", "selected_date": date}},
				render.ImportMarkdownBlock: map[string]any{render.ImportMarkdownAction: map[string]any{"type": "plain_text_input", "value": markdown}},
			}},
		},
	}
}

// previewOf decodes a view_submission acknowledgement that pushes the
// import preview, checks it against Block Kit's limits, and returns it.
func previewOf(t *testing.T, a ack) slack.ModalViewRequest {
	t.Helper()
	require.Equal(t, http.StatusOK, a.Status)
	var resp struct {
		ResponseAction string                 `json:"response_action"`
		View           slack.ModalViewRequest `json:"view"`
		Errors         map[string]string      `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(a.Body, &resp), "%s", a.Body)
	require.Equal(t, "push", resp.ResponseAction, "errors: %v", resp.Errors)
	require.Equal(t, render.ImportPreviewCallbackID, resp.View.CallbackID)
	assert.Empty(t, render.CheckModal(resp.View), "the preview stays inside Slack's limits")
	return resp.View
}

// confirmPayload is the view_submission of the preview's Confirm.
func confirmPayload(user string, preview slack.ModalViewRequest) map[string]any {
	return map[string]any{
		"type": "view_submission",
		"team": map[string]any{"id": testTeam},
		"user": map[string]any{"id": user, "name": "importer"},
		"view": map[string]any{"id": "V2", "type": "modal", "callback_id": preview.CallbackID, "private_metadata": preview.PrivateMetadata},
	}
}

// importConfirmed submits the form, checks the preview, and confirms it.
func importConfirmed(t *testing.T, h *harness, user string, form map[string]any) slack.ModalViewRequest {
	t.Helper()
	preview := previewOf(t, h.interact(form))
	assert.Equal(t, "clear", responseAction(t, h.interact(confirmPayload(user, preview))), "Confirm closes every view")
	return preview
}

// responseAction is a view_submission acknowledgement's response_action.
func responseAction(t *testing.T, a ack) string {
	t.Helper()
	require.Equal(t, http.StatusOK, a.Status)
	var resp struct {
		ResponseAction string `json:"response_action"`
	}
	require.NoError(t, json.Unmarshal(a.Body, &resp), "%s", a.Body)
	return resp.ResponseAction
}

const smallChecklist = `# Payments go-live
## 1. Security
- [ ] Secrets rotated
- [x] Pen test done
## 2. Operations
- [ ] Runbook written
`

// submitErrors decodes a view_submission acknowledgement's field errors.
func submitErrors(t *testing.T, a ack) map[string]string {
	t.Helper()
	require.Equal(t, http.StatusOK, a.Status)
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(a.Body, &resp))
	require.Equal(t, "errors", resp.ResponseAction)
	return resp.Errors
}

func TestImportSubmitWithMalformedChecklistShowsFieldError(t *testing.T) {
	h := newHarness(t)
	cases := map[string]string{
		"Just some prose, no checkbox at all": render.ImportMarkdownBlock,
		"\x00\x01binary":                      render.ImportMarkdownBlock,
	}
	for md, block := range cases {
		errs := submitErrors(t, h.interact(importSubmission("UIMP", testChan, "Payments", "2026-12-01", md)))
		assert.Contains(t, errs, block, "%q", md)
		assert.Contains(t, errs[block], "This is not a checklist golive can read")
	}
	errs := submitErrors(t, h.interact(importSubmission("UIMP", testChan, "Payments", "2026-12-01", " \n ")))
	assert.Equal(t, "Choose a checklist file, or paste a checklist below.", errs[render.ImportFileBlock], "neither a file nor a paste")
	errs = submitErrors(t, h.interact(importSubmission("UIMP", testChan, " ", "", smallChecklist)))
	assert.Equal(t, "Give the launch a name.", errs[render.ImportNameBlock])
	assert.Equal(t, "Pick the launch date.", errs[render.ImportDateBlock])

	errs = submitErrors(t, h.interact(importSubmission("UIMP", "not-a-channel", "Payments", "2026-12-01", smallChecklist)))
	assert.Contains(t, errs[render.ImportMarkdownBlock], "lost track of its channel")

	assert.Zero(t, h.slack.total(), "nothing was posted")
}

func TestImportSubmitCreatesTheLaunchAndReports(t *testing.T) {
	h := newHarness(t)
	preview := previewOf(t, h.interact(importSubmission("UIMP", testChan, "Payments <!here>", "2026-12-01", smallChecklist)))
	require.Error(t, func() error { _, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan); return err }(), "nothing is created before Confirm")
	assert.Contains(t, viewJSON(t, preview), "*Payments &lt;!here&gt;*: 3 items in 2 sections")
	assert.Equal(t, "clear", responseAction(t, h.interact(confirmPayload("UIMP", preview))))

	l := h.launch()
	assert.Equal(t, "Payments <!here>", l.Name)
	assert.Equal(t, "UIMP", l.Creator)
	assert.Empty(t, l.Template)
	assert.Len(t, l.Checklist.Items(), 3)
	assert.True(t, l.Checklist.Item(2).Done, "done states are imported")

	require.Eventually(t, func() bool { return h.slack.count("chat.postEphemeral") == 1 }, 5*time.Second, 5*time.Millisecond)
	call := h.slack.callsOf("chat.postEphemeral")[0]
	assert.Equal(t, "UIMP", call.Form.Get("user"))
	assert.Equal(t, testChan, call.Form.Get("channel"))
	assert.Contains(t, unJSON(call.Form.Get("blocks")), "*Payments &lt;!here&gt;*", "escaped in mrkdwn")

	// The channel learns that a launch started, as with `new`.
	require.Eventually(t, func() bool { return h.slack.count("chat.postMessage") == 1 }, 5*time.Second, 5*time.Millisecond)
	notice := h.slack.callsOf("chat.postMessage")[0]
	assert.Equal(t, testChan, notice.Form.Get("channel"))
	assert.Contains(t, notice.Form.Get("text"), "<@UIMP> started the launch “Payments ‹!here›” for 2026-12-01 09:00 (Europe/Paris) from an imported checklist: 3 items", "the name cannot ping")

	// A second import in the same channel updates the launch: the same
	// checklist has nothing new, and the form says so.
	errs := submitErrors(t, h.interact(importSubmission("UIMP", testChan, "Again", "2026-12-01", smallChecklist)))
	assert.Contains(t, errs[render.ImportMarkdownBlock], "This checklist has nothing new for “Payments ‹!here›”")
	// A changed one is previewed as an update of the running launch.
	preview = previewOf(t, h.interact(importSubmission("UIMP", testChan, "Again", "2026-12-01", smallChecklist+"- [ ] Alerts wired\n")))
	assert.Contains(t, viewJSON(t, preview), "This channel already runs the launch “Payments &lt;!here&gt;”")
	assert.Contains(t, viewJSON(t, preview), "*1 added, 0 removed, 0 reworded*")
	// Someone else's new launch there is refused, as before.
	errs = submitErrors(t, h.interact(importSubmission("UOTHER", testChan, "Mine", "2026-12-01", smallChecklist)))
	assert.Contains(t, errs[render.ImportNameBlock], "already has an active launch")
}

func TestImportReportFallsBackToDirectMessage(t *testing.T) {
	h := newHarness(t)
	h.slack.failNext("chat.postEphemeral", 1, fault{slackError: "not_in_channel"})
	importConfirmed(t, h, "UIMP", importSubmission("UIMP", testChan, "Payments", "2026-12-01", smallChecklist))
	require.Eventually(t, func() bool { return h.slack.count("chat.postMessage") == 2 }, 5*time.Second, 5*time.Millisecond)
	// The report (by DM) and the channel's notice (from the outbox) go
	// out independently, in either order.
	var channels []string
	for _, c := range h.slack.callsOf("chat.postMessage") {
		channels = append(channels, c.Form.Get("channel"))
	}
	assert.ElementsMatch(t, []string{dmOf("UIMP"), testChan}, channels, "the report goes by DM, and the channel is told")
	assert.Equal(t, "UIMP", h.slack.callsOf("conversations.open")[0].Form.Get("users"))
}

// TestImportSubmitListItems: a checklist without checkboxes is refused with
// the way out, and imported when the form's list-items option is ticked.
func TestImportSubmitListItems(t *testing.T) {
	h := newHarness(t)
	const release = "# Release\n1. Tag the release\n2. Build the images\n3. Announce it\n"
	errs := submitErrors(t, h.interact(importSubmission("UIMP", testChan, "Release", "2026-12-01", release)))
	assert.Contains(t, errs[render.ImportMarkdownBlock], "3 list items")
	assert.Contains(t, errs[render.ImportMarkdownBlock], `Tick "Import every list item" below`)

	sub := importSubmission("UIMP", testChan, "Release", "2026-12-01", release)
	values := sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
	values[render.ImportOptionsBlock] = map[string]any{render.ImportOptionsAction: map[string]any{
		"type": "checkboxes", "selected_options": []any{map[string]any{"value": render.ImportListItems}},
	}}
	importConfirmed(t, h, "UIMP", sub)
	items := h.launch().Checklist.Items()
	require.Len(t, items, 3)
	assert.Equal(t, "Tag the release", items[0].Text)
}

func viewJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return unJSON(string(b))
}
