package render

import (
	"testing"

	"github.com/golive/golive/internal/launch"
	"github.com/stretchr/testify/assert"
)

func TestHomeGolden(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	other := generated(1, 1, 3, 20)
	other.Creator = "U0SOMEONE"
	v := Home("U0DANA", []*launch.Launch{other, l}, fixedNow)
	golden(t, "Home", v)
	assert.Empty(t, CheckHome(v))
	s := mrkdwnText(t, v)
	assert.Contains(t, s, "Realtor AI Copilot")
	assert.NotContains(t, s, "Big launch", "a launch Dana takes no part in")
	assert.NotContains(t, s, "OAuth integration", "an item someone else owns")
	assert.Contains(t, s, "*Your open items* (11)")
}

func TestHomeEmptyState(t *testing.T) {
	v := Home("U0NOBODY", []*launch.Launch{seedLaunch(t, "seed000.md")}, fixedNow)
	assert.Empty(t, CheckHome(v))
	assert.Contains(t, mrkdwnText(t, v), "/golive new")
	v = Home("U0NOBODY", nil, fixedNow)
	assert.Empty(t, CheckHome(v))
}

func TestHomeApprovalsWaiting(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	s := mrkdwnText(t, Home("U0PM", []*launch.Launch{l}, fixedNow))
	assert.Contains(t, s, "Your approval as *Product Manager* is waiting")
	s = mrkdwnText(t, Home("U0ENG", []*launch.Launch{l}, fixedNow))
	assert.NotContains(t, s, "is waiting", "an answered role waits no more")
}

func TestHomeManyLaunchesStaysInLimits(t *testing.T) {
	var ls []*launch.Launch
	for range 40 {
		ls = append(ls, generated(3, 2, 10, 200))
	}
	v := Home("U0OWNER", ls, fixedNow)
	assert.Empty(t, CheckHome(v))
	assert.Contains(t, mrkdwnText(t, v), "and 20 more launches")
}
