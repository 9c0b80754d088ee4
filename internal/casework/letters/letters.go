// Package letters composes the decision letters of an EHC needs assessment and the EHC plan as a
// document from the records, read within the caller's need-to-know and audited as a read of the
// record. Nothing is stored: the same record version always composes the same letter.
package letters

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/letter"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
)

// Tx is what composing a letter needs of a transaction.
type Tx interface {
	plans.Tx
}

// Service composes letters.
type Service struct {
	casework.Core
	db      casework.DB[Tx]
	council letter.Council
}

// New returns the letters service writing as council.
func New(core casework.Core, db casework.DB[Tx], council letter.Council) *Service {
	return &Service{Core: core, db: db, council: council}
}

type composed struct {
	letter.Letter
	youngPersonID string
}

func child(yp person.YoungPerson) letter.Child {
	return letter.Child{Name: yp.GivenName + " " + yp.FamilyName, DateOfBirth: yp.DateOfBirth}
}

// EHCLetter composes one letter of an EHC needs assessment the caller may see; a letter that
// does not apply yet is a conflict.
func (s *Service) EHCLetter(ctx context.Context, id string, kind letter.Kind) (_ letter.Letter, err error) {
	defer casework.Wrap(&err, "compose %s letter of EHC request %s", kind, id)
	c, err := casework.ReadAudited(ctx, s.Core, s.db, ehc.RecordType, id,
		func(tx Tx, sc access.Scope) (composed, error) {
			r, err := tx.EHCRequests().Get(id, sc)
			if err != nil {
				return composed{}, err
			}
			yp, err := tx.People().Get(r.YoungPersonID, access.All)
			if err != nil {
				return composed{}, err
			}
			var plan *ehcplan.Plan
			if kind.OfPlan() {
				ps, _, err := tx.Plans().List(ehcplan.Filter{RequestID: r.ID, Today: s.Today()}, access.All, paging.Page{Limit: 1})
				if err != nil {
					return composed{}, err
				}
				if len(ps) > 0 {
					if p, err := tx.Plans().Get(ps[0].ID, access.All); err == nil {
						plan = &p
					} else {
						return composed{}, err
					}
				}
			}
			l, err := letter.ForRequest(kind, r, plan, child(yp), s.council)
			return composed{l, r.YoungPersonID}, err
		},
		func(c composed) string { return c.youngPersonID })
	return c.Letter, err
}

// PlanDocument composes the plan the caller may see as a document (its latest version).
func (s *Service) PlanDocument(ctx context.Context, id string) (_ letter.Letter, err error) {
	defer casework.Wrap(&err, "compose EHC plan document %s", id)
	c, err := casework.ReadAudited(ctx, s.Core, s.db, ehcplan.RecordType, id,
		func(tx Tx, sc access.Scope) (composed, error) {
			p, err := tx.Plans().Get(id, sc)
			if err != nil {
				return composed{}, err
			}
			yp, err := tx.People().Get(p.YoungPersonID, access.All)
			if err != nil {
				return composed{}, err
			}
			return composed{letter.ForPlan(p, child(yp), s.council), p.YoungPersonID}, nil
		},
		func(c composed) string { return c.youngPersonID })
	return c.Letter, err
}
