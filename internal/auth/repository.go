package auth

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/paging"
)

// KeyRepository keeps API keys (their hashes, never the keys). The store implements it; a service sees only this.
type KeyRepository interface {
	Create(k APIKey) error
	ByPrefix(prefix string) (APIKey, error)
	Get(id string) (APIKey, error)
	List(f KeyFilter, p paging.Page) ([]APIKey, string, error)
	Revoke(id string, at time.Time) error
	ActiveWithRole(role Role) (int64, error)
}
