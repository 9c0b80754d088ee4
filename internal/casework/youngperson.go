package casework

import (
	"time"

	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
)

// CreateYoungPerson records a child or young person for the caller's organisation.
func (s *Service) CreateYoungPerson(ctx context.Context, yp person.YoungPerson) (person.YoungPerson, error) {
	p, err := allow(ctx, auth.WriteCasework)
	if err != nil {
		return yp, err
	}
	if err := yp.Validate(s.today(), s.opts.PersonRules); err != nil {
		return yp, err
	}
	yp.ID, yp.RecordedByOrgID, yp.CreatedAt, yp.UpdatedAt, yp.Version = newID(), p.OrganisationID, s.now(), s.now(), 1
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if yp.EducationSettingID != "" {
			if err := organisationExists(tx, yp.EducationSettingID, "/education_setting_id"); err != nil {
				return err
			}
		}
		if err := tx.People().Create(yp); err != nil {
			return identifierConflict(err)
		}
		// The recording organisation and the child's setting join the team around the child.
		if err := s.involve(tx, p, yp.ID, p.OrganisationID, p.PractitionerID, sharing.RoleRecordedBy); err != nil {
			return err
		}
		if yp.EducationSettingID != "" {
			if err := s.involve(tx, p, yp.ID, yp.EducationSettingID, "", sharing.RoleEducationSetting); err != nil {
				return err
			}
		}
		return record(tx, s.event(ctx, p, audit.Create, audit.YoungPerson, yp.ID, yp.ID, nil),
			s.notice("young_person.created", audit.YoungPerson, yp.ID, nil))
	})
	return yp, err
}

// identifierConflict names the field behind a uniqueness conflict without echoing the value.
func identifierConflict(err error) error {
	if fault.KindOf(err) == fault.Conflict {
		return &fault.Error{Kind: fault.Conflict, Detail: "Another young person already has this NHS number or UPN.",
			Fields: []fault.FieldError{{Pointer: "/nhs_number", Detail: "may already be recorded"}, {Pointer: "/upn", Detail: "may already be recorded"}}}
	}
	return err
}

// YoungPerson reads one record the caller may see, auditing the read.
func (s *Service) YoungPerson(ctx context.Context, id string) (person.YoungPerson, error) {
	return readAudited(ctx, s, audit.YoungPerson, id,
		func(tx *store.Tx, sc access.Scope) (person.YoungPerson, error) { return tx.People().Get(id, sc) },
		func(r person.YoungPerson) string { return r.ID })
}

// YoungPeople lists the records the caller may see, auditing each hit.
func (s *Service) YoungPeople(ctx context.Context, f person.Filter, pg paging.Page) ([]person.YoungPerson, string, error) {
	return listAudited(ctx, s, audit.YoungPerson, func(tx *store.Tx, sc access.Scope) ([]person.YoungPerson, string, error) {
		return tx.People().List(f, sc, pg)
	}, func(r person.YoungPerson) (string, string) { return r.ID, r.ID })
}

// UpdateYoungPerson changes a record the caller may see.
func (s *Service) UpdateYoungPerson(ctx context.Context, id string, ifMatch *int, mutate Mutation[person.YoungPerson]) (person.YoungPerson, error) {
	return youngPeople.patch(ctx, s, auth.WriteCasework, id, ifMatch, mutate, nil,
		func(tx *store.Tx, _ auth.Principal, cur person.YoungPerson, next *person.YoungPerson) error {
			if err := next.Validate(s.today(), s.opts.PersonRules); err != nil {
				return err
			}
			if next.EducationSettingID != "" && next.EducationSettingID != cur.EducationSettingID {
				if err := organisationExists(tx, next.EducationSettingID, "/education_setting_id"); err != nil {
					return err
				}
			}
			next.ID, next.RecordedByOrgID, next.CreatedAt = cur.ID, cur.RecordedByOrgID, cur.CreatedAt
			return nil
		},
		func(tx *store.Tx, p auth.Principal, cur, next person.YoungPerson, changed []string) error {
			if next.EducationSettingID != cur.EducationSettingID {
				if err := s.moveSetting(tx, p, id, cur.EducationSettingID, next.EducationSettingID); err != nil {
					return err
				}
			}
			return record(tx, s.event(ctx, p, audit.Update, audit.YoungPerson, id, id, changed),
				s.notice("young_person.updated", audit.YoungPerson, id, map[string]any{"changed_fields": changed}))
		})
}

var youngPeople = versioned[person.YoungPerson]{load: loadVia((*store.Tx).People, person.Repository.Get),
	save:  func(tx *store.Tx, yp person.YoungPerson) error { return identifierConflict(tx.People().Update(yp)) },
	stamp: func(yp *person.YoungPerson) (*int, *time.Time) { return &yp.Version, &yp.UpdatedAt }}
