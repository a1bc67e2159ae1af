package bot

import (
	"sync"
	"time"
)

// recent remembers values for ttl, in two generations of maps: a lookup or
// a write is O(1), and when the current generation is ttl old the previous
// one is dropped whole, never scanned. A generation also ends when it holds
// limit entries, so memory stays bounded whatever the rate: past
// 2×limit values within ttl, the oldest are forgotten early.
type recent[K comparable, V any] struct {
	ttl   time.Duration
	limit int

	mu      sync.Mutex
	cur     map[K]stamped[V]
	prev    map[K]stamped[V]
	started time.Time // when cur began
}

type stamped[V any] struct {
	v  V
	at time.Time
}

func newRecent[K comparable, V any](ttl time.Duration, limit int) *recent[K, V] {
	return &recent[K, V]{ttl: ttl, limit: limit, cur: map[K]stamped[V]{}}
}

// rotateLocked starts a new generation when the current one is ttl old or
// full. Something written before a rotation stays one more generation,
// which lasts ttl unless it fills up first.
func (r *recent[K, V]) rotateLocked(now time.Time) {
	if r.started.IsZero() {
		r.started = now
	}
	if now.Sub(r.started) < r.ttl && len(r.cur) < r.limit {
		return
	}
	r.prev = r.cur
	r.cur = make(map[K]stamped[V], len(r.prev))
	r.started = now
}

// get returns k's value if it was put less than ttl before now.
func (r *recent[K, V]) get(k K, now time.Time) (V, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rotateLocked(now)
	return r.getLocked(k, now)
}

func (r *recent[K, V]) getLocked(k K, now time.Time) (V, bool) {
	e, ok := r.cur[k]
	if !ok {
		e, ok = r.prev[k]
	}
	if !ok || now.Sub(e.at) >= r.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put remembers k's value v from now.
func (r *recent[K, V]) put(k K, v V, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rotateLocked(now)
	r.cur[k] = stamped[V]{v: v, at: now}
}

// add puts k's value v unless k is held already, and tells whether it put it.
func (r *recent[K, V]) add(k K, v V, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rotateLocked(now)
	if _, ok := r.getLocked(k, now); ok {
		return false
	}
	r.cur[k] = stamped[V]{v: v, at: now}
	return true
}

// size is how many entries are held, some of them possibly expired.
func (r *recent[K, V]) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.cur) + len(r.prev)
}
