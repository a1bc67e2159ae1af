package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestTickRoundTrip(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	n := firstItems(l, 1)[0]

	a := h.interact(h.toggle("UEVE", ts, n))
	require.Equal(t, http.StatusOK, a.Status)
	assert.Empty(t, a.Body)
	// Stored before the acknowledgement.
	it := h.launch().Checklist.Item(n)
	assert.True(t, it.Done)
	assert.Equal(t, "UEVE", it.DoneBy)

	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return shownDone(t, m)[n]
	}, 5*time.Second, 5*time.Millisecond, "chat.update shows the tick")
	upd := h.slack.callsOf("chat.update")
	require.NotEmpty(t, upd)
	assert.Equal(t, testChan, upd[0].Form.Get("channel"))
	assert.Equal(t, ts, upd[0].Form.Get("ts"))
	assert.NotEmpty(t, upd[0].Form.Get("text"))
	m, _ := h.slack.message(ts)
	assert.Contains(t, unJSON(m.Blocks), "<@UEVE> ticked "+itoa(n), "the channel sees who did it")

	// And back.
	h.interact(h.toggle("UEVE", ts, n))
	assert.False(t, h.launch().Checklist.Item(n).Done)
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return !shownDone(t, m)[n]
	}, 5*time.Second, 5*time.Millisecond)

	audit, err := h.store.Audit(context.Background(), l.ID)
	require.NoError(t, err)
	require.Len(t, audit, 3)
	assert.Equal(t, launch.KindTick, audit[1].Kind)
	assert.Equal(t, launch.KindUntick, audit[2].Kind)
	assert.Equal(t, "UEVE", audit[2].Actor)
}

func TestRefusedTickIsExplainedAndUndone(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	n := firstItems(l, 1)[0]
	h.command(creator, "owner "+itoa(n)+" <@UDANA|dana>")
	ts := h.postChecklist("")
	updates := h.slack.count("chat.update")

	a := h.interact(h.toggle("UEVE", ts, n))
	require.Equal(t, http.StatusOK, a.Status)
	assert.False(t, h.launch().Checklist.Item(n).Done, "nothing changed")

	require.Eventually(t, func() bool { return h.slack.count("response_url") >= 1 }, 5*time.Second, 5*time.Millisecond)
	answers := h.slack.responses(t)
	assert.Equal(t, "ephemeral", answers[len(answers)-1].ResponseType)
	assert.Contains(t, answers[len(answers)-1].Text, "owned by <@UDANA>")
	require.Eventually(t, func() bool { return h.slack.count("chat.update") > updates }, 5*time.Second, 5*time.Millisecond,
		"the message is redrawn to undo the local checkbox")
	m, _ := h.slack.message(ts)
	assert.False(t, shownDone(t, m)[n])

	audit, err := h.store.Audit(context.Background(), l.ID)
	require.NoError(t, err)
	for _, e := range audit {
		assert.NotEqual(t, launch.KindTick, e.Kind)
	}

	// The owner may.
	h.interact(h.toggle("UDANA", ts, n))
	assert.True(t, h.launch().Checklist.Item(n).Done)
}

func TestTwoClicksAtOnceLoseNeither(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	items := firstItems(l, 2)
	// Both clicks are built on the same message: neither sees the other's tick.
	p1 := h.toggle("UANN", ts, items[0])
	p2 := h.toggle("UBOB", ts, items[1])
	var wg sync.WaitGroup
	for _, p := range []map[string]any{p1, p2} {
		wg.Go(func() { assert.Equal(t, http.StatusOK, h.interact(p).Status) })
	}
	wg.Wait()
	got := h.launch()
	assert.True(t, got.Checklist.Item(items[0]).Done)
	assert.True(t, got.Checklist.Item(items[1]).Done)
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		s := shownDone(t, m)
		return s[items[0]] && s[items[1]]
	}, 5*time.Second, 5*time.Millisecond)
}

func TestStaleMessageDoesNotUndoOthersTicks(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	items := firstItems(l, 2)
	stale := h.toggle("UBOB", ts, items[1]) // built before Ann's tick shows
	h.command("UANN", "tick "+itoa(items[0]))
	h.interact(stale)
	got := h.launch()
	assert.True(t, got.Checklist.Item(items[0]).Done, "Ann's tick stands")
	assert.True(t, got.Checklist.Item(items[1]).Done)
}

func TestBurstOfTicksIsOneUpdate(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RefreshDelay = 5 * time.Second })
	l := h.newLaunch()
	var ts string
	var nums []int
	for _, s := range l.Checklist.Sections {
		ts = h.postChecklist(`"` + s.Title + `"`)
		m, _ := h.slack.message(ts)
		if nums = itemsOn(t, m); len(nums) >= 20 {
			break
		}
	}
	require.GreaterOrEqual(t, len(nums), 20, "a page with 20 items")
	nums = nums[:20]
	payloads := make([]map[string]any, len(nums))
	for i, n := range nums {
		payloads[i] = h.toggle("UCREATOR", ts, n)
	}
	updates := h.slack.count("chat.update")
	start := time.Now()
	var wg sync.WaitGroup
	for _, p := range payloads {
		wg.Go(func() { assert.Equal(t, http.StatusOK, h.interact(p).Status) })
	}
	wg.Wait()
	require.Less(t, time.Since(start), 5*time.Second, "the burst fits in one refresh window")
	h.bot.Close()

	updates = h.slack.count("chat.update") - updates
	assert.GreaterOrEqual(t, updates, 1)
	assert.LessOrEqual(t, updates, 2, "20 ticks, at most 2 chat.update")
	got := h.launch()
	m, _ := h.slack.message(ts)
	done := shownDone(t, m)
	for _, n := range nums {
		assert.True(t, got.Checklist.Item(n).Done, "item %d is stored", n)
		assert.True(t, done[n], "item %d shows ticked", n)
	}
}

// itemsOn returns the item numbers a message offers to tick, in order.
func itemsOn(t testing.TB, m fakeMessage) []int {
	var blocks []map[string]any
	require.NoError(t, json.Unmarshal([]byte(m.Blocks), &blocks))
	var out []int
	for _, b := range blocks {
		for _, el := range elementsOf(b) {
			if opts, ok := el["options"].([]any); ok && el["type"] == "checkboxes" {
				for _, o := range opts {
					n, _ := strconv.Atoi(o.(map[string]any)["value"].(string))
					out = append(out, n)
				}
			}
		}
	}
	return out
}

func TestRateLimitedUpdateCatchesUp(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	n := firstItems(l, 1)[0]
	h.slack.failNext("chat.update", 1, fault{status: http.StatusTooManyRequests, retryAfter: 1})

	h.interact(h.toggle("UEVE", ts, n))
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return shownDone(t, m)[n]
	}, 10*time.Second, 10*time.Millisecond, "the message is brought up to date after the 429")
	calls := h.slack.callsOf("chat.update")
	require.GreaterOrEqual(t, len(calls), 2)
	assert.GreaterOrEqual(t, calls[1].At.Sub(calls[0].At), 900*time.Millisecond, "Retry-After was honoured")
}

func TestFailedUpdateIsRetriedLater(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	n := firstItems(l, 1)[0]
	// More 500s than slack-go retries: the refresher's own retry catches up.
	h.slack.failNext("chat.update", 4, fault{status: http.StatusInternalServerError})

	h.interact(h.toggle("UEVE", ts, n))
	assert.True(t, h.launch().Checklist.Item(n).Done, "the tick is stored whatever Slack does")
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return shownDone(t, m)[n]
	}, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, 5, h.slack.count("chat.update"))
}

func TestDeletedMessageIsForgotten(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	h.slack.failNext("chat.update", 1, fault{slackError: "message_not_found"})
	h.command("UEVE", "tick "+itoa(firstItems(l, 1)[0]))
	require.Eventually(t, func() bool {
		_, err := h.store.Message(context.Background(), testChan, ts)
		return launch.ErrorCode(err) == launch.ENOTFOUND
	}, 5*time.Second, 5*time.Millisecond)
}

func TestNavigationAndSectionPicker(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	msg, _ := h.slack.message(ts)
	var blocks []map[string]any
	require.NoError(t, json.Unmarshal([]byte(msg.Blocks), &blocks))
	var next map[string]any
	for _, b := range blocks {
		for _, el := range elementsOf(b) {
			if el["action_id"] == "nav:next" {
				next = el
			}
		}
	}
	require.NotNil(t, next, "a next button")
	h.interact(h.blockAction("UEVE", ts, blocks, map[string]any{
		"type": "button", "action_id": "nav:next", "block_id": "nav", "value": next["value"], "action_ts": "1.1",
	}))
	require.Eventually(t, func() bool {
		rec, err := h.store.Message(context.Background(), testChan, ts)
		return err == nil && rec.View == next["value"]
	}, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return h.slack.count("chat.update") == 1 }, 5*time.Second, 5*time.Millisecond)

	last := len(l.Checklist.Sections) - 1
	h.interact(h.blockAction("UEVE", ts, blocks, map[string]any{
		"type": "static_select", "action_id": "pick", "block_id": "nav", "action_ts": "1.1",
		"selected_option": map[string]any{"value": itoa(last) + ".0", "text": map[string]any{"type": "plain_text", "text": "x"}},
	}))
	require.Eventually(t, func() bool { return h.slack.count("chat.update") == 2 }, 5*time.Second, 5*time.Millisecond)
	m, _ := h.slack.message(ts)
	assert.Contains(t, m.Text, l.Checklist.Sections[last].Title)

	// A forged view is refused, nothing recorded.
	h.interact(h.blockAction("UEVE", ts, blocks, map[string]any{
		"type": "button", "action_id": "nav:next", "block_id": "nav", "value": "../../etc", "action_ts": "1.1",
	}))
	rec, err := h.store.Message(context.Background(), testChan, ts)
	require.NoError(t, err)
	assert.Equal(t, itoa(last)+".0", rec.View)
}

func TestClickFromAnotherTeamChangesNothing(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	n := firstItems(l, 1)[0]
	p := h.toggle("UEVE", ts, n)
	p["team"] = map[string]any{"id": "T2"}
	require.Equal(t, http.StatusOK, h.interact(p).Status)
	assert.False(t, h.launch().Checklist.Item(n).Done)
	require.Eventually(t, func() bool { return h.slack.count("response_url") == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Contains(t, h.slack.responses(t)[0].Text, "does not belong to a launch of this channel")
}

func TestUnknownMessageIsAdopted(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	// Forget the record, as if posted before records were kept.
	require.NoError(t, h.store.DeleteMessage(context.Background(), testChan, ts))
	n := firstItems(l, 1)[0]
	h.interact(h.toggle("UEVE", ts, n))
	assert.True(t, h.launch().Checklist.Item(n).Done)
	require.Eventually(t, func() bool {
		_, err := h.store.Message(context.Background(), testChan, ts)
		return err == nil
	}, 5*time.Second, 5*time.Millisecond)
}

func TestClickWithoutMessageComparesWithStoredState(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	items := firstItems(l, 2)
	p := h.toggle("UEVE", ts, items[0]) // built while the message shows neither ticked
	h.command("UEVE", "tick "+itoa(items[1]))
	delete(p, "message")
	p["container"].(map[string]any)["is_ephemeral"] = true
	require.Equal(t, http.StatusOK, h.interact(p).Status)
	got := h.launch()
	assert.True(t, got.Checklist.Item(items[0]).Done)
	assert.False(t, got.Checklist.Item(items[1]).Done, "without the message, the selection is the whole truth")
}

func TestUnknownButtonIsAnswered(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	ts := h.postChecklist("")
	a := h.interact(h.blockAction("UEVE", ts, nil, map[string]any{
		"type": "button", "action_id": "retired:1", "block_id": "b", "value": "x", "action_ts": "1.1",
	}))
	require.Equal(t, http.StatusOK, a.Status)
	h.responseWith(msgUnknownAction)
}
