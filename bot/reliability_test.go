package bot

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/store"
)

// What was acknowledged is on disk: another process opening the database
// right after the acknowledgement (as golive would after a kill) finds it.
func TestAcknowledgedTicksAreOnDisk(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	items := firstItems(l, 2)

	require.Equal(t, http.StatusOK, h.interact(h.toggle("UEVE", ts, items[0])).Status)
	require.Equal(t, "ephemeral", h.command("UEVE", "tick "+itoa(items[1])).Answer.ResponseType)

	other, err := store.Open(context.Background(), h.storePath())
	require.NoError(t, err)
	defer func() { require.NoError(t, other.Close()) }()
	got, err := other.LaunchByChannel(context.Background(), testTeam, testChan)
	require.NoError(t, err)
	for _, n := range items {
		assert.True(t, got.Checklist.Item(n).Done, "item %d", n)
		assert.Equal(t, "UEVE", got.Checklist.Item(n).DoneBy)
	}
}

// A slow Slack holds up nothing Slack waits for: the Web API calls a
// command or a click leads to all come after its acknowledgement.
func TestSlowSlackDoesNotDelayAcknowledgements(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	items := firstItems(l, 3)
	const slow = 2 * time.Second
	for _, method := range []string{"chat.postMessage", "chat.update", "chat.postEphemeral", "conversations.open", "views.open", "users.info"} {
		h.slack.slow(method, slow)
	}

	for _, step := range []struct {
		name string
		send func() int
	}{
		{"status", func() int { return h.command("UEVE", "status").Status }},
		{"tick", func() int { return h.command("UEVE", "tick "+itoa(items[0])).Status }},
		{"click", func() int { return h.interact(h.toggle("UEVE", ts, items[1])).Status }},
		{"owner", func() int { return h.command(creator, "owner "+itoa(items[2])+" <@UDANA>").Status }},
		{"navigate", func() int {
			return h.interact(h.blockAction("UEVE", ts, nil, map[string]any{
				"type": "button", "action_id": "nav:next", "block_id": "nav", "value": "1.0", "action_ts": "1.1",
			})).Status
		}},
	} {
		start := time.Now()
		assert.Equal(t, http.StatusOK, step.send(), step.name)
		assert.Less(t, time.Since(start), slow/2, "%s is acknowledged without waiting for Slack", step.name)
	}
	assert.True(t, h.launch().Checklist.Item(items[1]).Done, "the click is stored all the same")
}
