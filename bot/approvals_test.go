package bot

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/store"
)

// People of the approval tests.
const (
	uSec   = "USECLEAD"
	uPM    = "UPRODUCT"
	uEng   = "UENGLEAD"
	uOther = "UOUTSIDER"
)

// tickingClock gives the bot and the store one clock that moves a second
// at each reading, so that "before" and "after" mean something.
type tickingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// approvalHarness is a harness whose bot and store share a ticking clock.
func approvalHarness(t *testing.T) *harness {
	clock := &tickingClock{t: testNow}
	h := newHarness(t, func(c *Config) { c.Now = clock.Now })
	h.store.Now = clock.Now
	return h
}

// holders puts each person in their role, as the creator, and removes
// every other role of the launch.
func (h *harness) holders(people map[string]string) {
	h.t.Helper()
	for _, r := range h.launch().Checklist.Roles {
		if _, ok := people[r.Name]; !ok {
			a := h.command(creator, `role remove "`+r.Name+`"`)
			require.Equal(h.t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
		}
	}
	for role, user := range people {
		a := h.command(creator, `role "`+role+`" <@`+user+`>`)
		require.Equal(h.t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	}
}

// askApprovals runs `approvals` as the creator and returns the DM sent to
// each role's holder, by role.
func (h *harness) askApprovals() map[string]launch.ApprovalDM {
	h.t.Helper()
	l := h.launch()
	held := len(l.Checklist.Roles) - len(l.Unheld())
	a := h.command(creator, "approvals")
	require.Equal(h.t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	out := map[string]launch.ApprovalDM{}
	require.Eventually(h.t, func() bool {
		dms, err := h.store.ApprovalDMs(context.Background(), l.ID)
		require.NoError(h.t, err)
		for _, dm := range dms {
			out[dm.Role] = dm
		}
		return len(out) == held
	}, settle, 5*time.Millisecond)
	return out
}

// approvalRequest returns the DM golive sent to ask user, holder of role,
// for their approval, and checks that it is that request, in their DM.
func (h *harness) approvalRequest(launchID int64, role, user string) launch.ApprovalDM {
	h.t.Helper()
	dm, err := h.store.ApprovalDM(context.Background(), launchID, strings.ToLower(role))
	require.NoError(h.t, err)
	msg, ok := h.slack.message(dm.TS)
	require.True(h.t, ok)
	assert.Equal(h.t, dmOf(user), msg.Channel)
	assert.True(h.t, strings.HasPrefix(msg.Text, "Your approval is requested as "+role), msg.Text)
	return dm
}

// dmClick builds the click of user on the button actionID of a DM as the
// fake holds it now, with the button's own value.
func (h *harness) dmClick(user string, dm launch.ApprovalDM, actionID string) map[string]any {
	h.t.Helper()
	msg, ok := h.slack.message(dm.TS)
	require.True(h.t, ok, "DM %s exists", dm.TS)
	var blocks []map[string]any
	require.NoError(h.t, json.Unmarshal([]byte(msg.Blocks), &blocks))
	for _, b := range blocks {
		for _, el := range elementsOf(b) {
			if el["action_id"] == actionID {
				return h.dmPayload(user, dm, blocks, map[string]any{"type": "button", "action_id": actionID,
					"block_id": b["block_id"], "value": el["value"], "action_ts": "1.1"})
			}
		}
	}
	h.t.Fatalf("no button %s on DM %s: %s", actionID, dm.TS, msg.Text)
	return nil
}

// dmPayload wraps one action on a DM in a block_actions payload, with its
// own trigger_id as Slack gives every click.
func (h *harness) dmPayload(user string, dm launch.ApprovalDM, blocks []map[string]any, action map[string]any) map[string]any {
	p := h.blockAction(user, dm.TS, blocks, action)
	p["channel"] = map[string]any{"id": dm.ChannelID}
	p["container"] = map[string]any{"type": "message", "message_ts": dm.TS, "channel_id": dm.ChannelID}
	p["trigger_id"] = "trigger-dm-" + strconv.FormatInt(h.seq.Add(1), 10)
	return p
}

// submission builds the view_submission of an approval modal.
func submission(user, callback, metadata, note string) map[string]any {
	return map[string]any{
		"type":       "view_submission",
		"trigger_id": "trigger-submit-" + strconv.FormatInt(submissions.Add(1), 10),
		"team":       map[string]any{"id": testTeam},
		"user":       map[string]any{"id": user},
		"view": map[string]any{
			"type": "modal", "callback_id": callback, "private_metadata": metadata,
			"state": map[string]any{"values": map[string]any{
				render.NoteBlock: map[string]any{render.NoteAction: map[string]any{"type": "plain_text_input", "value": note}},
			}},
		},
	}
}

// submissions numbers the modal submissions' trigger ids.
var submissions atomic.Int64

// answerByModal clicks the DM's button for a modal, checks the modal
// Slack was asked to open, and submits it with note.
func (h *harness) answerByModal(user string, dm launch.ApprovalDM, actionID, callback, note string) ack {
	h.t.Helper()
	before := h.slack.count("views.open")
	require.Equal(h.t, http.StatusOK, h.interact(h.dmClick(user, dm, actionID)).Status)
	require.Eventually(h.t, func() bool { return h.slack.count("views.open") > before }, settle, 5*time.Millisecond)
	var opened struct {
		View struct {
			CallbackID      string `json:"callback_id"`
			PrivateMetadata string `json:"private_metadata"`
		} `json:"view"`
	}
	call := h.slack.callsOf("views.open")[before]
	raw := call.JSON
	if raw == nil {
		raw = []byte(call.Form.Get("view"))
		require.NoError(h.t, json.Unmarshal(raw, &opened.View))
	} else {
		require.NoError(h.t, json.Unmarshal(raw, &opened))
	}
	require.Equal(h.t, callback, opened.View.CallbackID)
	return h.interact(submission(user, callback, opened.View.PrivateMetadata, note))
}

// audited returns the launch's audit rows of the given action.
func (h *harness) audited(id int64, action string) []launch.AuditEntry {
	h.t.Helper()
	all, err := h.store.Audit(context.Background(), id)
	require.NoError(h.t, err)
	var out []launch.AuditEntry
	for _, e := range all {
		if string(e.Kind) == action {
			out = append(out, e)
		}
	}
	return out
}

// channelPosts returns the messages posted in the test channel whose
// fallback text starts with prefix.
func (h *harness) channelPosts(prefix string) []fakeMessage {
	var out []fakeMessage
	for _, c := range h.slack.callsOf("chat.postMessage") {
		if c.Form.Get("channel") == testChan && strings.HasPrefix(c.Form.Get("text"), prefix) {
			out = append(out, fakeMessage{Channel: testChan, Text: c.Form.Get("text"), Blocks: c.Form.Get("blocks")})
		}
	}
	return out
}

// waitPosts waits for n channel posts starting with prefix, and returns them.
// settle bounds the waits for work done after the acknowledgement, which
// takes milliseconds; the margin is for a loaded machine running -race.
const settle = 15 * time.Second

func (h *harness) waitPosts(prefix string, n int) []fakeMessage {
	h.t.Helper()
	require.Eventually(h.t, func() bool { return len(h.channelPosts(prefix)) >= n }, settle, 5*time.Millisecond,
		"%d posts starting %q", n, prefix)
	return h.channelPosts(prefix)
}

// lastResponse waits for a response_url post containing want.
func (h *harness) responseWith(want string) {
	h.t.Helper()
	require.Eventually(h.t, func() bool {
		for _, r := range h.slack.responses(h.t) {
			if strings.Contains(r.Text, want) {
				return true
			}
		}
		return false
	}, settle, 5*time.Millisecond, "a response saying %q", want)
}

// allText is a message's fallback and every text of its blocks, decoded.
func allText(t testing.TB, m fakeMessage) string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(m.Blocks), &v))
	var b strings.Builder
	b.WriteString(m.Text + "\n")
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				b.WriteString(s + "\n")
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return b.String()
}

// tickAll ticks every item of the test channel's launch, as the creator.
func (h *harness) tickAll() {
	h.t.Helper()
	l := h.launch()
	var nums []int
	for _, it := range l.Checklist.Items() {
		nums = append(nums, it.Number)
	}
	_, err := h.store.Update(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone(creator, nums, true, now)
	})
	require.NoError(h.t, err)
}

func TestApprovalsAsksEveryHolderByDM(t *testing.T) {
	h := approvalHarness(t)
	h.newLaunch()
	a := h.command(uOther, "approvals")
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "Only the launch")

	for role, user := range map[string]string{"Security Lead": uSec, "Product Manager": uPM} {
		a := h.command(creator, `role "`+role+`" <@`+user+`>`)
		require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	}
	a = h.command(uPM, "approvals")
	require.Equal(t, "in_channel", a.Answer.ResponseType, "a role holder may ask: %s", a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "Security Lead (<@"+uSec+">)")
	assert.Contains(t, a.Answer.Text, "Nobody holds Engineering Lead, Operations Lead: not counted as approved")

	l := h.launch()
	require.Eventually(t, func() bool {
		dms, _ := h.store.ApprovalDMs(context.Background(), l.ID)
		return len(dms) == 2
	}, settle, 5*time.Millisecond)
	var opened []string
	for _, c := range h.slack.callsOf("conversations.open") {
		opened = append(opened, c.Form.Get("users"))
	}
	assert.ElementsMatch(t, []string{uSec, uPM}, opened)
	h.approvalRequest(l.ID, "Security Lead", uSec)
	assert.Len(t, h.audited(l.ID, "approvals-request"), 1)
	assert.Equal(t, checklist.VerdictPending, h.launch().Decide(testNow).Roles[0].Verdict, "nothing counts as approved yet")
}

// TestHolderPutInARoleAfterApprovalsIsAsked: once approvals were asked for,
// a role's new holder owes an answer too and gets the request at once,
// rather than the decision waiting on someone nobody asked; before that,
// putting someone in a role sends nothing.
func TestHolderPutInARoleAfterApprovalsIsAsked(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	a := h.command(creator, `role "Security Lead" <@`+uSec+`>`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.NotContains(t, a.Answer.Text, "asked them", "no approvals were asked for yet")
	h.askApprovals()

	a = h.command(creator, `role "Product Manager" <@`+uPM+`>`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "asked them for their approval by DM, as approvals were asked for already")
	require.Eventually(t, func() bool {
		_, err := h.store.ApprovalDM(context.Background(), l.ID, "product manager")
		return err == nil
	}, settle, 5*time.Millisecond)
	dm := h.approvalRequest(l.ID, "Product Manager", uPM)

	// The request works as the others do: the new holder's answer counts.
	a = h.interact(h.dmClick(uPM, dm, render.ActionApprove))
	require.Equal(t, http.StatusOK, a.Status)
	require.Eventually(t, func() bool {
		return h.launch().Checklist.Role("Product Manager").Verdict == checklist.VerdictApproved
	}, settle, 5*time.Millisecond)
}

// TestUnheldRoleNamesStayInert: the roles nobody holds are named in the
// channel as typed, without their mentions coming alive.
func TestUnheldRoleNamesStayInert(t *testing.T) {
	h := approvalHarness(t)
	h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec})
	a := h.command(creator, `role add "Legal <@U999>"`)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	a = h.command(creator, "approvals")
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	assert.Contains(t, a.Answer.Text, "Nobody holds Legal ‹@U999›: not counted as approved")
	assert.NotContains(t, string(a.Body), "<@U999>")
}

func TestApprovalClickByAnotherUserIsRefused(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dms := h.askApprovals()
	sec := dms["Security Lead"]
	before, _ := h.slack.message(sec.TS)

	for _, user := range []string{uPM, uOther, creator} {
		a := h.interact(h.dmClick(user, sec, render.ActionApprove))
		require.Equal(t, http.StatusOK, a.Status)
	}
	h.responseWith("Only <@" + uSec + ">, who holds the role Security Lead, can answer for it; nothing was recorded.")

	r := h.launch().Checklist.Role("Security Lead")
	assert.Equal(t, checklist.VerdictPending, r.Verdict)
	assert.Empty(t, h.audited(l.ID, "verdict"), "recorded nowhere as an approval")
	refused := h.audited(l.ID, "approval-refused")
	require.Len(t, refused, 3, "every attempt is in the audit log")
	assert.Equal(t, uPM, refused[0].Actor)
	assert.Equal(t, "role Security Lead", refused[0].Subject())
	after, _ := h.slack.message(sec.TS)
	assert.Equal(t, before, after, "the DM is left as it was")

	// The modal buttons refuse as early, before any modal opens.
	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uOther, sec, render.ActionReject)).Status)
	require.Eventually(t, func() bool { return len(h.audited(l.ID, "approval-refused")) == 4 }, settle, 5*time.Millisecond)
	assert.Zero(t, h.slack.count("views.open"))

	// A signed payload carrying a forged value: another role, a made-up
	// launch, junk. None is recorded as an approval.
	forged := h.dmClick(uOther, sec, render.ActionApprove)
	action := forged["actions"].([]any)[0].(map[string]any)
	for _, value := range []string{render.ApprovalRef{LaunchID: l.ID, Role: "Product Manager"}.String(), "999:Security Lead", "junk"} {
		action["value"] = value
		require.Equal(t, http.StatusOK, h.interact(forged).Status)
	}
	h.responseWith(msgLaunchGone)
	h.responseWith(msgNotMine)
	// A modal submitted with forged metadata is refused on its field.
	a := h.interact(submission(uOther, render.RejectCallbackID, render.ApprovalRef{LaunchID: l.ID, Role: "Security Lead"}.String(), "no"))
	assert.Contains(t, string(a.Body), `"response_action":"errors"`)
	assert.Contains(t, string(a.Body), "can answer for it; nothing was recorded")

	for _, r := range h.launch().Checklist.Roles {
		assert.Equal(t, checklist.VerdictPending, r.Verdict, r.Name)
	}
	assert.Empty(t, h.audited(l.ID, "verdict"))
	assert.Len(t, h.audited(l.ID, "approval-refused"), 6)
}

func TestApprovalClickOnADeletedOrArchivedLaunch(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec})
	dm := h.askApprovals()["Security Lead"]
	click := h.dmClick(uSec, dm, render.ActionApprove)

	a := h.command(creator, "archive")
	require.Equal(t, http.StatusOK, a.Status)
	require.True(t, h.mustLaunchByID(l.ID).Archived, a.Answer.Text)
	h.interact(click)
	h.responseWith("is archived: its decision is closed, and nothing was recorded.")
	assert.Len(t, h.audited(l.ID, "approval-refused"), 1)

	deleteLaunch(t, l.ID)
	_, err := h.store.LaunchByID(context.Background(), l.ID)
	require.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	h.interact(click)
	h.interact(h.dmClick(uSec, dm, render.ActionConditions))
	require.Eventually(t, func() bool {
		n := 0
		for _, r := range h.slack.responses(t) {
			if r.Text == msgLaunchGone {
				n++
			}
		}
		return n == 2
	}, settle, 5*time.Millisecond)
	assert.Zero(t, h.slack.count("views.open"))
	assert.Regexp(t, `"msg":"approval-refused".*"reason":"launch not found"`, h.logs.String())
}

func (h *harness) mustLaunchByID(id int64) *launch.Launch {
	h.t.Helper()
	l, err := h.store.LaunchByID(context.Background(), id)
	require.NoError(h.t, err)
	return l
}

// deleteLaunch removes a launch behind golive's back, the way an operator
// restoring an older backup would: golive itself never deletes one, and the
// audit log's trigger forbids it, so the trigger goes first.
func deleteLaunch(t *testing.T, id int64) {
	t.Helper()
	// The harness's database is the one golive.db among this test's temp dirs.
	dbs, err := filepath.Glob(filepath.Join(filepath.Dir(t.TempDir()), "*", "golive.db"))
	require.NoError(t, err)
	require.Len(t, dbs, 1)
	db, err := sql.Open("sqlite3", "file:"+dbs[0]+"?_busy_timeout=5000&_foreign_keys=on")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`DROP TRIGGER audit_no_delete`)
	require.NoError(t, err)
	for _, q := range []string{`DELETE FROM audit WHERE launch_id = ?`, `DELETE FROM launches WHERE id = ?`} {
		_, err := db.Exec(q, id)
		require.NoError(t, err, q)
	}
}

func TestApprovalDoubleClickRecordsOnce(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dm := h.askApprovals()["Security Lead"]
	// A double click is two clicks: two payloads, each with its trigger id.
	clicks := []map[string]any{h.dmClick(uSec, dm, render.ActionApprove), h.dmClick(uSec, dm, render.ActionApprove)}

	var wg sync.WaitGroup
	for _, click := range clicks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, http.StatusOK, h.interact(click).Status)
		}()
	}
	wg.Wait()

	verdicts := h.audited(l.ID, "verdict")
	require.Len(t, verdicts, 1)
	assert.Equal(t, uSec, verdicts[0].Actor)
	assert.Equal(t, "pending", verdicts[0].Before)
	assert.Equal(t, "approved", verdicts[0].After)
	h.responseWith(msgAlreadyGiven)
	assert.Equal(t, checklist.VerdictApproved, h.launch().Checklist.Role("Security Lead").Verdict)
	assert.Empty(t, h.audited(l.ID, "approval-refused"), "a double click is no attempt to cheat")

	require.Eventually(t, func() bool {
		m, _ := h.slack.message(dm.TS)
		return strings.HasPrefix(m.Text, "You answered approved for Security Lead")
	}, settle, 5*time.Millisecond, "the DM is updated in place")
	for _, c := range h.slack.callsOf("chat.update") {
		if c.Form.Get("ts") == dm.TS {
			assert.Equal(t, dmOf(uSec), c.Form.Get("channel"))
		}
	}
	m, _ := h.slack.message(dm.TS)
	assert.Contains(t, allText(t, m), "You can change your answer until the decision is announced.")
	assert.Empty(t, h.channelPosts("NO-GO"), "one role is still to answer")
}

// waitDM waits until the DM shows a text starting with prefix.
func (h *harness) waitDM(dm launch.ApprovalDM, prefix string) {
	h.t.Helper()
	require.Eventually(h.t, func() bool {
		m, _ := h.slack.message(dm.TS)
		return strings.HasPrefix(m.Text, prefix)
	}, settle, 5*time.Millisecond, "DM %s shows %q", dm.TS, prefix)
}

// TestReplayedAnswersAreRefused: a signed request sent again (same
// trigger_id) is refused and audited, also once the holder has changed
// their answer, which the replay must not undo.
func TestReplayedAnswersAreRefused(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dm := h.askApprovals()["Security Lead"]
	approve := h.dmClick(uSec, dm, render.ActionApprove)
	require.Equal(t, http.StatusOK, h.interact(approve).Status)
	require.Len(t, h.audited(l.ID, "verdict"), 1)

	require.Equal(t, http.StatusOK, h.interact(approve).Status)
	h.responseWith(msgReplayed)
	refused := h.audited(l.ID, "approval-refused")
	require.Len(t, refused, 1, "the replay is in the audit log")
	assert.Equal(t, uSec, refused[0].Actor)
	assert.Equal(t, "conflict: "+msgReplayed, refused[0].After)

	// The holder changes their mind, on the DM redrawn with the answer; the
	// old approval, replayed, does not bring it back.
	h.waitDM(dm, "You answered approved")
	a := h.answerByModal(uSec, dm, render.ActionReject, render.RejectCallbackID, "Pen test findings open")
	require.Equal(t, http.StatusOK, a.Status)
	require.Empty(t, a.Body)
	require.Equal(t, http.StatusOK, h.interact(approve).Status)
	r := h.launch().Checklist.Role("Security Lead")
	assert.Equal(t, checklist.VerdictRejected, r.Verdict)
	assert.Equal(t, "Pen test findings open", r.Note)

	// A click opening a modal, replayed, opens nothing.
	opened := h.slack.count("views.open")
	reject := h.dmClick(uSec, dm, render.ActionReject)
	require.Equal(t, http.StatusOK, h.interact(reject).Status)
	require.Eventually(t, func() bool { return h.slack.count("views.open") == opened+1 }, settle, 5*time.Millisecond)
	require.Equal(t, http.StatusOK, h.interact(reject).Status)
	require.Eventually(t, func() bool { return len(h.audited(l.ID, "approval-refused")) == 3 }, settle, 5*time.Millisecond)
	assert.Equal(t, opened+1, h.slack.count("views.open"))

	// A modal submission replayed is refused on its field.
	version := h.launch().Checklist.Role("Security Lead").Version
	meta := render.ApprovalRef{LaunchID: l.ID, Role: "Security Lead", Version: version}.String()
	submit := submission(uSec, render.ConditionsCallbackID, meta, "Load test first")
	a = h.interact(submit)
	require.Equal(t, http.StatusOK, a.Status)
	require.Empty(t, a.Body)
	a = h.interact(submit)
	assert.Contains(t, string(a.Body), `"response_action":"errors"`)
	assert.Contains(t, string(a.Body), msgReplayed)

	assert.Len(t, h.audited(l.ID, "verdict"), 3, "approved, rejected, approved with conditions")
	assert.Len(t, h.audited(l.ID, "approval-refused"), 4)
}

func TestTwoApproversAnsweringAtOnceAnnounceOnce(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dms := h.askApprovals()
	clicks := []map[string]any{
		h.dmClick(uSec, dms["Security Lead"], render.ActionApprove),
		h.dmClick(uPM, dms["Product Manager"], render.ActionApprove),
	}
	var wg sync.WaitGroup
	for _, c := range clicks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, http.StatusOK, h.interact(c).Status)
		}()
	}
	wg.Wait()

	assert.Len(t, h.audited(l.ID, "verdict"), 2, "neither answer is lost")
	announced := h.audited(l.ID, "announce")
	require.Len(t, announced, 1, "exactly one of the two answers is the last")
	assert.Equal(t, launch.Golive, announced[0].Actor)
	var snap launch.Snapshot
	require.NoError(t, json.Unmarshal([]byte(announced[0].After), &snap))
	assert.Equal(t, checklist.OutcomeNoGo, snap.Outcome, "every approval, but the gates of a blank checklist fail")

	posts := h.waitPosts("NO-GO", 1)
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, h.channelPosts("NO-GO"), 1, "one announcement")
	assert.Contains(t, allText(t, posts[0]), "when the last role answered")

	for role, dm := range dms {
		require.Eventually(t, func() bool {
			m, _ := h.slack.message(dm.TS)
			return strings.Contains(allText(t, m), "The decision (NO-GO) was announced")
		}, settle, 5*time.Millisecond, "%s's DM shows the answer frozen", role)
	}
	// Once the decision is out, an answer no longer changes by click: the
	// same answer again is a no-op, another one is refused.
	h.interact(h.dmClickAny(uSec, dms["Security Lead"], render.ActionApprove))
	h.responseWith(msgAlreadyGiven)
	h.interact(h.dmClickAny(uSec, dms["Security Lead"], render.ActionReject))
	h.responseWith("was announced with your answer for Security Lead in it")
	assert.Zero(t, h.slack.count("views.open"))
	assert.Len(t, h.audited(l.ID, "approval-refused"), 1)
}

// dmClickAny clicks a DM's button whatever buttons it shows now: the
// payload a stale client could still send.
func (h *harness) dmClickAny(user string, dm launch.ApprovalDM, actionID string) map[string]any {
	return h.dmPayload(user, dm, nil, map[string]any{"type": "button", "action_id": actionID, "block_id": "approval",
		"value": render.ApprovalRef{LaunchID: dm.LaunchID, Role: dm.Role}.String(), "action_ts": "1.1"})
}

func TestRejectionAfterTwoApprovals(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM, "Engineering Lead": uEng})
	dms := h.askApprovals()
	for role, user := range map[string]string{"Product Manager": uPM, "Engineering Lead": uEng} {
		require.Equal(t, http.StatusOK, h.interact(h.dmClick(user, dms[role], render.ActionApprove)).Status)
	}
	require.Empty(t, h.audited(l.ID, "announce"))

	a := h.answerByModal(uSec, dms["Security Lead"], render.ActionReject, render.RejectCallbackID, "   ")
	assert.Contains(t, string(a.Body), "Say why you reject the launch.", "a rejection needs its reason")
	a = h.answerByModal(uSec, dms["Security Lead"], render.ActionReject, render.RejectCallbackID, "Pen test findings open <!channel>")
	require.Equal(t, http.StatusOK, a.Status)
	assert.Empty(t, a.Body, "the modal closes")

	assert.Len(t, h.audited(l.ID, "verdict"), 3)
	require.Len(t, h.audited(l.ID, "announce"), 1, "the rejection was the last answer")
	post := h.waitPosts("NO-GO", 1)[0]
	text := allText(t, post)
	assert.Contains(t, text, "❌ *Security Lead* rejected (<@"+uSec+">): Pen test findings open &lt;!channel&gt;")
	assert.Contains(t, text, "✅ *Product Manager*: approved by <@"+uPM+">")
	assert.Contains(t, text, "✅ *Engineering Lead*: approved by <@"+uEng+">")
	assert.NotContains(t, text, "<!channel>")

	require.Eventually(t, func() bool {
		m, _ := h.slack.message(dms["Security Lead"].TS)
		return strings.Contains(allText(t, m), "*Reason:* Pen test findings open")
	}, settle, 5*time.Millisecond, "the rejecter's DM shows the reason")
}

func TestConditionalGoAnnouncementShowsTheConditions(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.tickAll()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dms := h.askApprovals()
	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uPM, dms["Product Manager"], render.ActionApprove)).Status)
	a := h.answerByModal(uSec, dms["Security Lead"], render.ActionConditions, render.ConditionsCallbackID, "WAF rules reviewed before GA")
	require.Equal(t, http.StatusOK, a.Status)
	assert.Empty(t, a.Body)

	post := h.waitPosts("CONDITIONAL GO", 1)[0]
	assert.True(t, strings.HasPrefix(post.Text, "CONDITIONAL GO for Checkout v2, on 1 condition: Security Lead: WAF rules reviewed before GA"), post.Text)
	text := allText(t, post)
	assert.Contains(t, text, "• Security Lead: WAF rules reviewed before GA")
	assert.Contains(t, text, "🟡 *Security Lead*: approved with conditions by <@"+uSec+">")
	snap := h.audited(l.ID, "announce")
	require.Len(t, snap, 1)
	assert.Contains(t, snap[0].After, `"outcome":"CONDITIONAL GO"`)
}

// TestSeed000NoGoAnnouncement posts the decision of seed 000 as written and
// checks its exact gate figures.
func TestSeed000NoGoAnnouncement(t *testing.T) {
	h := approvalHarness(t)
	src, err := os.ReadFile(filepath.Join("..", "internal", "checklist", "testdata", "seed000.md"))
	require.NoError(t, err)
	c, _, err := checklist.Parse(src)
	require.NoError(t, err)
	l := &launch.Launch{TeamID: testTeam, ChannelID: testChan, Name: "Realtor AI Copilot", Date: "2026-12-01",
		Timezone: "Europe/Paris", Creator: creator, Checklist: c}
	require.NoError(t, h.store.CreateLaunch(context.Background(), l, creator))

	a := h.command(uOther, "review 2026-12-08")
	assert.Contains(t, a.Answer.Text, "Only the launch's creator")
	a = h.command(creator, "review 2026-12-08")
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)

	a = h.command(uOther, "decide")
	require.Equal(t, http.StatusOK, a.Status)
	assert.Empty(t, a.Body, "anyone may ask; the announcement goes to the channel")
	post := h.waitPosts("NO-GO", 1)[0]
	assert.True(t, strings.HasPrefix(post.Text, "NO-GO for Realtor AI Copilot: 5 gates failing, 0 rejections; readiness 78/199 = 39.2%."), post.Text)
	text := allText(t, post)
	for _, want := range []string{
		"❌ *Security*: 19/32 = 59.4%, needs ≥ 100%, failing",
		"✅ *Infrastructure*: 19/21 = 90.5%, needs &gt; 90%, passing",
		"❌ *Monitoring*: 13/34 = 38.2%, needs &gt; 90%, failing",
		"❌ *Documentation*: 7/21 = 33.3%, needs &gt; 90%, failing",
		"❌ *Disaster Recovery backups*: 0/6 = 0.0%, needs ≥ 100%, failing",
		"✅ *Health Checks*: 5/5 = 100.0%, needs ≥ 100%, passing",
		"✅ *Core Features*: 10/10 = 100.0%, needs ≥ 100%, passing",
		"❌ *Overall readiness*: 78/199 = 39.2%, needs ≥ 85%, failing",
		"*Next review*\n2026-12-08",
		"at the request of <@" + uOther + ">",
		"*Operations Lead*: nobody holds it",
	} {
		assert.Contains(t, text, want)
	}
	announced := h.audited(l.ID, "announce")
	require.Len(t, announced, 1)
	var snap launch.Snapshot
	require.NoError(t, json.Unmarshal([]byte(announced[0].After), &snap))
	assert.Equal(t, checklist.OutcomeNoGo, snap.Outcome)
	assert.Len(t, snap.Done, 78, "the facts the decision was taken on")
	assert.Equal(t, h.launch().Fingerprint(testNow), snap.Fingerprint)
}

func TestChangeAfterGoPostsTheStaleNoticeOnce(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.tickAll()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dms := h.askApprovals()
	for role, user := range map[string]string{"Product Manager": uPM, "Security Lead": uSec} {
		require.Equal(t, http.StatusOK, h.interact(h.dmClick(user, dms[role], render.ActionApprove)).Status)
	}
	h.waitPosts("GO for Checkout v2", 1)

	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	items := sec.Groups[0].Items
	a := h.command(creator, "untick "+itoa(items[0].Number))
	require.Equal(t, http.StatusOK, a.Status, a.Answer.Text)
	h.waitPosts("The GO was given on different facts; run `decide` again.", 1)
	a = h.command(creator, "untick "+itoa(items[1].Number))
	require.Equal(t, http.StatusOK, a.Status)
	time.Sleep(300 * time.Millisecond)
	assert.Len(t, h.channelPosts("The GO was given"), 1, "once per announcement")

	a = h.command(uOther, "decide")
	require.Equal(t, http.StatusOK, a.Status)
	h.waitPosts("NO-GO", 1)
	assert.Len(t, h.audited(l.ID, "announce"), 2)
}

func TestSignoffWithOpenItemsAsksForConfirmation(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	a := h.command(uOther, "signoff Security")
	assert.Contains(t, a.Answer.Text, "Only the owner of Security or the launch's creator")

	a = h.command(creator, "signoff Security")
	require.Equal(t, "ephemeral", a.Answer.ResponseType)
	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	open := launch.OpenItems(sec)
	assert.Equal(t, "Sign off Security with "+itoa(open)+" open items?", a.Answer.Text)
	var body struct {
		Blocks []map[string]any `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(a.Body, &body))
	var confirm map[string]any
	for _, b := range body.Blocks {
		for _, el := range elementsOf(b) {
			if el["action_id"] == render.ActionSignoffConfirm {
				confirm = map[string]any{"type": "button", "action_id": el["action_id"], "block_id": b["block_id"], "value": el["value"]}
			}
		}
	}
	require.NotNil(t, confirm)
	require.Empty(t, h.audited(l.ID, "signoff"), "nothing signed before the confirmation")

	click := h.blockAction(creator, "", nil, confirm)
	delete(click, "message")
	require.Equal(t, http.StatusOK, h.interact(click).Status)
	signed := h.audited(l.ID, "signoff")
	require.Len(t, signed, 1)
	assert.Equal(t, "signed with "+itoa(open)+" open items", signed[0].After)
	h.waitPosts("<@"+creator+"> signed off Security with "+itoa(open)+" open items.", 1)

	// Unticking an item of the signed-off section voids the sign-off, in the channel.
	item := sec.Groups[0].Items[0].Number
	require.Equal(t, http.StatusOK, h.command(creator, "tick "+itoa(item)).Status)
	require.Equal(t, http.StatusOK, h.command(creator, "untick "+itoa(item)).Status)
	h.waitPosts("<@"+creator+"> unticked an item of Security: its sign-off is void now", 1)
	assert.Nil(t, h.launch().Checklist.Sections[sec.Index].Signoff)
}

func itoa(n int) string { return strings.TrimPrefix(itemList([]int{n}), "item ") }

func TestAnswerChangesUntilTheDecisionIsAnnounced(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.tickAll()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dm := h.askApprovals()["Security Lead"]
	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uSec, dm, render.ActionApprove)).Status)
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(dm.TS)
		return strings.HasPrefix(m.Text, "You answered approved")
	}, settle, 5*time.Millisecond)

	// The updated DM still offers the answers: change to a conditional approval.
	a := h.answerByModal(uSec, dm, render.ActionConditions, render.ConditionsCallbackID, "Load test first")
	require.Equal(t, http.StatusOK, a.Status)
	assert.Empty(t, a.Body)
	verdicts := h.audited(l.ID, "verdict")
	require.Len(t, verdicts, 2)
	assert.Equal(t, "approved", verdicts[1].Before)
	assert.Equal(t, "approved with conditions: Load test first", verdicts[1].After)
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(dm.TS)
		return strings.Contains(allText(t, m), "*Conditions:* Load test first")
	}, settle, 5*time.Millisecond)

	// `decide` with every gate passing but Product Manager yet to answer:
	// PENDING, naming who.
	require.Equal(t, http.StatusOK, h.command(uOther, "decide").Status)
	post := h.waitPosts("PENDING", 1)[0]
	assert.Equal(t, "PENDING for Checkout v2: waiting for Product Manager.", post.Text)
	assert.Contains(t, allText(t, post), "⏳ *Product Manager*: <@"+uPM+">")
}

func TestSignoffButtonOnTheChecklistView(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("Security")
	msg, ok := h.slack.message(ts)
	require.True(t, ok)
	var blocks []map[string]any
	require.NoError(t, json.Unmarshal([]byte(msg.Blocks), &blocks))
	var button map[string]any
	for _, b := range blocks {
		for _, el := range elementsOf(b) {
			if el["action_id"] == render.ActionSignoff {
				button = map[string]any{"type": "button", "action_id": el["action_id"], "block_id": b["block_id"], "value": el["value"]}
			}
		}
	}
	require.NotNil(t, button, "the section's view has a sign-off button")

	require.Equal(t, http.StatusOK, h.interact(h.blockAction(uOther, ts, blocks, button)).Status)
	h.responseWith("Only the owner of Security or the launch's creator")
	require.Equal(t, http.StatusOK, h.interact(h.blockAction(creator, ts, blocks, button)).Status)
	h.responseWith("Sign off Security with")
	assert.Empty(t, h.audited(l.ID, "signoff"), "a section with open items waits for the confirmation")
}

// nudge has delivery, on a clock stopped at at, send holder the approval
// nudge of at's local day, as the daily digest plans it, and the posts it
// enqueues. at must be after the day the holder was asked.
func (h *harness) nudge(l *launch.Launch, holder string, at time.Time) {
	h.t.Helper()
	ctx := context.Background()
	day := schedule.LocalDate(l, at)
	r := schedule.Reminder{LaunchID: l.ID, Kind: schedule.KindApprovalDM, Key: day + " " + holder, DueAt: at,
		Payload: schedule.Payload{Day: day, Owner: holder}}
	require.NoError(h.t, h.store.PlanReminders(ctx, l.ID, []schedule.Reminder{r}, at))
	_, err := h.sender(func() time.Time { return at }).RunDue(ctx)
	require.NoError(h.t, err)
}

func TestNudgeApprovalsAsksOnlyWhatIsPending(t *testing.T) {
	h := approvalHarness(t)
	h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dms := h.askApprovals()
	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uSec, dms["Security Lead"], render.ActionApprove)).Status)
	require.Eventually(t, func() bool {
		return h.launch().Checklist.Role("Security Lead").Verdict == checklist.VerdictApproved
	}, settle, 5*time.Millisecond)

	l := h.launch()
	before := h.slack.count("chat.postMessage")
	h.nudge(l, uSec, testNow.Add(24*time.Hour))
	assert.Equal(t, before, h.slack.count("chat.postMessage"), "Security Lead has answered")
	h.nudge(l, uPM, testNow.Add(24*time.Hour))
	require.Equal(t, before+1, h.slack.count("chat.postMessage"))
	nudged, err := h.store.ApprovalDM(context.Background(), l.ID, "Product Manager")
	require.NoError(t, err)
	assert.NotEqual(t, dms["Product Manager"].TS, nudged.TS, "the newest DM is the one updated in place")
	m, _ := h.slack.message(nudged.TS)
	assert.True(t, strings.HasPrefix(m.Text, "Your approval is requested as Product Manager"), m.Text)
}

// TestLastAnswerAnnouncesThroughTheOutbox: the announcement the last
// answer triggers is stored with the answer (a click has no response_url
// to fall back on, a modal none at all), and a post Slack refused without
// posting goes out on the next attempt.
func TestLastAnswerAnnouncesThroughTheOutbox(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec})
	dm := h.askApprovals()["Security Lead"] // sent by the harness's own sender
	h.stopSender()
	clock := &testClock{at: testNow}
	s := h.sender(clock.now)
	h.slack.failNext("chat.postMessage", 1, fault{slackError: "not_in_channel"})
	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uSec, dm, render.ActionApprove)).Status)
	assert.Len(t, h.audited(l.ID, "announce"), 1)
	var rows []store.PostRecord
	for _, p := range h.posts(l.ID) {
		if p.Kind == launch.PostAnnouncement {
			rows = append(rows, p)
		}
	}
	require.Len(t, rows, 1, "stored with the answer")

	_, err := s.RunDue(context.Background())
	require.NoError(t, err)
	clock.add(time.Minute)
	_, err = s.RunDue(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, h.slack.keyed()[h.announceKey(l)])
}

// TestAnswerOnAnOlderDMShowsThere: a holder nudged since the request
// answers on the first DM; both that DM and the nudge show the answer.
func TestAnswerOnAnOlderDMShowsThere(t *testing.T) {
	h := approvalHarness(t)
	h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	first := h.askApprovals()["Security Lead"]
	l := h.launch()
	h.nudge(l, uSec, testNow.Add(24*time.Hour))
	nudge, err := h.store.ApprovalDM(context.Background(), l.ID, "Security Lead")
	require.NoError(t, err)
	require.NotEqual(t, first.TS, nudge.TS)

	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uSec, first, render.ActionApprove)).Status)
	for _, dm := range []launch.ApprovalDM{first, nudge} {
		require.Eventually(t, func() bool {
			m, _ := h.slack.message(dm.TS)
			return strings.HasPrefix(m.Text, "You answered approved for Security Lead")
		}, settle, 5*time.Millisecond, "DM %s shows the answer", dm.TS)
	}
}
