// Package people keeps the records of children and young people: who they are, where they live and
// learn. Recording a child puts the recording organisation (and the child's setting) in the team
// around them, which is what lets them see the record.
package people

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/organisations"
	"github.com/oneplan-send/oneplan/internal/casework/team"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Tx is what the young people's use cases need of a transaction: the team's, since recording a
// child adds to the team around them; the possible duplicates; and, for a merge, whether each
// record has a plan in force.
type Tx interface {
	team.Tx
	Duplicates() person.DuplicateRepository
	Plans() ehcplan.Repository
	Transitions() transition.Repository
	ExternalIDs() externalid.Repository
	// Batch runs fn with its inserts sent together, a multi-row statement per table (an import).
	Batch(fn func() error) error
	// BatchAhead is Batch for an import's chunk whose rows the next chunk's reads, made in
	// ReadAhead, need not see: they are sent after those reads, while the next chunk is worked out.
	BatchAhead(fn func() error) error
	// ReadAhead runs fn's reads before the rows the last BatchAhead holds are sent.
	ReadAhead(fn func() error) error
}

// Service runs the young people's use cases.
type Service struct {
	casework.Core
	db    casework.DB[Tx]
	rules person.Rules
	team  *team.Service
}

// New returns the young people's service, validating records by rules.
func New(core casework.Core, db casework.DB[Tx], rules person.Rules, team *team.Service) *Service {
	return &Service{Core: core, db: db, rules: rules, team: team}
}

// CreateYoungPerson records a child or young person for the caller's organisation.
func (s *Service) CreateYoungPerson(ctx context.Context, yp person.YoungPerson) (_ person.YoungPerson, err error) {
	defer casework.Wrap(&err, "create young person")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return yp, err
	}
	if err := yp.Validate(s.Today(), s.rules); err != nil {
		return yp, err
	}
	in := yp
	// Once more after a unique index's refusal: the look then names the record another create
	// gave the same external id meanwhile.
	err = casework.AgainIfTaken(func() error {
		return s.db.InTx(ctx, func(tx Tx) error {
			if err := s.checkExternalIDs(tx, p, in.ExternalIDs, "", nil); err != nil {
				return err
			}
			yp, err = s.create(ctx, tx, p, in)
			return err
		})
	})
	return yp, err
}

// create records yp, already validated and its external ids checked (checkExternalIDs), in tx:
// the record, its external ids, the team around the child, the audit and outbox events and any
// possible duplicates. The import runs it too, so an imported child is recorded exactly as one
// sent to the API.
func (s *Service) create(ctx context.Context, tx Tx, p auth.Principal, yp person.YoungPerson) (person.YoungPerson, error) {
	if yp.EducationSettingID != "" {
		if err := organisations.Exists(tx, yp.EducationSettingID, "/education_setting_id"); err != nil {
			return yp, err
		}
	}
	holders, err := s.checkIdentifiers(tx, p, yp.Claims(), "")
	if err != nil {
		return yp, err
	}
	return s.createChecked(ctx, tx, p, yp, holders)
}

// createChecked is create once the identifiers are checked: holders are the records the caller
// may not see that hold the child's NHS number or UPN (each becomes a possible duplicate).
func (s *Service) createChecked(ctx context.Context, tx Tx, p auth.Principal, yp person.YoungPerson, holders []person.Holder) (person.YoungPerson, error) {
	yp.ID, yp.RecordedByOrgID, yp.CreatedAt, yp.UpdatedAt, yp.Version = casework.NewID(), p.OrganisationID, s.Now(), s.Now(), 1
	if err := tx.People().Create(yp); err != nil {
		return yp, err
	}
	if err := tx.ExternalIDs().Add(externalid.YoungPerson, yp.ID, yp.ExternalIDs, s.Now()); err != nil {
		return yp, err
	}
	// The recording organisation and the child's setting join the team around the child.
	if err := s.team.Involve(tx, p, yp.ID, p.OrganisationID, p.PractitionerID, sharing.RoleRecordedBy); err != nil {
		return yp, err
	}
	if yp.EducationSettingID != "" {
		if err := s.team.Involve(tx, p, yp.ID, yp.EducationSettingID, "", sharing.RoleEducationSetting); err != nil {
			return yp, err
		}
	}
	if err := casework.Record(tx, s.Event(ctx, p, audit.Create, audit.YoungPerson, yp.ID, yp.ID, nil),
		s.Notice(outbox.YoungPersonCreated, yp.ID, nil)); err != nil {
		return yp, err
	}
	return yp, s.recordDuplicates(ctx, tx, p, yp.ID, holders)
}

// YoungPerson reads one record the caller may see, auditing the read. A record merged into
// another is Moved to it, for a caller who may see that one; for anyone else it is not found.
func (s *Service) YoungPerson(ctx context.Context, id string) (_ person.YoungPerson, err error) {
	defer casework.Wrap(&err, "read young person %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, audit.YoungPerson, id,
		func(tx Tx, sc access.Scope) (person.YoungPerson, error) {
			yp, err := tx.People().Get(id, sc)
			if fault.KindOf(err) == fault.NotFound {
				return yp, movedTo(tx, id, sc, err)
			}
			if err != nil {
				return yp, err
			}
			return yp, withExternalIDsOne(tx, &yp)
		},
		func(r person.YoungPerson) string { return r.ID })
}

// YoungPeople lists the records the caller may see, auditing each hit.
func (s *Service) YoungPeople(ctx context.Context, f person.Filter, pg paging.Page) (_ []person.YoungPerson, _ string, err error) {
	defer casework.Wrap(&err, "list young people")
	return casework.ListAudited(ctx, s.Core, s.db, audit.YoungPerson, func(tx Tx, sc access.Scope) ([]person.YoungPerson, string, error) {
		items, next, err := tx.People().List(f, sc, pg)
		if err != nil {
			return nil, "", err
		}
		return items, next, withExternalIDs(tx, items...)
	}, func(r person.YoungPerson) (string, string) { return r.ID, r.ID })
}

// UpdateYoungPerson changes a record the caller may see.
func (s *Service) UpdateYoungPerson(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[person.YoungPerson]) (_ person.YoungPerson, err error) {
	defer casework.Wrap(&err, "update young person %s", id)
	// Once more after a unique index's refusal (see casework.AgainIfTaken): another PATCH gave one
	// of the same external ids to another record at the same moment.
	return casework.AgainIfTakenFor(func() (person.YoungPerson, error) { return s.patch(ctx, id, ifMatch, mutate) })
}

func (s *Service) patch(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[person.YoungPerson]) (person.YoungPerson, error) {
	var holders []person.Holder // records the caller may not see holding an identifier the change gives
	return youngPeople.Patch(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch, mutate, nil,
		func(tx Tx, p auth.Principal, cur person.YoungPerson, next *person.YoungPerson) error {
			if err := next.Validate(s.Today(), s.rules); err != nil {
				return err
			}
			var err error
			if holders, err = s.checkIdentifiers(tx, p, person.NewClaims(cur, *next), cur.ID); err != nil {
				return err
			}
			if err := s.changeExternalIDs(tx, p, cur, *next); err != nil {
				return err
			}
			if next.EducationSettingID != "" && next.EducationSettingID != cur.EducationSettingID {
				if err := organisations.Exists(tx, next.EducationSettingID, "/education_setting_id"); err != nil {
					return err
				}
			}
			next.ID, next.RecordedByOrgID, next.CreatedAt = cur.ID, cur.RecordedByOrgID, cur.CreatedAt
			return nil
		},
		func(tx Tx, p auth.Principal, cur, next person.YoungPerson, changed []string) error {
			if next.EducationSettingID != cur.EducationSettingID {
				if err := s.team.MoveSetting(tx, p, id, cur.EducationSettingID, next.EducationSettingID); err != nil {
					return err
				}
			}
			if err := casework.Record(tx, s.Event(ctx, p, audit.Update, audit.YoungPerson, id, id, changed),
				s.Notice(outbox.YoungPersonUpdated, id, map[string]any{"changed_fields": changed})); err != nil {
				return err
			}
			return s.recordDuplicates(ctx, tx, p, id, holders)
		})
}

var youngPeople = casework.Versioned[person.YoungPerson, Tx]{Load: loadWithExternalIDs,
	Save:  casework.SaveVia(Tx.People, person.Repository.Update),
	Stamp: func(yp *person.YoungPerson) (*int, *time.Time) { return &yp.Version, &yp.UpdatedAt }}
