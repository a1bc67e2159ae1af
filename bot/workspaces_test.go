package bot

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/install"
	"github.com/golive/golive/bot/webapi"
	"github.com/golive/golive/internal/secretbox"
	"github.com/golive/golive/internal/workspace"
	"github.com/golive/golive/store"
)

// Two workspaces with golive installed through OAuth, on the one fake
// Slack, each with its own bot token.
const (
	teamA, tokenA = "TA", "xoxb-team-a"
	teamB, tokenB = "TB", "xoxb-team-b"
)

// distributedHarness is a bot serving teams TA and TB with their own
// tokens (install.Workspaces on the harness's store), as a distributed
// golive does.
func distributedHarness(t *testing.T) *harness {
	t.Helper()
	fake := newFakeSlack(t)
	fake.AddToken(tokenA, webapi.Team{ID: teamA, Name: "Alpha", BotUser: "UBOTA"})
	fake.AddToken(tokenB, webapi.Team{ID: teamB, Name: "Beta", BotUser: "UBOTB"})
	raw := make([]byte, secretbox.KeySize)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	keys, err := secretbox.ParseKeys(base64.StdEncoding.EncodeToString(raw))
	require.NoError(t, err)
	var ws *install.Workspaces
	h := startHarness(t, t.TempDir()+"/golive.db", fake, func(c *Config) {
		st := c.Store.(*store.Store)
		ws, err = install.New(install.Config{ClientID: "CID", ClientSecret: "CSECRET", Keys: keys, Store: st,
			NewClient: func(team, token string) *slack.Client { return fake.clientWith(team, token, c.Limits, c.Now) },
			APIURL:    fake.apiURL(), Logger: c.Logger})
		require.NoError(t, err)
		for team, token := range map[string]string{teamA: tokenA, teamB: tokenB} {
			sealed, err := keys.Seal([]byte(`{"bot":"`+token+`"}`), []byte(team))
			require.NoError(t, err)
			require.NoError(t, st.SaveInstallation(context.Background(), workspace.Installation{TeamID: team, Sealed: sealed}))
		}
		c.Slack, c.Workspaces = nil, ws
	})
	return h
}

// commandFrom sends a command from user of team in channel.
func (h *harness) commandFrom(team, channel, user, text string) ack {
	h.t.Helper()
	n := h.seq.Add(1)
	form := url.Values{"team_id": {team}, "channel_id": {channel}, "user_id": {user}, "command": {"/golive"}, "text": {text},
		"response_url": {h.slack.responseURL("cmd" + strconv.FormatInt(n, 10))}, "trigger_id": {"trigger" + strconv.FormatInt(n, 10)}}
	return readAck(h.t, h.post("/slack/commands", []byte(form.Encode())))
}

// callsSince returns the Web API calls made since the first n.
func (h *harness) callsSince(n int) []fakeCall { return h.slack.Calls()[n:] }

// settled waits until the bot made no Web API call for a while: its work
// after the acknowledgements is done.
func (h *harness) settled() {
	h.t.Helper()
	last := -1
	require.Eventually(h.t, func() bool {
		n := len(h.slack.Calls())
		quiet := n == last
		last = n
		return quiet
	}, 10*time.Second, 300*time.Millisecond)
}

// assertMadeBy checks that every call was made with team's token.
func assertMadeBy(t *testing.T, team string, calls []fakeCall) {
	t.Helper()
	require.NotEmpty(t, calls)
	for _, c := range calls {
		if c.Method == "response_url" || c.Method == "upload" || c.Method == "file_download" {
			continue
		}
		assert.Equal(t, team, c.Team, "%s made with %s's token", c.Method, team)
	}
}

// The same channel id in two workspaces holds two launches; each team's
// commands, clicks, exports, approval DMs and App Home see and touch its
// own launch only, and every Web API call for a team is made with that
// team's token.
func TestWorkspacesAreIsolated(t *testing.T) {
	h := distributedHarness(t)
	ctx := context.Background()
	for _, team := range []string{teamA, teamB} {
		before := len(h.slack.Calls())
		a := h.commandFrom(team, "C1", creator, fmt.Sprintf(`new "Launch of %s" 2026-12-01`, team))
		require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
		h.commandFrom(team, "C1", creator, "checklist")
		h.settled()
		assertMadeBy(t, team, h.callsSince(before))
	}
	la, err := h.store.LaunchByChannel(ctx, teamA, "C1")
	require.NoError(t, err)
	lb, err := h.store.LaunchByChannel(ctx, teamB, "C1")
	require.NoError(t, err)
	require.NotEqual(t, la.ID, lb.ID, "one launch per team in the channel of the same id")

	// A tick in A ticks nothing in B.
	before := len(h.slack.Calls())
	h.commandFrom(teamA, "C1", creator, "tick 1 2")
	h.settled()
	assertMadeBy(t, teamA, h.callsSince(before))
	la, err = h.store.LaunchByID(ctx, la.ID)
	require.NoError(t, err)
	lb, err = h.store.LaunchByID(ctx, lb.ID)
	require.NoError(t, err)
	assert.True(t, la.Checklist.Items()[0].Done)
	assert.False(t, lb.Checklist.Items()[0].Done, "B's launch is untouched")

	// Exports carry the team's own launch.
	for team, want := range map[string]string{teamA: "Launch of TA", teamB: "Launch of TB"} {
		before := len(h.slack.Calls())
		uploads := h.slack.count("files.completeUploadExternal")
		h.commandFrom(team, "C1", creator, "export json")
		require.Eventually(t, func() bool { return h.slack.count("files.completeUploadExternal") > uploads }, 10*time.Second, 10*time.Millisecond)
		done := h.slack.callsOf("files.completeUploadExternal")[uploads]
		var files []struct{ ID string }
		require.NoError(t, json.Unmarshal([]byte(done.Form.Get("files")), &files))
		up, ok := h.slack.upload(files[0].ID)
		require.True(t, ok)
		assert.Contains(t, string(up.Data), want)
		assert.NotContains(t, string(up.Data), map[string]string{teamA: "Launch of TB", teamB: "Launch of TA"}[team])
		h.settled()
		assertMadeBy(t, team, h.callsSince(before))
	}

	// Approval DMs (sent by the outbox, after the request) go with the
	// launch's team's token.
	role := la.Checklist.Roles[0].Name
	before = len(h.slack.Calls())
	h.commandFrom(teamA, "C1", creator, `role "`+role+`" <@UDANA>`)
	h.commandFrom(teamA, "C1", creator, "approvals")
	h.settled()
	calls := h.callsSince(before)
	assertMadeBy(t, teamA, calls)
	dms := 0
	for _, c := range calls {
		if c.Method == "chat.postMessage" && strings.HasPrefix(c.Get("channel"), "D") {
			dms++
		}
	}
	assert.Positive(t, dms, "the approval request went out by DM")
	lb, err = h.store.LaunchByID(ctx, lb.ID)
	require.NoError(t, err)
	r, _ := lb.Role(role)
	assert.Empty(t, r.Holder, "B's role is untouched")

	// The App Home of the same user id in each team shows that team's launch.
	for team, want := range map[string]string{teamA: "Launch of TA", teamB: "Launch of TB"} {
		before := len(h.slack.Calls())
		published := h.slack.count("views.publish")
		event := []byte(`{"type":"event_callback","team_id":"` + team + `","event_id":"Ev` + team + `","event":{"type":"app_home_opened","user":"` + creator + `","tab":"home"}}`)
		require.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode)
		require.Eventually(t, func() bool { return h.slack.count("views.publish") > published }, 10*time.Second, 10*time.Millisecond)
		view := unJSON(string(h.slack.callsOf("views.publish")[published].JSON))
		assert.Contains(t, view, want)
		assert.NotContains(t, view, map[string]string{teamA: "Launch of TB", teamB: "Launch of TA"}[team])
		h.settled()
		assertMadeBy(t, team, h.callsSince(before))
	}

	// A click in B on A's checklist message (its ts, forged) finds B's own
	// launch or nothing, never A's.
	msgs, err := h.store.LiveMessages(ctx, la.ID, 5)
	require.NoError(t, err)
	require.NotEmpty(t, msgs)
	auditBefore, err := h.store.Audit(ctx, la.ID)
	require.NoError(t, err)
	before = len(h.slack.Calls())
	click := h.blockActionIn("C1", creator, msgs[0].TS, nil, map[string]any{"action_id": "noop", "type": "button", "value": "x"})
	click["team"] = map[string]any{"id": teamB}
	h.interact(click)
	h.settled()
	for _, c := range h.callsSince(before) {
		assert.NotEqual(t, teamA, c.Team, "%s: B's click made a call with A's token", c.Method)
	}
	auditAfter, err := h.store.Audit(ctx, la.ID)
	require.NoError(t, err)
	assert.Equal(t, len(auditBefore), len(auditAfter), "A's launch is untouched by B's click")
}

// A workspace golive is not installed in is told so, and nothing is called
// for it; once a team uninstalls golive, it is told so too, its posts
// waiting are given up on, and the other team goes on.
func TestUninstalledWorkspacesAreRefused(t *testing.T) {
	h := distributedHarness(t)
	before := len(h.slack.Calls())
	a := h.commandFrom("TC", "C1", creator, `new "Stranger" 2026-12-01`)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "not installed in this workspace")
	_, err := h.store.LaunchByChannel(context.Background(), "TC", "C1")
	assert.Error(t, err, "nothing stored for it")
	assert.Empty(t, h.callsSince(before), "no Web API call with anyone's token")

	for _, team := range []string{teamA, teamB} {
		h.commandFrom(team, "C1", creator, `new "Launch of `+team+`" 2026-12-01`)
	}
	h.settled()
	event := []byte(`{"type":"event_callback","team_id":"TA","event_id":"EvGone","event":{"type":"tokens_revoked","tokens":{"bot":["UBOTA"]}}}`)
	require.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode)
	require.Eventually(t, func() bool {
		return h.commandFrom(teamA, "C1", creator, "status").Answer.Text == msgNotInstalled
	}, 10*time.Second, 20*time.Millisecond)
	assert.Contains(t, h.logs.String(), `"msg":"workspace uninstalled golive`)
	assert.NotContains(t, h.logs.String(), tokenA)

	before = len(h.slack.Calls())
	a = h.commandFrom(teamB, "C1", creator, "status")
	assert.NotEqual(t, msgNotInstalled, a.Answer.Text)
	h.settled()
	assertMadeBy(t, teamB, h.callsSince(before))
}

// callsBy returns the calls of method made with team's token.
func (h *harness) callsBy(team, method string) []fakeCall {
	var got []fakeCall
	for _, c := range h.slack.callsOf(method) {
		if c.Team == team {
			got = append(got, c)
		}
	}
	return got
}

// Slack's rate limits are per workspace: a 429 answered to A's chat.update
// holds A's refreshes for its Retry-After, and B's chat.update calls go on
// at once.
func TestRateLimitsHoldOneWorkspaceOnly(t *testing.T) {
	h := distributedHarness(t)
	ctx := context.Background()
	for _, team := range []string{teamA, teamB} {
		h.commandFrom(team, "C1", creator, `new "Launch of `+team+`" 2026-12-01`)
		h.commandFrom(team, "C1", creator, "checklist")
	}
	h.settled()
	updatesA := len(h.callsBy(teamA, "chat.update"))

	// A's next chat.update is answered 429 for an hour.
	h.slack.failNext("chat.update", 1, fault{status: http.StatusTooManyRequests, retryAfter: 3600})
	h.commandFrom(teamA, "C1", creator, "tick 1")
	require.Eventually(t, func() bool { return h.bot.limits.heldFor(keyFor(teamA, "chat.update", "")) > 0 }, 10*time.Second, 10*time.Millisecond)
	require.Len(t, h.callsBy(teamA, "chat.update"), updatesA+1, "A's refresh reached Slack once, and was answered 429")
	assert.Zero(t, h.bot.limits.heldFor(keyFor(teamB, "chat.update", "")), "B's chat.update is not held")
	assert.Contains(t, h.logs.String(), `"team":"TA","method":"chat.update","retry_after":"1h0m0s"`, "the hold is logged with its team")

	// B's refreshes go out at once; A's wait, however many changes come.
	updatesB := len(h.callsBy(teamB, "chat.update"))
	h.commandFrom(teamB, "C1", creator, "tick 1")
	h.commandFrom(teamA, "C1", creator, "tick 2")
	require.Eventually(t, func() bool { return len(h.callsBy(teamB, "chat.update")) > updatesB }, 10*time.Second, 10*time.Millisecond)
	h.settled()
	assert.Len(t, h.callsBy(teamA, "chat.update"), updatesA+1, "A's refreshes are held")
	for _, c := range h.callsBy(teamB, "chat.update")[updatesB:] {
		assert.False(t, c.Limited)
	}

	// Direct calls: A's is answered 429 by golive without reaching Slack,
	// B's goes through.
	lb, err := h.store.LaunchByChannel(ctx, teamB, "C1")
	require.NoError(t, err)
	msgs, err := h.store.LiveMessages(ctx, lb.ID, 5)
	require.NoError(t, err)
	require.NotEmpty(t, msgs)
	_, _, _, err = h.bot.api(ctx, teamA).UpdateMessageContext(ctx, msgs[0].ChannelID, msgs[0].TS, slack.MsgOptionText("x", false))
	var limited *slack.RateLimitedError
	require.ErrorAs(t, err, &limited)
	assert.Len(t, h.callsBy(teamA, "chat.update"), updatesA+1, "held by golive, not sent")
	_, _, _, err = h.bot.api(ctx, teamB).UpdateMessageContext(ctx, msgs[0].ChannelID, msgs[0].TS, slack.MsgOptionText("x", false))
	require.NoError(t, err)
}

// The outbox's posts keep each workspace's pace too: a 429 answered to A's
// announcement in C1 holds A's posts there, B's announcement in its own C1
// goes out at once, and the retry's log names A's workspace.
func TestOutboxPostsHeldInOneWorkspaceOnly(t *testing.T) {
	h := distributedHarness(t)
	for _, team := range []string{teamA, teamB} {
		h.commandFrom(team, "C1", creator, `new "Launch of `+team+`" 2026-12-01`)
	}
	h.settled()
	postsA := len(h.callsBy(teamA, "chat.postMessage"))

	h.slack.failNext("chat.postMessage", 1, fault{status: http.StatusTooManyRequests, retryAfter: 3600})
	h.commandFrom(teamA, "C1", creator, "decide")
	require.Eventually(t, func() bool { return h.bot.limits.heldFor(keyFor(teamA, "chat.postMessage", "C1")) > 0 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		return strings.Contains(h.logs.String(), `"msg":"outbox: post failed; trying again"`) && strings.Contains(h.logs.String(), "in workspace TA: slack rate limit exceeded")
	}, 10*time.Second, 10*time.Millisecond, "the retry names the workspace")
	assert.Zero(t, h.bot.limits.heldFor(keyFor(teamB, "chat.postMessage", "C1")), "B's C1 is not held")

	postsB := len(h.callsBy(teamB, "chat.postMessage"))
	h.commandFrom(teamB, "C1", creator, "decide")
	require.Eventually(t, func() bool {
		for _, c := range h.callsBy(teamB, "chat.postMessage")[postsB:] {
			if c.Get("channel") == "C1" && strings.Contains(c.Get("text"), "NO-GO for Launch of TB") {
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond, "B's announcement goes out")
	for _, c := range h.callsBy(teamA, "chat.postMessage")[postsA+1:] {
		assert.NotEqual(t, "C1", c.Get("channel"), "A's posts in C1 wait for the Retry-After")
	}
}
