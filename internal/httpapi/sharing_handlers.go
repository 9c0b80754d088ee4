package httpapi

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/sharing"
)

// Converters for the team around the child, consent, keys and exports.

func optDate(t *time.Time) *openapi_types.Date {
	if t == nil {
		return nil
	}
	d := date(*t)
	return &d
}

func fromOptDate(d *openapi_types.Date) *time.Time {
	if d == nil {
		return nil
	}
	t := d.Time
	return &t
}

func toInvolvement(i sharing.Involvement, today time.Time) api.Involvement {
	return api.Involvement{ID: mustUUID(i.ID), YoungPersonID: mustUUID(i.YoungPersonID), OrganisationID: mustUUID(i.OrganisationID),
		PractitionerID: uuidPtr(i.PractitionerID), Role: api.InvolvementRole(i.Role), StartedOn: date(i.StartedOn), EndedOn: optDate(i.EndedOn),
		Current: i.CurrentOn(today), ConsentID: uuidPtr(i.ConsentID), SafeguardingReason: ptr(i.SafeguardingReason), Notes: ptr(i.Notes),
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, Version: i.Version}
}

func fromInvolvementInput(youngPersonID string, in api.InvolvementInput) sharing.Involvement {
	i := sharing.Involvement{YoungPersonID: youngPersonID, OrganisationID: in.OrganisationID.String(), PractitionerID: uuidStr(in.PractitionerID),
		Role: string(in.Role), EndedOn: fromOptDate(in.EndedOn), SafeguardingReason: str(in.SafeguardingReason), Notes: str(in.Notes)}
	if in.StartedOn != nil {
		i.StartedOn = in.StartedOn.Time
	}
	return i
}

func toInvolvementInput(i sharing.Involvement) api.InvolvementInput {
	started := date(i.StartedOn)
	return api.InvolvementInput{OrganisationID: mustUUID(i.OrganisationID), PractitionerID: uuidPtr(i.PractitionerID), Role: api.InvolvementRole(i.Role),
		StartedOn: &started, EndedOn: optDate(i.EndedOn), SafeguardingReason: ptr(i.SafeguardingReason), Notes: ptr(i.Notes)}
}

func toConsent(c sharing.Consent, today time.Time) api.Consent {
	ids := make([]openapi_types.UUID, len(c.OrganisationIDs))
	for i, id := range c.OrganisationIDs {
		ids[i] = mustUUID(id)
	}
	types := toEnums[api.OrganisationType](c.OrganisationTypes)
	return api.Consent{ID: mustUUID(c.ID), YoungPersonID: mustUUID(c.YoungPersonID), GivenBy: c.GivenBy, Relationship: c.Relationship,
		Scope: api.ConsentScope(c.Scope), OrganisationIds: ids, OrganisationTypes: types, GivenOn: date(c.GivenOn), WithdrawnOn: optDate(c.WithdrawnOn),
		WithdrawnReason: ptr(c.WithdrawnReason), Notes: ptr(c.Notes), InForce: c.InForceOn(today), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func fromConsentInput(youngPersonID string, in api.ConsentInput) sharing.Consent {
	c := sharing.Consent{YoungPersonID: youngPersonID, GivenBy: in.GivenBy, Relationship: string(in.Relationship), Scope: string(in.Scope),
		GivenOn: in.GivenOn.Time, Notes: str(in.Notes), OrganisationTypes: enumStrings(ptrVal(in.OrganisationTypes))}
	for _, id := range ptrVal(in.OrganisationIds) {
		c.OrganisationIDs = append(c.OrganisationIDs, id.String())
	}
	return c
}

func toAPIKey(k auth.APIKey) api.APIKey {
	return api.APIKey{ID: mustUUID(k.ID), Name: k.Name, OrganisationID: mustUUID(k.OrganisationID), Role: api.Role(k.Role),
		PractitionerID: uuidPtr(k.PractitionerID), Prefix: "op_" + k.Prefix, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

// Handlers.

func (h *handlers) ListInvolvements(ctx context.Context, req api.ListInvolvementsRequestObject) (api.ListInvolvementsResponseObject, error) {
	items, next, err := h.s.svc.Involvements(ctx, req.ID.String(), ptrVal(req.Params.Current), page(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListInvolvements200JSONResponse{Items: make([]api.Involvement, len(items)), NextCursor: nextCursor(next)}
	d := today()
	for i, v := range items {
		out.Items[i] = toInvolvement(v, d)
	}
	return out, nil
}

func (h *handlers) CreateInvolvement(ctx context.Context, req api.CreateInvolvementRequestObject) (api.CreateInvolvementResponseObject, error) {
	i, err := h.s.svc.CreateInvolvement(ctx, fromInvolvementInput(req.ID.String(), *req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateInvolvement201JSONResponse{Body: toInvolvement(i, today()), Headers: api.CreateInvolvement201ResponseHeaders{
		Location: location("/v1/young-people/"+i.YoungPersonID+"/involvements", i.ID), ETag: etag(i.Version)}}, nil
}

func (h *handlers) UpdateInvolvement(ctx context.Context, req api.UpdateInvolvementRequestObject) (api.UpdateInvolvementResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	i, err := h.s.svc.UpdateInvolvement(ctx, req.ID.String(), req.InvolvementID.String(), ifMatch,
		func(cur sharing.Involvement) (sharing.Involvement, []string, error) {
			var in api.InvolvementInput
			changed, err := h.s.mergePatch(ctx, toInvolvementInput(cur), "InvolvementInput", &in)
			next := fromInvolvementInput(cur.YoungPersonID, in)
			cur.PractitionerID, cur.Role, cur.EndedOn, cur.Notes = next.PractitionerID, next.Role, next.EndedOn, next.Notes
			return cur, changed, err
		})
	if err != nil {
		return nil, err
	}
	return api.UpdateInvolvement200JSONResponse{Body: toInvolvement(i, today()), Headers: api.UpdateInvolvement200ResponseHeaders{ETag: etag(i.Version)}}, nil
}

func (h *handlers) ListConsents(ctx context.Context, req api.ListConsentsRequestObject) (api.ListConsentsResponseObject, error) {
	items, err := h.s.svc.Consents(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	out := api.ListConsents200JSONResponse{Items: make([]api.Consent, len(items))}
	d := today()
	for i, c := range items {
		out.Items[i] = toConsent(c, d)
	}
	return out, nil
}

func (h *handlers) CreateConsent(ctx context.Context, req api.CreateConsentRequestObject) (api.CreateConsentResponseObject, error) {
	c, err := h.s.svc.CreateConsent(ctx, fromConsentInput(req.ID.String(), *req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateConsent201JSONResponse{Body: toConsent(c, today()), Headers: api.CreateConsent201ResponseHeaders{
		Location: location("/v1/young-people/"+c.YoungPersonID+"/consents", c.ID), ETag: etag(c.Version)}}, nil
}

func (h *handlers) WithdrawConsent(ctx context.Context, req api.WithdrawConsentRequestObject) (api.WithdrawConsentResponseObject, error) {
	var on time.Time
	if req.Body.WithdrawnOn != nil {
		on = req.Body.WithdrawnOn.Time
	}
	c, err := h.s.svc.WithdrawConsent(ctx, req.ID.String(), req.ConsentID.String(), on, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.WithdrawConsent200JSONResponse{Body: toConsent(c, today()), Headers: api.WithdrawConsent200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

func (h *handlers) GetAccessLog(ctx context.Context, req api.GetAccessLogRequestObject) (api.GetAccessLogResponseObject, error) {
	items, next, err := h.s.svc.AccessLog(ctx, req.ID.String(), page(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.GetAccessLog200JSONResponse{Items: make([]api.AuditEvent, len(items)), NextCursor: nextCursor(next)}
	for i, e := range items {
		out.Items[i] = toAuditEvent(e)
	}
	return out, nil
}

func (h *handlers) ExportYoungPerson(ctx context.Context, req api.ExportYoungPersonRequestObject) (api.ExportYoungPersonResponseObject, error) {
	x, err := h.s.svc.ExportYoungPerson(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.ExportYoungPerson200JSONResponse(toExport(x)), nil
}

func toExport(x casework.Export) api.SubjectAccessExport {
	d := today()
	out := api.SubjectAccessExport{ExportedAt: x.ExportedAt, YoungPerson: toYoungPerson(x.YoungPerson, d),
		Referrals: make([]api.Referral, len(x.Referrals)), Involvements: make([]api.Involvement, len(x.Involvements)),
		Allocations: make([]api.Allocation, len(x.Allocations)), FamilyAssessments: make([]api.FamilyAssessment, len(x.Assessments)),
		Meetings: make([]api.Meeting, len(x.Meetings)), PathwayFeedback: make([]api.PathwayFeedback, len(x.Feedback)),
		EHCNeedsAssessments: make([]api.EHCNeedsAssessment, len(x.EHCRequests)),
		EHCPlans:            make([]api.EHCPlan, len(x.EHCPlans)), AnnualReviews: make([]api.AnnualReview, len(x.Reviews)),
		Consents: make([]api.Consent, len(x.Consents)), AccessLog: make([]api.AuditEvent, len(x.AccessLog))}
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

func (h *handlers) ListAPIKeys(ctx context.Context, req api.ListAPIKeysRequestObject) (api.ListAPIKeysResponseObject, error) {
	q := req.Params
	items, next, err := h.s.svc.APIKeys(ctx, auth.KeyFilter{OrganisationID: uuidStr(q.OrganisationID), Role: string(ptrVal(q.Role)),
		IncludeRevoked: ptrVal(q.IncludeRevoked)}, page(q.Limit, q.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListAPIKeys200JSONResponse{Items: make([]api.APIKey, len(items)), NextCursor: nextCursor(next)}
	for i, k := range items {
		out.Items[i] = toAPIKey(k)
	}
	return out, nil
}

func (h *handlers) CreateAPIKey(ctx context.Context, req api.CreateAPIKeyRequestObject) (api.CreateAPIKeyResponseObject, error) {
	b := req.Body
	key, k, err := h.s.svc.CreateAPIKey(ctx, auth.APIKey{Name: b.Name, OrganisationID: b.OrganisationID.String(), Role: auth.Role(b.Role), PractitionerID: uuidStr(b.PractitionerID)})
	if err != nil {
		return nil, err
	}
	return api.CreateAPIKey201JSONResponse{Body: api.APIKeyIssued{APIKey: toAPIKey(k), Key: key},
		Headers: api.CreateAPIKey201ResponseHeaders{Location: location("/v1/api-keys", k.ID)}}, nil
}

func (h *handlers) GetAPIKey(ctx context.Context, req api.GetAPIKeyRequestObject) (api.GetAPIKeyResponseObject, error) {
	k, err := h.s.svc.APIKey(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetAPIKey200JSONResponse(toAPIKey(k)), nil
}

func (h *handlers) RevokeAPIKey(ctx context.Context, req api.RevokeAPIKeyRequestObject) (api.RevokeAPIKeyResponseObject, error) {
	k, err := h.s.svc.RevokeAPIKey(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.RevokeAPIKey200JSONResponse(toAPIKey(k)), nil
}

func (h *handlers) RotateAPIKey(ctx context.Context, req api.RotateAPIKeyRequestObject) (api.RotateAPIKeyResponseObject, error) {
	key, k, err := h.s.svc.RotateAPIKey(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.RotateAPIKey201JSONResponse{Body: api.APIKeyIssued{APIKey: toAPIKey(k), Key: key},
		Headers: api.RotateAPIKey201ResponseHeaders{Location: location("/v1/api-keys", k.ID)}}, nil
}

func (h *handlers) ListRetentionDue(ctx context.Context, req api.ListRetentionDueRequestObject) (api.ListRetentionDueResponseObject, error) {
	items, next, err := h.s.svc.RetentionDue(ctx, page(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListRetentionDue200JSONResponse{Items: make([]api.RetentionDue, len(items)), NextCursor: nextCursor(next)}
	for i, r := range items {
		out.Items[i] = api.RetentionDue{YoungPersonID: mustUUID(r.YoungPersonID), RetainUntil: date(r.RetainUntil)}
	}
	return out, nil
}

func (h *handlers) EraseYoungPerson(ctx context.Context, req api.EraseYoungPersonRequestObject) (api.EraseYoungPersonResponseObject, error) {
	if err := h.s.svc.EraseYoungPerson(ctx, req.ID.String()); err != nil {
		return nil, err
	}
	return api.EraseYoungPerson204Response{}, nil
}
