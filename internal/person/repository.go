package person

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps young people's records. The store implements it; a service sees only this.
type Repository interface {
	Create(p YoungPerson) error
	Get(id string, s access.Scope) (YoungPerson, error)
	Update(p YoungPerson) error
	List(f Filter, s access.Scope, p paging.Page) ([]YoungPerson, string, error)
	RetentionDue(bornBy time.Time, p paging.Page) ([]YoungPerson, string, error)
	Erase(id string) error
}
