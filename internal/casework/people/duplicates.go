package people

import (
	"context"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
)

// One child, one record. An NHS number or UPN names one child, but refusing a second record that
// holds one would tell any practitioner that the child is known to the SEND service. So a caller
// who can see the record already holding it is sent to that record (409 naming it); anyone else
// records the child as if new, and the pair goes on the possible duplicates list for the SEND
// team, who dismiss it or merge the two records.

// checkIdentifiers locks the identifiers a write gives a record (self, "" for a new one), refuses
// the write if the caller may see another record holding one, and otherwise returns the records
// the caller may not see that hold one: the possible duplicates to record.
func (s *Service) checkIdentifiers(tx Tx, p auth.Principal, claims []person.Claim, self string) ([]person.Holder, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	// Held until the transaction ends: a concurrent write of the same identifier waits for this
	// one, then finds its record.
	if err := tx.People().LockIdentifiers(claims); err != nil {
		return nil, err
	}
	sc := s.Scope(p)
	seen, err := tx.People().Holders(claims, self, sc)
	if err != nil {
		return nil, err
	}
	if len(seen) > 0 {
		return nil, identifierConflict(seen)
	}
	if !sc.Restricted {
		return nil, nil // the caller sees every record, and saw none
	}
	return tx.People().Holders(claims, self, access.All)
}

// identifierConflict sends the caller to the record they may see that holds the identifier
// (the oldest holding the NHS number, else the oldest holding the UPN), without echoing the value.
func identifierConflict(seen []person.Holder) error {
	existing := seen[0].YoungPersonID
	if i := slices.IndexFunc(seen, func(h person.Holder) bool { return h.On == person.ByNHSNumber }); i >= 0 {
		existing = seen[i].YoungPersonID
	}
	var fields []fault.FieldError
	for _, on := range []person.Identifier{person.ByNHSNumber, person.ByUPN} {
		if slices.ContainsFunc(seen, func(h person.Holder) bool { return h.On == on }) {
			fields = append(fields, fault.FieldError{Pointer: "/" + string(on), Detail: "is already recorded for a young person you can see"})
		}
	}
	return &fault.Error{Kind: fault.Conflict, Fields: fields, Related: &fault.Ref{Type: audit.YoungPerson, ID: existing},
		Detail: "A young person whose record you can see already has this NHS number or UPN: use that record (location) rather than recording the child again."}
}

// recordDuplicates puts each record holding one of id's identifiers on the possible duplicates
// list with id, auditing and announcing the pairs not already there.
func (s *Service) recordDuplicates(ctx context.Context, tx Tx, p auth.Principal, id string, holders []person.Holder) error {
	if len(holders) == 0 {
		return nil
	}
	pairs := make([]person.Duplicate, len(holders))
	for i, h := range holders {
		pairs[i] = person.NewDuplicate(casework.NewID(), id, h.YoungPersonID, h.On, s.Now())
	}
	added, err := tx.Duplicates().Record(pairs...)
	if err != nil {
		return err
	}
	for _, d := range added {
		// The pair is written to the caller's record's trail: the other record is not theirs.
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, audit.PossibleDuplicate, d.ID, id, nil),
			s.Notice(outbox.PossibleDuplicateFound, d.ID, duplicatePayload(d))); err != nil {
			return err
		}
	}
	return nil
}

func duplicatePayload(d person.Duplicate) map[string]any {
	return map[string]any{"young_person_ids": d.YoungPersonIDs[:], "matched_on": string(d.MatchedOn), "status": string(d.Status)}
}

// movedTo turns a record not found into Moved when it was merged into a record within scope.
func movedTo(tx Tx, id string, sc access.Scope, notFound error) error {
	into, err := tx.People().MergedInto(id)
	if fault.KindOf(err) == fault.NotFound {
		return notFound
	}
	if err != nil {
		return err
	}
	if _, err := tx.People().Get(into, sc); err != nil {
		if fault.KindOf(err) == fault.NotFound {
			return notFound
		}
		return err
	}
	return &fault.Error{Kind: fault.Moved, Related: &fault.Ref{Type: audit.YoungPerson, ID: into},
		Detail: "This record was merged into another record of the same child, at location."}
}

// PossibleDuplicates lists the pairs for the SEND team, auditing each pair on both children's trails.
func (s *Service) PossibleDuplicates(ctx context.Context, f person.DuplicateFilter, pg paging.Page) (out []person.Duplicate, next string, err error) {
	defer casework.Wrap(&err, "list possible duplicates")
	p, err := casework.Allow(ctx, auth.MergeRecords)
	if err != nil {
		return nil, "", err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if out, next, err = tx.Duplicates().List(f, pg); err != nil {
			return err
		}
		events := make([]audit.Event, 0, 2*len(out))
		for _, d := range out {
			for _, yp := range d.YoungPersonIDs {
				events = append(events, s.Event(ctx, p, audit.List, audit.PossibleDuplicate, d.ID, yp, nil))
			}
		}
		return tx.Audit(events...)
	})
	return out, next, err
}

var duplicates = casework.Versioned[person.Duplicate, Tx]{
	// The list is the SEND team's, who see every record: the pair needs no scope of its own.
	Load:  func(tx Tx, id string, _ access.Scope) (person.Duplicate, error) { return tx.Duplicates().Get(id) },
	Save:  casework.SaveVia(Tx.Duplicates, person.DuplicateRepository.Update),
	Stamp: func(d *person.Duplicate) (*int, *time.Time) { return &d.Version, &d.UpdatedAt }}

// DismissDuplicate records that a pair are two children (or otherwise not one to merge), and why.
func (s *Service) DismissDuplicate(ctx context.Context, id string, ifMatch *int, reason string) (_ person.Duplicate, err error) {
	defer casework.Wrap(&err, "dismiss possible duplicate %s", id)
	return duplicates.Change(ctx, s.Core, s.db, auth.MergeRecords, id, ifMatch,
		func(_ Tx, _ auth.Principal, d *person.Duplicate) (bool, error) {
			return true, d.Dismiss(reason, s.Now())
		},
		func(tx Tx, p auth.Principal, d person.Duplicate) error {
			return s.recordPair(ctx, tx, p, audit.Dismiss, d, outbox.PossibleDuplicateDismissed)
		})
}

// recordPair audits a change to a pair on both children's trails and announces it.
func (s *Service) recordPair(ctx context.Context, tx Tx, p auth.Principal, action string, d person.Duplicate, t outbox.Type) error {
	if err := tx.Audit(s.Event(ctx, p, action, audit.PossibleDuplicate, d.ID, d.YoungPersonIDs[0], []string{"status"}),
		s.Event(ctx, p, action, audit.PossibleDuplicate, d.ID, d.YoungPersonIDs[1], []string{"status"})); err != nil {
		return err
	}
	return tx.Publish(s.Notice(t, d.ID, duplicatePayload(d)))
}

// MergeResult is what a merge did: the record kept, as it now stands, the record merged into it,
// and how many records of each type moved.
type MergeResult struct {
	Kept  person.YoungPerson
	From  string
	Moved person.Moved
}

// MergeYoungPeople merges the record from into the record keptID, both records of one child:
// every record linked to from moves to the kept record, from is kept as it stood (read through
// the kept record: the subject access export, the access log) and its id answers Moved. One
// transaction, audited on both trails and per type of record moved, announced, and on the kept
// child's timeline. ifMatch guards the kept record.
func (s *Service) MergeYoungPeople(ctx context.Context, keptID string, ifMatch *int, fromID string) (res MergeResult, err error) {
	defer casework.Wrap(&err, "merge young person %s into %s", fromID, keptID)
	res.From = fromID
	res.Kept, err = youngPeople.Change(ctx, s.Core, s.db, auth.MergeRecords, keptID, ifMatch,
		func(tx Tx, p auth.Principal, kept *person.YoungPerson) (bool, error) {
			check := person.MergeCheck{KeptID: kept.ID, FromID: fromID}
			if err := person.CheckMerge(check); err != nil {
				return false, err
			}
			if _, err := tx.People().Get(fromID, s.Scope(p)); err != nil {
				return false, casework.Referenced(err, "/from", "no such young person")
			}
			var err error
			if check.KeptPlan, err = s.hasCurrentPlan(tx, kept.ID); err != nil {
				return false, err
			}
			if check.FromPlan, err = s.hasCurrentPlan(tx, fromID); err != nil {
				return false, err
			}
			if check.KeptTransitionPlan, err = hasCurrentTransitionPlan(tx, kept.ID); err != nil {
				return false, err
			}
			if check.FromTransitionPlan, err = hasCurrentTransitionPlan(tx, fromID); err != nil {
				return false, err
			}
			if err := person.CheckMerge(check); err != nil {
				return false, err
			}
			res.Moved, err = tx.People().Merge(fromID, kept.ID, s.Now())
			return true, err
		},
		func(tx Tx, p auth.Principal, kept person.YoungPerson) error {
			events := []audit.Event{
				s.Event(ctx, p, audit.Merge, audit.YoungPerson, kept.ID, kept.ID, []string{"merged_from"}),
				s.Event(ctx, p, audit.Merge, audit.YoungPerson, fromID, fromID, []string{"merged_into"}),
			}
			for _, kind := range sortedKinds(res.Moved) {
				events = append(events, s.Event(ctx, p, audit.Merge, kind, "", kept.ID, []string{"young_person_id"}))
			}
			if err := tx.Audit(events...); err != nil {
				return err
			}
			if err := s.settleDuplicates(ctx, tx, p, fromID, kept.ID); err != nil {
				return err
			}
			if err := tx.Publish(s.Notice(outbox.YoungPersonMerged, kept.ID, map[string]any{"merged_from": fromID, "moved": map[string]int(res.Moved)})); err != nil {
				return err
			}
			return s.OnTimeline(tx, kept.ID, "", s.Today(), outbox.YoungPersonMerged.Name, audit.YoungPerson, fromID,
				"Another record of this child was merged into this one; its records are here now.")
		})
	return res, err
}

// sortedKinds lists the record types that moved, in a stable order.
func sortedKinds(m person.Moved) []string {
	var out []string
	for kind, n := range m {
		if n > 0 {
			out = append(out, kind)
		}
	}
	slices.Sort(out)
	return out
}

// settleDuplicates merges the pair of the two records and moves from's other pairs onto into.
func (s *Service) settleDuplicates(ctx context.Context, tx Tx, p auth.Principal, from, into string) error {
	var open []person.Duplicate
	for _, id := range []string{from, into} {
		ds, err := paging.Drain(func(pg paging.Page) ([]person.Duplicate, string, error) {
			return tx.Duplicates().List(person.DuplicateFilter{YoungPersonID: id, Status: person.DuplicateOpen}, pg)
		})
		if err != nil {
			return err
		}
		for _, d := range ds {
			if !slices.ContainsFunc(open, func(o person.Duplicate) bool { return o.ID == d.ID }) {
				open = append(open, d)
			}
		}
	}
	for _, d := range person.SettleMerge(open, from, into, s.Now()) {
		if err := duplicates.SaveNext(s.Core, tx, &d); err != nil {
			return err
		}
		action := audit.Update // moved onto the record kept
		if d.Status == person.DuplicateMerged {
			action = audit.Merge
		}
		if err := s.recordPair(ctx, tx, p, action, d, outbox.PossibleDuplicateUpdated); err != nil {
			return err
		}
	}
	return nil
}

// hasCurrentPlan reports whether the child has an EHC plan that has not ceased, as the rule of one
// plan per child counts them (a stored status other than ceased).
func (s *Service) hasCurrentPlan(tx Tx, youngPersonID string) (bool, error) {
	plans, err := paging.Drain(func(pg paging.Page) ([]ehcplan.Plan, string, error) {
		return tx.Plans().List(ehcplan.Filter{YoungPersonID: youngPersonID, Today: s.Today()}, access.All, pg)
	})
	return slices.ContainsFunc(plans, func(p ehcplan.Plan) bool { return p.Status != ehcplan.Ceased }), err
}

func hasCurrentTransitionPlan(tx Tx, youngPersonID string) (bool, error) {
	id, err := tx.Transitions().CurrentID(youngPersonID)
	return id != "", err
}
