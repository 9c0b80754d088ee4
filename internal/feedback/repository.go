package feedback

import (
	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps pathway feedback. The store implements it; a service sees only this.
type Repository interface {
	Create(f Feedback) error
	Get(id string, s access.Scope) (Feedback, error)
	List(f Filter, s access.Scope, p paging.Page) ([]Feedback, string, error)
}
