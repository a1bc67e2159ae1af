package claim

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestGroupKeepsTheOrderKeysFirstAppear(t *testing.T) {
	order, groups := Group([]string{"b1", "a1", "b2", "c1", "a2"}, func(s string) byte { return s[0] })
	assert.Equal(t, []byte{'b', 'a', 'c'}, order)
	assert.Equal(t, map[byte][]string{'b': {"b1", "b2"}, 'a': {"a1", "a2"}, 'c': {"c1"}}, groups)
}

// The lease is renewed at every tick while a group still works, and no
// more once all are done.
func TestRunRenewsWhileWorkGoesOn(t *testing.T) {
	ticks := make(chan time.Time)
	var renewals atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	var seen sync.Map
	Run(context.Background(), &wg, []int{1, 2}, map[int][]string{1: {"x"}, 2: {"y", "z"}}, Renewal{
		Every:  func() <-chan time.Time { return ticks },
		Renew:  func(context.Context) (int, error) { renewals.Add(1); return 3, nil },
		Failed: func(err error) { t.Error(err) },
	}, func(_ context.Context, k int, rows []string) {
		<-release
		seen.Store(k, rows)
	})
	ticks <- time.Now()
	ticks <- time.Now()
	close(release)
	wg.Wait()
	assert.Equal(t, int32(2), renewals.Load())
	got, _ := seen.Load(2)
	assert.Equal(t, []string{"y", "z"}, got)
	select {
	case ticks <- time.Now():
		t.Fatal("renewed after the work was done")
	case <-time.After(50 * time.Millisecond):
	}
}

// A claim that holds nothing any more (another instance took its rows
// over) is not renewed again.
func TestRunStopsRenewingWhatIsNoLongerHeld(t *testing.T) {
	ticks := make(chan time.Time, 1)
	var renewals atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	Run(context.Background(), &wg, []int{1}, map[int][]string{1: {"x"}}, Renewal{
		Every:  func() <-chan time.Time { return ticks },
		Renew:  func(context.Context) (int, error) { renewals.Add(1); return 0, nil },
		Failed: func(err error) { t.Error(err) },
	}, func(context.Context, int, []string) { <-release })
	ticks <- time.Now()
	assert.Eventually(t, func() bool { return renewals.Load() == 1 }, time.Second, time.Millisecond)
	ticks <- time.Now()
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), renewals.Load())
}
