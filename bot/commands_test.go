package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestHelpListsEveryCommand(t *testing.T) {
	h := newHarness(t)
	for _, text := range []string{"help", ""} {
		a := h.command("UEVE", text)
		require.Equal(t, http.StatusOK, a.Status)
		assert.Equal(t, "ephemeral", a.Answer.ResponseType)
		for name := range h.bot.commands {
			assert.Contains(t, string(a.Body), "/golive "+name, "help names %s", name)
		}
	}
}

func TestUnknownCommandSuggestsTheClosest(t *testing.T) {
	h := newHarness(t)
	cases := map[string]string{
		"tikc 12":     "tick",
		"stauts":      "status",
		"checklsit":   "checklist",
		"exprot json": "export",
		"<!channel>":  "",
	}
	for text, want := range cases {
		a := h.command("UEVE", text)
		require.Equal(t, http.StatusOK, a.Status)
		assert.Equal(t, "ephemeral", a.Answer.ResponseType)
		assert.Contains(t, a.Answer.Text, "is not a golive command. Did you mean `"+want, text)
		assert.NotContains(t, unJSON(string(a.Body)), "<!channel>", "the user's word is escaped")
		if want != "" {
			assert.Contains(t, string(a.Body), "Usage: `/golive "+want, "the usage of the suggestion follows")
		}
	}
	assert.Zero(t, h.slack.total())
}

func TestNewTwiceSaysSoAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	assert.Equal(t, "web", l.Template)
	assert.Equal(t, "Europe/Paris", l.Timezone)
	assert.Equal(t, creator, l.Creator)
	assert.NotEmpty(t, l.Checklist.Items())

	a := h.command("UEVE", `new “Another” 2027-01-01 template enterprise`)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "already has an active launch")

	got := h.launch()
	assert.Equal(t, l.ID, got.ID)
	assert.Equal(t, "Checkout v2", got.Name)
	audit, err := h.store.Audit(context.Background(), l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1, "only the first create is in the audit log")
}

func TestNewRejectsBadInput(t *testing.T) {
	h := newHarness(t)
	cases := map[string]string{
		`new "Checkout v2"`:                         "Give the launch a name and a date",
		`new "Checkout v2" 2026-13-45`:              "Give the launch a name and a date",
		`new "Checkout v2 2026-12-01`:               "A quote is not closed",
		`new "Checkout" 2026-12-01 template nosuch`: `There is no template "nosuch"`,
		`new "Checkout" 2026-12-01 blah`:            "I did not understand what follows the date",
	}
	for text, want := range cases {
		a := h.command(creator, text)
		assert.Equal(t, "ephemeral", a.Answer.ResponseType, text)
		assert.Contains(t, a.Answer.Text, want, text)
	}
	_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
}

func TestNewWithUnquotedNameAndTemplate(t *testing.T) {
	h := newHarness(t)
	a := h.command(creator, `new Checkout R&amp;D 2026-12-01 template enterprise`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	l := h.launch()
	assert.Equal(t, "Checkout R&D", l.Name, "Slack's escaping is undone before storing")
	assert.Equal(t, "enterprise", l.Template)
	assert.Contains(t, a.Answer.Text, "R&amp;D", "and applied again on output")
}

func TestUserTextIsEscaped(t *testing.T) {
	h := newHarness(t)
	a := h.command(creator, `new "&lt;!channel&gt; &lt;@U999&gt; &lt;https://evil|click&gt;" 2026-12-01`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Equal(t, "<!channel> <@U999> <https://evil|click>", h.launch().Name)
	for _, bad := range []string{"<!channel>", "<@U999>", "<https://evil"} {
		assert.NotContains(t, unJSON(string(a.Body)), bad)
	}
	assert.Contains(t, unJSON(string(a.Body)), "<@UCREATOR>", "our own mention stays live")

	h.postChecklist("")
	msg, _ := h.slack.message(h.slack.lastTS())
	assert.NotContains(t, unJSON(msg.Blocks), "<!channel>")
	assert.NotContains(t, msg.Text, "<!channel>")
}

func TestCommandsWithoutALaunchSaySo(t *testing.T) {
	h := newHarness(t)
	for _, text := range []string{"status", "checklist", "tick 1", "owner 1 <@UDANA|dana>", "date 2026-12-02", "export json", "roles", "archive"} {
		a := h.command(creator, text)
		assert.Equal(t, "ephemeral", a.Answer.ResponseType, text)
		assert.Contains(t, a.Answer.Text, "There is no launch in this channel yet", text)
	}
	assert.Zero(t, h.slack.total())
}

func TestStatusIsPostedAndRecorded(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	a := h.command("UEVE", "status")
	require.Equal(t, http.StatusOK, a.Status)
	assert.Empty(t, a.Body, "the summary is posted, not acknowledged")
	require.Eventually(t, func() bool { return h.slack.count("chat.postMessage") == 1 }, 5*time.Second, 5*time.Millisecond)
	call := h.slack.callsOf("chat.postMessage")[0]
	assert.Equal(t, testChan, call.Form.Get("channel"))
	assert.NotEmpty(t, call.Form.Get("text"), "a plain-text fallback")
	assert.Equal(t, "false", call.Form.Get("unfurl_links"))
	var blocks []map[string]any
	require.NoError(t, json.Unmarshal([]byte(call.Form.Get("blocks")), &blocks))
	assert.NotEmpty(t, blocks)
	assert.LessOrEqual(t, len(blocks), 50)

	require.Eventually(t, func() bool {
		ms, err := h.store.LiveMessages(context.Background(), l.ID, 5)
		return err == nil && len(ms) == 1 && ms[0].Kind == launch.MessageStatus
	}, 5*time.Second, 5*time.Millisecond)
}

func TestPostingWhereTheBotIsNotAMember(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	h.slack.failNext("chat.postMessage", 1, fault{slackError: "not_in_channel"})
	h.command(creator, "status")
	require.Eventually(t, func() bool { return h.slack.count("response_url") == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Contains(t, h.slack.responses(t)[0].Text, "/invite @golive")
}

func TestTickCommandRefreshesLiveChecklist(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	items := firstItems(l, 2)

	a := h.command("UEVE", "tick "+itoa(items[0])+" "+itoa(items[1]))
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "You ticked items")
	got := h.launch()
	assert.True(t, got.Checklist.Item(items[0]).Done)
	assert.Equal(t, "UEVE", got.Checklist.Item(items[0]).DoneBy)

	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return shownDone(t, m)[items[0]] && shownDone(t, m)[items[1]]
	}, 5*time.Second, 5*time.Millisecond, "the live checklist shows the ticks")
	m, _ := h.slack.message(ts)
	assert.Contains(t, unJSON(m.Blocks), "<@UEVE> ticked items")

	a = h.command("UEVE", "tick "+itoa(items[0]))
	assert.Contains(t, a.Answer.Text, "already done; nothing changed")
	a = h.command("UEVE", "untick "+itoa(items[0]))
	assert.Contains(t, a.Answer.Text, "You unticked item")
	a = h.command("UEVE", "tick 0 x")
	assert.Contains(t, a.Answer.Text, "is not an item number")
	a = h.command("UEVE", "tick 99999")
	assert.Contains(t, a.Answer.Text, "There is no item 99999")
}

func TestTickCommandRefusedForNonOwner(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	n := firstItems(l, 1)[0]
	a := h.command(creator, "owner "+itoa(n)+" <@UDANA|dana>")
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "<@UCREATOR> made <@UDANA> the owner of item")

	a = h.command("UEVE", "tick "+itoa(n))
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "is owned by <@UDANA>")
	assert.False(t, h.launch().Checklist.Item(n).Done)

	assert.Contains(t, h.command("UDANA", "tick "+itoa(n)).Answer.Text, "You ticked")
	assert.True(t, h.launch().Checklist.Item(n).Done)
}

func TestOwnerMentionForms(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	n := firstItems(l, 1)[0]
	section := l.Checklist.Sections[0].Title

	// A plain @name names nobody, even someone golive has heard from:
	// Slack's mention, a user id or an email address Slack knows does.
	h.slack.person("UDANA", fakePerson{email: "dana@example.com"})
	h.command("UDANA", "help")
	a := h.command(creator, "owner "+itoa(n)+" @dana")
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "I cannot tell who @dana is from a typed name")
	assert.Contains(t, a.Answer.Text, "Type @ and pick the person from Slack's list")
	assert.Empty(t, h.launch().Checklist.Item(n).Owner)

	a = h.command(creator, "owner "+itoa(n)+" <mailto:dana@example.com|dana@example.com>")
	assert.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Equal(t, "UDANA", h.launch().Checklist.Item(n).Owner)

	a = h.command(creator, `owner "`+section+`" <@USAM|sam smith>`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Equal(t, "USAM", h.launch().Checklist.Sections[0].Owner)

	a = h.command("UEVE", `owner "`+section+`" <@UEVE>`)
	assert.Contains(t, a.Answer.Text, "Only the launch's creator")

	a = h.command(creator, "owner "+itoa(n)+" <@UDANA|dana>")
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Equal(t, "<@UDANA> already owns item "+itoa(n)+"; nothing changed.", a.Answer.Text)

	a = h.command(creator, "owner "+itoa(n)+" none")
	assert.Contains(t, a.Answer.Text, "cleared the owner of item")
	assert.Empty(t, h.launch().Checklist.Item(n).Owner)
	a = h.command(creator, "owner "+itoa(n)+" none")
	assert.Equal(t, "Item "+itoa(n)+" has no owner; nothing changed.", a.Answer.Text)
	audit, err := h.store.Audit(context.Background(), l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 4, "create, two owners and one clearing: no-ops leave no trace")
}

func TestDateArchiveAndRoles(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()

	assert.Contains(t, h.command("UEVE", "date 2026-12-08").Answer.Text, "Only the launch's creator")
	a := h.command(creator, "date 2026-12-08")
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "from 2026-12-01 09:00 to 2026-12-08 09:00 (in 18 days)")
	assert.Equal(t, "2026-12-08", h.launch().Date)

	role := l.Checklist.Roles[0].Name
	a = h.command(creator, `role "`+role+`" <@UDANA|dana>`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Equal(t, "UDANA", h.launch().Checklist.Role(role).Holder)
	a = h.command(creator, `role add “Legal”`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.NotNil(t, h.launch().Checklist.Role("Legal"))
	a = h.command("UEVE", "roles")
	assert.Contains(t, string(a.Body), "Legal")
	a = h.command(creator, `role remove "Legal"`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Nil(t, h.launch().Checklist.Role("Legal"))

	assert.Contains(t, h.command("UEVE", "archive").Answer.Text, "Only the launch's creator")
	a = h.command(creator, "archive")
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	archived, err := h.store.LaunchByID(context.Background(), l.ID)
	require.NoError(t, err)
	assert.True(t, archived.Archived)

	// The channel is free for the next launch.
	h.newLaunch()
}

func TestTemplatesAndImportOpensTheForm(t *testing.T) {
	h := newHarness(t)
	a := h.command("UEVE", "templates")
	assert.Contains(t, string(a.Body), "enterprise")

	a = h.command("UEVE", "import")
	require.Equal(t, http.StatusOK, a.Status)
	require.Eventually(t, func() bool { return h.slack.count("views.open") == 1 }, 5*time.Second, 5*time.Millisecond)
	call := h.slack.callsOf("views.open")[0]
	var req struct {
		TriggerID string `json:"trigger_id"`
		View      struct {
			CallbackID      string `json:"callback_id"`
			PrivateMetadata string `json:"private_metadata"`
		} `json:"view"`
	}
	require.NoError(t, json.Unmarshal(call.JSON, &req))
	assert.True(t, strings.HasPrefix(req.TriggerID, "trigger"))
	assert.Equal(t, "import", req.View.CallbackID)
	assert.Equal(t, testChan, req.View.PrivateMetadata)

	h.newLaunch()
	a = h.command("UEVE", "import")
	assert.Contains(t, a.Answer.Text, "Only the launch's creator <@UCREATOR> can update its checklist")
	h.bot.Close()
	assert.Equal(t, 1, h.slack.count("views.open"), "no update form for someone who may not update the launch")
}

func TestExportIsSentWhole(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	h.command("UEVE", "tick 1 2 3")
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			before := len(h.slack.callsOf("response_url"))
			dmsBefore := h.slack.count("chat.postMessage")
			// An install from before files:write: the export comes as messages.
			h.slack.failNext("files.getUploadURLExternal", 1, fault{slackError: "missing_scope"})
			a := h.command("UEVE", "export "+format)
			require.Equal(t, "ephemeral", a.Answer.ResponseType)
			assert.Contains(t, a.Answer.Text, "Preparing the "+format+" export")
			want, err := exporters[format](h.launch(), testNow)
			require.NoError(t, err)

			var got strings.Builder
			require.Eventually(t, func() bool {
				got.Reset()
				var bodies []string
				for _, c := range h.slack.callsOf("response_url")[before:] {
					bodies = append(bodies, string(c.JSON))
				}
				for _, c := range h.slack.callsOf("chat.postMessage")[dmsBefore:] {
					assert.Equal(t, dmOf("UEVE"), c.Form.Get("channel"), "long exports go to the user's DM")
					bodies = append(bodies, `{"blocks":`+c.Form.Get("blocks")+`}`)
				}
				for _, body := range bodies {
					var msg struct {
						Blocks []struct {
							Type string `json:"type"`
							Text struct {
								Text string `json:"text"`
							} `json:"text"`
						} `json:"blocks"`
					}
					require.NoError(t, json.Unmarshal([]byte(body), &msg))
					for _, blk := range msg.Blocks {
						if blk.Type == "section" && strings.HasPrefix(blk.Text.Text, "```") {
							assert.LessOrEqual(t, len([]rune(blk.Text.Text)), 3000)
							got.WriteString(strings.TrimSuffix(strings.TrimPrefix(blk.Text.Text, "```"), "```"))
						}
					}
				}
				return got.Len() >= len(want)
			}, 10*time.Second, 20*time.Millisecond)
			back := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "\u200b", "").Replace(got.String())
			assert.Equal(t, string(want), back, "the export arrives whole")
			assert.Contains(t, h.slack.responses(t)[before].Text, "reinstall the app", "the user learns why no file came")
			assert.Zero(t, h.slack.count("files.completeUploadExternal"))
		})
	}
}
