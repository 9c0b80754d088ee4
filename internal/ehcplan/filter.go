package ehcplan

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/externalid"
)

// Filter selects plans.
type Filter struct {
	YoungPersonID, RequestID string
	// Status is judged on Today: a ceasing plan whose cease date has come is ceased.
	Status string
	Today  time.Time
	// ExternalID keeps the plan holding this id in another system (issue 18).
	ExternalID *externalid.ID
}
