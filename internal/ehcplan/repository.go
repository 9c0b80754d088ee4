package ehcplan

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps EHC plans with their versions. The store implements it; a service sees only this.
type Repository interface {
	Create(p Plan) error
	Get(id string, s access.Scope) (Plan, error)
	Update(p Plan) error
	List(f Filter, s access.Scope, p paging.Page) ([]Plan, string, error)
	// CeaseDue reads up to limit (0: every) ceasing plans whose cease date has come by today.
	CeaseDue(today time.Time, youngPersonID string, limit int) ([]Plan, error)
	// AddFamilyViews keeps the family's views on a served draft.
	AddFamilyViews(v FamilyViews) error
	// FamilyViews lists views within scope, newest first.
	FamilyViews(f FamilyViewsFilter, s access.Scope, p paging.Page) ([]FamilyViews, string, error)
}
