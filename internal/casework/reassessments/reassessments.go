// Package reassessments runs re-assessments of EHC plans (s.44(2) and (3) of the Children and
// Families Act 2014; Regs 24 to 27): a request or the authority's own decision, the Reg 25(1)
// decision, exception periods and the final plan that completes it. The SEND team (pathway:run)
// writes; anyone who may read the plan reads. Each write is one transaction with its audit event,
// outbox event and timeline line.
package reassessments

import (
	"context"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/reassessment"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Tx is what the re-assessment use cases need of a transaction.
type Tx interface {
	plans.Tx
	Reassessments() reassessment.Repository
}

// Service runs the re-assessment use cases.
type Service struct {
	casework.Core
	db casework.DB[Tx]
}

// New returns the re-assessment service.
func New(core casework.Core, db casework.DB[Tx]) *Service { return &Service{Core: core, db: db} }

var versioned = casework.Versioned[reassessment.Reassessment, Tx]{
	Load:  casework.LoadVia(Tx.Reassessments, reassessment.Repository.Get),
	Save:  casework.SaveVia(Tx.Reassessments, reassessment.Repository.Update),
	Stamp: func(r *reassessment.Reassessment) (*int, *time.Time) { return &r.Version, &r.UpdatedAt },
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// Payload is the outbox payload of a re-assessment: ids, statuses and dates only.
func Payload(r reassessment.Reassessment) map[string]any {
	out := map[string]any{"young_person_id": r.YoungPersonID, "plan_id": r.PlanID, "status": string(r.Status), "route": r.Route}
	d := r.Deadlines()
	if r.ReceivedOn != nil {
		out["requested_by"], out["received_on"], out["decision_due_on"] = r.RequestedBy, day(*r.ReceivedOn), day(d.DecisionDue)
	}
	if r.Decision != nil {
		out["decision"], out["notified_on"], out["decision_late"] = r.Decision.Decision, day(r.Decision.NotifiedOn), r.DecisionLate()
	}
	if !d.Started.IsZero() {
		out["started_on"], out["final_plan_due_on"], out["final_plan_adjusted_due_on"] = day(d.Started), day(d.FinalPlan), day(d.FinalPlanAdjusted)
	}
	if c := r.Completion; c != nil {
		out["completed_on"], out["plan_version"], out["late"] = day(c.CompletedOn), c.PlanVersion, r.CompletionLate()
	}
	return out
}

// Start records a re-assessment of a plan in force that the caller may see: a request (s.44(2))
// or the authority's own decision (s.44(3)). One open re-assessment per plan.
func (s *Service) Start(ctx context.Context, planID string, in reassessment.Input) (r reassessment.Reassessment, err error) {
	defer casework.Wrap(&err, "start re-assessment of plan %s", planID)
	p, err := casework.Allow(ctx, auth.RunPathway)
	if err != nil {
		return r, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		pl, err := tx.Plans().Get(planID, s.Scope(p))
		if err != nil {
			return err
		}
		if st := pl.StatusOn(s.Today()); st != ehcplan.Issued {
			return fault.StateConflict("Only a plan in force is re-assessed; this plan is "+string(st)+".", string(st))
		}
		if r, err = reassessment.New(pl.ID, pl.YoungPersonID, in, s.Today()); err != nil {
			return err
		}
		open, _, err := tx.Reassessments().List(reassessment.Filter{PlanID: pl.ID, Open: true}, access.All, paging.Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(open) > 0 {
			return fault.StateConflict("This plan already has a re-assessment under way ("+open[0].ID+"); finish it first.", string(open[0].Status))
		}
		r.ID, r.CreatedAt, r.UpdatedAt, r.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.Reassessments().Create(r); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, reassessment.RecordType, r.ID, r.YoungPersonID, nil),
			s.Notice(outbox.ReassessmentStarted, r.ID, Payload(r))); err != nil {
			return err
		}
		d := r.Deadlines()
		on, text := r.Started(), "The authority decided to re-assess the EHC plan (s.44(3)); amended or replacement plan due "+day(d.FinalPlan)
		if r.Route == reassessment.RouteRequest {
			on, text = *r.ReceivedOn, "Re-assessment of the EHC plan requested by the "+r.RequestedBy+" (s.44(2)); decision due "+day(d.DecisionDue)
		}
		return s.OnTimeline(tx, r.YoungPersonID, "", on, outbox.ReassessmentStarted.Name, reassessment.RecordType, r.ID, text)
	})
	return r, err
}

// Reassessment reads one re-assessment within the caller's need-to-know, audited as a read.
func (s *Service) Reassessment(ctx context.Context, id string) (_ reassessment.Reassessment, err error) {
	defer casework.Wrap(&err, "read re-assessment %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, reassessment.RecordType, id,
		func(tx Tx, sc access.Scope) (reassessment.Reassessment, error) { return tx.Reassessments().Get(id, sc) },
		func(r reassessment.Reassessment) string { return r.YoungPersonID })
}

// Reassessments lists the re-assessments of a plan the caller may see (404 otherwise), audited
// as one list.
func (s *Service) Reassessments(ctx context.Context, planID string, f reassessment.Filter, pg paging.Page) (_ []reassessment.Reassessment, _ string, err error) {
	defer casework.Wrap(&err, "list re-assessments of plan %s", planID)
	f.PlanID = planID
	return casework.ListAudited(ctx, s.Core, s.db, reassessment.RecordType,
		func(tx Tx, sc access.Scope) ([]reassessment.Reassessment, string, error) {
			if _, err := tx.Plans().Get(planID, sc); err != nil {
				return nil, "", err
			}
			return tx.Reassessments().List(f, sc, pg)
		},
		func(r reassessment.Reassessment) (string, string) { return r.ID, r.YoungPersonID })
}

// change loads a visible re-assessment, checks If-Match, applies the change and writes it with
// its audit, outbox and timeline events in one transaction.
func (s *Service) change(ctx context.Context, id string, ifMatch *int, changed []string, eventType outbox.Type,
	apply func(tx Tx, r *reassessment.Reassessment) error, summary func(r reassessment.Reassessment) (time.Time, string)) (reassessment.Reassessment, error) {
	return versioned.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(tx Tx, _ auth.Principal, r *reassessment.Reassessment) (bool, error) { return true, apply(tx, r) },
		func(tx Tx, p auth.Principal, r reassessment.Reassessment) error {
			if err := casework.Record(tx, s.Event(ctx, p, audit.Update, reassessment.RecordType, r.ID, r.YoungPersonID, changed),
				s.Notice(eventType, r.ID, Payload(r))); err != nil {
				return err
			}
			on, text := summary(r)
			return s.OnTimeline(tx, r.YoungPersonID, "", on, eventType.Name, reassessment.RecordType, r.ID, text)
		})
}

// Decide records the Reg 25(1) decision on a request and the day the family was notified.
func (s *Service) Decide(ctx context.Context, id string, ifMatch *int, decision, reasons string, notified time.Time) (_ reassessment.Reassessment, err error) {
	defer casework.Wrap(&err, "decide re-assessment %s", id)
	return s.change(ctx, id, ifMatch, []string{"status", "decision"}, outbox.ReassessmentDecided,
		func(_ Tx, r *reassessment.Reassessment) error {
			return r.Decide(decision, reasons, notified, s.Today())
		},
		func(r reassessment.Reassessment) (time.Time, string) {
			text := "The authority refused to re-assess the EHC plan (Reg 25(1))"
			if r.Decision.Decision == reassessment.Agree {
				text = "The authority will re-assess the EHC plan (Reg 25(1)); amended or replacement plan due " + day(r.Deadlines().FinalPlan)
			}
			if r.DecisionLate() {
				text += "; notified after the 15 days"
			}
			return r.Decision.NotifiedOn, text
		})
}

// AddException records an exception period on grounds (a) to (d) of Reg 27(3).
func (s *Service) AddException(ctx context.Context, id string, ifMatch *int, e statutory.Exception) (_ reassessment.Reassessment, err error) {
	defer casework.Wrap(&err, "add exception to re-assessment %s", id)
	return s.change(ctx, id, ifMatch, []string{"exceptions"}, outbox.ReassessmentExceptionRecorded,
		func(_ Tx, r *reassessment.Reassessment) error { return r.AddException(e) },
		func(r reassessment.Reassessment) (time.Time, string) {
			text := "Exception to the re-assessment's time limit recorded (" + string(e.Ground) + ")"
			if d := r.Deadlines(); !d.Started.IsZero() {
				text += "; amended or replacement plan now due " + day(d.FinalPlanAdjusted)
			}
			return s.Today(), text
		})
}

// Complete records the amended or replacement final plan, version planVersion of the plan,
// issued on completed.
func (s *Service) Complete(ctx context.Context, id string, ifMatch *int, completed time.Time, planVersion int) (_ reassessment.Reassessment, err error) {
	defer casework.Wrap(&err, "complete re-assessment %s", id)
	return s.change(ctx, id, ifMatch, []string{"status", "completion"}, outbox.ReassessmentCompleted,
		func(tx Tx, r *reassessment.Reassessment) error {
			pl, err := tx.Plans().Get(r.PlanID, access.All)
			if err != nil {
				return err
			}
			var v *reassessment.PlanVersion
			for _, pv := range pl.Versions {
				if pv.Number == planVersion {
					v = &reassessment.PlanVersion{Number: pv.Number, Final: pv.Frozen(), IssuedOn: pv.IssuedOn}
				}
			}
			return r.Complete(completed, v, s.Today())
		},
		func(r reassessment.Reassessment) (time.Time, string) {
			text := "Re-assessment completed: plan version " + strconv.Itoa(r.Completion.PlanVersion) + " issued"
			if r.CompletionLate() {
				text += ", after the 14 weeks"
			}
			return r.Completion.CompletedOn, text
		})
}
