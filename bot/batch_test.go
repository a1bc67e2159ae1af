package bot

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

func TestBatcherKeepsEachChangesOwnAnswer(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	items := l.Checklist.Items()[:40]
	refused := launch.Errorf(launch.EFORBIDDEN, "no")

	var wg sync.WaitGroup
	errs := make([]error, len(items))
	for i, it := range items {
		wg.Go(func() {
			_, errs[i] = h.bot.batch.apply(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				if i%2 == 1 {
					return nil, refused
				}
				return l.SetDone("UEVE", []int{it.Number}, true, now)
			})
		})
	}
	wg.Wait()

	got := h.launch()
	for i, it := range items {
		if i%2 == 1 {
			assert.ErrorIs(t, errs[i], refused)
			assert.False(t, got.Checklist.Item(it.Number).Done)
		} else {
			assert.NoError(t, errs[i])
			assert.True(t, got.Checklist.Item(it.Number).Done)
		}
	}
	audit, err := h.store.Audit(context.Background(), l.ID)
	require.NoError(t, err)
	assert.Len(t, audit, 1+len(items)/2, "one create, one tick per accepted change")
	// The last run answers its changes before it tidies its queue away.
	assert.Eventually(t, func() bool {
		h.bot.batch.mu.Lock()
		defer h.bot.batch.mu.Unlock()
		return len(h.bot.batch.queues) == 0
	}, 5*time.Second, time.Millisecond, "no batch left running")
}

// brokenStore fails every Update, as a full disk would.
type brokenStore struct{ *store.Store }

func (brokenStore) Update(context.Context, int64, func(*launch.Launch, time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	return nil, errors.New("update launch: disk I/O error")
}

func (brokenStore) UpdateEach(context.Context, int64, []func(*launch.Launch, time.Time) ([]launch.Event, error)) ([]error, error) {
	return nil, errors.New("update launch: disk I/O error")
}

func TestBatcherFailedCommitFailsEveryChange(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	bt := newBatcher(brokenStore{h.store}, time.Second, &h.bot.wg)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			events, err := bt.apply(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				return l.SetDone("UEVE", []int{i + 1}, true, now)
			})
			assert.ErrorContains(t, err, "disk I/O error")
			assert.Empty(t, events)
		})
	}
	wg.Wait()
	assert.False(t, h.launch().Checklist.Item(1).Done)
}

// A change of a shared transaction that fails halfway, by a panic (a bug)
// or an error, leaves nothing of itself: the changes batched with it,
// a signed click among them, are stored with their audit rows, and its
// user is told that nothing was changed, without the panic's detail.
func TestBatcherUndoesAChangeThatFailsHalfway(t *testing.T) {
	for _, tc := range []struct {
		name string
		// fail ticks item n as UBAD, then fails.
		fail func(l *launch.Launch, n int, now time.Time) ([]launch.Event, error)
		want string // what UBAD is told
	}{
		{"panic", func(l *launch.Launch, n int, now time.Time) ([]launch.Event, error) {
			if _, err := l.SetDone("UBAD", []int{n}, true, now); err != nil {
				return nil, err
			}
			panic("a bug halfway through a change")
		}, launch.ErrorMessage(assert.AnError)},
		{"error", func(l *launch.Launch, n int, now time.Time) ([]launch.Event, error) {
			events, err := l.SetDone("UBAD", []int{n}, true, now)
			if err != nil {
				return nil, err
			}
			l.Name = "Renamed halfway"
			return events, launch.Errorf(launch.ECONFLICT, "Refused halfway; nothing was changed.")
		}, "Refused halfway; nothing was changed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			l := h.newLaunch()
			ts := h.postChecklist("")
			nums := firstItems(l, 4)
			first, bad, clicked, good := nums[0], nums[1], nums[2], nums[3]
			ctx := context.Background()
			queued := func(n int) func() bool {
				return func() bool {
					h.bot.batch.mu.Lock()
					defer h.bot.batch.mu.Unlock()
					return len(h.bot.batch.queues[l.ID]) == n
				}
			}

			// A first change holds the launch's transaction, so that the
			// three after it queue up and share the next one.
			started, release := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				_, err := h.bot.batch.apply(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					close(started)
					<-release
					return l.SetDone("UFIRST", []int{first}, true, now)
				})
				assert.NoError(t, err)
			})
			<-started
			var badErr error
			var badEvents []launch.Event
			wg.Go(func() {
				badEvents, badErr = h.bot.batch.apply(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					return tc.fail(l, bad, now)
				})
			})
			require.Eventually(t, queued(1), 5*time.Second, time.Millisecond)
			var clickAck ack
			wg.Go(func() { clickAck = h.interact(h.toggle(creator, ts, clicked)) })
			require.Eventually(t, queued(2), 5*time.Second, time.Millisecond)
			var goodErr error
			wg.Go(func() {
				_, goodErr = h.bot.batch.apply(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
					return l.SetDone("UGOOD", []int{good}, true, now)
				})
			})
			require.Eventually(t, queued(3), 5*time.Second, time.Millisecond)
			close(release)
			wg.Wait()

			require.Error(t, badErr)
			assert.Empty(t, badEvents)
			msg := userMessage(badErr)
			assert.Equal(t, tc.want, msg)
			assert.Contains(t, msg, "nothing was changed")
			assert.NotContains(t, msg, "panic")
			assert.NotContains(t, msg, "goroutine")
			assert.NoError(t, goodErr)
			assert.Equal(t, http.StatusOK, clickAck.Status)

			got := h.launch()
			assert.Equal(t, "Checkout v2", got.Name)
			assert.True(t, got.Checklist.Item(first).Done)
			assert.False(t, got.Checklist.Item(bad).Done, "nothing of the failed change is stored")
			assert.True(t, got.Checklist.Item(clicked).Done, "the click batched with it is stored")
			assert.True(t, got.Checklist.Item(good).Done)
			assert.Equal(t, "UGOOD", got.Checklist.Item(good).DoneBy)

			audit, err := h.store.Audit(ctx, l.ID)
			require.NoError(t, err)
			ticked := map[string]string{}
			for _, e := range audit {
				if e.Action != "create" {
					ticked[e.Actor] = e.Subject
				}
			}
			assert.Equal(t, map[string]string{
				"UFIRST": "item " + itoa(first), creator: "item " + itoa(clicked), "UGOOD": "item " + itoa(good),
			}, ticked, "one audit row per stored change, none for the failed one")

			// The clicker gets the usual answer: the message updated, no error.
			assert.Eventually(t, func() bool { return shownDone(t, mustMessage(t, h, ts))[clicked] }, 5*time.Second, 5*time.Millisecond)
			assert.Empty(t, h.slack.responses(t), "no error told to anyone in the channel")
		})
	}
}

func mustMessage(t *testing.T, h *harness, ts string) fakeMessage {
	t.Helper()
	m, ok := h.slack.message(ts)
	require.True(t, ok)
	return m
}
