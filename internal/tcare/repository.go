package tcare

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Filter selects register entries.
type Filter struct {
	Rating        Rating
	Locality      string
	YoungPersonID string
	Open          *bool
	// OverdueOn: only entries whose C(E)TR was due before this day.
	OverdueOn *time.Time
}

// PlacementFilter selects placements.
type PlacementFilter struct {
	YoungPersonID, Type string
	CurrentOn           *time.Time
}

// ReviewFilter selects C(E)TRs.
type ReviewFilter struct {
	EntryID, YoungPersonID, Status string
}

// BudgetFilter selects personal budgets.
type BudgetFilter struct {
	YoungPersonID, EHCPlanID, Status string
}

// Repository keeps the register and placements. Register entries are read by the register
// group's permission, not the casework scope: the store takes no scope for them.
type Repository interface {
	CreateEntry(e Entry) error
	Entry(id string) (Entry, error)
	EntryFor(youngPersonID string) (Entry, bool, error) // the young person's open entry, if any
	UpdateEntry(e Entry) error                          // writes the entry and any history not yet stored
	Entries(f Filter, p paging.Page) ([]Entry, string, error)

	CreateReview(r Review) error
	Review(id string) (Review, error)
	UpdateReview(r Review) error
	Reviews(f ReviewFilter, p paging.Page) ([]Review, string, error)

	CreateBudget(b Budget) error
	Budget(id string, s access.Scope) (Budget, error)
	UpdateBudget(b Budget) error // writes the budget and any payments not yet stored
	Budgets(f BudgetFilter, s access.Scope, p paging.Page) ([]Budget, string, error)

	CreatePlacement(p Placement) error
	Placement(id string, s access.Scope) (Placement, error)
	UpdatePlacement(p Placement) error
	Placements(f PlacementFilter, s access.Scope, p paging.Page) ([]Placement, string, error)
}
