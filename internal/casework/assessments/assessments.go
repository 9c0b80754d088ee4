// Package assessments runs family assessments: started on an accepted referral (which moves it to
// assessing), drafted, submitted, and reviewed into a new version.
package assessments

import (
	"context"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// Tx is what the assessment use cases need of a transaction: the pathway's, since starting an
// assessment moves the referral on.
type Tx interface {
	referrals.Tx
	Assessments() assessment.Repository
}

// Service runs the assessment use cases.
type Service struct {
	casework.Core
	db        casework.DB[Tx]
	referrals *referrals.Service
}

// New returns the assessment service.
func New(core casework.Core, db casework.DB[Tx], referrals *referrals.Service) *Service {
	return &Service{Core: core, db: db, referrals: referrals}
}

// checkAssessor refuses an assessor who is not a known practitioner.
func checkAssessor(tx Tx, id string) error {
	if id == "" {
		return nil
	}
	_, err := tx.Directory().Practitioner(id)
	return casework.Referenced(err, "/assessor_practitioner_id", "no such practitioner")
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
	defer casework.Wrap(&err, "create assessment")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return a, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		r, err := s.referrals.ForWrite(tx, p, referralID)
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
				", version "+strconv.Itoa(latest.Number)+", "+string(latest.Status)+"); a new version starts from a review of a submitted one.")
		}
		if err := checkAssessor(tx, assessorID); err != nil {
			return err
		}
		a.ID, a.CreatedAt, a.UpdatedAt, a.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.Assessments().Create(a); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, audit.FamilyAssessment, a.ID, a.YoungPersonID, nil),
			s.Notice(outbox.FamilyAssessmentCreated, a.ID, assessmentPayload(a))); err != nil {
			return err
		}
		if err := s.OnTimeline(tx, a.YoungPersonID, r.ID, s.Today(), "assessment.started", audit.FamilyAssessment, a.ID, a.Label()+" started"); err != nil {
			return err
		}
		return casework.Raced(s.referrals.Advance(ctx, tx, p, &r, referral.Assessing, a.Label()+" started", s.Today()), nil)
	})
	return a, err
}

// Assessment reads one assessment the caller may see.
func (s *Service) Assessment(ctx context.Context, id string) (_ assessment.Assessment, err error) {
	defer casework.Wrap(&err, "read assessment %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, audit.FamilyAssessment, id,
		func(tx Tx, sc access.Scope) (assessment.Assessment, error) {
			return tx.Assessments().Get(id, sc)
		},
		func(r assessment.Assessment) string { return r.YoungPersonID })
}

// Assessments lists the assessments the caller may see, auditing each hit.
func (s *Service) Assessments(ctx context.Context, f assessment.Filter, pg paging.Page) (_ []assessment.Assessment, _ string, err error) {
	defer casework.Wrap(&err, "list assessments")
	return casework.ListAudited(ctx, s.Core, s.db, audit.FamilyAssessment, func(tx Tx, sc access.Scope) ([]assessment.Assessment, string, error) {
		return tx.Assessments().List(f, sc, pg)
	}, func(r assessment.Assessment) (string, string) { return r.ID, r.YoungPersonID })
}

// UpdateAssessment changes a draft assessment's assessor or sections. Submitted and reviewed
// versions are never changed: a review starts a new draft instead.
func (s *Service) UpdateAssessment(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[assessment.Assessment]) (_ assessment.Assessment, err error) {
	defer casework.Wrap(&err, "update assessment %s", id)
	return versionedAssessments.Patch(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch, mutate,
		func(cur assessment.Assessment) error { return cur.Editable() },
		func(tx Tx, _ auth.Principal, cur assessment.Assessment, next *assessment.Assessment) error {
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
		func(tx Tx, p auth.Principal, _, a assessment.Assessment, changed []string) error {
			payload := assessmentPayload(a)
			payload["changed_fields"] = changed
			return casework.Record(tx, s.Event(ctx, p, audit.Update, audit.FamilyAssessment, id, a.YoungPersonID, changed),
				s.Notice(outbox.FamilyAssessmentUpdated, id, payload))
		})
}

var versionedAssessments = casework.Versioned[assessment.Assessment, Tx]{Load: casework.LoadVia(Tx.Assessments, assessment.Repository.Get), Save: casework.SaveVia(Tx.Assessments, assessment.Repository.Update),
	Stamp: func(a *assessment.Assessment) (*int, *time.Time) { return &a.Version, &a.UpdatedAt }}

// SubmitAssessment sends a draft assessment to the early-help team.
func (s *Service) SubmitAssessment(ctx context.Context, id string, ifMatch *int) (_ assessment.Assessment, err error) {
	defer casework.Wrap(&err, "submit assessment %s", id)
	return versionedAssessments.Change(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch,
		func(_ Tx, _ auth.Principal, a *assessment.Assessment) (bool, error) { return true, a.Submit(s.Now()) },
		func(tx Tx, p auth.Principal, a assessment.Assessment) error {
			if err := casework.Record(tx, s.Event(ctx, p, audit.Submit, audit.FamilyAssessment, id, a.YoungPersonID, []string{"status", "submitted_at"}),
				s.Notice(outbox.FamilyAssessmentSubmitted, id, assessmentPayload(a))); err != nil {
				return err
			}
			return s.OnTimeline(tx, a.YoungPersonID, a.ReferralID, s.Today(), "assessment.submitted", audit.FamilyAssessment, id, a.Label()+" submitted")
		})
}

// ReviewAssessment starts a Family Assessment Review: the submitted assessment is marked
// reviewed, and a new draft version linked to it carries its content forward. It returns the new
// version; the earlier one is otherwise left exactly as it was.
func (s *Service) ReviewAssessment(ctx context.Context, id string, ifMatch *int) (next assessment.Assessment, err error) {
	defer casework.Wrap(&err, "review assessment %s", id)
	_, err = versionedAssessments.Change(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch,
		func(_ Tx, _ auth.Principal, cur *assessment.Assessment) (bool, error) {
			next, err = cur.Review(s.Now())
			return true, err
		},
		func(tx Tx, p auth.Principal, cur assessment.Assessment) error {
			next.ID, next.CreatedAt, next.UpdatedAt, next.Version = casework.NewID(), s.Now(), s.Now(), 1
			if err := tx.Assessments().Create(next); err != nil {
				return err
			}
			reviewed := assessmentPayload(cur)
			reviewed["next_id"] = next.ID
			if err := casework.Record(tx, s.Event(ctx, p, audit.Review, audit.FamilyAssessment, cur.ID, cur.YoungPersonID, []string{"status", "reviewed_at"}),
				s.Notice(outbox.FamilyAssessmentReviewed, cur.ID, reviewed)); err != nil {
				return err
			}
			if err := casework.Record(tx, s.Event(ctx, p, audit.Create, audit.FamilyAssessment, next.ID, next.YoungPersonID, nil),
				s.Notice(outbox.FamilyAssessmentCreated, next.ID, assessmentPayload(next))); err != nil {
				return err
			}
			return s.OnTimeline(tx, next.YoungPersonID, next.ReferralID, s.Today(), "assessment.review_started", audit.FamilyAssessment, next.ID,
				cur.Label()+" reviewed; version "+strconv.Itoa(next.Number)+" started")
		})
	return next, err
}
