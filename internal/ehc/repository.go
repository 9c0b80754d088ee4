package ehc

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps requests for EHC needs assessments. The store implements it; a service sees only this.
type Repository interface {
	DecisionDue(from, to time.Time) ([]Request, error)
	// NoticesDue reads, in id order after the id after, up to limit requests that may owe the
	// sweeper a notice (see NoticeQuery).
	NoticesDue(q NoticeQuery, after string, limit int) ([]Request, error)
	Create(r Request) error
	Get(id string, s access.Scope) (Request, error)
	Update(r Request) error
	List(f Filter, s access.Scope, p paging.Page) ([]Request, string, error)
}
