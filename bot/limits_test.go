package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// TestEverythingSentStaysInsideSlackLimits drives the real handlers through
// every command and every page of the checklist, for seed 000 as written and
// for a 500-item checklist of long, hostile texts, and checks each message
// and view that reached the fake Slack (acknowledgements included) against
// Block Kit's limits.
func TestEverythingSentStaysInsideSlackLimits(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join("..", "internal", "checklist", "testdata", "seed000.md"))
	require.NoError(t, err)
	for name, md := range map[string][]byte{"seed000": seed, "500 items": bigChecklist()} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			l := h.createLaunch(md)
			if name == "500 items" {
				require.Len(t, l.Checklist.Items(), 500)
			}
			ts := h.postChecklist("")
			var acks [][]byte
			run := func(user, text string) {
				a := h.command(user, text)
				require.Equal(t, 200, a.Status, text)
				acks = append(acks, a.Body)
			}
			items := l.Checklist.Items()
			run(creator, "owner "+itoa(items[0].Number)+" <@UDANA|dana>")
			run(creator, `owner "`+l.Checklist.Sections[0].Title+`" <@USAM|sam>`)
			run(creator, `role "`+l.Checklist.Roles[0].Name+`" <@UDANA|dana>`)
			for _, text := range []string{"help", "help owner", "templates", "status", "roles", "tick 1 2 3", "untick 3",
				"tick 99999", "tikc", "new", "export json", "export csv", "export md", "date 2026-12-08", "schedule",
				"approvals", "decide", "signoff " + l.Checklist.Sections[0].Title, "remind now", "<!channel> & <@U1>"} {
				run(creator, text)
			}
			run("UEVE", "tick "+itoa(items[0].Number)) // refused: Dana's item

			// Every page of every section, through the navigation buttons.
			views := 1
			for next := navValueOf(t, h, ts, render.ActionNavNext); next != ""; views++ {
				h.interact(h.blockAction("UEVE", ts, nil, map[string]any{
					"type": "button", "action_id": render.ActionNavNext, "block_id": render.BlockNav, "value": next, "action_ts": "1.1",
				}))
				shown := next
				require.Eventually(t, func() bool {
					next = navValueOf(t, h, ts, render.ActionNavNext)
					return next != shown
				}, 5*time.Second, 5*time.Millisecond)
				if n, ok := firstShown(t, h, ts); ok {
					h.interact(h.toggle("UEVE", ts, n))
				}
			}
			assert.Greater(t, views, len(l.Checklist.Sections)-1, "every section was shown")

			h.post("/slack/events", []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_home_opened","user":"UDANA","tab":"home"}}`))
			h.bot.Close()

			checked := 0
			for i, body := range acks {
				if len(body) > 0 {
					checked++
					assert.Empty(t, render.CheckMessage(decodeSent(t, body)), "acknowledgement %d: %s", i, body)
					msg := decodeSent(t, body)
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
				}
			}
			// Exports go as files now, not messages: what remains to check
			// varies with how many refreshes the clicks coalesce into.
			assert.Greater(t, checked, 30)
		})
	}
}

// assertInert checks that the user text in a message sent to Slack can
// neither ping nor link: in its top-level text and every mrkdwn text object
// (plain_text shows mentions as typed).
func assertInert(t *testing.T, text string, blocks []byte) {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(blocks, &v))
	for _, s := range append(mrkdwnTexts(v), text) {
		for _, live := range []string{"<!channel>", "<!here>", "<@U999>", "<@U123>", "<https://evil"} {
			assert.NotContains(t, s, live)
		}
	}
}

// mrkdwnTexts collects the text of every mrkdwn text object in decoded JSON.
func mrkdwnTexts(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if v["type"] == "mrkdwn" {
			if s, ok := v["text"].(string); ok {
				out = append(out, s)
			}
		}
		for _, x := range v {
			out = append(out, mrkdwnTexts(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, mrkdwnTexts(x)...)
		}
	}
	return out
}

// createLaunch stores a launch of the Markdown checklist md in the test
// channel, created by creator.
func (h *harness) createLaunch(md []byte) *launch.Launch {
	h.t.Helper()
	list, _, err := checklist.Parse(md)
	require.NoError(h.t, err)
	l := &launch.Launch{TeamID: testTeam, ChannelID: testChan, Name: ("Launch <!here> & " + strings.Repeat("long name ", 12))[:launch.MaxName],
		Date: "2026-12-01", Timezone: "Europe/Paris", Creator: creator, Checklist: list}
	require.NoError(h.t, h.store.CreateLaunch(context.Background(), l, creator))
	return h.launch()
}

// bigChecklist is 500 items with long texts that try to ping and link: one
// section of 320 items (several pages) and three of 60.
func bigChecklist() []byte {
	var b strings.Builder
	b.WriteString("# Big <!channel>\n")
	n := 0
	for s, size := range []int{320, 60, 60, 60} {
		fmt.Fprintf(&b, "\n## %d. Section %d <!here> %s\n", s+1, s+1, strings.Repeat("title ", 20))
		for i := range size {
			if i%8 == 0 {
				fmt.Fprintf(&b, "\n### Group %d.%d <@U123> & <https://evil|click> %s\n\n", s+1, i/8+1, strings.Repeat("g", 100))
			}
			n++
			fmt.Fprintf(&b, "- [ ] Item %d <!channel> <@U999> & %s\n", n, strings.Repeat("x", 300))
		}
		if s == 0 {
			b.WriteString("\n**Sign-off**: ___\n")
		}
	}
	b.WriteString("\n## Launch Decision\n\n**Required for GO (must be 100%):**\n- [ ] Section 2 (Section 2)\n\n" +
		"**Decision:** [ ] GO  [ ] NO-GO\n\n**Approved by:**\n- Security Lead <!channel>: ___\n- Product Manager: ___\n")
	return []byte(b.String())
}

// decodeSent reads a message as JSON with text and blocks.
func decodeSent(t *testing.T, body []byte) render.Message {
	t.Helper()
	var raw struct {
		Text   string       `json:"text"`
		Blocks slack.Blocks `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(body, &raw), "%s", body)
	return render.Message{Text: raw.Text, Blocks: raw.Blocks.BlockSet}
}

// navValueOf returns the value of a navigation button on message ts, "" when
// there is none.
func navValueOf(t *testing.T, h *harness, ts, action string) string {
	t.Helper()
	m, _ := h.slack.message(ts)
	for _, b := range m.blocks(t) {
		if ab, ok := b.(*slack.ActionBlock); ok && ab.BlockID == render.BlockNav {
			for _, el := range ab.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == action {
					return btn.Value
				}
			}
		}
	}
	return ""
}

// firstShown returns the first item message ts shows, if it shows any.
func firstShown(t *testing.T, h *harness, ts string) (int, bool) {
	t.Helper()
	m, _ := h.slack.message(ts)
	for _, b := range m.blocks(t) {
		if ab, ok := b.(*slack.ActionBlock); ok {
			for _, el := range ab.Elements.ElementSet {
				if box, ok := el.(*slack.CheckboxGroupsBlockElement); ok {
					n, err := strconv.Atoi(box.Options[0].Value)
					require.NoError(t, err)
					return n, true
				}
			}
		}
	}
	return 0, false
}
