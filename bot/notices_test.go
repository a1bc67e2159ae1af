package bot

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// importedLaunch stores a launch as `golive import` does, with its notice.
func importedLaunch(t *testing.T, h *harness, channel string) *launch.Launch {
	t.Helper()
	list, _, err := checklist.Parse([]byte("# Plan\n\n## Checks\n\n- [ ] Backups restore\n- [x] Alerts page someone\n"))
	require.NoError(t, err)
	l := &launch.Launch{TeamID: testTeam, ChannelID: channel, Name: "Checkout <!here>", Date: "2026-12-08", Time: "14:00",
		Timezone: "Europe/Paris", Creator: "UALICE", Checklist: list}
	require.NoError(t, TellImport(l, "UALICE"))
	require.NoError(t, h.store.CreateLaunch(context.Background(), l, "UALICE"))
	return l
}

func TestNoticesArePostedOnce(t *testing.T) {
	h := newHarness(t)
	other := h.another() // a second bot, with its own sender, on the same database
	l := importedLaunch(t, h, "C7")

	require.Eventually(t, func() bool { return h.slack.count("chat.postMessage") > 0 }, 5*time.Second, 5*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // both senders look again several times
	posts := h.slack.callsOf("chat.postMessage")
	require.Len(t, posts, 1)
	assert.Equal(t, "C7", posts[0].Form.Get("channel"))
	assert.Equal(t, "<@UALICE> started the launch “Checkout ‹!here›” for 2026-12-08 14:00 (Europe/Paris) from an imported checklist: "+
		"2 items in 1 sections. Tick items with the `checklist` command; `status` shows readiness.", unJSON(posts[0].Form.Get("text")))
	assert.Equal(t, map[string]int{"import:" + strconv.FormatInt(l.ID, 10): 1}, h.slack.keyed())
	_ = other
}

func TestNoticeWaitsForTheBotToBeInvited(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.stopSender()
	clock := &testClock{at: testNow}
	s := h.sender(clock.now)
	h.slack.failNext("chat.postMessage", 1, fault{slackError: "not_in_channel"})
	importedLaunch(t, h, "C7")
	_, err := s.RunDue(ctx)
	require.NoError(t, err)
	h.slack.failNext("chat.postMessage", 1, fault{slackError: "channel_not_found"})
	importedLaunch(t, h, "C8")
	_, err = s.RunDue(ctx)
	require.NoError(t, err)
	inChannels := func() int {
		return h.slack.attempts("chat.postMessage", "C7") + h.slack.attempts("chat.postMessage", "C8")
	}
	assert.Equal(t, 2, inChannels(), "a notice Slack did not take waits before it is tried again")
	assert.Len(t, h.slack.posted(dmOf("UALICE")), 2, "the creator hears why, for each")

	clock.add(time.Minute)
	_, err = s.RunDue(ctx)
	require.NoError(t, err)
	_, err = s.RunDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, inChannels(), "the channel that is gone is not tried again")
	assert.Equal(t, 2, h.slack.attempts("chat.postMessage", "C7"), "once invited, the notice goes out")
	assert.Len(t, h.slack.posted(dmOf("UALICE")), 2, "the creator is told once per notice")
}
