package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/webapi"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// duringUpdate is a fake Slack that runs change once, on the first
// chat.update of channel ts after arm: while the update is on its way,
// as another replica's change would.
func duringUpdate(t *testing.T, ts *atomic.Value, change func()) *fakeSlack {
	dir := &webapi.Open{}
	var once sync.Once
	f := &fakeSlack{dir: dir}
	f.Server = webapi.New(webapi.Config{Directory: dir, FaultFor: func(c webapi.Call) (webapi.Fault, bool) {
		if want, _ := ts.Load().(string); want != "" && c.Method == "chat.update" && c.Get("ts") == want {
			once.Do(change)
		}
		return webapi.Fault{}, false
	}})
	f.srv = httptest.NewServer(f.Server)
	t.Cleanup(f.srv.Close)
	return f
}

// A refresh drawn from a launch that another replica changes while the
// update is on its way to Slack is drawn again: that replica's own refresh
// may have landed first, and the message must not stay stale.
func TestRefreshDrawnBeforeAnotherReplicasChangeIsDrawnAgain(t *testing.T) {
	var target atomic.Value
	var other *harness
	var launchID int64
	var second int
	fake := duringUpdate(t, &target, func() {
		// The other replica ticks, and its refresh has landed already:
		// only this replica's update, drawn before, is still to land.
		_, err := other.store.Update(context.Background(), launchID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			return l.SetDone("UEVE", []int{second}, true, now)
		})
		assert.NoError(t, err)
	})
	h := startHarness(t, filepath.Join(t.TempDir(), "golive.db"), fake)
	other = h.another()
	l := h.newLaunch()
	ts := h.postChecklist("")
	items := firstItems(l, 2)
	launchID, second = l.ID, items[1]
	target.Store(ts)

	a := h.command("UEVE", "tick "+itoa(items[0]))
	require.Equal(t, http.StatusOK, a.Status)
	require.True(t, strings.HasPrefix(a.Answer.Text, "You ticked"), a.Answer.Text)
	require.Eventually(t, func() bool {
		m, ok := fake.message(ts)
		shown := shownDone(t, m)
		return ok && shown[items[0]] && shown[items[1]]
	}, 10*time.Second, 10*time.Millisecond, "the message shows both ticks in the end")
}

// An approval DM redrawn from a launch another replica changes meanwhile is
// drawn again, so that it ends showing the stored answer.
func TestApprovalDMDrawnBeforeAnotherReplicasChangeIsDrawnAgain(t *testing.T) {
	var target atomic.Value
	var other *harness
	var launchID int64
	var role string
	fake := duringUpdate(t, &target, func() {
		_, err := other.store.Update(context.Background(), launchID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			return l.Answer("URELEASE", role, checklist.VerdictRejected, "not before the load test", now)
		})
		assert.NoError(t, err)
	})
	h := startHarness(t, filepath.Join(t.TempDir(), "golive.db"), fake)
	other = h.another()
	l := h.newLaunch()
	role = l.Checklist.Roles[0].Name
	h.holders(map[string]string{role: "URELEASE"})
	h.askApprovals()
	dm, err := h.store.ApprovalDM(context.Background(), l.ID, role)
	require.NoError(t, err)
	launchID = l.ID
	target.Store(dm.TS)

	h.bot.updateDM(context.Background(), h.bot.log, l, role, nil)
	m, ok := fake.message(dm.TS)
	require.True(t, ok)
	assert.Contains(t, unJSON(m.Blocks), "not before the load test", "the DM was drawn again with the other replica's answer")
}
