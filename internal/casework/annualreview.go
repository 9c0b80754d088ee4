package casework

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/store"
)

// reviewPayload is the outbox payload of a review: ids, statuses and dates only.
func reviewPayload(r annualreview.Review) map[string]any {
	out := map[string]any{"plan_id": r.PlanID, "young_person_id": r.YoungPersonID, "sequence": r.Sequence, "status": string(r.Status),
		"due_on": r.DueOn.Format("2006-01-02")}
	if r.Meeting != nil {
		out["meeting_on"] = r.Meeting.On.Format("2006-01-02")
	}
	if r.Decision != nil {
		out["decision"], out["decided_on"] = r.Decision.Decision, r.Decision.DecidedOn.Format("2006-01-02")
	}
	return out
}

// AnnualReview reads one review the caller may see.
func (s *Service) AnnualReview(ctx context.Context, id string) (annualreview.Review, error) {
	return readAudited(ctx, s, annualreview.RecordType, id,
		func(tx *store.Tx, sc access.Scope) (annualreview.Review, error) { return tx.Reviews().Get(id, sc) },
		func(r annualreview.Review) string { return r.YoungPersonID })
}

// AnnualReviews lists the reviews the caller may see, auditing each hit.
func (s *Service) AnnualReviews(ctx context.Context, f annualreview.Filter, pg paging.Page) ([]annualreview.Review, string, error) {
	f.Today = s.today()
	return listAudited(ctx, s, annualreview.RecordType, func(tx *store.Tx, sc access.Scope) ([]annualreview.Review, string, error) {
		return tx.Reviews().List(f, sc, pg)
	}, func(r annualreview.Review) (string, string) { return r.ID, r.YoungPersonID })
}

// changeAnnualReview loads a visible review, checks If-Match, applies change and writes it with
// its audit, outbox and timeline events in one transaction.
func (s *Service) changeAnnualReview(ctx context.Context, perm auth.Permission, id string, ifMatch *int, action, eventType string,
	change func(tx *store.Tx, p auth.Principal, r *annualreview.Review, dob timeDay) error, summary func(r annualreview.Review) (timeDay, string)) (annualreview.Review, error) {
	return annualReviews.change(ctx, s, perm, id, ifMatch,
		func(tx *store.Tx, p auth.Principal, r *annualreview.Review) (bool, error) {
			dob, err := dateOfBirth(tx, r.YoungPersonID)
			if err != nil {
				return false, err
			}
			return true, change(tx, p, r, dob)
		},
		func(tx *store.Tx, p auth.Principal, r annualreview.Review) error {
			if err := record(tx, s.event(ctx, p, action, annualreview.RecordType, r.ID, r.YoungPersonID, []string{"status"}),
				s.notice(eventType, annualreview.RecordType, r.ID, reviewPayload(r))); err != nil {
				return err
			}
			on, text := summary(r)
			return s.onTimeline(tx, r.YoungPersonID, "", on, eventType, annualreview.RecordType, r.ID, text)
		})
}

// HoldAnnualReview records the review meeting.
func (s *Service) HoldAnnualReview(ctx context.Context, id string, ifMatch *int, m annualreview.Meeting) (annualreview.Review, error) {
	return s.changeAnnualReview(ctx, auth.WriteCasework, id, ifMatch, audit.Update, "annual_review.held",
		func(_ *store.Tx, _ auth.Principal, r *annualreview.Review, dob timeDay) error {
			return r.Hold(m, dob, s.today())
		},
		func(r annualreview.Review) (timeDay, string) {
			return r.Meeting.On, "Annual review meeting held; recommendation: " + r.Meeting.Recommendation
		})
}

// DecideAnnualReview records the authority's decision after the meeting. The plan's next review
// falls due 12 months after it; a decision to amend or cease is carried out on the plan.
func (s *Service) DecideAnnualReview(ctx context.Context, id string, ifMatch *int, d annualreview.Decision, reportSentOn *timeDay) (annualreview.Review, error) {
	return s.changeAnnualReview(ctx, auth.RunPathway, id, ifMatch, audit.Transition, "annual_review.decided",
		func(tx *store.Tx, p auth.Principal, r *annualreview.Review, _ timeDay) error {
			if err := r.Decide(d, reportSentOn, s.today()); err != nil {
				return err
			}
			pl, err := tx.Plans().Get(r.PlanID, access.Scope{})
			if err != nil {
				return err
			}
			if pl.StatusOn(s.today()) != ehcplan.Issued {
				return nil // a plan ceasing or ceased has no next review
			}
			pl.Reviewed(r.Decision.DecidedOn)
			pl.UpdatedAt, pl.Version = s.now(), pl.Version+1
			if err := tx.Plans().Update(pl); err != nil {
				return err
			}
			if err := record(tx, s.event(ctx, p, audit.Update, ehcplan.RecordType, pl.ID, pl.YoungPersonID, []string{"last_reviewed_on", "review_due_on"}),
				s.notice("ehc_plan.reviewed", ehcplan.RecordType, pl.ID, planPayload(pl))); err != nil {
				return err
			}
			return s.scheduleReview(ctx, tx, p, pl, r.Sequence+1)
		},
		func(r annualreview.Review) (timeDay, string) {
			return r.Decision.DecidedOn, "Annual review decision: " + r.Decision.Decision + " the EHC plan"
		})
}
