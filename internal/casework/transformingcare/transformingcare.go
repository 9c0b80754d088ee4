// Package transformingcare runs the Transforming Care use cases (issue 17): the dynamic support
// register, kept by the multi-agency register group only, and children's placements, which the
// team around the child sees like the rest of the record.
package transformingcare

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

// Tx is what the Transforming Care use cases need of a transaction.
type Tx interface {
	casework.Recorder
	People() person.Repository
	Plans() ehcplan.Repository
	EHCRequests() ehc.Repository
	TransformingCare() tcare.Repository
}

// Service runs the Transforming Care use cases.
type Service struct {
	casework.Core
	db     casework.DB[Tx]
	policy tcare.Policy
}

// New returns the service; policy says when a C(E)TR is due (tcare.DefaultPolicy when zero).
func New(core casework.Core, db casework.DB[Tx], policy tcare.Policy) *Service {
	if policy.RedWithinDays == 0 && policy.PostAdmissionWorkingDays == 0 && policy.InpatientEveryMonths == 0 {
		policy = tcare.DefaultPolicy
	}
	return &Service{Core: core, db: db, policy: policy}
}

// Policy is the C(E)TR policy the service applies.
func (s *Service) Policy() tcare.Policy { return s.policy }

// The register is read by the register group's permission, never the casework scope: entries
// load with no scope once the permission has been checked.
var versionedEntries = casework.Versioned[tcare.Entry, Tx]{
	Load:  func(tx Tx, id string, _ access.Scope) (tcare.Entry, error) { return tx.TransformingCare().Entry(id) },
	Save:  func(tx Tx, e tcare.Entry) error { return tx.TransformingCare().UpdateEntry(e) },
	Stamp: func(e *tcare.Entry) (*int, *time.Time) { return &e.Version, &e.UpdatedAt }}

var versionedPlacements = casework.Versioned[tcare.Placement, Tx]{Load: casework.LoadVia(Tx.TransformingCare, tcare.Repository.Placement),
	Save:  casework.SaveVia(Tx.TransformingCare, tcare.Repository.UpdatePlacement),
	Stamp: func(p *tcare.Placement) (*int, *time.Time) { return &p.Version, &p.UpdatedAt }}

// entryPayload is a register event's payload: the entry and its rating, never the young person
// (register events are published without one, so only callers who see the whole council get them).
func entryPayload(e tcare.Entry, pol tcare.Policy) map[string]any {
	payload := map[string]any{"rating": string(e.Current().Rating), "rated_since": e.RatedSince().Format(time.DateOnly)}
	if due := e.CTRDue(pol); !due.IsZero() {
		payload["ctr_due_on"] = due.Format(time.DateOnly)
	}
	if !e.ClosedOn.IsZero() {
		payload["closed_on"] = e.ClosedOn.Format(time.DateOnly)
	}
	return payload
}

// recordRegister writes a register change's audit event and its outbox event with no young
// person on the event row.
func recordRegister(tx Tx, e audit.Event, n outbox.Event) error {
	if err := tx.Audit(e); err != nil {
		return err
	}
	return tx.Publish(n)
}

// stamp fills in who decided a rating.
func stamp(r *tcare.RatingChange, p auth.Principal, now time.Time) {
	r.ID, r.DecidedByActor, r.DecidedByOrgID, r.DecidedByRole, r.RecordedAt = casework.NewID(), p.Actor(), p.OrganisationID, string(p.Role), now
}

// CreateEntry puts a young person on the register with their first rating.
func (s *Service) CreateEntry(ctx context.Context, in tcare.Entry, first tcare.RatingChange) (e tcare.Entry, err error) {
	defer casework.Wrap(&err, "create register entry")
	p, err := casework.Allow(ctx, auth.KeepSupportRegister)
	if err != nil {
		return e, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		yp, err := tx.People().Get(in.YoungPersonID, access.All)
		if err != nil {
			return casework.Referenced(err, "/young_person_id", "no such young person")
		}
		if e, err = tcare.NewEntry(in, first, yp.DateOfBirth, s.Today()); err != nil {
			return err
		}
		if _, open, err := tx.TransformingCare().EntryFor(yp.ID); err != nil {
			return err
		} else if open {
			return fault.StateConflict("The young person is already on the register: rate their entry instead.", "open")
		}
		stamp(&e.History[0], p, s.Now())
		e.ID, e.CreatedAt, e.UpdatedAt, e.Version = casework.NewID(), s.Now(), s.Now(), 1
		e.CTRDueOn = e.CTRDue(s.policy)
		if err := tx.TransformingCare().CreateEntry(e); err != nil {
			return err
		}
		return recordRegister(tx, s.Event(ctx, p, audit.Create, tcare.RecordType, e.ID, e.YoungPersonID, nil),
			s.Notice(outbox.RegisterEntryCreated, e.ID, entryPayload(e, s.policy)))
	})
	return e, err
}

// Entry reads one register entry, auditing the read.
func (s *Service) Entry(ctx context.Context, id string) (_ tcare.Entry, err error) {
	defer casework.Wrap(&err, "read register entry %s", id)
	return casework.ReadAuditedAs(ctx, s.Core, s.db, auth.KeepSupportRegister, tcare.RecordType, id,
		func(tx Tx, _ access.Scope) (tcare.Entry, error) { return tx.TransformingCare().Entry(id) },
		func(r tcare.Entry) string { return r.YoungPersonID })
}

// Entries lists one page of the register, auditing the page.
func (s *Service) Entries(ctx context.Context, f tcare.Filter, pg paging.Page) (_ []tcare.Entry, _ string, err error) {
	defer casework.Wrap(&err, "list register entries")
	return casework.ListAuditedAs(ctx, s.Core, s.db, auth.KeepSupportRegister, tcare.RecordType,
		func(tx Tx, _ access.Scope) ([]tcare.Entry, string, error) {
			return tx.TransformingCare().Entries(f, pg)
		},
		func(r tcare.Entry) (string, string) { return r.ID, r.YoungPersonID })
}

// changeEntry runs one versioned change of a register entry and records it.
func (s *Service) changeEntry(ctx context.Context, id string, ifMatch *int, action string, t outbox.Type, changed []string,
	apply func(p auth.Principal, e *tcare.Entry) error) (tcare.Entry, error) {
	return versionedEntries.Change(ctx, s.Core, s.db, auth.KeepSupportRegister, id, ifMatch,
		func(_ Tx, p auth.Principal, e *tcare.Entry) (bool, error) {
			if err := apply(p, e); err != nil {
				return false, err
			}
			e.CTRDueOn = e.CTRDue(s.policy)
			return true, nil
		},
		func(tx Tx, p auth.Principal, e tcare.Entry) error {
			return recordRegister(tx, s.Event(ctx, p, action, tcare.RecordType, id, e.YoungPersonID, changed),
				s.Notice(t, id, entryPayload(e, s.policy)))
		})
}

// Rate adds the register group's rating to the history; actions, when not nil, replace the
// agreed actions.
func (s *Service) Rate(ctx context.Context, id string, ifMatch *int, r tcare.RatingChange, actions *[]tcare.Action) (_ tcare.Entry, err error) {
	defer casework.Wrap(&err, "rate register entry %s", id)
	changed := []string{"rating"}
	if actions != nil {
		changed = append(changed, "actions")
	}
	return s.changeEntry(ctx, id, ifMatch, audit.Update, outbox.RegisterEntryRated, changed, func(p auth.Principal, e *tcare.Entry) error {
		stamp(&r, p, s.Now())
		if err := e.Rate(r, s.Today()); err != nil {
			return err
		}
		if actions != nil {
			return e.SetActions(*actions)
		}
		return nil
	})
}

// HoldCTR records a C(E)TR held for the entry's young person.
func (s *Service) HoldCTR(ctx context.Context, id string, ifMatch *int, held time.Time) (_ tcare.Entry, err error) {
	defer casework.Wrap(&err, "record C(E)TR for register entry %s", id)
	return s.changeEntry(ctx, id, ifMatch, audit.Update, outbox.RegisterEntryCTRHeld, []string{"last_ctr_on"}, func(_ auth.Principal, e *tcare.Entry) error {
		if err := statutory.DayError("/held_on", held, time.Time{}, "", s.Today()); err != nil {
			return err
		}
		e.HoldCTR(held)
		return nil
	})
}

// Close takes the young person off the register.
func (s *Service) Close(ctx context.Context, id string, ifMatch *int, on time.Time) (_ tcare.Entry, err error) {
	defer casework.Wrap(&err, "close register entry %s", id)
	return s.changeEntry(ctx, id, ifMatch, audit.Close, outbox.RegisterEntryClosed, []string{"closed_on"}, func(_ auth.Principal, e *tcare.Entry) error {
		return e.Close(on, s.Today())
	})
}

// Placements.

func placementPayload(p tcare.Placement) map[string]any {
	payload := map[string]any{"young_person_id": p.YoungPersonID, "type": p.Type, "weeks_per_year": p.WeeksPerYear(),
		"start_on": p.StartOn.Format(time.DateOnly)}
	if !p.EndOn.IsZero() {
		payload["end_on"] = p.EndOn.Format(time.DateOnly)
	}
	return payload
}

var placementNames = map[string]string{tcare.Mainstream: "mainstream", tcare.Special: "special", tcare.Independent: "independent",
	tcare.Residential38: "38-week residential", tcare.Residential52: "52-week residential", tcare.Inpatient: "inpatient", tcare.OtherSetting: "other"}

// CreatePlacement records one of a child's settings.
func (s *Service) CreatePlacement(ctx context.Context, in tcare.Placement) (pl tcare.Placement, err error) {
	defer casework.Wrap(&err, "create placement")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return pl, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		yp, err := tx.People().Get(in.YoungPersonID, s.Scope(p))
		if err != nil {
			return casework.Referenced(err, "/young_person_id", "no such young person")
		}
		if in.EHCPlanID != "" {
			plan, err := tx.Plans().Get(in.EHCPlanID, s.Scope(p))
			if err != nil {
				return casework.Referenced(err, "/ehc_plan_id", "no such EHC plan")
			}
			if plan.YoungPersonID != yp.ID {
				return fault.Field(fault.Unprocessable, "/ehc_plan_id", "is another young person's plan")
			}
		}
		if pl, err = tcare.CheckPlacement(in, s.Today()); err != nil {
			return err
		}
		pl.ID, pl.CreatedAt, pl.UpdatedAt, pl.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.TransformingCare().CreatePlacement(pl); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, tcare.PlacementRecordType, pl.ID, pl.YoungPersonID, nil),
			s.Notice(outbox.PlacementRecorded, pl.ID, placementPayload(pl))); err != nil {
			return err
		}
		return s.OnTimeline(tx, pl.YoungPersonID, "", pl.StartOn, "placement.recorded", tcare.PlacementRecordType, pl.ID,
			"Placement started ("+placementNames[pl.Type]+")")
	})
	return pl, err
}

// Placement reads one placement the caller may see.
func (s *Service) Placement(ctx context.Context, id string) (_ tcare.Placement, err error) {
	defer casework.Wrap(&err, "read placement %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, tcare.PlacementRecordType, id,
		func(tx Tx, sc access.Scope) (tcare.Placement, error) { return tx.TransformingCare().Placement(id, sc) },
		func(r tcare.Placement) string { return r.YoungPersonID })
}

// Placements lists the placements the caller may see.
func (s *Service) Placements(ctx context.Context, f tcare.PlacementFilter, pg paging.Page) (_ []tcare.Placement, _ string, err error) {
	defer casework.Wrap(&err, "list placements")
	return casework.ListAudited(ctx, s.Core, s.db, tcare.PlacementRecordType,
		func(tx Tx, sc access.Scope) ([]tcare.Placement, string, error) {
			return tx.TransformingCare().Placements(f, sc, pg)
		},
		func(r tcare.Placement) (string, string) { return r.ID, r.YoungPersonID })
}

// EndPlacement records the day a placement ended.
func (s *Service) EndPlacement(ctx context.Context, id string, ifMatch *int, on time.Time) (_ tcare.Placement, err error) {
	defer casework.Wrap(&err, "end placement %s", id)
	return versionedPlacements.Change(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch,
		func(_ Tx, _ auth.Principal, pl *tcare.Placement) (bool, error) {
			if !pl.EndOn.IsZero() {
				return false, fault.StateConflict("The placement has already ended.", "ended")
			}
			if err := statutory.DayError("/end_on", on, pl.StartOn, "start_on", s.Today()); err != nil {
				return false, err
			}
			pl.EndOn = statutory.Civil(on)
			return true, nil
		},
		func(tx Tx, p auth.Principal, pl tcare.Placement) error {
			if err := casework.Record(tx, s.Event(ctx, p, audit.Close, tcare.PlacementRecordType, id, pl.YoungPersonID, []string{"end_on"}),
				s.Notice(outbox.PlacementEnded, id, placementPayload(pl))); err != nil {
				return err
			}
			return s.OnTimeline(tx, pl.YoungPersonID, "", pl.EndOn, "placement.ended", tcare.PlacementRecordType, id,
				"Placement ended ("+placementNames[pl.Type]+")")
		})
}

// Care (education) and treatment reviews: the register group's, like the register.

var versionedReviews = casework.Versioned[tcare.Review, Tx]{
	Load:  func(tx Tx, id string, _ access.Scope) (tcare.Review, error) { return tx.TransformingCare().Review(id) },
	Save:  func(tx Tx, r tcare.Review) error { return tx.TransformingCare().UpdateReview(r) },
	Stamp: func(r *tcare.Review) (*int, *time.Time) { return &r.Version, &r.UpdatedAt }}

// reviewPayload carries no young person, as for register events.
func reviewPayload(r tcare.Review) map[string]any {
	payload := map[string]any{"register_entry_id": r.EntryID, "kind": r.Kind, "setting": r.Setting, "scheduled_on": r.ScheduledOn.Format(time.DateOnly)}
	if !r.HeldOn.IsZero() {
		payload["held_on"], payload["outcome"] = r.HeldOn.Format(time.DateOnly), r.Outcome
	}
	return payload
}

// ScheduleReview schedules a C(E)TR for the young person of an open register entry.
func (s *Service) ScheduleReview(ctx context.Context, in tcare.Review) (r tcare.Review, err error) {
	defer casework.Wrap(&err, "schedule care and treatment review")
	p, err := casework.Allow(ctx, auth.KeepSupportRegister)
	if err != nil {
		return r, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if r, err = tcare.NewReview(in); err != nil {
			return err
		}
		e, err := tx.TransformingCare().Entry(in.EntryID)
		if err != nil {
			return casework.Referenced(err, "/register_entry_id", "no such register entry")
		}
		if !e.Open() {
			return fault.Field(fault.Unprocessable, "/register_entry_id", "the young person has come off the register")
		}
		r.YoungPersonID = e.YoungPersonID
		r.ID, r.CreatedAt, r.UpdatedAt, r.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.TransformingCare().CreateReview(r); err != nil {
			return err
		}
		return recordRegister(tx, s.Event(ctx, p, audit.Create, tcare.ReviewRecordType, r.ID, r.YoungPersonID, nil),
			s.Notice(outbox.CareTreatmentReviewScheduled, r.ID, reviewPayload(r)))
	})
	return r, err
}

// Review reads one C(E)TR, auditing the read.
func (s *Service) Review(ctx context.Context, id string) (_ tcare.Review, err error) {
	defer casework.Wrap(&err, "read care and treatment review %s", id)
	return casework.ReadAuditedAs(ctx, s.Core, s.db, auth.KeepSupportRegister, tcare.ReviewRecordType, id,
		func(tx Tx, _ access.Scope) (tcare.Review, error) { return tx.TransformingCare().Review(id) },
		func(r tcare.Review) string { return r.YoungPersonID })
}

// Reviews lists one page of C(E)TRs, auditing the page.
func (s *Service) Reviews(ctx context.Context, f tcare.ReviewFilter, pg paging.Page) (_ []tcare.Review, _ string, err error) {
	defer casework.Wrap(&err, "list care and treatment reviews")
	return casework.ListAuditedAs(ctx, s.Core, s.db, auth.KeepSupportRegister, tcare.ReviewRecordType,
		func(tx Tx, _ access.Scope) ([]tcare.Review, string, error) {
			return tx.TransformingCare().Reviews(f, pg)
		},
		func(r tcare.Review) (string, string) { return r.ID, r.YoungPersonID })
}

// HoldReview records a C(E)TR as held and moves its register entry's next review due, in one
// transaction.
func (s *Service) HoldReview(ctx context.Context, id string, ifMatch *int, held tcare.Review) (_ tcare.Review, err error) {
	defer casework.Wrap(&err, "hold care and treatment review %s", id)
	return versionedReviews.Change(ctx, s.Core, s.db, auth.KeepSupportRegister, id, ifMatch,
		func(_ Tx, _ auth.Principal, r *tcare.Review) (bool, error) { return true, r.Hold(held, s.Today()) },
		func(tx Tx, p auth.Principal, r tcare.Review) error {
			e, err := tx.TransformingCare().Entry(r.EntryID)
			if err != nil {
				return err
			}
			if e.Open() {
				e.HoldCTR(r.HeldOn)
				e.CTRDueOn = e.CTRDue(s.policy)
				if err := versionedEntries.SaveNext(s.Core, tx, &e); err != nil {
					return err
				}
				if err := recordRegister(tx, s.Event(ctx, p, audit.Update, tcare.RecordType, e.ID, e.YoungPersonID, []string{"last_ctr_on"}),
					s.Notice(outbox.RegisterEntryCTRHeld, e.ID, entryPayload(e, s.policy))); err != nil {
					return err
				}
			}
			return recordRegister(tx, s.Event(ctx, p, audit.Update, tcare.ReviewRecordType, id, r.YoungPersonID,
				[]string{"held_on", "panel", "family_views", "young_person_views", "key_questions", "findings", "outcome", "recommendations"}),
				s.Notice(outbox.CareTreatmentReviewHeld, id, reviewPayload(r)))
		})
}

// CompleteRecommendation marks recommendation i (counted from 0) of a held C(E)TR done on day on,
// with a note of what was done.
func (s *Service) CompleteRecommendation(ctx context.Context, id string, i int, ifMatch *int, on time.Time, note string) (_ tcare.Review, err error) {
	defer casework.Wrap(&err, "complete recommendation %d of care and treatment review %s", i, id)
	return versionedReviews.Change(ctx, s.Core, s.db, auth.KeepSupportRegister, id, ifMatch,
		func(_ Tx, _ auth.Principal, r *tcare.Review) (bool, error) {
			return true, r.CompleteRecommendation(i, on, note, s.Today())
		},
		func(tx Tx, p auth.Principal, r tcare.Review) error {
			payload := reviewPayload(r)
			payload["recommendation"], payload["done_on"] = i, statutory.Civil(on).Format(time.DateOnly)
			return recordRegister(tx, s.Event(ctx, p, audit.Update, tcare.ReviewRecordType, id, r.YoungPersonID, []string{"recommendations"}),
				s.Notice(outbox.CareTreatmentReviewRecommendationDone, id, payload))
		})
}

// Personal budgets: under the child's need-to-know, like the rest of the record.

var versionedBudgets = casework.Versioned[tcare.Budget, Tx]{Load: casework.LoadVia(Tx.TransformingCare, tcare.Repository.Budget),
	Save:  casework.SaveVia(Tx.TransformingCare, tcare.Repository.UpdateBudget),
	Stamp: func(b *tcare.Budget) (*int, *time.Time) { return &b.Version, &b.UpdatedAt }}

func budgetPayload(b tcare.Budget) map[string]any {
	payload := map[string]any{"young_person_id": b.YoungPersonID, "status": b.Status, "requested_on": b.RequestedOn.Format(time.DateOnly),
		"integrated": b.Integrated(), "requested_through": b.RequestedThrough}
	if b.EHCPlanID != "" {
		payload["ehc_plan_id"] = b.EHCPlanID
	}
	if !b.DecidedOn.IsZero() {
		payload["decided_on"] = b.DecidedOn.Format(time.DateOnly)
	}
	if b.ReviewOutcome != "" {
		payload["review_requested_on"], payload["review_outcome"] = b.ReviewRequestedOn.Format(time.DateOnly), b.ReviewOutcome
	}
	if !b.EndedOn.IsZero() {
		payload["ended_on"] = b.EndedOn.Format(time.DateOnly)
	}
	return payload
}

// RequestBudget records a family's request for a personal budget: entered by the council
// (casework:write), or made by the family themselves for a child their credentials name
// (personal-budgets:request), dated the day it arrives. Either lands in the council's decision flow.
func (s *Service) RequestBudget(ctx context.Context, in tcare.Budget) (b tcare.Budget, err error) {
	defer casework.Wrap(&err, "request personal budget")
	in.RequestedThrough = tcare.ThroughCouncil
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		fp, ferr := casework.Allow(ctx, auth.RequestBudget)
		if ferr != nil {
			return b, err
		}
		p, in.RequestedThrough = fp, tcare.ThroughFamily
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if b, err = tcare.NewBudget(in, s.Today()); err != nil {
			return err
		}
		yp, err := tx.People().Get(in.YoungPersonID, s.Scope(p))
		if err != nil {
			return casework.Referenced(err, "/young_person_id", "no such young person")
		}
		if in.EHCPlanID != "" {
			plan, err := tx.Plans().Get(in.EHCPlanID, s.Scope(p))
			if err != nil {
				return casework.Referenced(err, "/ehc_plan_id", "no such EHC plan")
			}
			if plan.YoungPersonID != yp.ID {
				return fault.Field(fault.Unprocessable, "/ehc_plan_id", "is another young person's plan")
			}
		}
		basis, err := s.ehcBasis(tx, yp.ID)
		if err != nil {
			return err
		}
		if b.EHCPlanID, err = tcare.Regulation5(basis, in.EHCPlanID); err != nil {
			return err
		}
		b.ID, b.CreatedAt, b.UpdatedAt, b.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.TransformingCare().CreateBudget(b); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, tcare.BudgetRecordType, b.ID, b.YoungPersonID, nil),
			s.Notice(outbox.PersonalBudgetRequested, b.ID, budgetPayload(b))); err != nil {
			return err
		}
		what := "Personal budget requested (by " + b.RequestedBy + ")"
		if b.RequestedThrough == tcare.ThroughFamily {
			what = "Personal budget requested by the family (" + b.RequestedBy + "), for the council to decide"
		}
		return s.OnTimeline(tx, b.YoungPersonID, "", b.RequestedOn, "personal_budget.requested", tcare.BudgetRecordType, b.ID, what)
	})
	return b, err
}

// ehcBasis reads the young person's plans and EHC needs assessment requests as regulation 5 sees
// them today. The whole record is read (no scope): the caller's need-to-know of the young person
// has been checked, and only the verdict leaves this function.
func (s *Service) ehcBasis(tx Tx, youngPersonID string) (tcare.EHCBasis, error) {
	var basis tcare.EHCBasis
	today := s.Today()
	plans, _, err := tx.Plans().List(ehcplan.Filter{YoungPersonID: youngPersonID, Today: today}, access.All, paging.Page{Limit: 100})
	if err != nil {
		return basis, err
	}
	for _, pl := range plans {
		switch {
		case pl.InForceOn(today) != nil:
			basis.PlansInForce = append(basis.PlansInForce, pl.ID)
		case pl.StatusOn(today) == ehcplan.Draft:
			basis.DraftPlans = append(basis.DraftPlans, pl.ID)
		}
	}
	requests, _, err := tx.EHCRequests().List(ehc.Filter{YoungPersonID: youngPersonID, Today: today}, access.All, paging.Page{Limit: 100})
	if err != nil {
		return basis, err
	}
	for _, r := range requests {
		if r.Status == ehc.Assessing || r.Status == ehc.PlanDrafting {
			basis.AssessmentsUnderWay = append(basis.AssessmentsUnderWay, r.ID)
		}
	}
	return basis, nil
}

// Budget reads one personal budget the caller may see.
func (s *Service) Budget(ctx context.Context, id string) (_ tcare.Budget, err error) {
	defer casework.Wrap(&err, "read personal budget %s", id)
	b, err := casework.ReadAudited(ctx, s.Core, s.db, tcare.BudgetRecordType, id,
		func(tx Tx, sc access.Scope) (tcare.Budget, error) { return tx.TransformingCare().Budget(id, sc) },
		func(r tcare.Budget) string { return r.YoungPersonID })
	return forCaller(ctx, b), err
}

// forCaller leaves the council's notes out of a budget a family reads.
func forCaller(ctx context.Context, b tcare.Budget) tcare.Budget {
	if p, ok := auth.FromContext(ctx); ok && p.Role == auth.RoleFamily {
		return b.ForFamily()
	}
	return b
}

// Budgets lists the personal budgets the caller may see.
func (s *Service) Budgets(ctx context.Context, f tcare.BudgetFilter, pg paging.Page) (_ []tcare.Budget, _ string, err error) {
	defer casework.Wrap(&err, "list personal budgets")
	items, next, err := casework.ListAudited(ctx, s.Core, s.db, tcare.BudgetRecordType,
		func(tx Tx, sc access.Scope) ([]tcare.Budget, string, error) {
			return tx.TransformingCare().Budgets(f, sc, pg)
		},
		func(r tcare.Budget) (string, string) { return r.ID, r.YoungPersonID })
	for i := range items {
		items[i] = forCaller(ctx, items[i])
	}
	return items, next, err
}

// DecideBudget records the council's decision on a request.
func (s *Service) DecideBudget(ctx context.Context, id string, ifMatch *int, agreed bool, on time.Time, reasons string, parts []tcare.Part,
	reviewDue time.Time) (_ tcare.Budget, err error) {
	defer casework.Wrap(&err, "decide personal budget %s", id)
	return versionedBudgets.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(_ Tx, _ auth.Principal, b *tcare.Budget) (bool, error) {
			return true, b.Decide(agreed, on, reasons, parts, reviewDue, s.Today())
		},
		func(tx Tx, p auth.Principal, b tcare.Budget) error {
			if err := casework.Record(tx, s.Event(ctx, p, audit.Update, tcare.BudgetRecordType, id, b.YoungPersonID,
				[]string{"status", "decided_on", "refusal_reasons", "parts", "review_due_on"}),
				s.Notice(outbox.PersonalBudgetDecided, id, budgetPayload(b))); err != nil {
				return err
			}
			what := "Personal budget agreed"
			if b.Integrated() {
				what = "Integrated personal budget agreed"
			}
			if b.Status == tcare.BudgetRefused {
				what = "Personal budget refused (the family may ask for a review)"
			}
			return s.OnTimeline(tx, b.YoungPersonID, "", b.DecidedOn, "personal_budget.decided", tcare.BudgetRecordType, id, what)
		})
}

// ReviewBudget records the review of a refused budget the family asked for, and its outcome.
func (s *Service) ReviewBudget(ctx context.Context, id string, ifMatch *int, requestedOn time.Time, outcome string) (_ tcare.Budget, err error) {
	defer casework.Wrap(&err, "review personal budget %s", id)
	return versionedBudgets.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(_ Tx, _ auth.Principal, b *tcare.Budget) (bool, error) {
			return true, b.ReviewRefusal(requestedOn, outcome, s.Today())
		},
		func(tx Tx, p auth.Principal, b tcare.Budget) error {
			if err := casework.Record(tx, s.Event(ctx, p, audit.Update, tcare.BudgetRecordType, id, b.YoungPersonID,
				[]string{"review_requested_on", "review_outcome", "status", "decided_on"}),
				s.Notice(outbox.PersonalBudgetReviewed, id, budgetPayload(b))); err != nil {
				return err
			}
			what := "Refusal of a personal budget reviewed: the refusal stands"
			if b.ReviewOutcome == tcare.ReviewOverturned {
				what = "Refusal of a personal budget reviewed and overturned: the request will be decided again"
			}
			return s.OnTimeline(tx, b.YoungPersonID, "", s.Today(), "personal_budget.reviewed", tcare.BudgetRecordType, id, what)
		})
}

// EndBudget ends an agreed budget.
func (s *Service) EndBudget(ctx context.Context, id string, ifMatch *int, on time.Time) (_ tcare.Budget, err error) {
	defer casework.Wrap(&err, "end personal budget %s", id)
	return versionedBudgets.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(_ Tx, _ auth.Principal, b *tcare.Budget) (bool, error) { return true, b.End(on, s.Today()) },
		func(tx Tx, p auth.Principal, b tcare.Budget) error {
			if err := casework.Record(tx, s.Event(ctx, p, audit.Update, tcare.BudgetRecordType, id, b.YoungPersonID, []string{"status", "ended_on"}),
				s.Notice(outbox.PersonalBudgetEnded, id, budgetPayload(b))); err != nil {
				return err
			}
			return s.OnTimeline(tx, b.YoungPersonID, "", b.EndedOn, "personal_budget.ended", tcare.BudgetRecordType, id, "Personal budget ended")
		})
}

// PayBudget records a payment or spend against an agreed budget.
func (s *Service) PayBudget(ctx context.Context, id string, ifMatch *int, pay tcare.Payment) (_ tcare.Budget, err error) {
	defer casework.Wrap(&err, "record personal budget payment %s", id)
	return versionedBudgets.Change(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch,
		func(_ Tx, _ auth.Principal, b *tcare.Budget) (bool, error) {
			pay.ID, pay.RecordedAt = casework.NewID(), s.Now()
			return true, b.Pay(pay, s.Today())
		},
		func(tx Tx, p auth.Principal, b tcare.Budget) error {
			payload := budgetPayload(b)
			payload["payment_id"], payload["stream"], payload["paid_on"] = pay.ID, pay.Stream, statutory.Civil(pay.PaidOn).Format(time.DateOnly)
			return casework.Record(tx, s.Event(ctx, p, audit.Update, tcare.BudgetRecordType, id, b.YoungPersonID, []string{"payments"}),
				s.Notice(outbox.PersonalBudgetPaid, id, payload))
		})
}
