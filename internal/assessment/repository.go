package assessment

import (
	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps family assessments. The store implements it; a service sees only this.
type Repository interface {
	Create(a Assessment) error
	Get(id string, s access.Scope) (Assessment, error)
	Latest(referralID string) (a Assessment, found bool, err error)
	Update(a Assessment) error
	List(f Filter, s access.Scope, p paging.Page) ([]Assessment, string, error)
}
