package bot

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
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

// Who asked comes only from the payload a transport verified: one that
// does not say its team and user is refused, whichever transport it came
// by, and changes nothing.
func TestEntryPointsRefusePayloadsWithoutIdentity(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ack, err := h.bot.Command(ctx, slack.SlashCommand{ChannelID: testChan, UserID: creator, Command: "/golive", Text: `new "Checkout v2" 2026-12-01`})
	assert.ErrorIs(t, err, errCommandIdentity)
	assert.Nil(t, ack)
	ack, err = h.bot.Interaction(ctx, &slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: testTeam}})
	assert.ErrorIs(t, err, errInteractionIdentity)
	assert.Nil(t, ack)
	h.bot.Close()

	_, err = h.store.LaunchByChannel(ctx, "", testChan)
	assert.Error(t, err, "no launch was created for an unknown team")
	assert.Zero(t, h.slack.total(), "nothing reached Slack")
}

// An answer a transport could not put in its acknowledgement (Socket
// Mode's 20 KB limit) reaches the user through the response_url.
func TestAnswerLaterGoesThroughTheResponseURL(t *testing.T) {
	h := newHarness(t)
	ack, err := h.bot.Command(context.Background(), slack.SlashCommand{TeamID: testTeam, ChannelID: testChan, UserID: "UEVE",
		Command: "/golive", Text: "help", ResponseURL: h.slack.responseURL("big")})
	require.NoError(t, err)
	h.bot.AnswerLater(h.slack.responseURL("big"), ack)
	require.Eventually(t, func() bool { return h.slack.count("response_url") == 1 }, 5*time.Second, 5*time.Millisecond)
	r := h.slack.responses(t)[0]
	assert.Equal(t, "ephemeral", r.ResponseType)
	assert.Contains(t, r.Text, "golive commands")
}

func TestEventsWithoutTeamAreIgnored(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	event := []byte(`{"type":"event_callback","event_id":"Ev2","event":{"type":"app_home_opened","user":"UCREATOR","tab":"home","channel":"D1"}}`)
	assert.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode, "acknowledged, so that Slack does not retry")
	h.bot.Close()
	assert.Zero(t, h.slack.count("views.publish"))
	assert.Contains(t, h.logs.String(), "event without a team ignored")
}

// A response_url lets whoever holds it post in the channel for 30 minutes:
// a failed post logs what went wrong, not where it went.
func TestFailedResponseLogsNoResponseURL(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	ln.Close()

	for _, responseURL := range []string{
		closed + "/commands/T1/397700885554/96rGlfmibIGlgcZRskXaIFfN",
		"http://bad host/commands/T1/397700885554/96rGlfmibIGlgcZRskXaIFfN",
	} {
		h.bot.respond(context.Background(), h.bot.log, responseURL, render.Notice("hello"))
		h.bot.replaceClicked(context.Background(), h.bot.log, responseURL, render.Notice("Signed off."))
	}
	logs := h.logs.String()
	assert.Contains(t, logs, "connection refused")
	assert.Contains(t, logs, "invalid character")
	assert.NotContains(t, logs, "96rGlfmibIGlgcZRskXaIFfN")
	assert.NotContains(t, logs, "/commands/T1")
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		assert.True(t, json.Valid([]byte(line)), "JSON log line: %s", line)
	}
}

// TestRefusedCommandTeachesNoName is issue 9's role hijack: a mention's
// label is typed by whoever sends it, so a refused `owner` carrying
// <@UB0000002|dana> must not teach golive that @dana is UB0000002, and the
// creator's `role … @dana` must not put him in the role.
func TestRefusedCommandTeachesNoName(t *testing.T) {
	const mallory = "UB0000002"
	h := approvalHarness(t)
	l := h.newLaunch()
	n := firstItems(l, 6)[5]

	a := h.command(mallory, "owner "+itoa(n)+" <@"+mallory+"|dana>")
	require.Equal(t, "ephemeral", a.Answer.ResponseType)
	require.Contains(t, a.Answer.Text, "Only the launch's creator", "the command is refused")
	assert.Empty(t, h.launch().Checklist.Item(n).Owner)

	a = h.command(creator, `role "Operations Lead" @dana`)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "pick the person from Slack's list")
	r := h.launch().Checklist.Role("Operations Lead")
	require.NotNil(t, r)
	assert.NotEqual(t, mallory, r.Holder, "a name typed by anyone names nobody")
	assert.Empty(t, r.Holder)
	assert.Empty(t, h.audited(l.ID, "role"), "nothing changed")

	// His click on an approval button for the role is refused, not recorded.
	click := h.dmPayload(mallory, launch.ApprovalDM{LaunchID: l.ID, Role: "Operations Lead", ChannelID: "D1", TS: "1700000000.000001"}, nil,
		map[string]any{"type": "button", "action_id": render.ActionApprove, "block_id": "approval",
			"value": render.ApprovalRef{LaunchID: l.ID, Role: "Operations Lead"}.String(), "action_ts": "1.1"})
	require.Equal(t, http.StatusOK, h.interact(click).Status)
	assert.Equal(t, checklist.VerdictPending, h.launch().Checklist.Role("Operations Lead").Verdict)
	assert.Empty(t, h.audited(l.ID, "verdict"))
	h.responseWith("Nobody holds the role Operations Lead now")
}

// Asking Slack who an email address or a typed id is comes after the
// permission check: someone who may not assign learns nothing from Slack's
// answer (whether the address belongs to someone in the workspace).
func TestLookupsComeAfterThePermissionCheck(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	n := firstItems(l, 1)[0]
	h.slack.person("UDANA0001", fakePerson{email: "dana@example.com"})
	for _, text := range []string{
		`role "Security Lead" dana@example.com`, `role "Security Lead" ghost@example.com`, `role "Security Lead" @U0GHOST001`,
		"owner " + itoa(n) + " dana@example.com", "owner " + itoa(n) + " ghost@example.com",
	} {
		a := h.command("UEVE", text)
		assert.Equal(t, "ephemeral", a.Answer.ResponseType, text)
		assert.Contains(t, a.Answer.Text, "Only the launch's creator", text)
	}
	assert.Zero(t, h.slack.count("users.lookupByEmail"))
	assert.Zero(t, h.slack.count("users.info"))

	a := h.command(creator, `role "Security Lead" dana@example.com`)
	assert.Equal(t, "<@"+creator+"> put <@UDANA0001> in the role Security Lead.", a.Answer.Text)
	a = h.command(creator, `role "No Such Role" dana@example.com`)
	assert.Contains(t, a.Answer.Text, "No Such Role", "the role is checked first too")
	assert.Equal(t, 1, h.slack.count("users.lookupByEmail"))
}
