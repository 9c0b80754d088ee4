package store

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/paging"
)

type disputeRow struct {
	ID                  string
	YoungPersonID       string
	Kind                string
	SubjectType         string
	SubjectID           string
	About               string
	Sections            string
	BroughtBy           string
	ReceivedOn          string
	DecisionLetterOn    *string
	CertificateIssuedOn *string
	HearingOn           *string
	Notes               *string
	Outcome             *string
	ConcludedOn         *string
	ConclusionNotes     *string
	CreatedAt           time.Time
	UpdatedAt           time.Time
	Version             int
}

func (disputeRow) TableName() string { return "disputes" }

// optCivil stores a zero date as NULL.
func optCivil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return optDate(&t)
}

// fromOptCivil reads a NULL date as the zero time.
func fromOptCivil(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	return toDate(*s)
}

func toDisputeRow(d dispute.Dispute) disputeRow {
	sections := d.Sections
	if sections == nil {
		sections = []string{}
	}
	return disputeRow{ID: d.ID, YoungPersonID: d.YoungPersonID, Kind: string(d.Kind), SubjectType: d.SubjectType, SubjectID: d.SubjectID,
		About: d.About, Sections: toJSON(sections), BroughtBy: d.BroughtBy, ReceivedOn: fromDate(d.ReceivedOn),
		DecisionLetterOn: optCivil(d.DecisionLetterOn), CertificateIssuedOn: optCivil(d.CertificateIssuedOn), HearingOn: optCivil(d.HearingOn),
		Notes: nullable(d.Notes), Outcome: nullable(d.Outcome), ConcludedOn: optCivil(d.ConcludedOn), ConclusionNotes: nullable(d.ConclusionNotes),
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: d.Version}
}

func (r disputeRow) toDomain() dispute.Dispute {
	return dispute.Dispute{ID: r.ID, YoungPersonID: r.YoungPersonID, Kind: dispute.Kind(r.Kind), SubjectType: r.SubjectType, SubjectID: r.SubjectID,
		About: r.About, Sections: fromJSON[[]string](&r.Sections), BroughtBy: r.BroughtBy, ReceivedOn: toDate(r.ReceivedOn),
		DecisionLetterOn: fromOptCivil(r.DecisionLetterOn), CertificateIssuedOn: fromOptCivil(r.CertificateIssuedOn), HearingOn: fromOptCivil(r.HearingOn),
		Notes: deref(r.Notes), Outcome: deref(r.Outcome), ConcludedOn: fromOptCivil(r.ConcludedOn), ConclusionNotes: deref(r.ConclusionNotes),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// CreateDispute inserts d.
func (tx disputeRepo) Create(d dispute.Dispute) error {
	row := toDisputeRow(d)
	return translate(tx.w().Create(&row).Error)
}

// Dispute loads one dispute within scope.
func (tx disputeRepo) Get(id string, s access.Scope) (dispute.Dispute, error) {
	row, err := visibleByID[disputeRow](tx.conn, "disputes", id, s, "No such dispute.")
	if err != nil {
		return dispute.Dispute{}, err
	}
	return row.toDomain(), nil
}

// UpdateDispute writes d if d.Version-1 is still current.
func (tx disputeRepo) Update(d dispute.Dispute) error {
	row := toDisputeRow(d)
	return updateVersioned(tx.conn, &row, "disputes", d.ID, d.Version-1)
}

// Disputes lists one page within scope, newest first.
func (tx disputeRepo) List(f dispute.Filter, s access.Scope, p paging.Page) ([]dispute.Dispute, string, error) {
	q := visibleYoungPeople(tx.q().Model(&disputeRow{}), "disputes.young_person_id", s)
	if f.Kind != "" {
		q = q.Where("disputes.kind = ?", f.Kind)
	}
	if f.YoungPersonID != "" {
		q = q.Where("disputes.young_person_id = ?", f.YoungPersonID)
	}
	if f.SubjectID != "" {
		q = q.Where("disputes.subject_id = ?", f.SubjectID)
	}
	if f.Open != nil {
		if *f.Open {
			q = q.Where("disputes.outcome IS NULL")
		} else {
			q = q.Where("disputes.outcome IS NOT NULL")
		}
	}
	if f.ReceivedFrom != nil {
		q = q.Where("disputes.received_on >= ?", fromDate(*f.ReceivedFrom))
	}
	if f.ReceivedTo != nil {
		q = q.Where("disputes.received_on <= ?", fromDate(*f.ReceivedTo))
	}
	return listPage(q, "disputes", p, func(r disputeRow) string { return r.ID }, disputeRow.toDomain)
}
