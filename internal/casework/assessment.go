package casework

import (
	"time"

	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
)

// checkAssessor refuses an assessor who is not a known practitioner.
func checkAssessor(tx *store.Tx, id string) error {
	if id == "" {
		return nil
	}
	_, err := tx.Directory().Practitioner(id)
	if fault.KindOf(err) == fault.NotFound {
		return fault.Field(fault.Unprocessable, "/assessor_practitioner_id", "no such practitioner")
	}
	return err
}

// assessmentPayload is the outbox payload of an assessment: ids, codes and states only.
func assessmentPayload(a assessment.Assessment) map[string]any {
	payload := map[string]any{"referral_id": a.ReferralID, "young_person_id": a.YoungPersonID, "kind": a.Kind, "status": string(a.Status),
		"assessment_number": a.Number}
	if a.PreviousID != "" {
		payload["previous_id"] = a.PreviousID
	}
	return payload
}

// CreateAssessment starts the family assessment of an accepted referral: one per referral, of the
// kind its route calls for. Starting it moves an accepted referral to assessing.
func (s *Service) CreateAssessment(ctx context.Context, referralID, assessorID string, sections assessment.Sections) (a assessment.Assessment, err error) {
	p, err := allow(ctx, auth.WriteCasework)
	if err != nil {
		return a, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.referralForWrite(tx, p, referralID)
		if err != nil {
			return err
		}
		if a, err = assessment.Start(r, assessorID, sections); err != nil {
			return err
		}
		latest, found, err := tx.Assessments().Latest(r.ID)
		if err != nil {
			return err
		}
		if found {
			return fault.New(fault.Conflict, "This referral's family assessment has already been started (assessment "+latest.ID+
				", version "+itoa(latest.Number)+", "+string(latest.Status)+"); a new version starts from a review of a submitted one.")
		}
		if err := checkAssessor(tx, assessorID); err != nil {
			return err
		}
		a.ID, a.CreatedAt, a.UpdatedAt, a.Version = newID(), s.now(), s.now(), 1
		if err := tx.Assessments().Create(a); err != nil {
			return err
		}
		if err := record(tx, s.event(ctx, p, audit.Create, audit.FamilyAssessment, a.ID, a.YoungPersonID, nil),
			s.notice("family_assessment.created", audit.FamilyAssessment, a.ID, assessmentPayload(a))); err != nil {
			return err
		}
		if err := s.onTimeline(tx, a.YoungPersonID, r.ID, s.today(), "assessment.started", audit.FamilyAssessment, a.ID, a.Label()+" started"); err != nil {
			return err
		}
		return raced(s.advance(ctx, tx, p, &r, referral.Assessing, a.Label()+" started", s.today()), nil)
	})
	return a, err
}

// Assessment reads one assessment the caller may see.
func (s *Service) Assessment(ctx context.Context, id string) (assessment.Assessment, error) {
	return readAudited(ctx, s, audit.FamilyAssessment, id,
		func(tx *store.Tx, sc access.Scope) (assessment.Assessment, error) {
			return tx.Assessments().Get(id, sc)
		},
		func(r assessment.Assessment) string { return r.YoungPersonID })
}

// Assessments lists the assessments the caller may see, auditing each hit.
func (s *Service) Assessments(ctx context.Context, f assessment.Filter, pg paging.Page) ([]assessment.Assessment, string, error) {
	return listAudited(ctx, s, audit.FamilyAssessment, func(tx *store.Tx, sc access.Scope) ([]assessment.Assessment, string, error) {
		return tx.Assessments().List(f, sc, pg)
	}, func(r assessment.Assessment) (string, string) { return r.ID, r.YoungPersonID })
}

// UpdateAssessment changes a draft assessment's assessor or sections. Submitted and reviewed
// versions are never changed: a review starts a new draft instead.
func (s *Service) UpdateAssessment(ctx context.Context, id string, ifMatch *int, mutate Mutation[assessment.Assessment]) (assessment.Assessment, error) {
	return assessments.patch(ctx, s, auth.WriteCasework, id, ifMatch, mutate,
		func(cur assessment.Assessment) error { return cur.Editable() },
		func(tx *store.Tx, _ auth.Principal, cur assessment.Assessment, next *assessment.Assessment) error {
			// Only the assessor and the sections may change.
			kept := cur
			kept.AssessorPractitionerID, kept.Sections = next.AssessorPractitionerID, next.Sections.Tidy()
			if kept.AssessorPractitionerID != cur.AssessorPractitionerID {
				if err := checkAssessor(tx, kept.AssessorPractitionerID); err != nil {
					return err
				}
			}
			*next = kept
			return nil
		},
		func(tx *store.Tx, p auth.Principal, _, a assessment.Assessment, changed []string) error {
			payload := assessmentPayload(a)
			payload["changed_fields"] = changed
			return record(tx, s.event(ctx, p, audit.Update, audit.FamilyAssessment, id, a.YoungPersonID, changed),
				s.notice("family_assessment.updated", audit.FamilyAssessment, id, payload))
		})
}

var assessments = versioned[assessment.Assessment]{load: loadVia((*store.Tx).Assessments, assessment.Repository.Get), save: saveVia((*store.Tx).Assessments, assessment.Repository.Update),
	stamp: func(a *assessment.Assessment) (*int, *time.Time) { return &a.Version, &a.UpdatedAt }}

// SubmitAssessment sends a draft assessment to the early-help team.
func (s *Service) SubmitAssessment(ctx context.Context, id string, ifMatch *int) (a assessment.Assessment, err error) {
	p, err := allow(ctx, auth.WriteCasework)
	if err != nil {
		return a, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if a, err = tx.Assessments().Get(id, s.scope(p)); err != nil {
			return err
		}
		if err := checkVersion(ifMatch, a.Version); err != nil {
			return err
		}
		if err := a.Submit(s.now()); err != nil {
			return err
		}
		a.UpdatedAt, a.Version = s.now(), a.Version+1
		if err := tx.Assessments().Update(a); err != nil {
			return raced(err, ifMatch)
		}
		if err := record(tx, s.event(ctx, p, audit.Submit, audit.FamilyAssessment, id, a.YoungPersonID, []string{"status", "submitted_at"}),
			s.notice("family_assessment.submitted", audit.FamilyAssessment, id, assessmentPayload(a))); err != nil {
			return err
		}
		return s.onTimeline(tx, a.YoungPersonID, a.ReferralID, s.today(), "assessment.submitted", audit.FamilyAssessment, id, a.Label()+" submitted")
	})
	return a, err
}

// ReviewAssessment starts a Family Assessment Review: the submitted assessment is marked
// reviewed, and a new draft version linked to it carries its content forward. It returns the new
// version; the earlier one is otherwise left exactly as it was.
func (s *Service) ReviewAssessment(ctx context.Context, id string, ifMatch *int) (next assessment.Assessment, err error) {
	p, err := allow(ctx, auth.WriteCasework)
	if err != nil {
		return next, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.Assessments().Get(id, s.scope(p))
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, cur.Version); err != nil {
			return err
		}
		if next, err = cur.Review(s.now()); err != nil {
			return err
		}
		cur.UpdatedAt, cur.Version = s.now(), cur.Version+1
		if err := tx.Assessments().Update(cur); err != nil {
			return raced(err, ifMatch)
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = newID(), s.now(), s.now(), 1
		if err := tx.Assessments().Create(next); err != nil {
			return err
		}
		reviewed := assessmentPayload(cur)
		reviewed["next_id"] = next.ID
		if err := record(tx, s.event(ctx, p, audit.Review, audit.FamilyAssessment, cur.ID, cur.YoungPersonID, []string{"status", "reviewed_at"}),
			s.notice("family_assessment.reviewed", audit.FamilyAssessment, cur.ID, reviewed)); err != nil {
			return err
		}
		if err := record(tx, s.event(ctx, p, audit.Create, audit.FamilyAssessment, next.ID, next.YoungPersonID, nil),
			s.notice("family_assessment.created", audit.FamilyAssessment, next.ID, assessmentPayload(next))); err != nil {
			return err
		}
		return s.onTimeline(tx, next.YoungPersonID, next.ReferralID, s.today(), "assessment.review_started", audit.FamilyAssessment, next.ID,
			cur.Label()+" reviewed; version "+itoa(next.Number)+" started")
	})
	return next, err
}
