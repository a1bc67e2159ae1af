package bot

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Checkbox options are plain text, where <@U…> shows raw: owners appear by
// the display name users.info gives, looked up once.
func TestOwnerNamesShowInCheckboxes(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	items := firstItems(l, 3)
	// The first lookup (the first owner's) fails.
	h.slack.failNext("users.info", 1, fault{slackError: "user_not_found"})
	for i, who := range []string{"<@UGHOST|ghost>", "<@UDANA>", "<@USAM>"} {
		a := h.command(creator, "owner "+itoa(items[i])+" "+who)
		require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	}

	ts := h.postChecklist("")
	m, _ := h.slack.message(ts)
	assert.True(t, strings.HasSuffix(optionText(t, m, items[0]), " — @UGHOST"), "users.info failed: the id, never the label the mention carried")
	assert.True(t, strings.HasSuffix(optionText(t, m, items[1]), " — @Display UDANA"), optionText(t, m, items[1]))
	assert.True(t, strings.HasSuffix(optionText(t, m, items[2]), " — @Display USAM"))
	lookups := h.slack.callsOf("users.info")
	require.Len(t, lookups, 3)
	for i, who := range []string{"UGHOST", "UDANA", "USAM"} {
		assert.Equal(t, who, lookups[i].Form.Get("user"))
	}

	// Refreshes answer from what golive knows: no more lookups.
	h.interact(h.toggle(creator, ts, items[0]))
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return shownDone(t, m)[items[0]]
	}, 5*time.Second, 5*time.Millisecond)
	m, _ = h.slack.message(ts)
	assert.True(t, strings.HasSuffix(optionText(t, m, items[1]), " — @Display UDANA"))
	assert.Equal(t, 3, h.slack.count("users.info"))
}

// optionText returns the text of item n's checkbox option on message m.
func optionText(t *testing.T, m fakeMessage, n int) string {
	t.Helper()
	for _, b := range m.blocks(t) {
		ab, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			if box, ok := el.(*slack.CheckboxGroupsBlockElement); ok {
				for _, o := range box.Options {
					if o.Value == strconv.Itoa(n) {
						return o.Text.Text
					}
				}
			}
		}
	}
	t.Fatalf("item %d is not on the message", n)
	return ""
}

// A rate-limited users.info delays one message by the lookup budget at most,
// and no message after it: the ids show until the retry is due.
func TestRateLimitedNameLookupsDoNotHoldUpMessages(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	items := firstItems(l, 2)
	for i, who := range []string{"<@UDANA>", "<@USAM>"} {
		require.Equal(t, "in_channel", h.command(creator, "owner "+itoa(items[i])+" "+who).Answer.ResponseType)
	}
	h.slack.failNext("users.info", 10, fault{status: http.StatusTooManyRequests, retryAfter: 30})

	ts := h.postChecklist("")
	m, _ := h.slack.message(ts)
	assert.True(t, strings.HasSuffix(optionText(t, m, items[0]), " — @UDANA"))
	assert.True(t, strings.HasSuffix(optionText(t, m, items[1]), " — @USAM"))
	assert.Equal(t, 1, h.slack.count("users.info"), "the second lookup waits for the retry")

	h.postChecklist("")
	assert.Equal(t, 1, h.slack.count("users.info"), "no lookup before the retry is due")
}
