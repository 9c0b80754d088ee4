package people

import (
	"context"
	"slices"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/person"
)

// CreateYoungPersonIfNoneExist is a conditional create: unless a record already holds cond (an
// external id), it records yp (adding cond to its external ids) and answers created. When one
// does and the caller may see it, it answers that record (its read audited) and not created; when
// the caller may not see it, a Conflict that names nothing, so the answer never tells a caller
// that a child they cannot see is known.
func (s *Service) CreateYoungPersonIfNoneExist(ctx context.Context, yp person.YoungPerson, cond externalid.ID) (_ person.YoungPerson, created bool, err error) {
	defer casework.Wrap(&err, "create young person unless one exists")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return yp, false, err
	}
	if !slices.Contains(yp.ExternalIDs, cond) {
		yp.ExternalIDs = append(yp.ExternalIDs, cond)
	}
	if err := yp.Validate(s.Today(), s.rules); err != nil {
		return yp, false, err
	}
	in := yp
	err = casework.AgainIfTaken(func() error {
		return s.db.InTx(ctx, func(tx Tx) error {
			existing, err := s.existing(ctx, tx, p, cond)
			switch {
			case err == nil:
				yp, created = existing, false
				return nil
			case fault.KindOf(err) != fault.NotFound:
				return err
			}
			// cond is not looked for again: a record given it since the look above (each statement
			// sees what had committed when it began) would be a 409 here, where the unique index
			// refuses the insert and the second run's look answers the record.
			if err := s.checkExternalIDs(tx, p, in.ExternalIDs, "", &cond); err != nil {
				return err
			}
			yp, err = s.create(ctx, tx, p, in)
			created = err == nil
			return err
		})
	})
	return yp, created, err
}

// existing loads the record holding id for the caller, auditing the read; NotFound when there is
// none, Conflict (naming nothing) when the caller may not see it.
func (s *Service) existing(ctx context.Context, tx Tx, p auth.Principal, id externalid.ID) (person.YoungPerson, error) {
	recordID, err := tx.ExternalIDs().Find(externalid.YoungPerson, id)
	if err != nil {
		return person.YoungPerson{}, err
	}
	yp, err := tx.People().Get(recordID, s.Scope(p))
	if fault.KindOf(err) == fault.NotFound {
		return yp, fault.New(fault.Conflict, "A record already holds this external identifier.")
	}
	if err != nil {
		return yp, err
	}
	if err := withExternalIDsOne(tx, &yp); err != nil {
		return yp, err
	}
	return yp, tx.Audit(s.Event(ctx, p, audit.Read, audit.YoungPerson, yp.ID, yp.ID, nil))
}

// checkExternalIDs refuses ids another record already holds: a Conflict naming the record when
// the caller may see it, and nothing more when they may not. checked, when set, was looked for
// already.
func (s *Service) checkExternalIDs(tx Tx, p auth.Principal, ids []externalid.ID, except string, checked *externalid.ID) error {
	return externalid.Held(tx.ExternalIDs(), externalid.YoungPerson, ids, except, checked, "another record", func(holder string) *fault.Ref {
		if _, err := tx.People().Get(holder, s.Scope(p)); err != nil {
			return nil
		}
		return &fault.Ref{Type: audit.YoungPerson, ID: holder}
	})
}

// changeExternalIDs makes next's ids the record's: ids cur lacks are added, ids next leaves out
// removed (a PATCH sends the whole list, so an id is replaced by sending the list with the new
// value in place of the old). An id another record holds is refused (checkExternalIDs: 409,
// naming the record only to a caller who may see it).
func (s *Service) changeExternalIDs(tx Tx, p auth.Principal, cur, next person.YoungPerson) error {
	if externalid.Same(cur.ExternalIDs, next.ExternalIDs) {
		return nil
	}
	if err := s.checkExternalIDs(tx, p, next.ExternalIDs, cur.ID, nil); err != nil {
		return err
	}
	return tx.ExternalIDs().Set(externalid.YoungPerson, cur.ID, next.ExternalIDs, s.Now())
}

// withExternalIDs fills in each record's external ids.
func withExternalIDs(tx Tx, yps ...person.YoungPerson) error {
	ids := make([]string, len(yps))
	for i, yp := range yps {
		ids[i] = yp.ID
	}
	held, err := tx.ExternalIDs().Of(externalid.YoungPerson, ids...)
	if err != nil {
		return err
	}
	for i := range yps {
		yps[i].ExternalIDs = held[yps[i].ID]
	}
	return nil
}

// withExternalIDsOne fills in one record's external ids.
func withExternalIDsOne(tx Tx, yp *person.YoungPerson) error {
	one := []person.YoungPerson{*yp}
	err := withExternalIDs(tx, one...)
	*yp = one[0]
	return err
}

func loadWithExternalIDs(tx Tx, id string, sc access.Scope) (person.YoungPerson, error) {
	yp, err := tx.People().Get(id, sc)
	if err != nil {
		return yp, err
	}
	return yp, withExternalIDsOne(tx, &yp)
}

// ParseExternalID reads system|value as given in a query or header named at, against the
// deployment's systems.
func (s *Service) ParseExternalID(at, text string) (externalid.ID, error) {
	return s.rules.ExternalIDSystems.Parse(at, text)
}
