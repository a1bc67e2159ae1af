package bot

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// panickyStore stands for a bug deep in a request: every change panics.
type panickyStore struct{ *store.Store }

func (s panickyStore) Update(context.Context, int64, func(*launch.Launch, time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	panic("a bug in the store")
}

func (s panickyStore) UpdateMany(context.Context, []launch.Changes) ([][]error, error) {
	panic("a bug in the store")
}

// A panic while handling one request answers that user with an apology and
// keeps the process serving everyone else.
func TestPanicsAreAnsweredNotFatal(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Store = panickyStore{c.Store.(*store.Store)} })
	l := h.newLaunch()
	n := firstItems(l, 1)[0]

	// Clicks share transactions: a panic in one must not leave the launch's
	// queue stuck for the clicks after it.
	ts := h.postChecklist("")
	for i := 0; i < 2; i++ {
		require.Equal(t, http.StatusOK, h.interact(h.toggle(creator, ts, n)).Status)
	}
	require.Eventually(t, func() bool { return h.slack.count("response_url") >= 2 }, 5*time.Second, 5*time.Millisecond)
	for _, r := range h.slack.responses(t) {
		assert.Equal(t, launch.ErrorMessage(assert.AnError), r.Text, "each click is told it failed, none left unsure")
	}
	assert.False(t, h.launch().Checklist.Item(n).Done)

	a := h.command(creator, "tick 1")
	require.Equal(t, http.StatusOK, a.Status)
	assert.Equal(t, launch.ErrorMessage(assert.AnError), a.Answer.Text, "the user gets the generic message, not the panic")
	assert.NotContains(t, string(a.Body), "a bug in the store")

	a = h.command(creator, "help")
	require.Equal(t, http.StatusOK, a.Status, "the bot still serves after a panic")
	assert.Contains(t, a.Answer.Text, "golive commands")
}
