package transition

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps transition plans and answers who lacks one. The store implements it; a service sees only this.
type Repository interface {
	Create(p Plan) error
	CurrentID(youngPersonID string) (string, error)
	LastEnded(youngPersonID string) (time.Time, error)
	Get(id string, s access.Scope) (Plan, error)
	Update(p Plan) error
	List(f Filter, s access.Scope, p paging.Page) ([]Plan, string, error)
	Gaps(q GapQuery, s access.Scope, p paging.Page) ([]Gap, string, error)
	Upcoming(q UpcomingQuery, s access.Scope) ([]Upcoming, error)
	WithCurrentPlan(youngPersonIDs []string, day time.Time) (map[string]bool, error)
}
