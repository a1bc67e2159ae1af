package bot

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Home tab says where a pending approval is answered: in the DM once
// `approvals` has sent it, and how it will be asked before that.
func TestHomeSaysWhereApprovalsWait(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	h.holders(map[string]string{l.Checklist.Roles[0].Name: "UDANA"})

	home := func(eventID string) string {
		t.Helper()
		before := h.slack.count("views.publish")
		event := []byte(`{"type":"event_callback","team_id":"T1","event_id":"` + eventID + `","event":{"type":"app_home_opened","user":"UDANA","tab":"home"}}`)
		require.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode)
		require.Eventually(t, func() bool { return h.slack.count("views.publish") > before }, 5*time.Second, 5*time.Millisecond)
		return unJSON(string(h.slack.callsOf("views.publish")[before].JSON))
	}

	assert.Contains(t, home("Ev1"), "golive asks for it by DM when someone runs `/golive approvals` in <#C1>")
	h.askApprovals()
	assert.Contains(t, home("Ev2"), "answer in the DM golive sent you")
}

// The Home tab lists the launches of the user's team only.
func TestHomeShowsTheTeamsLaunchesOnly(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	other := h.launch()
	other.ID, other.TeamID, other.Name = 0, "T2", "Other team's launch"
	require.NoError(t, h.store.CreateLaunch(context.Background(), other, other.Creator))

	before := h.slack.count("views.publish")
	event := []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_home_opened","user":"UDANA","tab":"home"}}`)
	require.Equal(t, http.StatusOK, h.post("/slack/events", event).StatusCode)
	require.Eventually(t, func() bool { return h.slack.count("views.publish") > before }, 5*time.Second, 5*time.Millisecond)
	view := unJSON(string(h.slack.callsOf("views.publish")[before].JSON))
	assert.Contains(t, view, "Checkout v2")
	assert.NotContains(t, view, "Other team's launch")
}
