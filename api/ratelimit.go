package api

import (
	"math"
	"strconv"
	"sync"
	"time"
)

// bucket is a token bucket: it holds up to burst calls and refills at rate
// a second. It is not safe for concurrent use alone.
type bucket struct {
	rate, burst float64
	level       float64
	at          time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{rate: rate, burst: float64(burst), level: float64(burst), at: now}
}

// take takes one call at now, or says how long until one is there.
func (b *bucket) take(now time.Time) (wait time.Duration, ok bool) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.level = math.Min(b.burst, b.level+elapsed.Seconds()*b.rate)
		b.at = now
	}
	if b.level >= 1 {
		b.level--
		return 0, true
	}
	return time.Duration((1 - b.level) / b.rate * float64(time.Second)), false
}

// full tells whether the bucket is full at now: it limits nothing and can
// be forgotten.
func (b *bucket) full(now time.Time) bool {
	return b.level+now.Sub(b.at).Seconds()*b.rate >= b.burst
}

// buckets is one bucket per key (a token), safe for concurrent use. Full
// buckets are dropped now and then, so it holds the keys used lately only.
type buckets[K comparable] struct {
	rate  float64
	burst int
	now   func() time.Time

	mu    sync.Mutex
	all   map[K]*bucket
	calls int
}

// sweepEvery is how many calls pass between drops of the full buckets.
const sweepEvery = 1024

func newBuckets[K comparable](rate float64, burst int, now func() time.Time) *buckets[K] {
	return &buckets[K]{rate: rate, burst: burst, now: now, all: map[K]*bucket{}}
}

// take takes one call of key's bucket.
func (bs *buckets[K]) take(key K) (time.Duration, bool) {
	now := bs.now()
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.calls++; bs.calls%sweepEvery == 0 {
		for k, b := range bs.all {
			if b.full(now) {
				delete(bs.all, k)
			}
		}
	}
	b := bs.all[key]
	if b == nil {
		b = newBucket(bs.rate, bs.burst, now)
		bs.all[key] = b
	}
	return b.take(now)
}

// retryAfter writes a wait as Retry-After's whole seconds, at least 1.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
}
