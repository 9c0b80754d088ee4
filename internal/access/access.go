// Package access holds need-to-know: which children's records a caller may see, worked out from
// the reach of their role. Stores apply a Scope to every read of a child's record; services build
// it with For.
package access

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// Scope limits casework reads to what a caller may see. The zero value reaches every record (the
// council's SEND team, and the service itself); For builds the others from the caller's role.
type Scope struct {
	// Restricted turns the fields below into the only ways in; with none set, nothing is visible.
	Restricted bool
	// OrganisationID and PractitionerID see children whose team they are currently part of.
	OrganisationID string
	PractitionerID string
	// YoungPersonIDs are records visible by name (a family's own children).
	YoungPersonIDs []string
	// PanelPractitionerID sees children put before a multi-agency panel (MAP) this practitioner sat on.
	PanelPractitionerID string
	// On is the day involvements are judged current.
	On time.Time
	// Only, when not nil, narrows any scope (restricted or not) to these young people as well: a
	// service that knows which children a question is about reads no others (the deadline
	// worklist of one young person or one owner). It never widens what the scope reaches.
	Only []string
}

// All reaches every record: for the service's own work (the sweeper, a rule that must see the
// whole record to judge it) once the caller's own access has been checked.
var All = Scope{}

// For returns the slice of casework p may read on the day on.
func For(p auth.Principal, on time.Time) Scope {
	switch p.Reach() {
	case auth.ReachCouncil:
		return Scope{}
	case auth.ReachInvolvement:
		return Scope{Restricted: true, OrganisationID: p.OrganisationID, PractitionerID: p.PractitionerID, On: on}
	case auth.ReachOwn:
		return Scope{Restricted: true, YoungPersonIDs: p.YoungPersonIDs, On: on}
	case auth.ReachPanel:
		// A panel member is known by their practitioner id (bound to their key or in their token).
		if p.PractitionerID != "" {
			return Scope{Restricted: true, PanelPractitionerID: p.PractitionerID, On: on}
		}
	}
	return Scope{Restricted: true, On: on}
}
