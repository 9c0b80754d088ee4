package annualreview

import (
	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps annual reviews. The store implements it; a service sees only this.
type Repository interface {
	Create(r Review) error
	Get(id string, s access.Scope) (Review, error)
	Update(r Review) error
	Pending(planID string) ([]Review, error)
	List(f Filter, s access.Scope, p paging.Page) ([]Review, string, error)
}
