package plans

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// ReviewPayload is the outbox payload of a review: ids, statuses and dates only.
func ReviewPayload(r annualreview.Review) map[string]any {
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
func (s *Service) AnnualReview(ctx context.Context, id string) (_ annualreview.Review, err error) {
	defer casework.Wrap(&err, "read annual review %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, annualreview.RecordType, id,
		func(tx Tx, sc access.Scope) (annualreview.Review, error) { return tx.Reviews().Get(id, sc) },
		func(r annualreview.Review) string { return r.YoungPersonID })
}

// AnnualReviews lists the reviews the caller may see, auditing each hit.
func (s *Service) AnnualReviews(ctx context.Context, f annualreview.Filter, pg paging.Page) (_ []annualreview.Review, _ string, err error) {
	defer casework.Wrap(&err, "list annual reviews")
	f.Today = s.Today()
	return casework.ListAudited(ctx, s.Core, s.db, annualreview.RecordType, func(tx Tx, sc access.Scope) ([]annualreview.Review, string, error) {
		return tx.Reviews().List(f, sc, pg)
	}, func(r annualreview.Review) (string, string) { return r.ID, r.YoungPersonID })
}

// changeAnnualReview loads a visible review, checks If-Match, applies change and writes it with
// its audit, outbox and timeline events in one transaction.
func (s *Service) changeAnnualReview(ctx context.Context, perm auth.Permission, id string, ifMatch *int, action string, eventType outbox.Type,
	change func(tx Tx, p auth.Principal, r *annualreview.Review, dob time.Time) error, summary func(r annualreview.Review) (time.Time, string)) (annualreview.Review, error) {
	return versionedReviews.Change(ctx, s.Core, s.db, perm, id, ifMatch,
		func(tx Tx, p auth.Principal, r *annualreview.Review) (bool, error) {
			dob, err := dateOfBirth(tx, r.YoungPersonID)
			if err != nil {
				return false, err
			}
			return true, change(tx, p, r, dob)
		},
		func(tx Tx, p auth.Principal, r annualreview.Review) error {
			if err := casework.Record(tx, s.Event(ctx, p, action, annualreview.RecordType, r.ID, r.YoungPersonID, []string{"status"}),
				s.Notice(eventType, r.ID, ReviewPayload(r))); err != nil {
				return err
			}
			on, text := summary(r)
			return s.OnTimeline(tx, r.YoungPersonID, "", on, eventType.Name, annualreview.RecordType, r.ID, text)
		})
}

// HoldAnnualReview records the review meeting.
func (s *Service) HoldAnnualReview(ctx context.Context, id string, ifMatch *int, m annualreview.Meeting) (_ annualreview.Review, err error) {
	defer casework.Wrap(&err, "hold annual review %s", id)
	return s.changeAnnualReview(ctx, auth.WriteCasework, id, ifMatch, audit.Update, outbox.AnnualReviewHeld,
		func(_ Tx, _ auth.Principal, r *annualreview.Review, dob time.Time) error {
			return r.Hold(m, dob, s.Today())
		},
		func(r annualreview.Review) (time.Time, string) {
			return r.Meeting.On, "Annual review meeting held; recommendation: " + r.Meeting.Recommendation
		})
}

// DecideAnnualReview records the authority's decision after the meeting. The plan's next review
// falls due 12 months after it; a decision to amend or cease is carried out on the plan.
func (s *Service) DecideAnnualReview(ctx context.Context, id string, ifMatch *int, d annualreview.Decision, reportSentOn *time.Time) (_ annualreview.Review, err error) {
	defer casework.Wrap(&err, "decide annual review %s", id)
	return s.changeAnnualReview(ctx, auth.RunPathway, id, ifMatch, audit.Transition, outbox.AnnualReviewDecided,
		func(tx Tx, p auth.Principal, r *annualreview.Review, _ time.Time) error {
			if err := r.Decide(d, reportSentOn, s.Today()); err != nil {
				return err
			}
			pl, err := tx.Plans().Get(r.PlanID, access.Scope{})
			if err != nil {
				return err
			}
			if pl.StatusOn(s.Today()) != ehcplan.Issued {
				return nil // a plan ceasing or ceased has no next review
			}
			pl.Reviewed(r.Decision.DecidedOn)
			if err := versionedPlans.SaveNext(s.Core, tx, &pl); err != nil {
				return err
			}
			if err := casework.Record(tx, s.Event(ctx, p, audit.Update, ehcplan.RecordType, pl.ID, pl.YoungPersonID, []string{"last_reviewed_on", "review_due_on"}),
				s.Notice(outbox.EHCPlanReviewed, pl.ID, planPayload(pl))); err != nil {
				return err
			}
			return s.scheduleReview(ctx, tx, p, pl, r.Sequence+1)
		},
		func(r annualreview.Review) (time.Time, string) {
			return r.Decision.DecidedOn, "Annual review decision: " + r.Decision.Decision + " the EHC plan"
		})
}
