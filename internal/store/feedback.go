package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Pathway feedback. Feedback is immutable, so there is no update.

type feedbackRow struct {
	ID               string
	ReferralID       string
	YoungPersonID    string
	MeetingID        *string
	Source           string // the contract's "from"
	PractitionerID   *string
	ProfessionalRole *string
	WorkingWell      *string
	NotWorking       *string
	NextSteps        *string
	OutcomeRatings   string
	CreatedAt        time.Time
	Version          int
}

func (feedbackRow) TableName() string { return "pathway_feedback" }

func toFeedbackRow(f feedback.Feedback) feedbackRow {
	ratings := f.OutcomeRatings
	if ratings == nil {
		ratings = []feedback.Rating{}
	}
	return feedbackRow{ID: f.ID, ReferralID: f.ReferralID, YoungPersonID: f.YoungPersonID, MeetingID: nullable(f.MeetingID), Source: f.From,
		PractitionerID: nullable(f.PractitionerID), ProfessionalRole: nullable(f.ProfessionalRole), WorkingWell: nullable(f.WorkingWell),
		NotWorking: nullable(f.NotWorking), NextSteps: nullable(f.NextSteps), OutcomeRatings: toJSON(ratings), CreatedAt: f.CreatedAt, Version: f.Version}
}

func (r feedbackRow) toDomain() feedback.Feedback {
	ratings := fromJSON[[]feedback.Rating](&r.OutcomeRatings)
	if ratings == nil {
		ratings = []feedback.Rating{}
	}
	return feedback.Feedback{ID: r.ID, ReferralID: r.ReferralID, YoungPersonID: r.YoungPersonID, MeetingID: deref(r.MeetingID), From: r.Source,
		PractitionerID: deref(r.PractitionerID), ProfessionalRole: deref(r.ProfessionalRole), WorkingWell: deref(r.WorkingWell),
		NotWorking: deref(r.NotWorking), NextSteps: deref(r.NextSteps), OutcomeRatings: ratings, CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
}

// CreateFeedback inserts f.
func (tx feedbackRepo) Create(f feedback.Feedback) error {
	row := toFeedbackRow(f)
	return translate(tx.w().Create(&row).Error)
}

// Feedback loads one piece of feedback within scope.
func (tx feedbackRepo) Get(id string, s access.Scope) (feedback.Feedback, error) {
	var row feedbackRow
	err := visibleYoungPeople(tx.q().Where("pathway_feedback.id = ?", id), "pathway_feedback.young_person_id", s).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return feedback.Feedback{}, fault.New(fault.NotFound, "No such feedback.")
	}
	if err != nil {
		return feedback.Feedback{}, translate(err)
	}
	return row.toDomain(), nil
}

// ListFeedback lists one page within scope, newest first.
func (tx feedbackRepo) List(f feedback.Filter, s access.Scope, p paging.Page) ([]feedback.Feedback, string, error) {
	q := visibleYoungPeople(tx.q().Model(&feedbackRow{}), "pathway_feedback.young_person_id", s)
	if f.ReferralID != "" {
		q = q.Where("pathway_feedback.referral_id = ?", f.ReferralID)
	}
	if f.MeetingID != "" {
		q = q.Where("pathway_feedback.meeting_id = ?", f.MeetingID)
	}
	if f.From != "" {
		q = q.Where("pathway_feedback.source = ?", f.From)
	}
	return listPage(q, "pathway_feedback", p, func(r feedbackRow) string { return r.ID }, feedbackRow.toDomain)
}

// ReferralOfMeeting is the referral a meeting belongs to, or NotFound.
func (tx meetingRepo) ReferralOf(meetingID string) (string, error) {
	var ids []string
	if err := tx.q().Table("meetings").Where("id = ?", meetingID).Limit(1).Pluck("referral_id", &ids).Error; err != nil {
		return "", translate(err)
	}
	if len(ids) == 0 {
		return "", fault.New(fault.NotFound, "No such meeting.")
	}
	return ids[0], nil
}
