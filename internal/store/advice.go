package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
)

type adviceRepo struct{ conn }

// Advice is the repository that keeps advice requests addressed to named advisers.
func (tx *Tx) Advice() advice.Repository { return adviceRepo{tx.conn} }

type adviceRow struct {
	ID             string
	EHCRequestID   string `gorm:"column:ehc_request_id"`
	YoungPersonID  string
	PractitionerID string
	Adviser        string
	Provider       *string
	RequestedOn    string
	DueOn          string
	Status         string
	Sections       string
	DocumentIDs    string `gorm:"column:document_ids"`
	Informs        string
	SubmittedOn    *string
	Late           bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

func (adviceRow) TableName() string { return "ehc_advice" }

// adviceSections is the advice's text as stored.
type adviceSections struct {
	Summary   string `json:"summary,omitempty"`
	Needs     string `json:"needs,omitempty"`
	Outcomes  string `json:"outcomes,omitempty"`
	Provision string `json:"provision,omitempty"`
}

func toAdviceRow(r advice.Request) adviceRow {
	docs, informs := r.DocumentIDs, r.Informs
	if docs == nil {
		docs = []string{}
	}
	if informs == nil {
		informs = []string{}
	}
	s := r.Sections
	return adviceRow{ID: r.ID, EHCRequestID: r.EHCRequestID, YoungPersonID: r.YoungPersonID, PractitionerID: r.PractitionerID,
		Adviser: r.Adviser, Provider: nullable(r.Provider), RequestedOn: fromDate(r.RequestedOn), DueOn: fromDate(r.DueOn),
		Status: string(r.Status), Sections: toJSON(adviceSections{s.Summary, s.Needs, s.Outcomes, s.Provision}), DocumentIDs: toJSON(docs),
		Informs: toJSON(informs), SubmittedOn: optDate(r.SubmittedOn), Late: r.Late, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

func (r adviceRow) toDomain() advice.Request {
	s := fromJSON[adviceSections](&r.Sections)
	return advice.Request{ID: r.ID, EHCRequestID: r.EHCRequestID, YoungPersonID: r.YoungPersonID, PractitionerID: r.PractitionerID,
		Adviser: r.Adviser, Provider: deref(r.Provider), RequestedOn: toDate(r.RequestedOn), DueOn: toDate(r.DueOn), Status: advice.Status(r.Status),
		Sections:    advice.Sections{Summary: s.Summary, Needs: s.Needs, Outcomes: s.Outcomes, Provision: s.Provision},
		DocumentIDs: fromJSON[[]string](&r.DocumentIDs), Informs: fromJSON[[]string](&r.Informs), SubmittedOn: toOptDate(r.SubmittedOn),
		Late: r.Late, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// reach limits a query to the advice requests v may see.
func adviceReach(q *gorm.DB, v advice.Reach) *gorm.DB {
	switch {
	case v.All:
		return q
	case v.PractitionerID != "":
		return q.Where("ehc_advice.practitioner_id = ?", v.PractitionerID)
	}
	return q.Where("1 = 0")
}

// Create inserts r.
func (tx adviceRepo) Create(r advice.Request) error {
	row := toAdviceRow(r)
	return translate(tx.w().Create(&row).Error)
}

// Get reads one advice request within reach.
func (tx adviceRepo) Get(id string, v advice.Reach) (advice.Request, error) {
	var row adviceRow
	err := adviceReach(tx.q().Where("ehc_advice.id = ?", id), v).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return advice.Request{}, fault.New(fault.NotFound, "No such advice request.")
	}
	return row.toDomain(), translate(err)
}

// Update writes r if it is still at the version before r.Version.
func (tx adviceRepo) Update(r advice.Request) error {
	row := toAdviceRow(r)
	return updateVersioned(tx.conn, &row, "ehc_advice", r.ID, r.Version-1)
}

// List reads one page within reach, newest first.
func (tx adviceRepo) List(f advice.Filter, v advice.Reach, p paging.Page) ([]advice.Request, string, error) {
	q := adviceReach(tx.q().Model(&adviceRow{}), v)
	if f.Status != "" {
		q = q.Where("ehc_advice.status = ?", string(f.Status))
	}
	if f.EHCRequestID != "" {
		q = q.Where("ehc_advice.ehc_request_id = ?", f.EHCRequestID)
	}
	return listPage(q, "ehc_advice", p, func(r adviceRow) string { return r.ID }, adviceRow.toDomain)
}

// OfEHCRequest lists every advice request of one assessment, oldest first.
func (tx adviceRepo) OfEHCRequest(ehcRequestID string) ([]advice.Request, error) {
	var rows []adviceRow
	if err := tx.q().Where("ehc_request_id = ?", ehcRequestID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]advice.Request, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
