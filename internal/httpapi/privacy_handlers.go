package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/casework/advicerequests"
	"github.com/oneplan-send/oneplan/internal/casework/privacy"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

func (h *privacyHandlers) ListAuditEvents(ctx context.Context, req api.ListAuditEventsRequestObject) (api.ListAuditEventsResponseObject, error) {
	q := req.Params
	f := audit.Filter{RecordType: string(ptrVal(q.RecordType)), RecordID: uuidStr(q.RecordID), YoungPersonID: uuidStr(q.YoungPersonID),
		Action: string(ptrVal(q.Action)), ActorKeyID: uuidStr(q.APIKeyID), ActorOrgID: uuidStr(q.OrganisationID), RequestID: str(q.RequestID),
		OccurredAfter: q.OccurredAfter, OccurredBefore: q.OccurredBefore}
	items, next, err := h.svc.AuditEvents(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListAuditEvents200JSONResponse{Items: make([]api.AuditEvent, len(items)), NextCursor: nextCursor(next)}
	for i, e := range items {
		out.Items[i] = toAuditEvent(e)
	}
	return out, nil
}

func (h *privacyHandlers) GetAccessLog(ctx context.Context, req api.GetAccessLogRequestObject) (api.GetAccessLogResponseObject, error) {
	items, next, err := h.svc.AccessLog(ctx, req.ID.String(), page(req.Params.Limit, req.Params.Cursor, nil))
	if err != nil {
		return nil, err
	}
	out := api.GetAccessLog200JSONResponse{Items: make([]api.AuditEvent, len(items)), NextCursor: nextCursor(next)}
	for i, e := range items {
		out.Items[i] = toAuditEvent(e)
	}
	return out, nil
}

func (h *privacyHandlers) ExportYoungPerson(ctx context.Context, req api.ExportYoungPersonRequestObject) (api.ExportYoungPersonResponseObject, error) {
	x, err := h.svc.ExportYoungPerson(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	out := toExport(x)
	exportTransformingCare(x, &out, h.s.app.TransformingCare.Policy(), h.s.today())
	return api.ExportYoungPerson200JSONResponse(out), nil
}

// toExport shows the export with statuses as of the day it was made.
func toExport(x privacy.Export) api.SubjectAccessExport {
	d := statutory.Civil(x.ExportedAt)
	out := api.SubjectAccessExport{ExportedAt: x.ExportedAt, YoungPerson: toYoungPerson(x.YoungPerson, d),
		Referrals: make([]api.Referral, len(x.Referrals)), Involvements: make([]api.Involvement, len(x.Involvements)),
		Allocations: make([]api.Allocation, len(x.Allocations)), FamilyAssessments: make([]api.FamilyAssessment, len(x.Assessments)),
		Meetings: make([]api.Meeting, len(x.Meetings)), PathwayFeedback: make([]api.PathwayFeedback, len(x.Feedback)),
		EHCNeedsAssessments: make([]api.EHCNeedsAssessment, len(x.EHCRequests)),
		EHCPlans:            make([]api.EHCPlan, len(x.EHCPlans)), AnnualReviews: make([]api.AnnualReview, len(x.Reviews)),
		Consents: make([]api.Consent, len(x.Consents)), AccessLog: make([]api.AuditEvent, len(x.AccessLog)),
		MergedYoungPeople: make([]api.MergedYoungPerson, len(x.Merged))}
	for i, m := range x.Merged {
		out.MergedYoungPeople[i] = api.MergedYoungPerson{MergedAt: m.MergedAt, YoungPerson: toYoungPerson(m.YoungPerson, d)}
	}
	for i, r := range x.Referrals {
		out.Referrals[i] = toReferral(r)
	}
	for i, a := range x.Allocations {
		out.Allocations[i] = toAllocation(a)
	}
	for i, a := range x.Assessments {
		out.FamilyAssessments[i] = toAssessment(a)
	}
	for i, m := range x.Meetings {
		out.Meetings[i] = toMeeting(m, d)
	}
	for i, f := range x.Feedback {
		out.PathwayFeedback[i] = toFeedback(f)
	}
	for i, r := range x.EHCRequests {
		out.EHCNeedsAssessments[i] = toEHCRequest(r, d)
	}
	for i, p := range x.EHCPlans {
		out.EHCPlans[i] = toEHCPlan(p, d)
	}
	for i, r := range x.Reviews {
		out.AnnualReviews[i] = toAnnualReview(r, d)
	}
	disputes := make([]api.Dispute, len(x.Disputes))
	for i, v := range x.Disputes {
		disputes[i] = toDispute(v)
	}
	out.Disputes = disputes
	out.Documents = make([]api.Document, len(x.Documents))
	for i, v := range x.Documents {
		out.Documents[i] = toDocument(v)
	}
	views := make([]api.PlanFamilyViews, len(x.FamilyViews))
	for i, v := range x.FamilyViews {
		views[i] = toFamilyViews(v)
	}
	out.EHCPlanFamilyViews = &views
	advice := make([]api.AdviceRequest, len(x.Advice))
	for i, v := range x.Advice {
		advice[i] = toAdviceRequest(advicerequests.View{Request: v, Child: x.YoungPerson})
	}
	out.AdviceRequests = &advice
	consulted := make([]api.Consultation, len(x.Consultations))
	for i, v := range x.Consultations {
		consulted[i] = toConsultation(v)
	}
	out.SettingConsultations = &consulted
	reassessed := make([]api.Reassessment, len(x.Reassessments))
	for i, v := range x.Reassessments {
		reassessed[i] = toReassessment(v)
	}
	out.Reassessments = &reassessed
	for i, v := range x.Involvements {
		out.Involvements[i] = toInvolvement(v, d)
	}
	transitions := make([]api.TransitionPlan, len(x.Transitions))
	for i, p := range x.Transitions {
		transitions[i] = toTransitionPlan(p, d)
	}
	out.TransitionPlans = transitions
	out.SurveyResponses = make([]api.SurveyResponse, len(x.Surveys))
	for i, r := range x.Surveys {
		out.SurveyResponses[i] = toSurveyResponse(r)
	}
	for i, c := range x.Consents {
		out.Consents[i] = toConsent(c, d)
	}
	for i, e := range x.AccessLog {
		out.AccessLog[i] = toAuditEvent(e)
	}
	return out
}

func (h *privacyHandlers) ListRetentionDue(ctx context.Context, req api.ListRetentionDueRequestObject) (api.ListRetentionDueResponseObject, error) {
	items, next, err := h.svc.RetentionDue(ctx, page(req.Params.Limit, req.Params.Cursor, req.Params.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListRetentionDue200JSONResponse{Items: make([]api.RetentionDue, len(items)), NextCursor: nextCursor(next)}
	for i, r := range items {
		out.Items[i] = api.RetentionDue{YoungPersonID: mustUUID(r.YoungPersonID), RetainUntil: date(r.RetainUntil)}
	}
	return out, nil
}

func (h *privacyHandlers) EraseYoungPerson(ctx context.Context, req api.EraseYoungPersonRequestObject) (api.EraseYoungPersonResponseObject, error) {
	if err := h.svc.EraseYoungPerson(ctx, req.ID.String()); err != nil {
		return nil, err
	}
	return api.EraseYoungPerson204Response{}, nil
}
