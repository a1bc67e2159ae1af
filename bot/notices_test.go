package bot

import (
	"context"
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
	require.NoError(t, h.store.CreateLaunchWithNotice(context.Background(), l, "UALICE", ImportNotice(l, "UALICE")))
	return l
}

func TestNoticesArePostedOnce(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	importedLaunch(t, h, "C7")
	other := h.another() // a second bot on the same database

	require.NoError(t, h.bot.PostNotices(ctx, h.store))
	require.NoError(t, other.bot.PostNotices(ctx, other.store))
	require.NoError(t, h.bot.PostNotices(ctx, h.store))
	posts := h.slack.callsOf("chat.postMessage")
	require.Len(t, posts, 1)
	assert.Equal(t, "C7", posts[0].Form.Get("channel"))
	assert.Equal(t, "<@UALICE> started the launch “Checkout ‹!here›” for 2026-12-08 14:00 (Europe/Paris) from an imported checklist: "+
		"2 items in 1 sections. Tick items with the `checklist` command; `status` shows readiness.", unJSON(posts[0].Form.Get("text")))
}

func TestNoticeWaitsForTheBotToBeInvited(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	at := testNow
	h.store.Now = func() time.Time { return at }
	importedLaunch(t, h, "C7")
	importedLaunch(t, h, "C8")
	h.slack.failNext("chat.postMessage", 1, fault{slackError: "not_in_channel"})
	h.slack.failNext("chat.postMessage", 1, fault{slackError: "channel_not_found"})

	require.NoError(t, h.bot.PostNotices(ctx, h.store))
	require.NoError(t, h.bot.PostNotices(ctx, h.store))
	assert.Equal(t, 2, h.slack.count("chat.postMessage"), "a failed notice waits for its lease")

	at = at.Add(noticeLease + time.Second)
	require.NoError(t, h.bot.PostNotices(ctx, h.store))
	require.NoError(t, h.bot.PostNotices(ctx, h.store))
	posts := h.slack.callsOf("chat.postMessage")
	require.Len(t, posts, 3, "the channel that is gone is not tried again")
	assert.Equal(t, "C7", posts[2].Form.Get("channel"), "once invited, the notice goes out")
}
