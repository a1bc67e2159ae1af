package render

import (
	"testing"

	"github.com/golive/golive/internal/launch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHomeGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	other := generated(1, 1, 3, 20)
	other.Creator = "U0SOMEONE"
	v := Home("U0DANA", []*launch.Launch{other, l}, nil, fixedNow)
	golden(t, "Home", v)
	assert.Empty(t, CheckHome(v))
	s := mrkdwnText(t, v)
	assert.Contains(t, s, "Realtor AI Copilot")
	assert.NotContains(t, s, "Big launch", "a launch Dana takes no part in")
	assert.NotContains(t, s, "OAuth integration", "an item someone else owns")
	assert.Contains(t, s, "*Your open items* (11)")
}

func TestHomeEmptyState(t *testing.T) {
	v := Home("U0NOBODY", []*launch.Launch{seedLaunch(t, "seed000.md")}, nil, fixedNow)
	assert.Empty(t, CheckHome(v))
	assert.Contains(t, mrkdwnText(t, v), "/golive new")
	v = Home("U0NOBODY", nil, nil, fixedNow)
	assert.Empty(t, CheckHome(v))
}

func TestHomeApprovalsWaiting(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	s := mrkdwnText(t, Home("U0PM", []*launch.Launch{l}, nil, fixedNow))
	assert.Contains(t, s, "Your approval as *Product Manager* is waiting: golive asks for it by DM when someone runs `/golive approvals` in <#C0LAUNCH>.")
	asked := func(id int64, role string) bool { return id == l.ID && role == "Product Manager" }
	s = mrkdwnText(t, Home("U0PM", []*launch.Launch{l}, asked, fixedNow))
	assert.Contains(t, s, "Your approval as *Product Manager* is waiting: answer in the DM golive sent you.")
	s = mrkdwnText(t, Home("U0ENG", []*launch.Launch{l}, asked, fixedNow))
	assert.NotContains(t, s, "is waiting", "an answered role waits no more")
}

// Someone who ticked an item takes part, though they own nothing.
func TestHomeShowsLaunchesTicked(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	var open int
	for _, it := range l.Checklist.Items() {
		if !it.Done && open == 0 {
			open = it.Number
		}
	}
	events, err := l.SetDone("U0TICKER", []int{open}, true, fixedNow)
	require.NoError(t, err)
	require.Len(t, events, 1)
	s := mrkdwnText(t, Home("U0TICKER", []*launch.Launch{l}, nil, fixedNow))
	assert.Contains(t, s, "Realtor AI Copilot")
	assert.NotContains(t, s, "Your open items")
}

func TestHomeManyLaunchesStaysInLimits(t *testing.T) {
	var ls []*launch.Launch
	for range 40 {
		ls = append(ls, generated(3, 2, 10, 200))
	}
	v := Home("U0OWNER", ls, nil, fixedNow)
	assert.Empty(t, CheckHome(v))
	assert.Contains(t, mrkdwnText(t, v), "and 20 more launches")
}
