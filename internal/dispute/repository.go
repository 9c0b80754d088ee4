package dispute

import (
	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps disputes. The store implements it; a service sees only this.
type Repository interface {
	Create(d Dispute) error
	Get(id string, s access.Scope) (Dispute, error)
	Update(d Dispute) error
	List(f Filter, s access.Scope, p paging.Page) ([]Dispute, string, error)
}
