package keys

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// TestCacheKeepsNoKeyReadBeforeItsRevocation: a key read from the database while its revocation
// was being heard (the read saw it active, the revocation came after) is not cached, so its next
// use reads it again and fails; a key read with nothing forgotten meanwhile is cached, and a
// forget drops it.
func TestCacheKeepsNoKeyReadBeforeItsRevocation(t *testing.T) {
	c := newCache()
	c.live = func() bool { return true }
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	p := auth.Principal{KeyID: "k1", Role: auth.RolePractitioner}

	gen := c.generation()
	c.forget("k1") // the revocation is heard between the lookup and the put
	c.put("h1", p, now, gen)
	if _, ok := c.get("h1", now); ok {
		t.Fatal("a key read before its revocation was heard was cached")
	}

	gen = c.generation()
	c.put("h1", p, now, gen)
	if got, ok := c.get("h1", now); !ok || got.KeyID != "k1" {
		t.Fatalf("get = %+v, %v; want the key cached", got, ok)
	}
	c.forget("k1")
	if _, ok := c.get("h1", now); ok {
		t.Fatal("a forgotten key is still cached")
	}

	// Any forget, of another key or of all ("*" after a reconnection), holds back a lookup begun
	// before it: which key a notification names is not known until it is heard.
	for _, heard := range []string{"k2", "*"} {
		gen = c.generation()
		c.forget(heard)
		c.put("h1", p, now, gen)
		if _, ok := c.get("h1", now); ok {
			t.Fatalf("a key read before %q was forgotten was cached", heard)
		}
	}

	c.live = func() bool { return false }
	c.put("h2", p, now, c.generation())
	if _, ok := c.get("h2", now); ok {
		t.Fatal("the cache is used while revocations are not heard")
	}
}
