package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist/checklisttest"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

// TestLargeChecklistStaysInsideSlackLimits imports a 1 MB checklist (about
// 10 000 items, 66 sections, 65 gates, 8 approver roles, 9 time windows)
// through the import form's file field, runs the commands people run on a
// launch, and checks against Block Kit's limits every message and view golive
// sends for it: the import preview and report, status, every page of every
// section's checklist, roles, approvals and their DMs, decide and its
// announcement, the N/A request, the schedule, every reminder (each window's
// post and the overdue DMs) and the Home tab. It asserts no timing: that is
// BenchmarkImport1MB's job (store).
func TestLargeChecklistStaysInsideSlackLimits(t *testing.T) {
	md := checklisttest.Large(render.ImportFileMaxBytes)
	h := newHarness(t, func(c *Config) { c.AckBudget = time.Minute }) // the race detector slows a 1 MB import tenfold
	file := h.slack.shareFile("FLARGE", "payments-readiness.md", "text/markdown", fakeFile{data: md, contentType: "text/markdown"})
	preview := importConfirmed(t, h, creator, fileSubmission(creator, testChan, "Payments platform", "2026-12-01", file))
	assert.Contains(t, viewJSON(t, preview), "items in 66 sections")
	t.Logf("preview: %d blocks, %d bytes", len(preview.Blocks.BlockSet), len(viewJSON(t, preview)))
	l := h.launch()
	items := l.Checklist.Items()
	require.Greater(t, len(items), 9000)
	require.Len(t, l.Checklist.Roles, 8)
	require.Greater(t, len(l.Checklist.Gates), 60)

	var acks [][]byte
	run := func(user, text string) {
		t.Helper()
		a := h.command(user, text)
		require.Equal(t, 200, a.Status, text)
		acks = append(acks, a.Body)
	}
	for i, r := range l.Checklist.Roles {
		run(creator, fmt.Sprintf(`role "%s" <@UHOLDER%d|holder%d>`, r.Name, i, i))
	}
	p0 := 0
	for _, it := range items {
		if it.Priority == "P0" && !it.Done {
			p0 = it.Number
			break
		}
	}
	require.NotZero(t, p0, "the checklist has an open P0 item")
	run(creator, fmt.Sprintf(`na %d "Not in this release: the %s"`, p0, strings.Repeat("long reason ", 20)))
	run(creator, fmt.Sprintf("note %d %s", items[1].Number, strings.Repeat("evidence https://ci.example.com/run/381 ", 20)))
	run(creator, fmt.Sprintf("due %d T-3d", items[2].Number))
	run(creator, fmt.Sprintf("owner %d <@UDANA|dana>", items[3].Number))
	for _, text := range []string{"status", "roles", "checklist", "checklist " + l.Checklist.Sections[40].Title,
		"approvals", "decide", "schedule", "remind now", "tick 1 2 3", "untick 3", "export json"} {
		run(creator, text)
	}
	h.post("/slack/events", []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_home_opened","user":"UDANA","tab":"home"}}`))
	h.bot.Close()
	checked := checkSent(t, h, acks)
	assert.Greater(t, checked, 20)

	// What is rendered from the launch without a command: every page of
	// every section, each window's post and overdue DM at every stage, the
	// announcement, each approval request.
	l = h.launch()
	for s := range l.Checklist.Sections {
		for p := range render.Pages(l, s) {
			msg := render.Checklist(l, render.View{Section: s, Page: p}, "")
			assert.Empty(t, render.CheckMessage(msg), "section %d page %d", s, p)
		}
	}
	tod := schedule.TimeOfDay{Hour: 9}
	for _, it := range l.Checklist.Items() {
		it.Owner = "UDANA" // one owner with every overdue task: the longest DM
	}
	launchAt, ok := schedule.LaunchAt(l, tod)
	require.True(t, ok)
	for _, now := range []time.Time{launchAt.AddDate(0, 0, -20), launchAt, launchAt.AddDate(0, 2, 0)} {
		for _, w := range schedule.Windows(l, tod) {
			c, err := schedule.Compose(l, schedule.Reminder{Kind: schedule.KindWindow, Key: w.Key, DueAt: w.Due}, tod, now)
			require.NoError(t, err)
			assert.Empty(t, render.CheckMessage(render.ReminderMessage(l, c, nil)), "window %s at %s", w.Name, now)
		}
		for _, k := range []schedule.Reminder{{Kind: schedule.KindCountdown}, {Kind: schedule.KindOverdueDM, Payload: schedule.Payload{Owner: "UDANA"}}} {
			c, err := schedule.Compose(l, k, tod, now)
			require.NoError(t, err)
			assert.Empty(t, render.CheckMessage(render.ReminderMessage(l, c, nil)), "%s at %s", k.Kind, now)
		}
		assert.Empty(t, render.CheckMessage(render.Announcement(l, now)))
		assert.Empty(t, render.CheckMessage(render.Status(l, tod, now)))
		for _, r := range l.Checklist.Roles {
			assert.Empty(t, render.CheckMessage(render.ApprovalRequest(l, r, now)), r.Name)
		}
	}
	assert.Empty(t, render.CheckMessage(render.NARequest(l, l.Checklist.Item(p0))))
	assert.Empty(t, render.CheckMessage(render.ImportResult(l, nil)))
	assert.Empty(t, render.CheckHome(render.Home("UDANA", []*launch.Launch{l}, nil, testNow)))
}

// checkSent checks every message and view h's fake Slack received, and the
// acknowledgements' bodies, against Block Kit's limits, and that the text
// people wrote cannot ping; it returns how many it checked.
func checkSent(t *testing.T, h *harness, acks [][]byte) int {
	t.Helper()
	checked := 0
	for i, body := range acks {
		if len(body) > 0 {
			checked++
			msg := decodeSent(t, body)
			assert.Empty(t, render.CheckMessage(msg), "acknowledgement %d: %s", i, body)
			assertInert(t, msg.Text, body)
		}
	}
	for _, c := range h.slack.Calls() {
		switch c.Method {
		case "chat.postMessage", "chat.update", "chat.postEphemeral":
			checked++
			msg := render.Message{Text: c.Form.Get("text")}
			var blocks slack.Blocks
			require.NoError(t, json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks))
			msg.Blocks = blocks.BlockSet
			assert.Empty(t, render.CheckMessage(msg), "%s: %s", c.Method, msg.Text)
			assertInert(t, msg.Text, []byte(c.Form.Get("blocks")))
		case "response_url":
			checked++
			assert.Empty(t, render.CheckMessage(decodeSent(t, c.JSON)), "response_url: %s", c.JSON)
			assertInert(t, decodeSent(t, c.JSON).Text, c.JSON)
		case "views.publish":
			checked++
			var req struct{ View slack.HomeTabViewRequest }
			require.NoError(t, json.Unmarshal(c.JSON, &req))
			assert.Empty(t, render.CheckHome(req.View))
			assertInert(t, "", c.JSON)
		case "views.open":
			checked++
			var req struct{ View slack.ModalViewRequest }
			require.NoError(t, json.Unmarshal(c.JSON, &req))
			assert.Empty(t, render.CheckModal(req.View))
		}
	}
	return checked
}
