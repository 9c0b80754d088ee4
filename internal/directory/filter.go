package directory

// OrganisationFilter selects organisations.
type OrganisationFilter struct {
	Type, Locality, Query string
}

// PractitionerFilter selects practitioners.
type PractitionerFilter struct {
	OrganisationID, Role, Query string
}
