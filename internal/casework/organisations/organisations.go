// Package organisations runs the directory: the organisations that take part in the pathway and
// their practitioners. Directory entries are not children's records, so no need-to-know scope
// applies; changes are audited and announced like any other.
package organisations

import (
	"context"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Tx is what the directory's use cases need of a transaction.
type Tx interface {
	casework.Recorder
	Directory() directory.Repository
	ExternalIDs() externalid.Repository
}

// Service runs the directory's use cases.
type Service struct {
	casework.Core
	db casework.DB[Tx]
	// Systems are the short names external ids may use besides URIs (ONEPLAN_EXTERNAL_ID_SYSTEMS).
	Systems externalid.Systems
	// practitionerChanged hear of each practitioner changed here, once it has committed (the key
	// service forgets the sign-ins it remembered; other replicas hear of it from the store).
	practitionerChanged []func()
}

// OnPractitionerChange adds fn to what hears of a practitioner changed through this service.
func (s *Service) OnPractitionerChange(fn func()) {
	s.practitionerChanged = append(s.practitionerChanged, fn)
}

// New returns the directory's service.
func New(core casework.Core, db casework.DB[Tx]) *Service { return &Service{Core: core, db: db} }

// CreateOrganisation registers an organisation.
func (s *Service) CreateOrganisation(ctx context.Context, o directory.Organisation) (_ directory.Organisation, err error) {
	defer casework.Wrap(&err, "create organisation")
	p, err := casework.Allow(ctx, auth.ManageOrganisations)
	if err != nil {
		return o, err
	}
	if err := fault.Fields(fault.Invalid, s.Systems.Validate("/external_ids", o.ExternalIDs)); err != nil {
		return o, err
	}
	in := o
	err = casework.AgainIfTaken(func() error {
		return s.db.InTx(ctx, func(tx Tx) (err error) {
			o, err = s.create(ctx, tx, p, in, nil)
			return err
		})
	})
	return o, err
}

func (s *Service) create(ctx context.Context, tx Tx, p auth.Principal, o directory.Organisation, checked *externalid.ID) (directory.Organisation, error) {
	o.ID, o.CreatedAt, o.UpdatedAt, o.Version = casework.NewID(), s.Now(), s.Now(), 1
	if err := held(tx, directory.Organisation{}, o, checked); err != nil {
		return o, err
	}
	if err := tx.Directory().CreateOrganisation(o); err != nil {
		return o, err
	}
	if err := tx.ExternalIDs().Add(externalid.Organisation, o.ID, o.ExternalIDs, s.Now()); err != nil {
		return o, err
	}
	return o, casework.Record(tx, s.Event(ctx, p, audit.Create, audit.Organisation, o.ID, "", nil),
		s.Notice(outbox.OrganisationCreated, o.ID, map[string]any{"type": o.Type}))
}

// CreateOrganisationIfNoneExist creates o unless an organisation already holds cond (added to
// o's external ids if missing): then it answers that organisation and not created.
func (s *Service) CreateOrganisationIfNoneExist(ctx context.Context, o directory.Organisation, cond externalid.ID) (_ directory.Organisation, created bool, err error) {
	defer casework.Wrap(&err, "create organisation unless one exists")
	p, err := casework.Allow(ctx, auth.ManageOrganisations)
	if err != nil {
		return o, false, err
	}
	if !slices.Contains(o.ExternalIDs, cond) {
		o.ExternalIDs = append(o.ExternalIDs, cond)
	}
	if err := fault.Fields(fault.Invalid, s.Systems.Validate("/external_ids", o.ExternalIDs)); err != nil {
		return o, false, err
	}
	in := o
	err = casework.AgainIfTaken(func() error {
		return s.db.InTx(ctx, func(tx Tx) error {
			holding, found, err := holderOf(tx, cond)
			if found {
				o, created = holding, false
			}
			if found || err != nil {
				return err
			}
			// cond is not looked for again (see create): an organisation given it since the look
			// above would be a 409 there, where the unique index refuses the insert and the second
			// run's look answers the organisation.
			o, err = s.create(ctx, tx, p, in, &cond)
			created = err == nil
			return err
		})
	})
	return o, created, err
}

// holderOf is the organisation holding the external id, if one does.
func holderOf(tx Tx, id externalid.ID) (o directory.Organisation, found bool, err error) {
	holder, err := tx.ExternalIDs().Find(externalid.Organisation, id)
	if fault.KindOf(err) == fault.NotFound {
		return o, false, nil
	}
	if err != nil {
		return o, false, err
	}
	if o, err = tx.Directory().Organisation(holder); err == nil {
		err = withExternalIDs(tx, &o)
	}
	return o, err == nil, err
}

// ParseExternalID reads system|value given in a query or header named at.
func (s *Service) ParseExternalID(at, text string) (externalid.ID, error) {
	return s.Systems.Parse(at, text)
}

func withExternalIDs(tx Tx, os ...*directory.Organisation) error {
	ids := make([]string, len(os))
	for i, o := range os {
		ids[i] = o.ID
	}
	held, err := tx.ExternalIDs().Of(externalid.Organisation, ids...)
	if err != nil {
		return err
	}
	for _, o := range os {
		o.ExternalIDs = held[o.ID]
	}
	return nil
}

// Organisation reads one organisation.
func (s *Service) Organisation(ctx context.Context, id string) (o directory.Organisation, err error) {
	defer casework.Wrap(&err, "read organisation %s", id)
	if _, err := casework.Allow(ctx, auth.ReadDirectory); err != nil {
		return o, err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		if o, err = tx.Directory().Organisation(id); err != nil {
			return err
		}
		return withExternalIDs(tx, &o)
	})
	return o, err
}

// Organisations lists organisations.
func (s *Service) Organisations(ctx context.Context, f directory.OrganisationFilter, pg paging.Page) (out []directory.Organisation, next string, err error) {
	defer casework.Wrap(&err, "list organisations")
	if _, err := casework.Allow(ctx, auth.ReadDirectory); err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		if out, next, err = tx.Directory().Organisations(f, pg); err != nil {
			return err
		}
		ptrs := make([]*directory.Organisation, len(out))
		for i := range out {
			ptrs[i] = &out[i]
		}
		return withExternalIDs(tx, ptrs...)
	})
	return out, next, err
}

// UpdateOrganisation changes an organisation.
func (s *Service) UpdateOrganisation(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[directory.Organisation]) (_ directory.Organisation, err error) {
	defer casework.Wrap(&err, "update organisation %s", id)
	// Once more after a unique index's refusal (see casework.AgainIfTaken): another write gave one
	// of the same codes or ids to another organisation at the same moment.
	return casework.AgainIfTakenFor(func() (directory.Organisation, error) { return s.patch(ctx, id, ifMatch, mutate) })
}

func (s *Service) patch(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[directory.Organisation]) (directory.Organisation, error) {
	return organisations.Patch(ctx, s.Core, s.db, auth.ManageOrganisations, id, ifMatch, mutate, nil,
		func(tx Tx, _ auth.Principal, cur directory.Organisation, next *directory.Organisation) error {
			next.ID, next.CreatedAt = cur.ID, cur.CreatedAt
			if err := codesHeld(tx, cur, *next); err != nil {
				return err
			}
			return s.changeExternalIDs(tx, cur, *next)
		},
		func(tx Tx, p auth.Principal, _, _ directory.Organisation, changed []string) error {
			return casework.Record(tx, s.Event(ctx, p, audit.Update, audit.Organisation, id, "", changed),
				s.Notice(outbox.OrganisationUpdated, id, map[string]any{"changed_fields": changed}))
		})
}

// Directory entries are not children's records: no scope applies.
var (
	organisations = casework.Versioned[directory.Organisation, Tx]{
		Load: func(tx Tx, id string, _ access.Scope) (directory.Organisation, error) {
			o, err := tx.Directory().Organisation(id)
			if err == nil {
				err = withExternalIDs(tx, &o) // a PATCH sees (and may change) the ids too
			}
			return o, err
		},
		Save:  casework.SaveVia(Tx.Directory, directory.Repository.UpdateOrganisation),
		Stamp: func(o *directory.Organisation) (*int, *time.Time) { return &o.Version, &o.UpdatedAt }}
	practitioners = casework.Versioned[directory.Practitioner, Tx]{
		Load: func(tx Tx, id string, _ access.Scope) (directory.Practitioner, error) {
			return tx.Directory().Practitioner(id)
		},
		Save: func(tx Tx, pr directory.Practitioner) error {
			return emailConflict(tx.Directory().UpdatePractitioner(pr))
		},
		Stamp: func(pr *directory.Practitioner) (*int, *time.Time) { return &pr.Version, &pr.UpdatedAt }}
)

// CreatePractitioner registers a practitioner in an existing organisation.
func (s *Service) CreatePractitioner(ctx context.Context, pr directory.Practitioner) (_ directory.Practitioner, err error) {
	defer casework.Wrap(&err, "create practitioner")
	p, err := casework.Allow(ctx, auth.ManagePractitioners)
	if err != nil {
		return pr, err
	}
	pr.ID, pr.CreatedAt, pr.UpdatedAt, pr.Version = casework.NewID(), s.Now(), s.Now(), 1
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := Exists(tx, pr.OrganisationID, "/organisation_id"); err != nil {
			return err
		}
		if err := tx.Directory().CreatePractitioner(pr); err != nil {
			return emailConflict(err)
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Create, audit.Practitioner, pr.ID, "", nil),
			s.Notice(outbox.PractitionerCreated, pr.ID, map[string]any{"organisation_id": pr.OrganisationID}))
	})
	return pr, err
}

// held answers a 409 naming the field and the holder (the directory is open to every caller)
// when another organisation already holds one of next's external ids, or one of the codes next
// has and cur had not: a URN, UKPRN or ODS code names one organisation.
func held(tx Tx, cur, next directory.Organisation, checked *externalid.ID) error {
	if err := idsHeld(tx, cur.ID, next.ExternalIDs, checked); err != nil {
		return err
	}
	return codesHeld(tx, cur, next)
}

// idsHeld is the 409 naming /external_ids/N and the holder when an organisation other than the
// one with id self holds the Nth of ids; checked, when set, was looked for already.
func idsHeld(tx Tx, self string, ids []externalid.ID, checked *externalid.ID) error {
	return externalid.Held(tx.ExternalIDs(), externalid.Organisation, ids, self, checked, "another organisation", func(holder string) *fault.Ref {
		return &fault.Ref{Type: audit.Organisation, ID: holder}
	})
}

// codesHeld is held's look at the codes.
func codesHeld(tx Tx, cur, next directory.Organisation) error {
	had := cur.Codes()
	var fresh []directory.Code
	for i, c := range next.Codes() {
		if c.Value != "" && c.Value != had[i].Value {
			fresh = append(fresh, c)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	c, holder, err := tx.Directory().CodeHolder(fresh, next.ID)
	if fault.KindOf(err) == fault.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	e := fault.Field(fault.Conflict, "/"+c.Field, "is already held by another organisation")
	e.Related = &fault.Ref{Type: audit.Organisation, ID: holder}
	return e
}

func emailConflict(err error) error {
	if fault.KindOf(err) == fault.Conflict {
		return &fault.Error{Kind: fault.Conflict, Detail: "A practitioner with this email is already registered.",
			Fields: []fault.FieldError{{Pointer: "/email", Detail: "is already registered"}}}
	}
	return err
}

// Exists answers a 422 naming pointer unless the organisation id is in the directory: for
// records that refer to one.
func Exists(tx interface{ Directory() directory.Repository }, id, pointer string) error {
	if _, err := tx.Directory().Organisation(id); err != nil {
		return casework.Referenced(err, pointer, "no such organisation")
	}
	return nil
}

// Practitioner reads one practitioner.
func (s *Service) Practitioner(ctx context.Context, id string) (pr directory.Practitioner, err error) {
	defer casework.Wrap(&err, "read practitioner %s", id)
	if _, err := casework.Allow(ctx, auth.ReadDirectory); err != nil {
		return pr, err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		pr, err = tx.Directory().Practitioner(id)
		return err
	})
	return pr, err
}

// Practitioners lists practitioners.
func (s *Service) Practitioners(ctx context.Context, f directory.PractitionerFilter, pg paging.Page) (out []directory.Practitioner, next string, err error) {
	defer casework.Wrap(&err, "list practitioners")
	if _, err := casework.Allow(ctx, auth.ReadDirectory); err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		out, next, err = tx.Directory().Practitioners(f, pg)
		return err
	})
	return out, next, err
}

// UpdatePractitioner changes a practitioner.
func (s *Service) UpdatePractitioner(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[directory.Practitioner]) (_ directory.Practitioner, err error) {
	defer casework.Wrap(&err, "update practitioner %s", id)
	defer func() {
		if err == nil {
			for _, fn := range s.practitionerChanged {
				fn()
			}
		}
	}()
	return practitioners.Patch(ctx, s.Core, s.db, auth.ManagePractitioners, id, ifMatch, mutate, nil,
		func(tx Tx, _ auth.Principal, cur directory.Practitioner, next *directory.Practitioner) error {
			if next.OrganisationID != cur.OrganisationID {
				if err := Exists(tx, next.OrganisationID, "/organisation_id"); err != nil {
					return err
				}
			}
			next.ID, next.CreatedAt = cur.ID, cur.CreatedAt
			return nil
		},
		func(tx Tx, p auth.Principal, _, _ directory.Practitioner, changed []string) error {
			return casework.Record(tx, s.Event(ctx, p, audit.Update, audit.Practitioner, id, "", changed),
				s.Notice(outbox.PractitionerUpdated, id, map[string]any{"changed_fields": changed}))
		})
}
