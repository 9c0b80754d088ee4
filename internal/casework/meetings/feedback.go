package meetings

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// GiveFeedback records a review of progress on a referral. A family signed in as themselves
// records their own or their child's view of their own child; a professional may record any
// source (what the family said at a review, say). A professional's role is worked out here: the
// referral's current engagement lead, or another professional. Feedback is never changed later.
func (s *Service) GiveFeedback(ctx context.Context, f feedback.Feedback) (_ feedback.Feedback, err error) {
	defer casework.Wrap(&err, "give feedback")
	p, err := casework.Allow(ctx, auth.GiveFeedback)
	if err != nil {
		return f, err
	}
	if p.Role == auth.RoleFamily {
		if err := feedback.FamilyMayGive(f.From); err != nil {
			return f, err
		}
	}
	f = f.Tidy()
	if err := f.Validate(); err != nil {
		return f, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		// A family's scope is their own children, so another child's referral is unknown to them.
		r, err := s.referrals.ForWrite(tx, p, f.ReferralID)
		if err != nil {
			return err
		}
		if f.MeetingID != "" {
			of, err := tx.Meetings().ReferralOf(f.MeetingID)
			if fault.KindOf(err) == fault.NotFound || (err == nil && of != r.ID) {
				return fault.Field(fault.Unprocessable, "/meeting_id", "no such meeting on this referral")
			}
			if err != nil {
				return err
			}
		}
		f.ProfessionalRole = ""
		if f.From == feedback.FromProfessional {
			pr, err := tx.Directory().Practitioner(f.PractitionerID)
			if err != nil {
				return casework.Referenced(err, "/practitioner_id", "no such practitioner")
			}
			f.ProfessionalRole = feedback.RoleOf(pr.ID, r.EngagementLeadID)
		}
		f.ID, f.YoungPersonID, f.CreatedAt, f.Version = casework.NewID(), r.YoungPersonID, s.Now(), 1
		if err := tx.Feedback().Create(f); err != nil {
			return err
		}
		payload := map[string]any{"referral_id": r.ID, "young_person_id": r.YoungPersonID, "from": f.From,
			"outcomes_rated": len(f.OutcomeRatings)}
		if f.MeetingID != "" {
			payload["meeting_id"] = f.MeetingID
		}
		if f.From == feedback.FromProfessional {
			payload["practitioner_id"], payload["professional_role"] = f.PractitionerID, f.ProfessionalRole
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, audit.PathwayFeedback, f.ID, f.YoungPersonID, nil),
			s.Notice(outbox.PathwayFeedbackRecorded, f.ID, payload)); err != nil {
			return err
		}
		return s.OnTimeline(tx, f.YoungPersonID, r.ID, s.Today(), "feedback.given", audit.PathwayFeedback, f.ID, f.Summary())
	})
	return f, err
}

// Feedback reads one piece of feedback the caller may see.
func (s *Service) Feedback(ctx context.Context, id string) (_ feedback.Feedback, err error) {
	defer casework.Wrap(&err, "read feedback %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, audit.PathwayFeedback, id,
		func(tx Tx, sc access.Scope) (feedback.Feedback, error) { return tx.Feedback().Get(id, sc) },
		func(r feedback.Feedback) string { return r.YoungPersonID })
}

// ListFeedback lists the feedback the caller may see, auditing each hit.
func (s *Service) ListFeedback(ctx context.Context, f feedback.Filter, pg paging.Page) (_ []feedback.Feedback, _ string, err error) {
	defer casework.Wrap(&err, "list feedback")
	return casework.ListAudited(ctx, s.Core, s.db, audit.PathwayFeedback, func(tx Tx, sc access.Scope) ([]feedback.Feedback, string, error) {
		return tx.Feedback().List(f, sc, pg)
	}, func(r feedback.Feedback) (string, string) { return r.ID, r.YoungPersonID })
}
