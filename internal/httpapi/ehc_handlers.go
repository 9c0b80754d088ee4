package httpapi

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/store"
)

// Converters for EHC needs assessment requests.

func optDatePtr(t *time.Time) *openapi_types.Date {
	if t == nil || t.IsZero() {
		return nil
	}
	d := date(*t)
	return &d
}

func toEHCDeadline(m ehc.Milestone) api.EhcDeadline {
	out := api.EhcDeadline{DueOn: date(m.DueOn), AdjustedDueOn: date(m.AdjustedDueOn), Status: api.DeadlineStatus(m.Status)}
	if !m.CompletedOn.IsZero() {
		out.CompletedOn = optDatePtr(&m.CompletedOn)
	}
	return out
}

func toEHCRequest(r ehc.Request, asOf time.Time) api.EhcNeedsAssessment {
	d := r.Deadlines(asOf)
	out := api.EhcNeedsAssessment{Id: mustUUID(r.ID), YoungPersonId: mustUUID(r.YoungPersonID), ReferralId: uuidPtr(r.ReferralID), MeetingId: uuidPtr(r.MeetingID),
		ReceivedOn: date(r.ReceivedOn), RequestedBy: api.EhcRequester(r.RequestedBy), InYouthCustody: &r.InYouthCustody, Notes: ptr(r.Notes), Status: api.EhcRequestStatus(r.Status),
		RequestOutcome: api.EhcNeedsAssessmentRequestOutcome(r.RequestOutcome), RequestOutcomeDate: optDatePtr(r.RequestOutcomeOn),
		AssessmentOutcome: ptr(api.EhcNeedsAssessmentAssessmentOutcome(r.AssessmentOutcome)), AssessmentOutcomeDate: optDatePtr(r.AssessmentOutcomeOn),
		Exceptions: make([]api.EhcException, len(r.Exceptions)),
		Deadlines: api.EhcDeadlines{DecisionToAssess: toEHCDeadline(d.DecisionToAssess), NoPlanNotice: toEHCDeadline(d.NoPlanNotice),
			DraftPlanTarget: toEHCDeadline(d.DraftPlanTarget), FinalPlan: toEHCDeadline(d.FinalPlan)},
		Week20ExceptionsApply: d.Week20, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	for i, e := range r.Exceptions {
		out.Exceptions[i] = api.EhcException{Ground: api.EhcExceptionGround(ehc.LetterOf(e.Ground)), From: date(e.From), To: date(e.To), Reason: e.Reason}
	}
	if dec := r.Decision; dec != nil {
		out.Decision = &api.EhcDecision{Decision: api.EhcDecisionDecision(dec.Decision), DecidedOn: date(dec.DecidedOn),
			AppealRightsNotified: dec.AppealRightsNotified, Reason: dec.Reason}
	}
	if w := r.Withdrawal; w != nil {
		out.Withdrawal = &api.EhcWithdrawal{WithdrawnOn: date(w.On), Reason: w.Reason}
	}
	if len(r.Advice) > 0 {
		advice := make([]api.EhcAdvice, len(r.Advice))
		for i, a := range r.Advice {
			advice[i] = api.EhcAdvice{Id: mustUUID(a.ID), Adviser: api.EhcAdviser(a.Adviser), Provider: ptr(a.Provider), Notes: ptr(a.Notes),
				RequestedOn: date(a.RequestedOn), ReceivedOn: optDatePtr(a.ReceivedOn), Deadline: toEHCDeadline(r.AdviceMilestone(a, asOf))}
		}
		out.Advice = &advice
	}
	if d := r.IssueDecision; d != nil {
		out.IssueDecision = &api.EhcIssueDecision{Decision: api.EhcIssueDecisionDecision(d.Decision), DecidedOn: date(d.DecidedOn),
			AppealRightsNotified: d.AppealRightsNotified, Reason: d.Reason}
	}
	out.DraftServedOn, out.PlanIssuedOn = optDatePtr(r.DraftServedOn), optDatePtr(r.PlanIssuedOn)
	return out
}

// Handlers.

func (h *handlers) CreateEhcNeedsAssessment(ctx context.Context, req api.CreateEhcNeedsAssessmentRequestObject) (api.CreateEhcNeedsAssessmentResponseObject, error) {
	b := req.Body
	r, err := h.s.svc.CreateEHCRequest(ctx, casework.EHCRequestInput{YoungPersonID: b.YoungPersonId.String(), ReferralID: uuidStr(b.ReferralId), MeetingID: uuidStr(b.MeetingId),
		RequestedBy: string(b.RequestedBy), Notes: str(b.Notes), ReceivedOn: b.ReceivedOn.Time, InYouthCustody: ptrVal(b.InYouthCustody)})
	if err != nil {
		return nil, err
	}
	return api.CreateEhcNeedsAssessment201JSONResponse{Body: toEHCRequest(r, today()), Headers: api.CreateEhcNeedsAssessment201ResponseHeaders{
		Location: location("/v1/ehc-needs-assessments", r.ID), ETag: etag(r.Version)}}, nil
}

func (h *handlers) ListEhcNeedsAssessments(ctx context.Context, req api.ListEhcNeedsAssessmentsRequestObject) (api.ListEhcNeedsAssessmentsResponseObject, error) {
	q := req.Params
	f := store.EHCRequestFilter{YoungPersonID: uuidStr(q.YoungPersonId), Status: string(ptrVal(q.Status)), Overdue: q.Overdue}
	items, next, err := h.s.svc.EHCRequests(ctx, f, page(q.Limit, q.Cursor))
	if err != nil {
		return nil, err
	}
	asOf := today()
	out := api.ListEhcNeedsAssessments200JSONResponse{Items: make([]api.EhcNeedsAssessment, len(items)), NextCursor: nextCursor(next)}
	for i, r := range items {
		out.Items[i] = toEHCRequest(r, asOf)
	}
	return out, nil
}

func (h *handlers) GetEhcNeedsAssessment(ctx context.Context, req api.GetEhcNeedsAssessmentRequestObject) (api.GetEhcNeedsAssessmentResponseObject, error) {
	r, err := h.s.svc.EHCRequest(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.GetEhcNeedsAssessment200JSONResponse{Body: toEHCRequest(r, today()), Headers: api.GetEhcNeedsAssessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) DecideEhcNeedsAssessment(ctx context.Context, req api.DecideEhcNeedsAssessmentRequestObject) (api.DecideEhcNeedsAssessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.s.svc.DecideEHCRequest(ctx, req.Id.String(), ifMatch, ehc.Decision{Decision: string(b.Decision), DecidedOn: b.DecidedOn.Time,
		AppealRightsNotified: ptrVal(b.AppealRightsNotified), Reason: b.Reason})
	if err != nil {
		return nil, err
	}
	return api.DecideEhcNeedsAssessment200JSONResponse{Body: toEHCRequest(r, today()), Headers: api.DecideEhcNeedsAssessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) AddEhcNeedsAssessmentException(ctx context.Context, req api.AddEhcNeedsAssessmentExceptionRequestObject) (api.AddEhcNeedsAssessmentExceptionResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	g, _ := ehc.GroundOf(string(b.Ground)) // the contract admits a to d only; anything else is refused by the domain
	r, err := h.s.svc.AddEHCException(ctx, req.Id.String(), ifMatch, statutory.Exception{Ground: g, From: b.From.Time, To: b.To.Time, Reason: b.Reason})
	if err != nil {
		return nil, err
	}
	return api.AddEhcNeedsAssessmentException200JSONResponse{Body: toEHCRequest(r, today()),
		Headers: api.AddEhcNeedsAssessmentException200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) WithdrawEhcNeedsAssessment(ctx context.Context, req api.WithdrawEhcNeedsAssessmentRequestObject) (api.WithdrawEhcNeedsAssessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	var on time.Time
	if b.WithdrawnOn != nil {
		on = b.WithdrawnOn.Time
	}
	r, err := h.s.svc.WithdrawEHCRequest(ctx, req.Id.String(), ifMatch, on, b.Reason)
	if err != nil {
		return nil, err
	}
	return api.WithdrawEhcNeedsAssessment200JSONResponse{Body: toEHCRequest(r, today()),
		Headers: api.WithdrawEhcNeedsAssessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) RequestEhcAdvice(ctx context.Context, req api.RequestEhcAdviceRequestObject) (api.RequestEhcAdviceResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.s.svc.RequestEHCAdvice(ctx, req.Id.String(), ifMatch, ehc.Advice{Adviser: string(b.Adviser), Provider: str(b.Provider),
		RequestedOn: b.RequestedOn.Time, Notes: str(b.Notes)})
	if err != nil {
		return nil, err
	}
	return api.RequestEhcAdvice200JSONResponse{Body: toEHCRequest(r, today()), Headers: api.RequestEhcAdvice200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) ReceiveEhcAdvice(ctx context.Context, req api.ReceiveEhcAdviceRequestObject) (api.ReceiveEhcAdviceResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.s.svc.ReceiveEHCAdvice(ctx, req.Id.String(), req.AdviceId.String(), ifMatch, req.Body.ReceivedOn.Time)
	if err != nil {
		return nil, err
	}
	return api.ReceiveEhcAdvice200JSONResponse{Body: toEHCRequest(r, today()), Headers: api.ReceiveEhcAdvice200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) DecideEhcPlanIssue(ctx context.Context, req api.DecideEhcPlanIssueRequestObject) (api.DecideEhcPlanIssueResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.s.svc.DecideEHCIssue(ctx, req.Id.String(), ifMatch, ehc.IssueDecision{Decision: string(b.Decision), DecidedOn: b.DecidedOn.Time,
		AppealRightsNotified: ptrVal(b.AppealRightsNotified), Reason: b.Reason})
	if err != nil {
		return nil, err
	}
	return api.DecideEhcPlanIssue200JSONResponse{Body: toEHCRequest(r, today()), Headers: api.DecideEhcPlanIssue200ResponseHeaders{ETag: etag(r.Version)}}, nil
}
