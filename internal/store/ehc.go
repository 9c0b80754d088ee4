package store

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

type ehcRequestRow struct {
	ID                        string
	YoungPersonID             string
	ReferralID                *string
	MeetingID                 *string
	InYouthCustody            bool
	ReceivedOn                string
	RequestedBy               string
	Notes                     *string
	Status                    string
	RequestOutcome            string
	RequestOutcomeOn          *string
	AssessmentOutcome         *string
	AssessmentOutcomeOn       *string
	Decision                  *string
	DecidedOn                 *string
	AppealRightsNotified      *bool
	DecisionReason            *string
	Exceptions                string
	WithdrawnOn               *string
	WithdrawalReason          *string
	DecisionDueOn             string
	NoPlanNoticeDueOn         string
	FinalPlanDueOn            string
	Advice                    string
	IssueDecision             *string
	IssueDecidedOn            *string
	IssueAppealRightsNotified *bool
	IssueDecisionReason       *string
	DraftServedOn             *string
	PlanIssuedOn              *string
	DecisionRawDueOn          string
	FinalPlanRawDueOn         string
	Week20                    bool
	CreatedAt                 time.Time
	UpdatedAt                 time.Time
	Version                   int
}

func (ehcRequestRow) TableName() string { return "ehc_requests" }

// ehcException is an exception period as stored: the ground's name and civil dates.
type ehcException struct {
	Ground string `json:"ground"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// ehcAdvice is an advice request as stored.
type ehcAdvice struct {
	ID          string  `json:"id"`
	Adviser     string  `json:"adviser"`
	Provider    string  `json:"provider,omitempty"`
	RequestedOn string  `json:"requested_on"`
	ReceivedOn  *string `json:"received_on,omitempty"`
	Notes       string  `json:"notes,omitempty"`
	// PractitionerID is the adviser named (0080_ehc_advice keeps their advice).
	PractitionerID string `json:"practitioner_id,omitempty"`
}

func toEHCRequestRow(r ehc.Request) ehcRequestRow {
	exs := make([]ehcException, len(r.Exceptions))
	for i, e := range r.Exceptions {
		exs[i] = ehcException{Ground: string(e.Ground), From: fromDate(e.From), To: fromDate(e.To), Reason: e.Reason}
	}
	due := r.DueDates()
	row := ehcRequestRow{ID: r.ID, YoungPersonID: r.YoungPersonID, ReferralID: nullable(r.ReferralID), MeetingID: nullable(r.MeetingID), InYouthCustody: r.InYouthCustody,
		ReceivedOn: fromDate(r.ReceivedOn), RequestedBy: r.RequestedBy, Notes: nullable(r.Notes), Status: string(r.Status), RequestOutcome: r.RequestOutcome,
		RequestOutcomeOn: optDate(r.RequestOutcomeOn), AssessmentOutcome: nullable(r.AssessmentOutcome), AssessmentOutcomeOn: optDate(r.AssessmentOutcomeOn),
		Exceptions: toJSON(exs), DecisionDueOn: fromDate(due.DecisionToAssess), NoPlanNoticeDueOn: fromDate(due.NoPlanNotice),
		FinalPlanDueOn: fromDate(due.FinalPlan), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
		DecisionRawDueOn: fromDate(due.DecisionToAssessRaw), FinalPlanRawDueOn: fromDate(due.FinalPlanRaw), Week20: due.Week20,
		DraftServedOn: optDate(r.DraftServedOn), PlanIssuedOn: optDate(r.PlanIssuedOn)}
	advice := make([]ehcAdvice, len(r.Advice))
	for i, a := range r.Advice {
		advice[i] = ehcAdvice{ID: a.ID, Adviser: a.Adviser, Provider: a.Provider, RequestedOn: fromDate(a.RequestedOn), ReceivedOn: optDate(a.ReceivedOn), Notes: a.Notes,
			PractitionerID: a.PractitionerID}
	}
	row.Advice = toJSON(advice)
	if d := r.IssueDecision; d != nil {
		notified := d.AppealRightsNotified
		row.IssueDecision, row.IssueDecidedOn, row.IssueAppealRightsNotified, row.IssueDecisionReason = nullable(d.Decision), optDate(&d.DecidedOn), &notified, nullable(d.Reason)
	}
	if d := r.Decision; d != nil {
		notified := d.AppealRightsNotified
		row.Decision, row.DecidedOn, row.AppealRightsNotified, row.DecisionReason = nullable(d.Decision), optDate(&d.DecidedOn), &notified, nullable(d.Reason)
	}
	if w := r.Withdrawal; w != nil {
		row.WithdrawnOn, row.WithdrawalReason = optDate(&w.On), nullable(w.Reason)
	}
	return row
}

func (r ehcRequestRow) toDomain() ehc.Request {
	out := ehc.Request{ID: r.ID, YoungPersonID: r.YoungPersonID, ReferralID: deref(r.ReferralID), MeetingID: deref(r.MeetingID), InYouthCustody: r.InYouthCustody, ReceivedOn: toDate(r.ReceivedOn),
		RequestedBy: r.RequestedBy, Notes: deref(r.Notes), Status: ehc.Status(r.Status), RequestOutcome: r.RequestOutcome,
		RequestOutcomeOn: toOptDate(r.RequestOutcomeOn), AssessmentOutcome: deref(r.AssessmentOutcome), AssessmentOutcomeOn: toOptDate(r.AssessmentOutcomeOn),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	for _, e := range fromJSON[[]ehcException](&r.Exceptions) {
		out.Exceptions = append(out.Exceptions, statutory.Exception{Ground: statutory.Ground(e.Ground), From: toDate(e.From), To: toDate(e.To), Reason: e.Reason})
	}
	if r.Decision != nil {
		out.Decision = &ehc.Decision{Decision: *r.Decision, DecidedOn: toDate(deref(r.DecidedOn)), AppealRightsNotified: r.AppealRightsNotified != nil && *r.AppealRightsNotified,
			Reason: deref(r.DecisionReason)}
	}
	for _, a := range fromJSON[[]ehcAdvice](&r.Advice) {
		out.Advice = append(out.Advice, ehc.Advice{ID: a.ID, Adviser: a.Adviser, Provider: a.Provider, RequestedOn: toDate(a.RequestedOn),
			ReceivedOn: toOptDate(a.ReceivedOn), Notes: a.Notes, PractitionerID: a.PractitionerID})
	}
	if r.IssueDecision != nil {
		out.IssueDecision = &ehc.IssueDecision{Decision: *r.IssueDecision, DecidedOn: toDate(deref(r.IssueDecidedOn)),
			AppealRightsNotified: r.IssueAppealRightsNotified != nil && *r.IssueAppealRightsNotified, Reason: deref(r.IssueDecisionReason)}
	}
	out.DraftServedOn, out.PlanIssuedOn = toOptDate(r.DraftServedOn), toOptDate(r.PlanIssuedOn)
	if r.WithdrawnOn != nil {
		out.Withdrawal = &ehc.Withdrawal{On: toDate(*r.WithdrawnOn), Reason: deref(r.WithdrawalReason)}
	}
	return out
}

// CreateEHCRequest inserts r.
func (tx ehcRequestRepo) Create(r ehc.Request) error {
	row := toEHCRequestRow(r)
	return translate(tx.w().Create(&row).Error)
}

// EHCRequest loads one EHC needs assessment request within scope.
func (tx ehcRequestRepo) Get(id string, s access.Scope) (ehc.Request, error) {
	row, err := visibleByID[ehcRequestRow](tx.conn, "ehc_requests", id, s, "No such EHC needs assessment request.")
	if err != nil {
		return ehc.Request{}, err
	}
	return row.toDomain(), nil
}

// UpdateEHCRequest writes r if r.Version-1 is still current.
func (tx ehcRequestRepo) Update(r ehc.Request) error {
	row := toEHCRequestRow(r)
	return updateVersioned(tx.conn, &row, "ehc_requests", r.ID, r.Version-1)
}

// EHCRequests lists one page within scope, newest first.
func (tx ehcRequestRepo) List(f ehc.Filter, s access.Scope, p paging.Page) ([]ehc.Request, string, error) {
	q := visibleYoungPeople(tx.q().Model(&ehcRequestRow{}), "ehc_requests.young_person_id", s)
	if f.YoungPersonID != "" {
		q = q.Where("ehc_requests.young_person_id = ?", f.YoungPersonID)
	}
	if f.Status != "" {
		q = q.Where("ehc_requests.status = ?", f.Status)
	}
	if f.Overdue != nil {
		today := fromDate(f.Today)
		cond := `((ehc_requests.status = ? AND ehc_requests.decision_due_on < ?) OR
			(ehc_requests.status = ? AND (ehc_requests.no_plan_notice_due_on < ? OR ehc_requests.final_plan_due_on < ?)) OR
			(ehc_requests.status = ? AND ehc_requests.final_plan_due_on < ?))`
		args := []any{string(ehc.Received), today, string(ehc.Assessing), today, today, string(ehc.PlanDrafting), today}
		if *f.Overdue {
			q = q.Where(cond, args...)
		} else {
			q = q.Where("NOT "+cond, args...)
		}
	}
	return listPage(q, "ehc_requests", p, func(r ehcRequestRow) string { return r.ID }, ehcRequestRow.toDomain)
}
