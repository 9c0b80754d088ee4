package httpapi

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/reassessments"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/reassessment"
	"github.com/oneplan-send/oneplan/internal/statutory"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

type reassessmentHandlers struct {
	s   *Server
	svc *reassessments.Service
}

// optDay is a date for the contract, nil when zero.
func optDay(t time.Time) *openapi_types.Date {
	if t.IsZero() {
		return nil
	}
	return &openapi_types.Date{Time: t}
}

// toReassessment shows a re-assessment with the deadlines the statutory calendar gives it.
func toReassessment(r reassessment.Reassessment) api.Reassessment {
	d := r.Deadlines()
	out := api.Reassessment{ID: mustUUID(r.ID), PlanID: mustUUID(r.PlanID), YoungPersonID: mustUUID(r.YoungPersonID),
		Route: api.ReassessmentRoute(r.Route), ReceivedOn: optDatePtr(r.ReceivedOn), OwnMotionDecidedOn: optDatePtr(r.OwnMotionOn),
		Status: api.ReassessmentStatus(r.Status), Exceptions: make([]api.EHCException, len(r.Exceptions)), Notes: ptr(r.Notes),
		Deadlines: api.ReassessmentDeadlines{DecisionDueOn: optDay(d.DecisionDue), StartedOn: optDay(d.Started), FinalPlanDueOn: optDay(d.FinalPlan),
			FinalPlanAdjustedDueOn: optDay(d.FinalPlanAdjusted), FinalPlanIfNotifiedOnTime: optDay(d.FinalPlanIfNotifiedOnTime)},
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if r.RequestedBy != "" {
		out.RequestedBy = ptr(api.ReassessmentRequestedBy(r.RequestedBy))
	}
	for i, e := range r.Exceptions {
		out.Exceptions[i] = api.EHCException{Ground: api.EHCExceptionGround(ehc.LetterOf(e.Ground)), From: date(e.From), To: date(e.To), Reason: e.Reason}
	}
	if dec := r.Decision; dec != nil {
		out.Decision = &struct {
			Decision   api.ReassessmentDecisionDecision `json:"decision"`
			Late       bool                             `json:"late"`
			NotifiedOn openapi_types.Date               `json:"notified_on"`
			Reasons    *string                          `json:"reasons,omitempty"`
		}{Decision: api.ReassessmentDecisionDecision(dec.Decision), Late: r.DecisionLate(), NotifiedOn: date(dec.NotifiedOn), Reasons: ptr(dec.Reasons)}
	}
	if c := r.Completion; c != nil {
		out.Completion = &struct {
			CompletedOn openapi_types.Date `json:"completed_on"`
			Late        bool               `json:"late"`
			PlanVersion int                `json:"plan_version"`
		}{CompletedOn: date(c.CompletedOn), Late: r.CompletionLate(), PlanVersion: c.PlanVersion}
	}
	return out
}

func (h *reassessmentHandlers) StartReassessment(ctx context.Context, req api.StartReassessmentRequestObject) (api.StartReassessmentResponseObject, error) {
	b := req.Body
	in := reassessment.Input{Route: string(b.Route), Notes: str(b.Notes)}
	if b.RequestedBy != nil {
		in.RequestedBy = string(*b.RequestedBy)
	}
	if b.ReceivedOn != nil {
		in.ReceivedOn = b.ReceivedOn.Time
	}
	if b.DecidedOn != nil {
		in.DecidedOn = b.DecidedOn.Time
	}
	r, err := h.svc.Start(ctx, req.ID.String(), in)
	if err != nil {
		return nil, err
	}
	return api.StartReassessment201JSONResponse{Body: toReassessment(r), Headers: api.StartReassessment201ResponseHeaders{
		Location: location("/v1/reassessments", r.ID), ETag: etag(r.Version)}}, nil
}

func (h *reassessmentHandlers) ListReassessments(ctx context.Context, req api.ListReassessmentsRequestObject) (api.ListReassessmentsResponseObject, error) {
	var f reassessment.Filter
	if req.Params.Status != nil {
		f.Status = reassessment.Status(*req.Params.Status)
	}
	rs, next, err := h.svc.Reassessments(ctx, req.ID.String(), f, page(req.Params.Limit, req.Params.Cursor, req.Params.UpdatedSince))
	if err != nil {
		return nil, err
	}
	items := make([]api.Reassessment, len(rs))
	for i, r := range rs {
		items[i] = toReassessment(r)
	}
	return api.ListReassessments200JSONResponse{Items: items, NextCursor: nextCursor(next)}, nil
}

func (h *reassessmentHandlers) GetReassessment(ctx context.Context, req api.GetReassessmentRequestObject) (api.GetReassessmentResponseObject, error) {
	r, err := h.svc.Reassessment(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetReassessment200JSONResponse{Body: toReassessment(r), Headers: api.GetReassessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *reassessmentHandlers) DecideReassessment(ctx context.Context, req api.DecideReassessmentRequestObject) (api.DecideReassessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.svc.Decide(ctx, req.ID.String(), ifMatch, string(b.Decision), str(b.Reasons), b.NotifiedOn.Time)
	if err != nil {
		return nil, err
	}
	return api.DecideReassessment200JSONResponse{Body: toReassessment(r), Headers: api.DecideReassessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *reassessmentHandlers) AddReassessmentException(ctx context.Context, req api.AddReassessmentExceptionRequestObject) (api.AddReassessmentExceptionResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	g, _ := ehc.GroundOf(string(b.Ground)) // the contract admits a to d only; anything else is refused by the domain
	r, err := h.svc.AddException(ctx, req.ID.String(), ifMatch, statutory.Exception{Ground: g, From: b.From.Time, To: b.To.Time, Reason: b.Reason})
	if err != nil {
		return nil, err
	}
	return api.AddReassessmentException200JSONResponse{Body: toReassessment(r), Headers: api.AddReassessmentException200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *reassessmentHandlers) CompleteReassessment(ctx context.Context, req api.CompleteReassessmentRequestObject) (api.CompleteReassessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.Complete(ctx, req.ID.String(), ifMatch, req.Body.CompletedOn.Time, req.Body.PlanVersion)
	if err != nil {
		return nil, err
	}
	return api.CompleteReassessment200JSONResponse{Body: toReassessment(r), Headers: api.CompleteReassessment200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *planHandlers) RecordEHCPlanTransferIn(ctx context.Context, req api.RecordEHCPlanTransferInRequestObject) (api.RecordEHCPlanTransferInResponseObject, error) {
	b := req.Body
	t := ehcplan.TransferIn{FromLA: b.FromLA, MovedOn: b.MovedOn.Time, AwareOn: b.OldAuthorityAwareOn.Time, TransferredOn: b.TransferredOn.Time,
		MadeOn: b.MadeOn.Time, LastReviewedOn: fromOptDate(b.LastReviewedOn), FamilyNotifiedOn: fromOptDate(b.FamilyNotifiedOn)}
	body, tag, err := h.planAction(req.Params.IfMatch, func(ifMatch *int) (ehcplan.Plan, error) {
		return h.svc.RecordEHCPlanTransferIn(ctx, req.ID.String(), ifMatch, t)
	})
	if err != nil {
		return nil, err
	}
	return api.RecordEHCPlanTransferIn200JSONResponse{Body: body, Headers: api.RecordEHCPlanTransferIn200ResponseHeaders{ETag: tag}}, nil
}

// toTransferIn shows a plan's transfer in with the dates the statutory calendar gives it.
func toTransferIn(t *ehcplan.TransferIn) *api.EHCPlanTransferIn {
	if t == nil {
		return nil
	}
	d := t.Deadlines()
	due, onMoveDay := t.OldAuthorityDue()
	return &api.EHCPlanTransferIn{FromLA: t.FromLA, MovedOn: date(t.MovedOn), OldAuthorityAwareOn: date(t.AwareOn), OldAuthorityDueOn: date(due),
		TransferredOnMoveDayDue: onMoveDay, TransferredOn: date(t.TransferredOn), MadeOn: date(t.MadeOn), LastReviewedOn: optDatePtr(t.LastReviewedOn),
		FamilyNotifiedOn: optDatePtr(t.FamilyNotifiedOn), NotifyFamilyBy: date(d.NotifyFamilyBy), ReviewBy: date(d.ReviewBy)}
}
