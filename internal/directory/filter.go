package directory

import "github.com/oneplan-send/oneplan/internal/externalid"

// OrganisationFilter selects organisations.
type OrganisationFilter struct {
	Type, Locality, Query string
	// ExternalID, when set, selects the organisation holding this other system's id.
	ExternalID *externalid.ID
}

// PractitionerFilter selects practitioners.
type PractitionerFilter struct {
	OrganisationID, Role, Query string
}
