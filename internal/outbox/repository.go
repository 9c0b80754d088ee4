package outbox

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
)

// Reader reads the outbox. The store implements it; a service sees only this.
type Reader interface {
	ForRecord(recordID string) ([]Event, error)
}

// Notices remembers which time-driven notices were sent, so each is sent once. The store implements it; a service sees only this.
type Notices interface {
	Claim(key string, at time.Time) (bool, error)
	// ClaimAll claims each of keys not claimed before, set-based, and returns those this call
	// claimed.
	ClaimAll(keys []string, at time.Time) (map[string]bool, error)
}

// Feed reads committed events in commit order, for the pull feed. The store implements it.
type Feed interface {
	// After lists up to limit events after the cursor seq (0: from the start) that sc may see, of
	// the given types (none: all) and about none of the record types omit, and the cursor to
	// continue from: the last event examined, even if sc could not see it, so a caller polling on
	// never reads the same stretch twice.
	After(seq int64, types, omit []string, since time.Time, sc access.Scope, limit int) ([]Published, int64, error)
}
