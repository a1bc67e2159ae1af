package console

import (
	"sync"
	"time"
)

// Clock is the console's time: the machine's, moved forward by an offset
// the person trying golive sets with "jump to the next reminder". The bot,
// the store, the reminder runner and the outbox sender all read it, so a
// jump makes the posts due meanwhile go out as they would in Slack.
type Clock struct {
	real func() time.Time

	mu      sync.Mutex
	offset  time.Duration
	waiters []*waiter
}

// waiter is one After in progress: a jump ends it early.
type waiter struct {
	timer *time.Timer
	once  sync.Once
	ch    chan time.Time
	done  bool
}

// NewClock returns a clock offset from real (time.Now when nil).
func NewClock(real func() time.Time, offset time.Duration) *Clock {
	if real == nil {
		real = time.Now
	}
	return &Clock{real: real, offset: offset}
}

// Now returns the console's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.real().Add(c.offset)
}

// Offset returns how far the console's clock is ahead of the machine's.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// After is time.After on the console's clock: it fires after d of real
// time, or at once when the clock jumps, so that a loop waiting for its
// next due time looks again.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	w := &waiter{ch: make(chan time.Time, 1)}
	c.mu.Lock()
	defer c.mu.Unlock()
	w.timer = time.AfterFunc(d, func() { c.fire(w) })
	// Forget the waiters that fired, so a long run keeps few.
	live := c.waiters[:0]
	for _, x := range c.waiters {
		if !x.done {
			live = append(live, x)
		}
	}
	c.waiters = append(live, w)
	return w.ch
}

func (c *Clock) fire(w *waiter) {
	w.once.Do(func() {
		now := c.Now()
		c.mu.Lock()
		w.done = true
		c.mu.Unlock()
		w.ch <- now
	})
}

// Jump moves the clock forward by d (never back) and wakes every After.
func (c *Clock) Jump(d time.Duration) {
	c.mu.Lock()
	c.offset += max(d, 0)
	waiting := c.waiters
	c.waiters = nil
	c.mu.Unlock()
	for _, w := range waiting {
		w.timer.Stop()
		c.fire(w)
	}
}
