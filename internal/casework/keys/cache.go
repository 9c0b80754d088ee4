package keys

import (
	"sync"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// cacheTTL bounds how long a looked-up key is trusted even with invalidation working: belt and
// braces, not the mechanism (a revocation reaches every replica's cache at once).
const cacheTTL = 5 * time.Minute

// cache remembers the callers that presented keys stand for, so a request does not read the key
// from the database. It is only used while invalidation is live: every replica must hear of a
// revoked key the moment it is revoked, or the cache would let it through.
type cache struct {
	live func() bool

	mu      sync.Mutex
	byHash  map[string]cached
	hashes  map[string][]string // key id -> hashes of the presented keys cached for it
	limited int
	// forgotten counts forgets: a key read from the database before a revocation was heard must
	// not be cached after it (put refuses a lookup begun under an older count).
	forgotten uint64
}

type cached struct {
	p       auth.Principal
	expires time.Time
}

func newCache() *cache {
	return &cache{live: func() bool { return false }, byHash: map[string]cached{}, hashes: map[string][]string{}, limited: 100_000}
}

func (c *cache) get(hash string, now time.Time) (auth.Principal, bool) {
	if !c.live() {
		return auth.Principal{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byHash[hash]
	if !ok || now.After(e.expires) {
		return auth.Principal{}, false
	}
	return e.p, true
}

// generation is what put needs to know that nothing was forgotten since a lookup began.
func (c *cache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.forgotten
}

// put caches what a key stands for, read from the database after generation returned gen.
func (c *cache) put(hash string, p auth.Principal, now time.Time, gen uint64) {
	if !c.live() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.forgotten {
		return // a revocation was heard while the key was being read: what was read may be stale
	}
	if len(c.byHash) >= c.limited {
		c.byHash, c.hashes = map[string]cached{}, map[string][]string{}
	}
	c.byHash[hash] = cached{p: p, expires: now.Add(cacheTTL)}
	c.hashes[p.KeyID] = append(c.hashes[p.KeyID], hash)
}

// forget drops one key, or every key for "*".
func (c *cache) forget(keyID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgotten++
	if keyID == "*" {
		c.byHash, c.hashes = map[string]cached{}, map[string][]string{}
		return
	}
	for _, h := range c.hashes[keyID] {
		delete(c.byHash, h)
	}
	delete(c.hashes, keyID)
}
