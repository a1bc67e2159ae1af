package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/store"
)

// withLookup lets a test's sender look posts up in the history.
func withLookup(c *delivery.Config) { c.Lookup = true }

// outboxHarness is a harness whose outbox only the test's sender, on a
// clock the test moves, delivers.
func outboxHarness(t *testing.T, opts ...func(*delivery.Config)) (*harness, *testClock, *delivery.Delivery) {
	t.Helper()
	h := newHarness(t)
	h.stopSender()
	clock := &testClock{at: testNow}
	return h, clock, h.sender(clock.now, opts...)
}

// runDue runs one pass of s and more until nothing is due.
func runDue(t *testing.T, s *delivery.Delivery) {
	t.Helper()
	_, err := s.RunDue(context.Background())
	require.NoError(t, err)
}

// posts returns the launch's outbox rows.
func (h *harness) posts(launchID int64) []store.PostRecord {
	h.t.Helper()
	ps, err := h.store.Posts(context.Background(), launchID)
	require.NoError(h.t, err)
	return ps
}

// announceKey is the outbox key of the launch's last announcement.
func (h *harness) announceKey(l *launch.Launch) string {
	h.t.Helper()
	a := h.launch().Announced
	require.NotNil(h.t, a)
	return "announce:" + strconv.FormatInt(l.ID, 10) + ":" + strconv.FormatInt(a.At.UnixMilli(), 10)
}

// TestAnnouncementIsStoredWithTheDecision: the announcement is in the
// outbox as soon as `decide` is acknowledged, and stays there while Slack
// is unreachable; it goes out, once, when Slack is back.
func TestAnnouncementIsStoredWithTheDecision(t *testing.T) {
	h, clock, s := outboxHarness(t)
	l := h.newLaunch()
	h.slack.down()
	require.Equal(t, http.StatusOK, h.command(uOther, "decide").Status)

	rows := h.posts(l.ID)
	require.Len(t, rows, 1, "the announcement is committed with the decision")
	assert.Equal(t, launch.PostAnnouncement, rows[0].Kind)
	assert.Equal(t, h.announceKey(l), rows[0].Key)
	assert.Equal(t, testChan, rows[0].Channel)

	runDue(t, s)
	rows = h.posts(l.ID)
	assert.Equal(t, outbox.StatePending, rows[0].State, "refused connections: tried again later")
	assert.Equal(t, 1, rows[0].Attempts)
	assert.Contains(t, rows[0].LastError, "connection refused")

	h.slack.up(t)
	clock.add(time.Minute)
	runDue(t, s)
	runDue(t, s)
	rows = h.posts(l.ID)
	assert.Equal(t, outbox.StateSent, rows[0].State)
	assert.Equal(t, map[string]int{h.announceKey(l): 1}, h.slack.keyed())
	assert.Equal(t, h.slack.lastTS(), rows[0].TS)
	m, ok := h.slack.message(rows[0].TS)
	require.True(t, ok)
	assert.Contains(t, m.Text, "for Checkout v2")
}

// TestAnnouncementSurvivesACrashAfterTheCommit: a process that stops
// right after acknowledging `decide` leaves the announcement to the next.
func TestAnnouncementSurvivesACrashAfterTheCommit(t *testing.T) {
	h := newHarness(t)
	h.stopSender() // dies before delivering anything
	l := h.newLaunch()
	require.Equal(t, http.StatusOK, h.command(uOther, "decide").Status)
	h.stop()
	assert.Zero(t, h.slack.count("chat.postMessage"))

	next := h.another()
	require.Eventually(t, func() bool { return next.slack.keyed()[next.announceKey(l)] == 1 }, 5*time.Second, 5*time.Millisecond)
}

// TestAcceptedPostIsNotSentAgain: Slack posts the announcement but the
// answer is a 500, a cut connection or a timeout. Without look-ups the
// post is never sent again, and ends "unknown"; the Slack client does not
// send it again by itself either.
func TestAcceptedPostIsNotSentAgain(t *testing.T) {
	for name, ft := range map[string]fault{
		"500":     {accept: true, status: http.StatusInternalServerError},
		"503":     {accept: true, status: http.StatusServiceUnavailable},
		"reset":   {accept: true, cut: true},
		"timeout": {accept: true, hang: 2 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			h, clock, s := outboxHarness(t, func(c *delivery.Config) { c.CallTimeout = 300 * time.Millisecond })
			l := h.newLaunch()
			h.slack.failNext("chat.postMessage", 1, ft)
			require.Equal(t, http.StatusOK, h.command(uOther, "decide").Status)

			runDue(t, s)
			clock.add(time.Hour)
			runDue(t, s)
			assert.Equal(t, 1, h.slack.count("chat.postMessage"), "one call")
			assert.Equal(t, map[string]int{h.announceKey(l): 1}, h.slack.keyed())
			rows := h.posts(l.ID)
			assert.Equal(t, outbox.StateUnknown, rows[0].State)
		})
	}
}

// TestUnknownOutcomeIsLookedUp: with look-ups on, a post of unknown
// outcome is looked for before it is sent again: found when Slack had
// taken it, sent again when it had not.
func TestUnknownOutcomeIsLookedUp(t *testing.T) {
	for name, tc := range map[string]struct {
		ft        fault
		wantCalls int
	}{
		"500 after accepting":     {fault{accept: true, status: http.StatusInternalServerError}, 1},
		"timeout after accepting": {fault{accept: true, hang: 2 * time.Second}, 1},
		"500 without accepting":   {fault{status: http.StatusInternalServerError}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			h, clock, s := outboxHarness(t, withLookup, func(c *delivery.Config) { c.CallTimeout = 300 * time.Millisecond })
			l := h.newLaunch()
			h.slack.failNext("chat.postMessage", 1, tc.ft)
			require.Equal(t, http.StatusOK, h.command(uOther, "decide").Status)

			runDue(t, s)
			rows := h.posts(l.ID)
			require.Equal(t, outbox.StatePending, rows[0].State)
			assert.True(t, rows[0].InDoubt)
			clock.add(time.Minute)
			runDue(t, s)
			clock.add(time.Hour)
			runDue(t, s)

			assert.Equal(t, tc.wantCalls, h.slack.count("chat.postMessage"))
			assert.Equal(t, 1, h.slack.count("conversations.history"))
			assert.Equal(t, map[string]int{h.announceKey(l): 1}, h.slack.keyed())
			rows = h.posts(l.ID)
			assert.Equal(t, outbox.StateSent, rows[0].State)
			assert.NotEmpty(t, rows[0].TS)
		})
	}
}

// TestRateLimitedPostIsSentAfterRetryAfter: a 429 posted nothing; the post
// waits Retry-After and goes out.
func TestRateLimitedPostIsSentAfterRetryAfter(t *testing.T) {
	h, clock, s := outboxHarness(t)
	l := h.newLaunch()
	h.slack.failNext("chat.postMessage", 1, fault{status: http.StatusTooManyRequests, retryAfter: 1})
	require.Equal(t, http.StatusOK, h.command(uOther, "decide").Status)

	runDue(t, s)
	rows := h.posts(l.ID)
	require.Equal(t, outbox.StatePending, rows[0].State)
	runDue(t, s)
	assert.Equal(t, 1, h.slack.count("chat.postMessage"), "not before Retry-After")

	clock.add(2 * time.Second)
	time.Sleep(1100 * time.Millisecond) // the client holds chat.postMessage for Retry-After too
	runDue(t, s)
	assert.Equal(t, 2, h.slack.count("chat.postMessage"))
	assert.Equal(t, map[string]int{h.announceKey(l): 1}, h.slack.keyed())
	assert.Equal(t, outbox.StateSent, h.posts(l.ID)[0].State)
}

// TestTwoInstancesPostEachOnce: two golive processes on one database, each
// with its sender running, deliver every post exactly once.
func TestTwoInstancesPostEachOnce(t *testing.T) {
	h := newHarness(t)
	other := h.another()
	const n = 12
	var launches []*launch.Launch
	for i := range n {
		l := importedLaunch(t, h, "CIMPORT"+strconv.Itoa(i))
		launches = append(launches, l)
	}
	require.Eventually(t, func() bool { return len(h.slack.keyed()) == n }, 10*time.Second, 10*time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	for key, count := range h.slack.keyed() {
		assert.Equal(t, 1, count, key)
	}
	assert.Equal(t, n, h.slack.count("chat.postMessage"))
	for _, l := range launches {
		assert.Equal(t, outbox.StateSent, other.posts(l.ID)[0].State)
	}
}

// TestUnreadablePostIsKeptAndFailed: a body that cannot be decoded is a
// bug: it is failed, not sent, and kept as the record of it.
func TestUnreadablePostIsKeptAndFailed(t *testing.T) {
	h, _, s := outboxHarness(t)
	l := h.newLaunch()
	_, err := h.store.Update(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		l.Tell(launch.Post{Key: "notice:broken", Kind: launch.PostNotice, Channel: l.ChannelID, Body: []byte("{not json")})
		return nil, nil
	})
	require.NoError(t, err)
	runDue(t, s)
	rows := h.posts(l.ID)
	require.Len(t, rows, 1)
	assert.Equal(t, outbox.StateFailed, rows[0].State)
	assert.Contains(t, rows[0].LastError, "decode")
	assert.Zero(t, h.slack.count("chat.postMessage"))
}

// TestStaleNoticeIsStoredWithTheChange: the change that leaves an
// announced GO on other facts stores the stale notice with it, once per
// announcement; a Slack outage at that moment delays it, no more.
func TestStaleNoticeIsStoredWithTheChange(t *testing.T) {
	h := approvalHarness(t)
	l := h.newLaunch()
	h.tickAll()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	dms := h.askApprovals() // sent by the harness's own sender
	h.stopSender()
	clock := &testClock{at: testNow}
	s := h.sender(clock.now)
	for role, user := range map[string]string{"Product Manager": uPM, "Security Lead": uSec} {
		require.Equal(t, http.StatusOK, h.interact(h.dmClick(user, dms[role], render.ActionApprove)).Status)
	}
	runDue(t, s)
	require.Equal(t, 1, h.slack.keyed()[h.announceKey(l)], "the GO is announced")

	h.slack.down()
	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	items := sec.Groups[0].Items
	require.Equal(t, http.StatusOK, h.command(creator, "untick "+itoa(items[0].Number)).Status)
	require.Equal(t, http.StatusOK, h.command(creator, "untick "+itoa(items[1].Number)).Status)
	staleKey := "stale:" + strconv.FormatInt(l.ID, 10) + ":" + strconv.FormatInt(h.launch().Announced.At.UnixMilli(), 10)
	var stale []store.PostRecord
	for _, p := range h.posts(l.ID) {
		if p.Kind == launch.PostStaleNotice {
			stale = append(stale, p)
		}
	}
	require.Len(t, stale, 1, "told once, with the first change")
	assert.Equal(t, staleKey, stale[0].Key)
	runDue(t, s)

	h.slack.up(t)
	clock.add(time.Minute)
	runDue(t, s)
	assert.Equal(t, 1, h.slack.keyed()[staleKey])
	assert.Len(t, h.channelPosts("The GO was given"), 1)
}

// TestVoidNoticeIsStoredWithTheUntick: unticking an item of a signed-off
// section stores the channel's notice with the untick.
func TestVoidNoticeIsStoredWithTheUntick(t *testing.T) {
	h, _, s := outboxHarness(t)
	l := h.newLaunch()
	sec := l.Checklist.Sections[0]
	var nums []string
	for _, g := range sec.Groups {
		for _, it := range g.Items {
			nums = append(nums, itoa(it.Number))
		}
	}
	require.Equal(t, http.StatusOK, h.command(creator, "tick "+strings.Join(nums, " ")).Status)
	require.Equal(t, "in_channel", h.command(creator, "signoff "+sec.Title).Answer.ResponseType)
	require.Equal(t, http.StatusOK, h.command(creator, "untick "+nums[0]).Status)

	rows := h.posts(l.ID)
	require.Len(t, rows, 1)
	assert.Equal(t, launch.PostNotice, rows[0].Kind)
	runDue(t, s)
	posts := h.slack.callsOf("chat.postMessage")
	require.Len(t, posts, 1)
	assert.Contains(t, unJSON(posts[0].Form.Get("text")), "unticked an item of "+sec.Title+": its sign-off is void now")
}

// TestApprovalRequestsAreStoredWithTheRequest: `approvals` stores one DM
// per holder with the request; each is recorded, once sent, as the DM its
// answer updates, and a second round's DMs replace the first's.
func TestApprovalRequestsAreStoredWithTheRequest(t *testing.T) {
	h := approvalHarness(t)
	h.stopSender()
	clock := &testClock{at: testNow}
	s := h.sender(clock.now)
	l := h.newLaunch()
	h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
	h.slack.down()
	require.Equal(t, "in_channel", h.command(creator, "approvals").Answer.ResponseType)
	var asks []store.PostRecord
	for _, p := range h.posts(l.ID) {
		if p.Kind == launch.PostApprovalDM {
			asks = append(asks, p)
		}
	}
	require.Len(t, asks, 2, "one DM per holder, stored with the request")
	assert.ElementsMatch(t, []string{uSec, uPM}, []string{asks[0].User, asks[1].User})
	runDue(t, s)
	dms, err := h.store.ApprovalDMs(context.Background(), l.ID)
	require.NoError(t, err)
	assert.Empty(t, dms, "nothing sent yet")

	h.slack.up(t)
	clock.add(time.Minute)
	runDue(t, s)
	dms, err = h.store.ApprovalDMs(context.Background(), l.ID)
	require.NoError(t, err)
	require.Len(t, dms, 2)
	assert.Equal(t, 2, h.slack.count("chat.postMessage"))
	for _, dm := range dms {
		m, ok := h.slack.message(dm.TS)
		require.True(t, ok)
		assert.True(t, strings.HasPrefix(m.Text, "Your approval is requested as "+dm.Role), m.Text)
	}
	// The answer works on the DM the outbox sent.
	sec := dms[0]
	if sec.Role != "Security Lead" {
		sec = dms[1]
	}
	require.Equal(t, http.StatusOK, h.interact(h.dmClick(uSec, sec, render.ActionApprove)).Status)
	assert.Len(t, h.audited(l.ID, "verdict"), 1)
}

// TestNAConfirmationDMsAreStoredWithTheMark: the DMs asking role holders to
// confirm an N/A are stored with the mark, and sent once Slack answers.
func TestNAConfirmationDMsAreStoredWithTheMark(t *testing.T) {
	h, clock, s := outboxHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{l.Checklist.Roles[0].Name: "UALICE"})
	require.True(t, l.NeedsConfirmation(89))
	h.slack.down()
	a := h.command(creator, `na 89 "Covered by the load balancer's probe"`)
	assert.Contains(t, a.Answer.Text, "golive asked <@UALICE> by DM")
	rows := h.posts(l.ID)
	require.Len(t, rows, 1)
	assert.Equal(t, launch.PostNADM, rows[0].Kind)
	assert.Equal(t, "UALICE", rows[0].User)

	runDue(t, s)
	h.slack.up(t)
	clock.add(time.Minute)
	runDue(t, s)
	assert.Equal(t, map[string]int{rows[0].Key: 1}, h.slack.keyed())
	assert.Equal(t, "UALICE", h.slack.callsOf("conversations.open")[0].Form.Get("users"))
}

// TestRefusedPostIsExplainedToTheCreator: Slack refuses the announcement
// because golive is not in the channel. The launch's creator hears why by
// DM, once, while the post waits to be tried again; it goes out once Slack
// takes it.
func TestRefusedPostIsExplainedToTheCreator(t *testing.T) {
	h, clock, s := outboxHarness(t)
	l := h.newLaunch()
	h.slack.failNext("chat.postMessage", 1, fault{slackError: "not_in_channel"})
	require.Equal(t, http.StatusOK, h.command(uOther, "decide").Status)

	runDue(t, s)
	dms := h.slack.posted(dmOf(creator))
	require.Len(t, dms, 1, "the creator is told")
	assert.Contains(t, dms[0].Form.Get("text"), "I could not post the GO / NO-GO announcement of the launch “Checkout v2”: I am not a member of its channel. Add me with `/invite @golive` there")
	opened := h.slack.callsOf("conversations.open")
	require.NotEmpty(t, opened)
	assert.Equal(t, creator, opened[len(opened)-1].Form.Get("users"))
	assert.Equal(t, outbox.StatePending, h.posts(l.ID)[0].State, "tried again later")

	h.slack.failNext("chat.postMessage", 1, fault{slackError: "not_in_channel"})
	clock.add(time.Hour)
	runDue(t, s)
	assert.Len(t, h.slack.posted(dmOf(creator)), 1, "told once, not at every attempt")

	clock.add(24 * time.Hour)
	runDue(t, s)
	assert.Equal(t, outbox.StateSent, h.posts(l.ID)[0].State, "sent once golive is in the channel")
	assert.Equal(t, map[string]int{h.announceKey(l): 1}, h.slack.keyed())
}

// TestRefusedDMIsExplainedToTheCreator: an approval request to a holder
// Slack will not DM fails for good, and the creator hears why.
func TestRefusedDMIsExplainedToTheCreator(t *testing.T) {
	r := whyNot(outbox.Row{Post: launch.Post{User: "UDANA", Kind: launch.PostApprovalDM}}, "cannot_dm_bot")
	assert.Contains(t, r, "Slack does not let me send <@UDANA> a direct message (it says `cannot_dm_bot`)")
	assert.Empty(t, whyNot(outbox.Row{Post: launch.Post{Channel: testChan}}, "internal_error"), "nothing anyone can act on")
}

// TestFencedPostPastItsDeadlineIsNotSent: a post delivery fenced (look-ups
// on) that has not left by the instant it was fenced by, on the sender's
// clock (a sender resumed after SIGSTOP), is not sent, and reported as not
// sent; unfenced (look-ups off: nobody sends it again), it goes.
func TestFencedPostPastItsDeadlineIsNotSent(t *testing.T) {
	h := newHarness(t)
	h.stopSender()
	tr := h.bot.OutboxTransport()
	body, err := json.Marshal(postBody{Notice: "late"})
	require.NoError(t, err)
	row := outbox.Row{ID: 1, Attempts: 2, Post: launch.Post{Key: "notice:1:late", Kind: launch.PostNotice, Channel: testChan, Body: body}}
	before := h.slack.count("chat.postMessage")

	_, err = tr.Send(outbox.Fenced(context.Background(), testNow.Add(-time.Second)), row)
	require.Error(t, err)
	assert.True(t, outbox.IsNotSent(err), "known not sent: %v", err)
	assert.Equal(t, before, h.slack.count("chat.postMessage"), "nothing left for Slack")

	_, err = tr.Send(outbox.Fenced(context.Background(), testNow.Add(time.Second)), row)
	require.NoError(t, err, "in time")
	_, err = tr.Send(context.Background(), row)
	require.NoError(t, err, "not fenced")
	assert.Equal(t, 2, h.slack.keyed()["notice:1:late"])
}
