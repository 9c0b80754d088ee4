package meeting

import (
	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps meetings and the actions agreed at them. The store implements it; a service sees only this.
type Repository interface {
	ReferralOf(meetingID string) (string, error)
	Create(m Meeting) error
	Get(id string, s access.Scope) (Meeting, error)
	Update(m Meeting) error
	List(f Filter, s access.Scope, p paging.Page) ([]Meeting, string, error)
	Action(id string, s access.Scope) (Action, error)
	CompleteAction(a Action) error
	Actions(f ActionFilter, s access.Scope, p paging.Page) ([]Action, string, error)
}
