package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/consultation"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
)

type consultationRepo struct{ conn }

// Consultations is the repository that keeps consultations with settings.
func (tx *Tx) Consultations() consultation.Repository { return consultationRepo{tx.conn} }

type consultationRow struct {
	ID             string
	PlanID         string
	YoungPersonID  string
	OrganisationID string
	RequestedBy    string
	SentOn         string
	DueOn          string
	Status         string
	Response       *string
	Reasons        *string
	RespondedOn    *string
	Late           bool
	Notes          *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

func (consultationRow) TableName() string { return "setting_consultations" }

func toConsultationRow(c consultation.Consultation) consultationRow {
	return consultationRow{ID: c.ID, PlanID: c.PlanID, YoungPersonID: c.YoungPersonID, OrganisationID: c.OrganisationID, RequestedBy: c.RequestedBy,
		SentOn: fromDate(c.SentOn), DueOn: fromDate(c.DueOn), Status: string(c.Status), Response: nullable(c.Response), Reasons: nullable(c.Reasons),
		RespondedOn: optDate(c.RespondedOn), Late: c.Late, Notes: nullable(c.Notes), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func (r consultationRow) toDomain() consultation.Consultation {
	return consultation.Consultation{ID: r.ID, PlanID: r.PlanID, YoungPersonID: r.YoungPersonID, OrganisationID: r.OrganisationID,
		RequestedBy: r.RequestedBy, SentOn: toDate(r.SentOn), DueOn: toDate(r.DueOn), Status: consultation.Status(r.Status),
		Response: deref(r.Response), Reasons: deref(r.Reasons), RespondedOn: toOptDate(r.RespondedOn), Late: r.Late, Notes: deref(r.Notes),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

func consultationReach(q *gorm.DB, v consultation.Reach) *gorm.DB {
	switch {
	case v.All:
		return q
	case v.OrganisationID != "":
		return q.Where("setting_consultations.organisation_id = ?", v.OrganisationID)
	}
	return q.Where("1 = 0")
}

// Create inserts c.
func (tx consultationRepo) Create(c consultation.Consultation) error {
	row := toConsultationRow(c)
	return translate(tx.w().Create(&row).Error)
}

// Get reads one consultation within reach.
func (tx consultationRepo) Get(id string, v consultation.Reach) (consultation.Consultation, error) {
	var row consultationRow
	err := consultationReach(tx.q().Where("setting_consultations.id = ?", id), v).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return consultation.Consultation{}, fault.New(fault.NotFound, "No such consultation.")
	}
	return row.toDomain(), translate(err)
}

// Update writes c if it is still at the version before c.Version.
func (tx consultationRepo) Update(c consultation.Consultation) error {
	row := toConsultationRow(c)
	return updateVersioned(tx.conn, &row, "setting_consultations", c.ID, c.Version-1)
}

// List reads one page within reach, newest first.
func (tx consultationRepo) List(f consultation.Filter, v consultation.Reach, p paging.Page) ([]consultation.Consultation, string, error) {
	q := consultationReach(tx.q().Model(&consultationRow{}), v)
	if f.PlanID != "" {
		q = q.Where("setting_consultations.plan_id = ?", f.PlanID)
	}
	if f.Status != "" {
		q = q.Where("setting_consultations.status = ?", string(f.Status))
	}
	return listPage(q, "setting_consultations", p, func(r consultationRow) string { return r.ID }, consultationRow.toDomain)
}

// OfPlan lists every consultation on one plan, oldest first.
func (tx consultationRepo) OfPlan(planID string) ([]consultation.Consultation, error) {
	var rows []consultationRow
	if err := tx.q().Where("plan_id = ?", planID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]consultation.Consultation, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
