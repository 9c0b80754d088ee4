package httpapi

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/sharing"
)

func toInvolvement(i sharing.Involvement, today time.Time) api.Involvement {
	return api.Involvement{ID: mustUUID(i.ID), YoungPersonID: mustUUID(i.YoungPersonID), OrganisationID: mustUUID(i.OrganisationID),
		PractitionerID: uuidPtr(i.PractitionerID), Role: api.InvolvementRole(i.Role), StartedOn: date(i.StartedOn), EndedOn: optDate(i.EndedOn),
		Current: i.CurrentOn(today), ConsentID: uuidPtr(i.ConsentID), SafeguardingReason: ptr(i.SafeguardingReason),
		LawfulBasis: ptr(api.LawfulBasis(i.LawfulBasis)), StatutoryDuty: ptr(i.StatutoryDuty), ReviewNeeded: ptr(i.ReviewNeeded), Notes: ptr(i.Notes),
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, Version: i.Version}
}

func fromInvolvementInput(youngPersonID string, in api.InvolvementInput) sharing.Involvement {
	i := sharing.Involvement{YoungPersonID: youngPersonID, OrganisationID: in.OrganisationID.String(), PractitionerID: uuidStr(in.PractitionerID),
		Role: string(in.Role), EndedOn: fromOptDate(in.EndedOn), SafeguardingReason: str(in.SafeguardingReason),
		LawfulBasis: sharing.LawfulBasis(ptrVal(in.LawfulBasis)), StatutoryDuty: str(in.StatutoryDuty), Notes: str(in.Notes)}
	if in.StartedOn != nil {
		i.StartedOn = in.StartedOn.Time
	}
	return i
}

func toInvolvementInput(i sharing.Involvement) api.InvolvementInput {
	started := date(i.StartedOn)
	return api.InvolvementInput{OrganisationID: mustUUID(i.OrganisationID), PractitionerID: uuidPtr(i.PractitionerID), Role: api.InvolvementRole(i.Role),
		StartedOn: &started, EndedOn: optDate(i.EndedOn), SafeguardingReason: ptr(i.SafeguardingReason),
		LawfulBasis: ptr(api.LawfulBasis(i.LawfulBasis)), StatutoryDuty: ptr(i.StatutoryDuty), Notes: ptr(i.Notes)}
}

func toConsent(c sharing.Consent, today time.Time) api.Consent {
	ids := make([]openapi_types.UUID, len(c.OrganisationIDs))
	for i, id := range c.OrganisationIDs {
		ids[i] = mustUUID(id)
	}
	types := toEnums[api.OrganisationType](c.OrganisationTypes)
	return api.Consent{ID: mustUUID(c.ID), YoungPersonID: mustUUID(c.YoungPersonID), GivenBy: c.GivenBy, Relationship: c.Relationship,
		Scope: api.ConsentScope(c.Scope), OrganisationIDs: ids, OrganisationTypes: types, GivenOn: date(c.GivenOn), WithdrawnOn: optDate(c.WithdrawnOn),
		WithdrawnReason: ptr(c.WithdrawnReason), Notes: ptr(c.Notes), InForce: c.InForceOn(today), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func fromConsentInput(youngPersonID string, in api.ConsentInput) sharing.Consent {
	c := sharing.Consent{YoungPersonID: youngPersonID, GivenBy: in.GivenBy, Relationship: string(in.Relationship), Scope: string(in.Scope),
		GivenOn: in.GivenOn.Time, Notes: str(in.Notes), OrganisationTypes: enumStrings(ptrVal(in.OrganisationTypes))}
	for _, id := range ptrVal(in.OrganisationIDs) {
		c.OrganisationIDs = append(c.OrganisationIDs, id.String())
	}
	return c
}

func (h *teamHandlers) ListInvolvements(ctx context.Context, req api.ListInvolvementsRequestObject) (api.ListInvolvementsResponseObject, error) {
	items, next, err := h.svc.Involvements(ctx, req.ID.String(), ptrVal(req.Params.Current), page(req.Params.Limit, req.Params.Cursor, req.Params.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListInvolvements200JSONResponse{Items: make([]api.Involvement, len(items)), NextCursor: nextCursor(next)}
	d := h.s.today()
	for i, v := range items {
		out.Items[i] = toInvolvement(v, d)
	}
	return out, nil
}

func (h *teamHandlers) CreateInvolvement(ctx context.Context, req api.CreateInvolvementRequestObject) (api.CreateInvolvementResponseObject, error) {
	i, err := h.svc.CreateInvolvement(ctx, fromInvolvementInput(req.ID.String(), *req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateInvolvement201JSONResponse{Body: toInvolvement(i, h.s.today()), Headers: api.CreateInvolvement201ResponseHeaders{
		Location: location("/v1/young-people/"+i.YoungPersonID+"/involvements", i.ID), ETag: etag(i.Version)}}, nil
}

func (h *teamHandlers) UpdateInvolvement(ctx context.Context, req api.UpdateInvolvementRequestObject) (api.UpdateInvolvementResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	i, err := h.svc.UpdateInvolvement(ctx, req.ID.String(), req.InvolvementID.String(), ifMatch,
		func(cur sharing.Involvement) (sharing.Involvement, []string, error) {
			var in api.InvolvementInput
			changed, err := h.s.mergePatch(ctx, toInvolvementInput(cur), "InvolvementInput", &in)
			next := fromInvolvementInput(cur.YoungPersonID, in)
			cur.PractitionerID, cur.Role, cur.EndedOn, cur.Notes = next.PractitionerID, next.Role, next.EndedOn, next.Notes
			cur.SafeguardingReason, cur.LawfulBasis, cur.StatutoryDuty = next.SafeguardingReason, next.LawfulBasis, next.StatutoryDuty
			return cur, changed, err
		})
	if err != nil {
		return nil, err
	}
	return api.UpdateInvolvement200JSONResponse{Body: toInvolvement(i, h.s.today()), Headers: api.UpdateInvolvement200ResponseHeaders{ETag: etag(i.Version)}}, nil
}

func (h *teamHandlers) ListConsents(ctx context.Context, req api.ListConsentsRequestObject) (api.ListConsentsResponseObject, error) {
	items, err := h.svc.Consents(ctx, req.ID.String(), ptrVal(req.Params.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListConsents200JSONResponse{Items: make([]api.Consent, len(items))}
	d := h.s.today()
	for i, c := range items {
		out.Items[i] = toConsent(c, d)
	}
	return out, nil
}

func (h *teamHandlers) CreateConsent(ctx context.Context, req api.CreateConsentRequestObject) (api.CreateConsentResponseObject, error) {
	c, err := h.svc.CreateConsent(ctx, fromConsentInput(req.ID.String(), *req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateConsent201JSONResponse{Body: toConsent(c, h.s.today()), Headers: api.CreateConsent201ResponseHeaders{
		Location: location("/v1/young-people/"+c.YoungPersonID+"/consents", c.ID), ETag: etag(c.Version)}}, nil
}

func (h *teamHandlers) WithdrawConsent(ctx context.Context, req api.WithdrawConsentRequestObject) (api.WithdrawConsentResponseObject, error) {
	var on time.Time
	if req.Body.WithdrawnOn != nil {
		on = req.Body.WithdrawnOn.Time
	}
	c, err := h.svc.WithdrawConsent(ctx, req.ID.String(), req.ConsentID.String(), on, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.WithdrawConsent200JSONResponse{Body: toConsent(c, h.s.today()), Headers: api.WithdrawConsent200ResponseHeaders{ETag: etag(c.Version)}}, nil
}
