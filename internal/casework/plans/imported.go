package plans

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
)

// RecordImported writes in tx a plan made before OnePlan (ehcplan.Imported.Plan), as the API's
// issue writes one: the plan with its final version, its external ids, its create audit event,
// its outbox event (ehc_plan.issued, or ehc_plan.ceased for a ceased plan) and its timeline entry
// on the day it was issued, and for a plan in force its next annual review, scheduled on the
// plan's review date with its own audit and outbox events. It returns the review's id ("" when
// none was scheduled).
func (s *Service) RecordImported(ctx context.Context, tx Tx, p auth.Principal, pl *ehcplan.Plan) (reviewID string, err error) {
	pl.ID, pl.CreatedAt, pl.UpdatedAt, pl.Version = casework.NewID(), s.Now(), s.Now(), 1
	if err := tx.Plans().Create(*pl); err != nil {
		if fault.KindOf(err) == fault.Conflict {
			return "", fault.Field(fault.Conflict, "/young_person_id", "this young person already has an EHC plan that has not ceased")
		}
		return "", err
	}
	if err := tx.ExternalIDs().Add(externalid.EHCPlan, pl.ID, pl.ExternalIDs, s.Now()); err != nil {
		return "", err
	}
	event := outbox.EHCPlanIssued
	if pl.Status == ehcplan.Ceased {
		event = outbox.EHCPlanCeased
	}
	if err := casework.Record(tx, s.Event(ctx, p, audit.Create, ehcplan.RecordType, pl.ID, pl.YoungPersonID, nil),
		s.Notice(event, pl.ID, planPayload(*pl))); err != nil {
		return "", err
	}
	if err := s.OnTimeline(tx, pl.YoungPersonID, "", *pl.FirstIssuedOn, event.Name, ehcplan.RecordType, pl.ID,
		"Final EHC plan issued (version 1; recorded by import)"); err != nil {
		return "", err
	}
	if pl.Status != ehcplan.Issued || pl.ReviewDueOn == nil {
		return "", nil
	}
	sequence := 1
	if pl.LastReviewedOn != nil {
		sequence = 2 // at least one review was held before OnePlan
	}
	r, err := s.schedule(ctx, tx, p, *pl, sequence)
	return r, err
}

// schedule creates the plan's next annual review, due on the plan's review date (as
// scheduleReview does), and returns its id.
func (s *Service) schedule(ctx context.Context, tx Tx, p auth.Principal, pl ehcplan.Plan, sequence int) (string, error) {
	r := annualreview.Schedule(pl.ID, pl.YoungPersonID, sequence, *pl.ReviewDueOn)
	r.ID, r.CreatedAt, r.UpdatedAt, r.Version = casework.NewID(), s.Now(), s.Now(), 1
	if err := tx.Reviews().Create(r); err != nil {
		return "", err
	}
	return r.ID, casework.Record(tx, s.Event(ctx, p, audit.Create, annualreview.RecordType, r.ID, r.YoungPersonID, nil),
		s.Notice(outbox.AnnualReviewScheduled, r.ID, ReviewPayload(r)))
}
