package casework

import (
	"time"

	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/store"
)

// CreateOrganisation registers an organisation.
func (s *Service) CreateOrganisation(ctx context.Context, o directory.Organisation) (directory.Organisation, error) {
	p, err := allow(ctx, auth.ManageOrganisations)
	if err != nil {
		return o, err
	}
	o.ID, o.CreatedAt, o.UpdatedAt, o.Version = newID(), s.now(), s.now(), 1
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Directory().CreateOrganisation(o); err != nil {
			return err
		}
		return record(tx, s.event(ctx, p, audit.Create, audit.Organisation, o.ID, "", nil),
			s.notice("organisation.created", audit.Organisation, o.ID, map[string]any{"type": o.Type}))
	})
	return o, err
}

// Organisation reads one organisation.
func (s *Service) Organisation(ctx context.Context, id string) (o directory.Organisation, err error) {
	if _, err := allow(ctx, auth.ReadDirectory); err != nil {
		return o, err
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		o, err = tx.Directory().Organisation(id)
		return err
	})
	return o, err
}

// Organisations lists organisations.
func (s *Service) Organisations(ctx context.Context, f directory.OrganisationFilter, pg paging.Page) (out []directory.Organisation, next string, err error) {
	if _, err := allow(ctx, auth.ReadDirectory); err != nil {
		return nil, "", err
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		out, next, err = tx.Directory().Organisations(f, pg)
		return err
	})
	return out, next, err
}

// UpdateOrganisation changes an organisation.
func (s *Service) UpdateOrganisation(ctx context.Context, id string, ifMatch *int, mutate Mutation[directory.Organisation]) (directory.Organisation, error) {
	return organisations.patch(ctx, s, auth.ManageOrganisations, id, ifMatch, mutate, nil,
		func(_ *store.Tx, _ auth.Principal, cur directory.Organisation, next *directory.Organisation) error {
			next.ID, next.CreatedAt = cur.ID, cur.CreatedAt
			return nil
		},
		func(tx *store.Tx, p auth.Principal, _, _ directory.Organisation, changed []string) error {
			return record(tx, s.event(ctx, p, audit.Update, audit.Organisation, id, "", changed),
				s.notice("organisation.updated", audit.Organisation, id, map[string]any{"changed_fields": changed}))
		})
}

// Directory entries are not children's records: no scope applies.
var (
	organisations = versioned[directory.Organisation]{
		load: func(tx *store.Tx, id string, _ access.Scope) (directory.Organisation, error) {
			return tx.Directory().Organisation(id)
		},
		save:  saveVia((*store.Tx).Directory, directory.Repository.UpdateOrganisation),
		stamp: func(o *directory.Organisation) (*int, *time.Time) { return &o.Version, &o.UpdatedAt }}
	practitioners = versioned[directory.Practitioner]{
		load: func(tx *store.Tx, id string, _ access.Scope) (directory.Practitioner, error) {
			return tx.Directory().Practitioner(id)
		},
		save: func(tx *store.Tx, pr directory.Practitioner) error {
			return emailConflict(tx.Directory().UpdatePractitioner(pr))
		},
		stamp: func(pr *directory.Practitioner) (*int, *time.Time) { return &pr.Version, &pr.UpdatedAt }}
)

// CreatePractitioner registers a practitioner in an existing organisation.
func (s *Service) CreatePractitioner(ctx context.Context, pr directory.Practitioner) (directory.Practitioner, error) {
	p, err := allow(ctx, auth.ManagePractitioners)
	if err != nil {
		return pr, err
	}
	pr.ID, pr.CreatedAt, pr.UpdatedAt, pr.Version = newID(), s.now(), s.now(), 1
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := organisationExists(tx, pr.OrganisationID, "/organisation_id"); err != nil {
			return err
		}
		if err := tx.Directory().CreatePractitioner(pr); err != nil {
			return emailConflict(err)
		}
		return record(tx, s.event(ctx, p, audit.Create, audit.Practitioner, pr.ID, "", nil),
			s.notice("practitioner.created", audit.Practitioner, pr.ID, map[string]any{"organisation_id": pr.OrganisationID}))
	})
	return pr, err
}

func emailConflict(err error) error {
	if fault.KindOf(err) == fault.Conflict {
		return &fault.Error{Kind: fault.Conflict, Detail: "A practitioner with this email is already registered.",
			Fields: []fault.FieldError{{Pointer: "/email", Detail: "is already registered"}}}
	}
	return err
}

func organisationExists(tx *store.Tx, id, pointer string) error {
	if _, err := tx.Directory().Organisation(id); err != nil {
		if fault.KindOf(err) == fault.NotFound {
			return fault.Field(fault.Unprocessable, pointer, "no such organisation")
		}
		return err
	}
	return nil
}

// Practitioner reads one practitioner.
func (s *Service) Practitioner(ctx context.Context, id string) (pr directory.Practitioner, err error) {
	if _, err := allow(ctx, auth.ReadDirectory); err != nil {
		return pr, err
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		pr, err = tx.Directory().Practitioner(id)
		return err
	})
	return pr, err
}

// Practitioners lists practitioners.
func (s *Service) Practitioners(ctx context.Context, f directory.PractitionerFilter, pg paging.Page) (out []directory.Practitioner, next string, err error) {
	if _, err := allow(ctx, auth.ReadDirectory); err != nil {
		return nil, "", err
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		out, next, err = tx.Directory().Practitioners(f, pg)
		return err
	})
	return out, next, err
}

// UpdatePractitioner changes a practitioner.
func (s *Service) UpdatePractitioner(ctx context.Context, id string, ifMatch *int, mutate Mutation[directory.Practitioner]) (directory.Practitioner, error) {
	return practitioners.patch(ctx, s, auth.ManagePractitioners, id, ifMatch, mutate, nil,
		func(tx *store.Tx, _ auth.Principal, cur directory.Practitioner, next *directory.Practitioner) error {
			if next.OrganisationID != cur.OrganisationID {
				if err := organisationExists(tx, next.OrganisationID, "/organisation_id"); err != nil {
					return err
				}
			}
			next.ID, next.CreatedAt = cur.ID, cur.CreatedAt
			return nil
		},
		func(tx *store.Tx, p auth.Principal, _, _ directory.Practitioner, changed []string) error {
			return record(tx, s.event(ctx, p, audit.Update, audit.Practitioner, id, "", changed),
				s.notice("practitioner.updated", audit.Practitioner, id, map[string]any{"changed_fields": changed}))
		})
}
