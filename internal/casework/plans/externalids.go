package plans

import (
	"context"
	"slices"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
)

// ParseExternalID reads system|value as given in a query or header named at, against the
// deployment's systems.
func (s *Service) ParseExternalID(at, text string) (externalid.ID, error) {
	return s.Systems.Parse(at, text)
}

// checkSystems refuses malformed ids (400 naming /external_ids/N/...).
func (s *Service) checkSystems(ids []externalid.ID) error {
	return fault.Fields(fault.Invalid, s.Systems.Validate("/external_ids", ids))
}

// checkExternalIDs refuses an id another plan holds: a Conflict naming /external_ids/N, with the
// plan only when the caller may see it. except is the plan being changed.
func (s *Service) checkExternalIDs(tx Tx, p auth.Principal, ids []externalid.ID, except string) error {
	return externalid.Held(tx.ExternalIDs(), externalid.EHCPlan, ids, except, nil, "another EHC plan", func(holder string) *fault.Ref {
		if _, err := tx.Plans().Get(holder, s.Scope(p)); err != nil {
			return nil
		}
		return &fault.Ref{Type: ehcplan.RecordType, ID: holder}
	})
}

// CreateEHCPlanIfNoneExist is a conditional create: unless a plan already holds cond, it drafts
// the plan (cond added to its external ids) and answers created. When one does and the caller
// may see it, it answers that plan (the read audited) and not created; when the caller may not,
// a Conflict naming nothing.
func (s *Service) CreateEHCPlanIfNoneExist(ctx context.Context, in EHCPlanInput, cond externalid.ID) (pl ehcplan.Plan, created bool, err error) {
	defer casework.Wrap(&err, "create EHC plan unless one exists")
	p, err := casework.Allow(ctx, auth.RunPathway)
	if err != nil {
		return pl, false, err
	}
	if !slices.Contains(in.ExternalIDs, cond) {
		in.ExternalIDs = append(slices.Clone(in.ExternalIDs), cond)
	}
	if err := s.checkSystems(in.ExternalIDs); err != nil {
		return pl, false, err
	}
	attempt := func() error {
		created = false
		return s.db.InTx(ctx, func(tx Tx) error { return s.createUnlessHeld(ctx, tx, p, in, cond, &pl, &created) })
	}
	// Once more after any conflict, not only a unique index's: a second request drafting the same
	// plan at the same moment meets the child's one plan (which the first has just drafted, holding
	// cond) before any index, and the second look answers that plan.
	if err = casework.AgainIfConflict(attempt); err != nil {
		created = false
	}
	return pl, created, err
}

// createUnlessHeld is CreateEHCPlanIfNoneExist's transaction: the plan holding cond (its read
// audited) into pl, or the new plan into pl and created set.
func (s *Service) createUnlessHeld(ctx context.Context, tx Tx, p auth.Principal, in EHCPlanInput, cond externalid.ID, pl *ehcplan.Plan, created *bool) error {
	holder, err := tx.ExternalIDs().Find(externalid.EHCPlan, cond)
	switch {
	case err == nil:
		found, err := tx.Plans().Get(holder, s.Scope(p))
		if fault.KindOf(err) == fault.NotFound {
			return fault.New(fault.Conflict, "An EHC plan already holds this external identifier.")
		}
		if err != nil {
			return err
		}
		*pl = found
		return tx.Audit(s.Event(ctx, p, audit.Read, ehcplan.RecordType, pl.ID, pl.YoungPersonID, nil))
	case fault.KindOf(err) != fault.NotFound:
		return err
	}
	*created = true
	return s.createIn(ctx, tx, p, in, pl)
}

// SetEHCPlanExternalIDs replaces the plan's external ids with ids (PATCH /v1/ehc-plans/{id}):
// ids it lacks are added, ids not in the list removed. An id another plan holds is a Conflict
// (see checkExternalIDs). The change is audited (update, external_ids) and announced
// (ehc_plan.updated) with the plan's version moved on, in one transaction.
func (s *Service) SetEHCPlanExternalIDs(ctx context.Context, id string, ifMatch *int, ids []externalid.ID) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "change EHC plan external ids %s", id)
	// Once more after a unique index's refusal (see casework.AgainIfTaken): another change gave
	// one of the same ids to another plan at the same moment.
	return casework.AgainIfTakenFor(func() (ehcplan.Plan, error) { return s.setExternalIDs(ctx, id, ifMatch, ids) })
}

func (s *Service) setExternalIDs(ctx context.Context, id string, ifMatch *int, ids []externalid.ID) (ehcplan.Plan, error) {
	return versionedPlans.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(tx Tx, p auth.Principal, pl *ehcplan.Plan) (bool, error) {
			if err := s.checkSystems(ids); err != nil {
				return false, err
			}
			if sameIDs(pl.ExternalIDs, ids) {
				return false, nil
			}
			if err := s.checkExternalIDs(tx, p, ids, pl.ID); err != nil {
				return false, err
			}
			if err := tx.ExternalIDs().Set(externalid.EHCPlan, pl.ID, ids, s.Now()); err != nil {
				return false, err
			}
			pl.ExternalIDs = slices.Clone(ids)
			return true, nil
		},
		func(tx Tx, p auth.Principal, pl ehcplan.Plan) error {
			return casework.Record(tx, s.Event(ctx, p, audit.Update, ehcplan.RecordType, pl.ID, pl.YoungPersonID, []string{"external_ids"}),
				s.Notice(outbox.EHCPlanUpdated, pl.ID, planPayload(pl)))
		})
}

// sameIDs reports whether a and b hold the same ids, in any order.
func sameIDs(a, b []externalid.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for _, id := range a {
		if !slices.Contains(b, id) {
			return false
		}
	}
	return true
}
