package reassessment

import (
	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps re-assessments. The store implements it; a service sees only this.
type Repository interface {
	Create(r Reassessment) error
	Get(id string, s access.Scope) (Reassessment, error)
	Update(r Reassessment) error
	// List reads one page within scope, newest first.
	List(f Filter, s access.Scope, p paging.Page) ([]Reassessment, string, error)
}
