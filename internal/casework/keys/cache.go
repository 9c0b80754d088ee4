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

func (c *cache) put(hash string, p auth.Principal, now time.Time) {
	if !c.live() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
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
	if keyID == "*" {
		c.byHash, c.hashes = map[string]cached{}, map[string][]string{}
		return
	}
	for _, h := range c.hashes[keyID] {
		delete(c.byHash, h)
	}
	delete(c.hashes, keyID)
}
