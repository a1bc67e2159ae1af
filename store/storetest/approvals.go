package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// The DM that asked a role's holder is kept per launch and role (names
// compare without case), the latest replacing the one before.
func testApprovalDMs(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 1)
	create(t, stores[0], l)

	_, err := stores[0].ApprovalDM(ctx, l.ID, "Security Lead")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "nothing asked yet")

	first := launch.ApprovalDM{LaunchID: l.ID, Role: "Security Lead", Holder: secLead, ChannelID: "D1", TS: "1.1", AskedAt: t0}
	require.NoError(t, stores[0].SaveApprovalDM(ctx, first))
	got, err := stores[1].ApprovalDM(ctx, l.ID, "security LEAD")
	require.NoError(t, err, "role names compare without case")
	assert.Equal(t, first, got)

	second := launch.ApprovalDM{LaunchID: l.ID, Role: "SECURITY LEAD", Holder: "UNEW", ChannelID: "D2", TS: "2.2", AskedAt: t0.Add(time.Hour)}
	require.NoError(t, stores[1].SaveApprovalDM(ctx, second))
	eng := launch.ApprovalDM{LaunchID: l.ID, Role: "Engineering Lead", Holder: "UENG", ChannelID: "D3", TS: "3.3", AskedAt: t0}
	require.NoError(t, stores[1].SaveApprovalDM(ctx, eng))
	all, err := stores[0].ApprovalDMs(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, []launch.ApprovalDM{eng, second}, all, "one per role, the latest, by role name")

	err = stores[0].SaveApprovalDM(ctx, launch.ApprovalDM{LaunchID: 999_999, Role: "X", Holder: "U", ChannelID: "D", TS: "1"})
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "no such launch")
}

// approve answers for the Security Lead, refusing a replayed request the
// way the bot does: the replay changes nothing.
func approve(replays *atomic.Int32) func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
	return func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
		if replay {
			replays.Add(1)
			return nil, launch.Errorf(launch.ECONFLICT, "This answer was recorded already.")
		}
		return l.Answer(secLead, "Security Lead", checklist.VerdictApproved, "", now)
	}
}

// An answer takes effect once: the same request again, through any
// replica, even several at once, is a replay.
func testReplayedAnswerIsRefused(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 1)
	create(t, stores[0], l)
	var replays atomic.Int32

	inParallel(t, clicks, func(i int) error {
		_, err := stores[i%2].UpdateOnce(ctx, l.ID, team, "trigger-1", approve(&replays))
		if launch.ErrorCode(err) == launch.ECONFLICT {
			return nil
		}
		return err
	})
	assert.EqualValues(t, clicks-1, replays.Load(), "every request but one is a replay")
	got := load(t, stores[1], l.ID)
	role := got.Checklist.Roles[0]
	assert.Equal(t, checklist.VerdictApproved, role.Verdict)
	assert.Equal(t, 1, role.Version, "answered once")
	assert.Equal(t, []launch.Kind{launch.KindCreate, launch.KindVerdict}, kinds(audit(t, stores[0], l.ID)))

	// The same trigger id from another team is another request; a failed
	// change records nothing, so its request may come again.
	_, err := stores[1].UpdateOnce(ctx, l.ID, "T2", "trigger-1", func(*launch.Launch, time.Time, bool) ([]launch.Event, error) {
		return nil, launch.Errorf(launch.EINVALID, "refused")
	})
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
	var replayed bool
	_, err = stores[0].UpdateOnce(ctx, l.ID, "T2", "trigger-1", func(_ *launch.Launch, _ time.Time, replay bool) ([]launch.Event, error) {
		replayed = replay
		return nil, nil
	})
	require.NoError(t, err)
	assert.False(t, replayed, "a failed change did not record its request")
}

// FirstRequest shares the memory of UpdateOnce, across replicas.
func testFirstRequest(t *testing.T, open Open) {
	ctx := context.Background()
	stores := opened(t, open, 2)
	l := newLaunch("C1", 1)
	create(t, stores[0], l)

	var firsts atomic.Int32
	inParallel(t, clicks, func(i int) error {
		first, err := stores[i%2].FirstRequest(ctx, team, "trigger-9")
		if first {
			firsts.Add(1)
		}
		return err
	})
	assert.EqualValues(t, 1, firsts.Load(), "exactly one arrival is the first")

	var replays atomic.Int32
	_, err := stores[1].UpdateOnce(ctx, l.ID, team, "trigger-9", approve(&replays))
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err))
	assert.EqualValues(t, 1, replays.Load())
	_, err = stores[0].FirstRequest(ctx, team, "")
	assert.Error(t, err, "a request without an id")
}
