package store

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

type annualReviewRow struct {
	ID                   string
	PlanID               string
	YoungPersonID        string
	Sequence             int
	Status               string
	DueOn                string
	MeetingOn            *string
	PapersSentOn         *string
	Attendees            string
	ChildViews           *string
	ParentViews          *string
	PfAFocus             string `gorm:"column:pfa_focus"`
	Recommendation       *string
	ReportSentOn         *string
	ReportDueOn          *string
	Decision             *string
	DecidedOn            *string
	DecisionDueOn        *string
	AppealRightsNotified *bool
	DecisionReason       *string
	CreatedAt            time.Time
	UpdatedAt            time.Time
	Version              int
}

func (annualReviewRow) TableName() string { return "annual_reviews" }

type attendeeJSON struct {
	Role           string `json:"role"`
	OrganisationID string `json:"organisation_id,omitempty"`
	Name           string `json:"name,omitempty"`
}

func toAnnualReviewRow(r annualreview.Review) annualReviewRow {
	row := annualReviewRow{ID: r.ID, PlanID: r.PlanID, YoungPersonID: r.YoungPersonID, Sequence: r.Sequence, Status: string(r.Status),
		DueOn: fromDate(r.DueOn), Attendees: "[]", PfAFocus: "[]", CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if m := r.Meeting; m != nil {
		md := statutory.ReviewMeeting(m.On)
		att := make([]attendeeJSON, len(m.Attendees))
		for i, a := range m.Attendees {
			att[i] = attendeeJSON(a)
		}
		focus := m.PfAFocus
		if focus == nil {
			focus = []string{}
		}
		row.MeetingOn, row.PapersSentOn, row.Attendees, row.ChildViews, row.ParentViews = optDate(&m.On), optDate(m.PapersSentOn), toJSON(att),
			nullable(m.ChildViews), nullable(m.ParentViews)
		row.PfAFocus, row.Recommendation, row.ReportSentOn = toJSON(focus), nullable(m.Recommendation), optDate(m.ReportSentOn)
		row.ReportDueOn, row.DecisionDueOn = optDate(&md.ReportBy), optDate(&md.DecisionBy)
	}
	if d := r.Decision; d != nil {
		notified := d.AppealRightsNotified
		row.Decision, row.DecidedOn, row.AppealRightsNotified, row.DecisionReason = nullable(d.Decision), optDate(&d.DecidedOn), &notified, nullable(d.Reason)
	}
	return row
}

func (r annualReviewRow) toDomain() annualreview.Review {
	out := annualreview.Review{ID: r.ID, PlanID: r.PlanID, YoungPersonID: r.YoungPersonID, Sequence: r.Sequence, Status: annualreview.Status(r.Status),
		DueOn: toDate(r.DueOn), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.MeetingOn != nil {
		m := &annualreview.Meeting{On: toDate(*r.MeetingOn), PapersSentOn: toOptDate(r.PapersSentOn), ChildViews: deref(r.ChildViews),
			ParentViews: deref(r.ParentViews), PfAFocus: fromJSON[[]string](&r.PfAFocus), Recommendation: deref(r.Recommendation),
			ReportSentOn: toOptDate(r.ReportSentOn)}
		for _, a := range fromJSON[[]attendeeJSON](&r.Attendees) {
			m.Attendees = append(m.Attendees, annualreview.Attendee(a))
		}
		out.Meeting = m
	}
	if r.Decision != nil {
		out.Decision = &annualreview.Decision{Decision: *r.Decision, DecidedOn: toDate(deref(r.DecidedOn)),
			AppealRightsNotified: r.AppealRightsNotified != nil && *r.AppealRightsNotified, Reason: deref(r.DecisionReason)}
	}
	return out
}

// CreateAnnualReview inserts r.
func (tx reviewRepo) Create(r annualreview.Review) error {
	row := toAnnualReviewRow(r)
	return translate(tx.w().Create(&row).Error)
}

// AnnualReview loads one review within scope.
func (tx reviewRepo) Get(id string, s access.Scope) (annualreview.Review, error) {
	row, err := visibleByID[annualReviewRow](tx.conn, "annual_reviews", id, s, "No such annual review.")
	if err != nil {
		return annualreview.Review{}, err
	}
	return row.toDomain(), nil
}

// UpdateAnnualReview writes r if r.Version-1 is still current.
func (tx reviewRepo) Update(r annualreview.Review) error {
	row := toAnnualReviewRow(r)
	return updateVersioned(tx.conn, &row, "annual_reviews", r.ID, r.Version-1)
}

// PendingAnnualReviews returns a plan's reviews not yet decided or cancelled.
func (tx reviewRepo) Pending(planID string) ([]annualreview.Review, error) {
	var rows []annualReviewRow
	if err := tx.q().Where("plan_id = ? AND status IN ?", planID, []string{string(annualreview.Due), string(annualreview.Held)}).
		Order("sequence").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]annualreview.Review, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// AnnualReviews lists one page within scope.
func (tx reviewRepo) List(f annualreview.Filter, s access.Scope, p paging.Page) ([]annualreview.Review, string, error) {
	q := visibleYoungPeople(tx.q().Model(&annualReviewRow{}), "annual_reviews.young_person_id", s)
	if f.PlanID != "" {
		q = q.Where("annual_reviews.plan_id = ?", f.PlanID)
	}
	if f.YoungPersonID != "" {
		q = q.Where("annual_reviews.young_person_id = ?", f.YoungPersonID)
	}
	if f.Status != "" {
		q = q.Where("annual_reviews.status = ?", f.Status)
	}
	if !f.DueBefore.IsZero() {
		q = q.Where("annual_reviews.status = ? AND annual_reviews.due_on <= ?", string(annualreview.Due), fromDate(f.DueBefore))
	}
	if f.Overdue != nil {
		today := fromDate(f.Today)
		cond := `((annual_reviews.status = ? AND annual_reviews.due_on < ?) OR
			(annual_reviews.status = ? AND (annual_reviews.decision_due_on < ? OR
				(annual_reviews.report_sent_on IS NULL AND annual_reviews.report_due_on < ?))) OR
			(annual_reviews.status = ? AND annual_reviews.report_sent_on IS NULL AND annual_reviews.report_due_on < ?))`
		args := []any{string(annualreview.Due), today, string(annualreview.Held), today, today, string(annualreview.Decided), today}
		if *f.Overdue {
			q = q.Where(cond, args...)
		} else {
			q = q.Where("NOT "+cond, args...)
		}
	}
	return listPage(q, "annual_reviews", p, func(r annualReviewRow) string { return r.ID }, annualReviewRow.toDomain)
}
