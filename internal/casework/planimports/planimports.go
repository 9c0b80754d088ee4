// Package planimports loads EHC plans and transition plans made before OnePlan (the ehc-plans
// and transition-plans imports of issue 18). Each plan is written as the API writes one, with its
// real dates, so the statutory clock, the reports and SEN2 treat an imported plan as one made in
// OnePlan; and in the same transaction every deadline of the imported records that had already
// passed is marked as warned (deadlines.SettlePassed), so the sweep never warns about history.
package planimports

import (
	"context"
	"iter"
	"slices"
	"strconv"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/casework/transitions"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Tx is what the imports need of a transaction: the sweeper's (plans, reviews, transition plans
// and the notices already sent).
type Tx = deadlines.Tx

// Service runs the plan imports.
type Service struct {
	casework.Core
	db          casework.DB[Tx]
	plans       *plans.Service
	transitions *transitions.Service
	deadlines   *deadlines.Service
}

// New returns the plan imports.
func New(core casework.Core, db casework.DB[Tx], pl *plans.Service, tr *transitions.Service, dl *deadlines.Service) *Service {
	return &Service{Core: core, db: db, plans: pl, transitions: tr, deadlines: dl}
}

// Child names the young person a row is about: by another system's id, or by NHS number.
type Child struct {
	Key       *externalid.ID
	NHSNumber string
}

// EHCPlanRow is one plan read from an import file; Key is the plan's id in another system, which
// a re-run matches on.
type EHCPlanRow struct {
	Row   int
	Key   externalid.ID
	Child Child
	Plan  ehcplan.Imported
}

// TransitionPlanRow is one transition plan read from an import file; a re-run matches it on the
// young person and the day it started.
type TransitionPlanRow struct {
	Row   int
	Child Child
	Plan  transition.Plan
	// ContactOrganisations are the keys of the organisations the plan's contacts name, by the
	// contact's index (nil for a contact naming none).
	ContactOrganisations []*externalid.ID
}

// youngPerson finds the row's young person.
func (s *Service) youngPerson(tx Tx, p auth.Principal, c Child) (person.YoungPerson, error) {
	if c.Key != nil {
		id, err := tx.ExternalIDs().Find(externalid.YoungPerson, *c.Key)
		if fault.KindOf(err) == fault.NotFound {
			return person.YoungPerson{}, fault.Field(fault.Unprocessable, "/young_person_external_id", "no young person holds this external id")
		}
		if err != nil {
			return person.YoungPerson{}, err
		}
		return tx.People().Get(id, access.All)
	}
	found, _, err := tx.People().List(person.Filter{NHSNumber: c.NHSNumber}, s.Scope(p), paging.Page{Limit: 2})
	if err != nil {
		return person.YoungPerson{}, err
	}
	if len(found) != 1 {
		return person.YoungPerson{}, fault.Field(fault.Unprocessable, "/nhs_number", "no young person has this NHS number")
	}
	return found[0], nil
}

// importRows runs one import: every row in one transaction (rolled back with dryRun), a row whose
// write is refused stopping it with a *casework.RowError, and the passed deadlines of what it
// recorded settled before the commit. write records one row and names what it recorded; existing
// says whether the row is already recorded (and as what).
func (s *Service) importRows(ctx context.Context, perm auth.Permission, dryRun bool, done func(casework.ImportResult),
	each func(tx Tx, p auth.Principal, yield func(row int, write func() (id string, err error)) error) error) error {
	p, err := casework.Allow(ctx, perm)
	if err != nil {
		return err
	}
	return casework.ImportTx(ctx, s.db, dryRun, func(tx Tx) error {
		written := 0
		if err := each(tx, p, func(row int, write func() (string, error)) error {
			id, err := write()
			if err != nil {
				return &casework.RowError{Row: row, Err: err}
			}
			done(casework.ImportResult{Row: row, ID: id, Created: true})
			if written++; casework.AnalyseDue(written-1, written) {
				return tx.ExternalIDs().AnalysePlans()
			}
			return nil
		}); err != nil {
			return err
		}
		return nil
	})
}

// ImportEHCPlans records rows in one transaction, each plan as the API's issue records one
// (plans.Service.RecordImported: the plan, its external id, audit, outbox and timeline, and its
// next annual review), keeping each row's key as the plan's external id; a row whose key a plan
// already holds is left as it is, so running the same file again changes nothing. The young
// person's plan that has ceased by today is marked ceased first, as the API does before drafting.
// The first refused row stops the import and nothing is written (a *casework.RowError). With
// dryRun everything is checked against the database and rolled back. done hears of each row.
func (s *Service) ImportEHCPlans(ctx context.Context, rows iter.Seq[EHCPlanRow], dryRun bool, done func(casework.ImportResult)) (err error) {
	defer casework.Wrap(&err, "import EHC plans")
	return s.importRows(ctx, auth.RunPathway, dryRun, done, func(tx Tx, p auth.Principal, yield func(int, func() (string, error)) error) error {
		var im deadlines.Imported
		for row := range rows {
			id, err := tx.ExternalIDs().Find(externalid.EHCPlan, row.Key)
			switch {
			case err == nil:
				done(casework.ImportResult{Row: row.Row, ID: id})
				continue
			case fault.KindOf(err) != fault.NotFound:
				return err
			}
			if err := yield(row.Row, func() (string, error) {
				yp, err := s.youngPerson(tx, p, row.Child)
				if err != nil {
					return "", err
				}
				pl, err := row.Plan.Plan(yp.ID, yp.DateOfBirth, s.Now(), s.Today())
				if err != nil {
					return "", err
				}
				pl.ExternalIDs = []externalid.ID{row.Key}
				if _, err := s.plans.CeaseDue(ctx, tx, p, s.Today(), yp.ID, 0); err != nil {
					return "", err
				}
				reviewID, err := s.plans.RecordImported(ctx, tx, p, &pl)
				if err != nil {
					return "", err
				}
				im.Add(pl.ID, yp.ID)
				im.Add(reviewID, yp.ID)
				return pl.ID, nil
			}); err != nil {
				return err
			}
			if err := s.settleSome(tx, &im); err != nil {
				return err
			}
		}
		_, err := s.deadlines.SettlePassed(tx, s.Today(), im)
		return err
	})
}

// settleEvery is how many records an import settles the passed deadlines of at a time
// (deadlines.SettlePassed), as it goes: held to the end, a file's every record id was in memory
// at once.
var settleEvery = 1000

// settleSome settles the passed deadlines of the records im names once there are settleEvery of
// them, and forgets them. No later row of a file changes an earlier record (a child whose plan is
// in force refuses another), so settling as the rows go settles what settling at the end would.
func (s *Service) settleSome(tx Tx, im *deadlines.Imported) error {
	if len(im.Records) < settleEvery {
		return nil
	}
	_, err := s.deadlines.SettlePassed(tx, s.Today(), *im)
	*im = deadlines.Imported{}
	return err
}

// ImportTransitionPlans records rows in one transaction, each as the API records one
// (transitions.Service.RecordImported); a row naming a young person whose transition plan
// started on the same day is left as it is, so running the same file again changes nothing.
// Otherwise as ImportEHCPlans.
func (s *Service) ImportTransitionPlans(ctx context.Context, rows iter.Seq[TransitionPlanRow], dryRun bool, done func(casework.ImportResult)) (err error) {
	defer casework.Wrap(&err, "import transition plans")
	return s.importRows(ctx, auth.WriteCasework, dryRun, done, func(tx Tx, p auth.Principal, yield func(int, func() (string, error)) error) error {
		var im deadlines.Imported
		for row := range rows {
			yp, err := s.youngPerson(tx, p, row.Child)
			if err != nil {
				if fault.KindOf(err) == fault.Unprocessable {
					return &casework.RowError{Row: row.Row, Err: err}
				}
				return err
			}
			id, err := transitions.ImportedMatch(tx, yp.ID, row.Plan.StartedOn)
			if err != nil {
				return err
			}
			if id != "" {
				done(casework.ImportResult{Row: row.Row, ID: id})
				continue
			}
			if err := yield(row.Row, func() (string, error) {
				tp := row.Plan
				tp.YoungPersonID = yp.ID
				tp.Contacts = slices.Clone(tp.Contacts)
				for i, k := range row.ContactOrganisations {
					if k == nil || i >= len(tp.Contacts) {
						continue
					}
					id, err := tx.ExternalIDs().Find(externalid.Organisation, *k)
					if fault.KindOf(err) == fault.NotFound {
						return "", fault.Field(fault.Unprocessable, "/adult_services_contacts/"+strconv.Itoa(i)+"/organisation_external_id",
							"no organisation holds this external id")
					}
					if err != nil {
						return "", err
					}
					tp.Contacts[i].OrganisationID = id
				}
				if err := s.transitions.RecordImported(ctx, tx, p, &tp); err != nil {
					return "", err
				}
				im.Add(tp.ID, yp.ID)
				return tp.ID, nil
			}); err != nil {
				return err
			}
			if err := s.settleSome(tx, &im); err != nil {
				return err
			}
		}
		_, err := s.deadlines.SettlePassed(tx, s.Today(), im)
		return err
	})
}
