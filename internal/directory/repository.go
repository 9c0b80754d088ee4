package directory

import "github.com/oneplan-send/oneplan/internal/paging"

// Repository keeps organisations and practitioners. The store implements it; a service sees only this.
type Repository interface {
	CreateOrganisation(o Organisation) error
	Organisation(id string) (Organisation, error)
	UpdateOrganisation(o Organisation) error
	// CodeHolder finds, in one read, an organisation other than except holding one of codes:
	// the first of codes held and its holder; NotFound if none is.
	CodeHolder(codes []Code, except string) (held Code, holder string, err error)
	Organisations(f OrganisationFilter, p paging.Page) ([]Organisation, string, error)
	CreatePractitioner(p Practitioner) error
	Practitioner(id string) (Practitioner, error)
	UpdatePractitioner(p Practitioner) error
	Practitioners(f PractitionerFilter, p paging.Page) ([]Practitioner, string, error)
	// PractitionerByEmail finds the practitioner registered with email (any case); NotFound if none.
	PractitionerByEmail(email string) (Practitioner, error)
}
