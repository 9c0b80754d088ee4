package httpapi

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Converters for EHC needs assessment requests.

func optDatePtr(t *time.Time) *openapi_types.Date {
	if t == nil || t.IsZero() {
		return nil
	}
	d := date(*t)
	return &d
}

func toEHCDeadline(m ehc.Milestone) api.EHCDeadline {
	out := api.EHCDeadline{DueOn: date(m.DueOn), AdjustedDueOn: date(m.AdjustedDueOn), Status: api.DeadlineStatus(m.Status)}
	if !m.CompletedOn.IsZero() {
		out.CompletedOn = optDatePtr(&m.CompletedOn)
	}
	return out
}

func toEHCRequest(r ehc.Request, asOf time.Time) api.EHCNeedsAssessment {
	d := r.Deadlines(asOf)
	out := api.EHCNeedsAssessment{ID: mustUUID(r.ID), YoungPersonID: mustUUID(r.YoungPersonID), ReferralID: uuidPtr(r.ReferralID), MeetingID: uuidPtr(r.MeetingID),
		ReceivedOn: date(r.ReceivedOn), RequestedBy: api.EHCRequester(r.RequestedBy), InYouthCustody: &r.InYouthCustody, Notes: ptr(r.Notes), Status: api.EHCRequestStatus(r.Status),
		RequestOutcome: api.EHCNeedsAssessmentRequestOutcome(r.RequestOutcome), RequestOutcomeDate: optDatePtr(r.RequestOutcomeOn),
		AssessmentOutcome: ptr(api.EHCNeedsAssessmentAssessmentOutcome(r.AssessmentOutcome)), AssessmentOutcomeDate: optDatePtr(r.AssessmentOutcomeOn),
		Exceptions: make([]api.EHCException, len(r.Exceptions)),
		Deadlines: api.EHCDeadlines{DecisionToAssess: toEHCDeadline(d.DecisionToAssess), NoPlanNotice: toEHCDeadline(d.NoPlanNotice),
			DraftPlanTarget: toEHCDeadline(d.DraftPlanTarget), FinalPlan: toEHCDeadline(d.FinalPlan)},
		Week20ExceptionsApply: d.Week20, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	for i, e := range r.Exceptions {
		out.Exceptions[i] = api.EHCException{Ground: api.EHCExceptionGround(ehc.LetterOf(e.Ground)), From: date(e.From), To: date(e.To), Reason: e.Reason}
	}
	if dec := r.Decision; dec != nil {
		out.Decision = &api.EHCDecision{Decision: api.EHCDecisionDecision(dec.Decision), DecidedOn: date(dec.DecidedOn),
			AppealRightsNotified: dec.AppealRightsNotified, Reason: dec.Reason}
	}
	if w := r.Withdrawal; w != nil {
		out.Withdrawal = &api.EHCWithdrawal{WithdrawnOn: date(w.On), Reason: w.Reason}
	}
	if len(r.Advice) > 0 {
		advice := make([]api.EHCAdvice, len(r.Advice))
		for i, a := range r.Advice {
			advice[i] = api.EHCAdvice{ID: mustUUID(a.ID), Adviser: api.EHCAdviser(a.Adviser), Provider: ptr(a.Provider), Notes: ptr(a.Notes),
				RequestedOn: date(a.RequestedOn), ReceivedOn: optDatePtr(a.ReceivedOn), Deadline: toEHCDeadline(r.AdviceMilestone(a, asOf))}
			if a.PractitionerID != "" {
				id := mustUUID(a.PractitionerID)
				advice[i].AdviserPractitionerID = &id
			}
		}
		out.Advice = &advice
	}
	if d := r.IssueDecision; d != nil {
		out.IssueDecision = &api.EHCIssueDecision{Decision: api.EHCIssueDecisionDecision(d.Decision), DecidedOn: date(d.DecidedOn),
			AppealRightsNotified: d.AppealRightsNotified, Reason: d.Reason}
	}
	out.DraftServedOn, out.PlanIssuedOn = optDatePtr(r.DraftServedOn), optDatePtr(r.PlanIssuedOn)
	return out
}

// Handlers.

func (h *ehcRequestHandlers) CreateEHCNeedsAssessment(ctx context.Context, req api.CreateEHCNeedsAssessmentRequestObject) (api.CreateEHCNeedsAssessmentResponseObject, error) {
	b := req.Body
	r, err := h.svc.CreateEHCRequest(ctx, ehcrequests.EHCRequestInput{YoungPersonID: b.YoungPersonID.String(), ReferralID: uuidStr(b.ReferralID), MeetingID: uuidStr(b.MeetingID),
		RequestedBy: string(b.RequestedBy), Notes: str(b.Notes), ReceivedOn: b.ReceivedOn.Time, InYouthCustody: ptrVal(b.InYouthCustody)})
	if err != nil {
		return nil, err
	}
	return api.CreateEHCNeedsAssessment201JSONResponse{Body: toEHCRequest(r, h.s.today()), Headers: api.CreateEHCNeedsAssessment201ResponseHeaders{
		Location: location("/v1/ehc-needs-assessments", r.ID), ETag: etag(r.Version)}}, nil
}

func (h *ehcRequestHandlers) ListEHCNeedsAssessments(ctx context.Context, req api.ListEHCNeedsAssessmentsRequestObject) (api.ListEHCNeedsAssessmentsResponseObject, error) {
	q := req.Params
	f := ehc.Filter{YoungPersonID: uuidStr(q.YoungPersonID), Status: string(ptrVal(q.Status)), Overdue: q.Overdue}
	items, next, err := h.svc.EHCRequests(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	asOf := h.s.today()
	out := api.ListEHCNeedsAssessments200JSONResponse{Items: make([]api.EHCNeedsAssessment, len(items)), NextCursor: nextCursor(next)}
	for i, r := range items {
		out.Items[i] = toEHCRequest(r, asOf)
	}
	return out, nil
}

func (h *ehcRequestHandlers) GetEHCNeedsAssessment(ctx context.Context, req api.GetEHCNeedsAssessmentRequestObject) (api.GetEHCNeedsAssessmentResponseObject, error) {
	r, err := h.svc.EHCRequest(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetEHCNeedsAssessment200JSONResponse{Body: toEHCRequest(r, h.s.today()), Headers: api.GetEHCNeedsAssessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *ehcRequestHandlers) DecideEHCNeedsAssessment(ctx context.Context, req api.DecideEHCNeedsAssessmentRequestObject) (api.DecideEHCNeedsAssessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.svc.DecideEHCRequest(ctx, req.ID.String(), ifMatch, ehc.Decision{Decision: string(b.Decision), DecidedOn: b.DecidedOn.Time,
		AppealRightsNotified: ptrVal(b.AppealRightsNotified), Reason: b.Reason})
	if err != nil {
		return nil, err
	}
	return api.DecideEHCNeedsAssessment200JSONResponse{Body: toEHCRequest(r, h.s.today()), Headers: api.DecideEHCNeedsAssessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *ehcRequestHandlers) AddEHCNeedsAssessmentException(ctx context.Context, req api.AddEHCNeedsAssessmentExceptionRequestObject) (api.AddEHCNeedsAssessmentExceptionResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	g, _ := ehc.GroundOf(string(b.Ground)) // the contract admits a to d only; anything else is refused by the domain
	r, err := h.svc.AddEHCException(ctx, req.ID.String(), ifMatch, statutory.Exception{Ground: g, From: b.From.Time, To: b.To.Time, Reason: b.Reason})
	if err != nil {
		return nil, err
	}
	return api.AddEHCNeedsAssessmentException200JSONResponse{Body: toEHCRequest(r, h.s.today()),
		Headers: api.AddEHCNeedsAssessmentException200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *ehcRequestHandlers) WithdrawEHCNeedsAssessment(ctx context.Context, req api.WithdrawEHCNeedsAssessmentRequestObject) (api.WithdrawEHCNeedsAssessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	var on time.Time
	if b.WithdrawnOn != nil {
		on = b.WithdrawnOn.Time
	}
	r, err := h.svc.WithdrawEHCRequest(ctx, req.ID.String(), ifMatch, on, b.Reason)
	if err != nil {
		return nil, err
	}
	return api.WithdrawEHCNeedsAssessment200JSONResponse{Body: toEHCRequest(r, h.s.today()),
		Headers: api.WithdrawEHCNeedsAssessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *ehcRequestHandlers) RequestEHCAdvice(ctx context.Context, req api.RequestEHCAdviceRequestObject) (api.RequestEHCAdviceResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.svc.RequestEHCAdvice(ctx, req.ID.String(), ifMatch, ehc.Advice{Adviser: string(b.Adviser), Provider: str(b.Provider),
		RequestedOn: b.RequestedOn.Time, Notes: str(b.Notes), PractitionerID: uuidStr(b.AdviserPractitionerID)})
	if err != nil {
		return nil, err
	}
	return api.RequestEHCAdvice200JSONResponse{Body: toEHCRequest(r, h.s.today()), Headers: api.RequestEHCAdvice200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *ehcRequestHandlers) ReceiveEHCAdvice(ctx context.Context, req api.ReceiveEHCAdviceRequestObject) (api.ReceiveEHCAdviceResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.ReceiveEHCAdvice(ctx, req.ID.String(), req.AdviceID.String(), ifMatch, req.Body.ReceivedOn.Time)
	if err != nil {
		return nil, err
	}
	return api.ReceiveEHCAdvice200JSONResponse{Body: toEHCRequest(r, h.s.today()), Headers: api.ReceiveEHCAdvice200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *ehcRequestHandlers) DecideEHCPlanIssue(ctx context.Context, req api.DecideEHCPlanIssueRequestObject) (api.DecideEHCPlanIssueResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.svc.DecideEHCIssue(ctx, req.ID.String(), ifMatch, ehc.IssueDecision{Decision: string(b.Decision), DecidedOn: b.DecidedOn.Time,
		AppealRightsNotified: ptrVal(b.AppealRightsNotified), Reason: b.Reason})
	if err != nil {
		return nil, err
	}
	return api.DecideEHCPlanIssue200JSONResponse{Body: toEHCRequest(r, h.s.today()), Headers: api.DecideEHCPlanIssue200ResponseHeaders{ETag: etag(r.Version)}}, nil
}
