package store

import "sync"

// maxCachedLaunches bounds the cache; launches are a few hundred rows each.
const maxCachedLaunches = 256

// launchCache keeps the rows of recently read launches with their version
// (launch_versions). Reading a launch's rows costs far more than checking
// its version, and a tick must read the whole launch; so a transaction reads
// the version and uses the cached rows when they are of that version. Rows
// are values and a cached snapshot is never modified, so entries are shared
// freely.
type launchCache struct {
	mu      sync.Mutex
	entries map[int64]cachedLaunch
}

type cachedLaunch struct {
	version int64
	snap    snapshot
}

// get returns launch id's rows if the cache holds them at version.
func (c *launchCache) get(id, version int64) (snapshot, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || e.version != version {
		return snapshot{}, false
	}
	return e.snap, true
}

// put records launch id's rows at version, unless a newer version is cached.
func (c *launchCache) put(id, version int64, snap snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[int64]cachedLaunch)
	}
	if e, ok := c.entries[id]; ok && e.version > version {
		return
	}
	if _, ok := c.entries[id]; !ok && len(c.entries) >= maxCachedLaunches {
		for other := range c.entries { // evict one at random
			delete(c.entries, other)
			break
		}
	}
	c.entries[id] = cachedLaunch{version: version, snap: snap}
}
