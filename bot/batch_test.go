package bot

import (
	"context"
	"errors"
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
