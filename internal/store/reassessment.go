package store

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/reassessment"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

type reassessmentRepo struct{ conn }

// Reassessments is the repository that keeps re-assessments of EHC plans.
func (tx *Tx) Reassessments() reassessment.Repository { return reassessmentRepo{tx.conn} }

type reassessmentRow struct {
	ID                   string
	PlanID               string
	YoungPersonID        string
	Route                string
	RequestedBy          *string
	ReceivedOn           *string
	OwnMotionOn          *string
	Status               string
	Decision             *string
	DecisionReasons      *string
	NotifiedOn           *string
	Exceptions           string
	CompletedOn          *string
	CompletedPlanVersion *int
	Notes                *string
	CreatedAt            time.Time
	UpdatedAt            time.Time
	Version              int
}

func (reassessmentRow) TableName() string { return "reassessments" }

func toReassessmentRow(r reassessment.Reassessment) reassessmentRow {
	exs := make([]ehcException, len(r.Exceptions))
	for i, e := range r.Exceptions {
		exs[i] = ehcException{Ground: string(e.Ground), From: fromDate(e.From), To: fromDate(e.To), Reason: e.Reason}
	}
	row := reassessmentRow{ID: r.ID, PlanID: r.PlanID, YoungPersonID: r.YoungPersonID, Route: r.Route, RequestedBy: nullable(r.RequestedBy),
		ReceivedOn: optDate(r.ReceivedOn), OwnMotionOn: optDate(r.OwnMotionOn), Status: string(r.Status), Exceptions: toJSON(exs),
		Notes: nullable(r.Notes), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if d := r.Decision; d != nil {
		row.Decision, row.DecisionReasons, row.NotifiedOn = nullable(d.Decision), nullable(d.Reasons), optDate(&d.NotifiedOn)
	}
	if c := r.Completion; c != nil {
		n := c.PlanVersion
		row.CompletedOn, row.CompletedPlanVersion = optDate(&c.CompletedOn), &n
	}
	return row
}

func (r reassessmentRow) toDomain() reassessment.Reassessment {
	out := reassessment.Reassessment{ID: r.ID, PlanID: r.PlanID, YoungPersonID: r.YoungPersonID, Route: r.Route, RequestedBy: deref(r.RequestedBy),
		ReceivedOn: toOptDate(r.ReceivedOn), OwnMotionOn: toOptDate(r.OwnMotionOn), Status: reassessment.Status(r.Status), Notes: deref(r.Notes),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	for _, e := range fromJSON[[]ehcException](&r.Exceptions) {
		out.Exceptions = append(out.Exceptions, statutory.Exception{Ground: statutory.Ground(e.Ground), From: toDate(e.From), To: toDate(e.To), Reason: e.Reason})
	}
	if r.Decision != nil {
		out.Decision = &reassessment.Decision{Decision: *r.Decision, Reasons: deref(r.DecisionReasons), NotifiedOn: toDate(deref(r.NotifiedOn))}
	}
	if r.CompletedOn != nil && r.CompletedPlanVersion != nil {
		out.Completion = &reassessment.Completion{CompletedOn: toDate(*r.CompletedOn), PlanVersion: *r.CompletedPlanVersion}
	}
	return out
}

// Create inserts r.
func (tx reassessmentRepo) Create(r reassessment.Reassessment) error {
	row := toReassessmentRow(r)
	return translate(tx.w().Create(&row).Error)
}

// Get reads one re-assessment of a young person within scope.
func (tx reassessmentRepo) Get(id string, s access.Scope) (reassessment.Reassessment, error) {
	row, err := visibleByID[reassessmentRow](tx.conn, "reassessments", id, s, "No such re-assessment.")
	if err != nil {
		return reassessment.Reassessment{}, err
	}
	return row.toDomain(), nil
}

// Update writes r if it is still at the version before r.Version.
func (tx reassessmentRepo) Update(r reassessment.Reassessment) error {
	row := toReassessmentRow(r)
	return updateVersioned(tx.conn, &row, "reassessments", r.ID, r.Version-1)
}

// List reads one page within scope, newest first.
func (tx reassessmentRepo) List(f reassessment.Filter, s access.Scope, p paging.Page) ([]reassessment.Reassessment, string, error) {
	q := visibleYoungPeople(tx.q().Model(&reassessmentRow{}), "reassessments.young_person_id", s)
	if f.PlanID != "" {
		q = q.Where("reassessments.plan_id = ?", f.PlanID)
	}
	if f.YoungPersonID != "" {
		q = q.Where("reassessments.young_person_id = ?", f.YoungPersonID)
	}
	if f.Status != "" {
		q = q.Where("reassessments.status = ?", string(f.Status))
	}
	if f.Open {
		q = q.Where("reassessments.status IN ?", []string{string(reassessment.Requested), string(reassessment.Reassessing)})
	}
	return listPage(q, "reassessments", p, func(r reassessmentRow) string { return r.ID }, reassessmentRow.toDomain)
}
