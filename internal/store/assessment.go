package store

import (
	"errors"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Family assessments.

type assessmentRow struct {
	ID                     string
	ReferralID             string
	YoungPersonID          string
	Kind                   string
	Status                 string
	AssessmentNumber       int
	PreviousID             *string
	AssessorPractitionerID *string
	Sections               string
	SubmittedAt            *time.Time
	ReviewedAt             *time.Time
	CreatedAt              time.Time
	UpdatedAt              time.Time
	Version                int
}

func (assessmentRow) TableName() string { return "family_assessments" }

func optUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func toAssessmentRow(a assessment.Assessment) assessmentRow {
	return assessmentRow{ID: a.ID, ReferralID: a.ReferralID, YoungPersonID: a.YoungPersonID, Kind: a.Kind, Status: string(a.Status),
		AssessmentNumber: a.Number, PreviousID: nullable(a.PreviousID), AssessorPractitionerID: nullable(a.AssessorPractitionerID),
		Sections: toJSON(a.Sections.Tidy()), SubmittedAt: a.SubmittedAt, ReviewedAt: a.ReviewedAt, CreatedAt: a.CreatedAt,
		UpdatedAt: a.UpdatedAt, Version: a.Version}
}

func (r assessmentRow) toDomain() assessment.Assessment {
	return assessment.Assessment{ID: r.ID, ReferralID: r.ReferralID, YoungPersonID: r.YoungPersonID, Kind: r.Kind,
		Status: assessment.Status(r.Status), Number: r.AssessmentNumber, PreviousID: deref(r.PreviousID),
		AssessorPractitionerID: deref(r.AssessorPractitionerID), Sections: fromJSON[assessment.Sections](&r.Sections),
		SubmittedAt: optUTC(r.SubmittedAt), ReviewedAt: optUTC(r.ReviewedAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Version: r.Version}
}

// CreateAssessment inserts a. The unique (referral_id, assessment_number) index means two
// versions with the same number, from racing requests, cannot both be written.
func (tx assessmentRepo) Create(a assessment.Assessment) error {
	row := toAssessmentRow(a)
	err := translate(tx.w().Create(&row).Error)
	if errors.Is(err, fault.ErrConflict) {
		return fault.New(fault.Conflict, "Another version of this referral's assessment was written at the same time; read it and try again.")
	}
	return err
}

// Assessment loads one assessment within scope.
func (tx assessmentRepo) Get(id string, s access.Scope) (assessment.Assessment, error) {
	row, err := visibleByID[assessmentRow](tx.conn, "family_assessments", id, s, "No such family assessment.")
	if err != nil {
		return assessment.Assessment{}, err
	}
	return row.toDomain(), nil
}

// LatestAssessment loads the newest version of a referral's assessment; found is false when none
// has been started.
func (tx assessmentRepo) Latest(referralID string) (a assessment.Assessment, found bool, err error) {
	var rows []assessmentRow
	if err := tx.q().Where("referral_id = ?", referralID).Order("assessment_number DESC").Limit(1).Find(&rows).Error; err != nil {
		return a, false, translate(err)
	}
	if len(rows) == 0 {
		return a, false, nil
	}
	return rows[0].toDomain(), true, nil
}

// UpdateAssessment writes a if a.Version-1 is still current.
func (tx assessmentRepo) Update(a assessment.Assessment) error {
	row := toAssessmentRow(a)
	return updateVersioned(tx.conn, &row, "family_assessments", a.ID, a.Version-1)
}

// Assessments lists one page within scope, newest first.
func (tx assessmentRepo) List(f assessment.Filter, s access.Scope, p paging.Page) ([]assessment.Assessment, string, error) {
	q := visibleYoungPeople(tx.q().Model(&assessmentRow{}), "family_assessments.young_person_id", s)
	if f.ReferralID != "" {
		q = q.Where("family_assessments.referral_id = ?", f.ReferralID)
	}
	if f.YoungPersonID != "" {
		q = q.Where("family_assessments.young_person_id = ?", f.YoungPersonID)
	}
	if f.Status != "" {
		q = q.Where("family_assessments.status = ?", f.Status)
	}
	return listPage(q, "family_assessments", p, func(r assessmentRow) string { return r.ID }, assessmentRow.toDomain)
}
