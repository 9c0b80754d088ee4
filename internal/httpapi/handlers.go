package httpapi

import (
	"bytes"
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// handlers implements api.StrictServerInterface: decode, call casework, encode. No rules here.
type handlers struct{ s *Server }

var _ api.StrictServerInterface = (*handlers)(nil)

func page(limit *api.Limit, cursor *api.Cursor) paging.Page {
	p := paging.Page{Limit: 50}
	if limit != nil {
		p.Limit = *limit
	}
	if cursor != nil {
		p.Cursor = *cursor
	}
	return p
}

func nextCursor(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}

func location(path, id string) *string { s := path + "/" + id; return &s }

func etag(version int) *string { s := etagOf(version); return &s }

func today() time.Time {
	n := time.Now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Operations.

func (h *handlers) Healthz(context.Context, api.HealthzRequestObject) (api.HealthzResponseObject, error) {
	return api.Healthz200JSONResponse{Status: api.Ok}, nil
}

func (h *handlers) Readyz(ctx context.Context, _ api.ReadyzRequestObject) (api.ReadyzResponseObject, error) {
	db := h.s.svc.Dialect()
	if err := h.s.svc.Ready(ctx); err != nil {
		return nil, err
	}
	return api.Readyz200JSONResponse{Status: api.Ok, Database: &db}, nil
}

func (h *handlers) OpenapiSpec(context.Context, api.OpenapiSpecRequestObject) (api.OpenapiSpecResponseObject, error) {
	return api.OpenapiSpec200ApplicationYamlResponse{Body: bytes.NewReader(h.s.raw), ContentLength: int64(len(h.s.raw))}, nil
}

// Organisations.

func (h *handlers) CreateOrganisation(ctx context.Context, req api.CreateOrganisationRequestObject) (api.CreateOrganisationResponseObject, error) {
	o, err := h.s.svc.CreateOrganisation(ctx, fromOrganisationInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateOrganisation201JSONResponse{Body: toOrganisation(o),
		Headers: api.CreateOrganisation201ResponseHeaders{Location: location("/v1/organisations", o.ID), ETag: etag(o.Version)}}, nil
}

func (h *handlers) GetOrganisation(ctx context.Context, req api.GetOrganisationRequestObject) (api.GetOrganisationResponseObject, error) {
	o, err := h.s.svc.Organisation(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetOrganisation200JSONResponse{Body: toOrganisation(o), Headers: api.GetOrganisation200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

func (h *handlers) ListOrganisations(ctx context.Context, req api.ListOrganisationsRequestObject) (api.ListOrganisationsResponseObject, error) {
	q := req.Params
	f := directory.OrganisationFilter{Type: string(ptrVal(q.Type)), Locality: str(q.Locality), Query: str(q.Q)}
	items, next, err := h.s.svc.Organisations(ctx, f, page(q.Limit, q.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListOrganisations200JSONResponse{Items: make([]api.Organisation, len(items)), NextCursor: nextCursor(next)}
	for i, o := range items {
		out.Items[i] = toOrganisation(o)
	}
	return out, nil
}

func (h *handlers) UpdateOrganisation(ctx context.Context, req api.UpdateOrganisationRequestObject) (api.UpdateOrganisationResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	o, err := h.s.svc.UpdateOrganisation(ctx, req.ID.String(), ifMatch, func(cur directory.Organisation) (directory.Organisation, []string, error) {
		var in api.OrganisationInput
		changed, err := h.s.mergePatch(ctx, toOrganisationInput(cur), "OrganisationInput", &in)
		return fromOrganisationInput(in), changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateOrganisation200JSONResponse{Body: toOrganisation(o), Headers: api.UpdateOrganisation200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// Practitioners.

func (h *handlers) CreatePractitioner(ctx context.Context, req api.CreatePractitionerRequestObject) (api.CreatePractitionerResponseObject, error) {
	p, err := h.s.svc.CreatePractitioner(ctx, fromPractitionerInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreatePractitioner201JSONResponse{Body: toPractitioner(p),
		Headers: api.CreatePractitioner201ResponseHeaders{Location: location("/v1/practitioners", p.ID), ETag: etag(p.Version)}}, nil
}

func (h *handlers) GetPractitioner(ctx context.Context, req api.GetPractitionerRequestObject) (api.GetPractitionerResponseObject, error) {
	p, err := h.s.svc.Practitioner(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetPractitioner200JSONResponse{Body: toPractitioner(p), Headers: api.GetPractitioner200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

func (h *handlers) ListPractitioners(ctx context.Context, req api.ListPractitionersRequestObject) (api.ListPractitionersResponseObject, error) {
	q := req.Params
	f := directory.PractitionerFilter{OrganisationID: uuidStr(q.OrganisationID), Role: string(ptrVal(q.Role)), Query: str(q.Q)}
	items, next, err := h.s.svc.Practitioners(ctx, f, page(q.Limit, q.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListPractitioners200JSONResponse{Items: make([]api.Practitioner, len(items)), NextCursor: nextCursor(next)}
	for i, p := range items {
		out.Items[i] = toPractitioner(p)
	}
	return out, nil
}

func (h *handlers) UpdatePractitioner(ctx context.Context, req api.UpdatePractitionerRequestObject) (api.UpdatePractitionerResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	p, err := h.s.svc.UpdatePractitioner(ctx, req.ID.String(), ifMatch, func(cur directory.Practitioner) (directory.Practitioner, []string, error) {
		var in api.PractitionerInput
		changed, err := h.s.mergePatch(ctx, toPractitionerInput(cur), "PractitionerInput", &in)
		return fromPractitionerInput(in), changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdatePractitioner200JSONResponse{Body: toPractitioner(p), Headers: api.UpdatePractitioner200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

// Young people.

func (h *handlers) CreateYoungPerson(ctx context.Context, req api.CreateYoungPersonRequestObject) (api.CreateYoungPersonResponseObject, error) {
	yp, err := h.s.svc.CreateYoungPerson(ctx, fromYoungPersonInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateYoungPerson201JSONResponse{Body: toYoungPerson(yp, today()),
		Headers: api.CreateYoungPerson201ResponseHeaders{Location: location("/v1/young-people", yp.ID), ETag: etag(yp.Version)}}, nil
}

func (h *handlers) GetYoungPerson(ctx context.Context, req api.GetYoungPersonRequestObject) (api.GetYoungPersonResponseObject, error) {
	yp, err := h.s.svc.YoungPerson(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetYoungPerson200JSONResponse{Body: toYoungPerson(yp, today()), Headers: api.GetYoungPerson200ResponseHeaders{ETag: etag(yp.Version)}}, nil
}

func (h *handlers) ListYoungPeople(ctx context.Context, req api.ListYoungPeopleRequestObject) (api.ListYoungPeopleResponseObject, error) {
	q := req.Params
	f := person.Filter{Query: str(q.Q), Locality: str(q.Locality), PrimarySENNeed: string(ptrVal(q.PrimarySENNeed)),
		EducationSettingID: uuidStr(q.EducationSettingID)}
	items, next, err := h.s.svc.YoungPeople(ctx, f, page(q.Limit, q.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListYoungPeople200JSONResponse{Items: make([]api.YoungPerson, len(items)), NextCursor: nextCursor(next)}
	d := today()
	for i, yp := range items {
		out.Items[i] = toYoungPerson(yp, d)
	}
	return out, nil
}

func (h *handlers) UpdateYoungPerson(ctx context.Context, req api.UpdateYoungPersonRequestObject) (api.UpdateYoungPersonResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	yp, err := h.s.svc.UpdateYoungPerson(ctx, req.ID.String(), ifMatch, func(cur person.YoungPerson) (person.YoungPerson, []string, error) {
		var in api.YoungPersonInput
		changed, err := h.s.mergePatch(ctx, toYoungPersonInput(cur), "YoungPersonInput", &in)
		return fromYoungPersonInput(in), changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateYoungPerson200JSONResponse{Body: toYoungPerson(yp, today()), Headers: api.UpdateYoungPerson200ResponseHeaders{ETag: etag(yp.Version)}}, nil
}

// Referrals.

func (h *handlers) CreateReferral(ctx context.Context, req api.CreateReferralRequestObject) (api.CreateReferralResponseObject, error) {
	r, err := h.s.svc.CreateReferral(ctx, fromReferralInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateReferral201JSONResponse{Body: toReferral(r),
		Headers: api.CreateReferral201ResponseHeaders{Location: location("/v1/referrals", r.ID), ETag: etag(r.Version)}}, nil
}

func (h *handlers) GetReferral(ctx context.Context, req api.GetReferralRequestObject) (api.GetReferralResponseObject, error) {
	r, err := h.s.svc.Referral(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetReferral200JSONResponse{Body: toReferral(r), Headers: api.GetReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) ListReferrals(ctx context.Context, req api.ListReferralsRequestObject) (api.ListReferralsResponseObject, error) {
	q := req.Params
	f := referral.Filter{Status: string(ptrVal(q.Status)), Reason: string(ptrVal(q.Reason)), OrganisationID: uuidStr(q.OrganisationID),
		YoungPersonID: uuidStr(q.YoungPersonID), Locality: str(q.Locality), Query: str(q.Q), CreatedAfter: q.CreatedAfter, CreatedBefore: q.CreatedBefore}
	items, next, err := h.s.svc.Referrals(ctx, f, page(q.Limit, q.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListReferrals200JSONResponse{Items: make([]api.Referral, len(items)), NextCursor: nextCursor(next)}
	for i, r := range items {
		out.Items[i] = toReferral(r)
	}
	return out, nil
}

func (h *handlers) UpdateReferral(ctx context.Context, req api.UpdateReferralRequestObject) (api.UpdateReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.s.svc.UpdateReferral(ctx, req.ID.String(), ifMatch, func(cur referral.Referral) (referral.Referral, []string, error) {
		var in api.ReferralInput
		changed, err := h.s.mergePatch(ctx, toReferralInput(cur), "ReferralInput", &in)
		next := fromReferralInput(in)
		// Only the intake details are patchable; the rest of the record is carried over.
		cur.Reasons, cur.MainReason, cur.ServicesInvolved = next.Reasons, next.MainReason, next.ServicesInvolved
		cur.SafeguardingConcern, cur.Consent, cur.Summary = next.SafeguardingConcern, next.Consent, next.Summary
		if !containsAny(changed, "main_reason") && containsAny(changed, "reasons") {
			cur.MainReason = "" // let it default to the first of the new reasons
		}
		return cur, changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateReferral200JSONResponse{Body: toReferral(r), Headers: api.UpdateReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func containsAny(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (h *handlers) TriageReferral(ctx context.Context, req api.TriageReferralRequestObject) (api.TriageReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.s.svc.TriageReferral(ctx, req.ID.String(), ifMatch, fromTriageInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.TriageReferral200JSONResponse{Body: toReferral(r), Headers: api.TriageReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

// Audit.

func (h *handlers) ListAuditEvents(ctx context.Context, req api.ListAuditEventsRequestObject) (api.ListAuditEventsResponseObject, error) {
	q := req.Params
	f := audit.Filter{RecordType: string(ptrVal(q.RecordType)), RecordID: uuidStr(q.RecordID), YoungPersonID: uuidStr(q.YoungPersonID),
		Action: string(ptrVal(q.Action)), ActorKeyID: uuidStr(q.APIKeyID), ActorOrgID: uuidStr(q.OrganisationID), RequestID: str(q.RequestID),
		OccurredAfter: q.OccurredAfter, OccurredBefore: q.OccurredBefore}
	items, next, err := h.s.svc.AuditEvents(ctx, f, page(q.Limit, q.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListAuditEvents200JSONResponse{Items: make([]api.AuditEvent, len(items)), NextCursor: nextCursor(next)}
	for i, e := range items {
		out.Items[i] = toAuditEvent(e)
	}
	return out, nil
}

var _ = openapi_types.UUID{}
