package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/directory"
)

func (h *directoryHandlers) CreateOrganisation(ctx context.Context, req api.CreateOrganisationRequestObject) (api.CreateOrganisationResponseObject, error) {
	if req.Params.IfNoneExist != nil {
		cond, err := h.svc.ParseExternalID("If-None-Exist", *req.Params.IfNoneExist)
		if err != nil {
			return nil, err
		}
		o, created, err := h.svc.CreateOrganisationIfNoneExist(ctx, fromOrganisationInput(*req.Body), cond)
		if err != nil {
			return nil, err
		}
		if !created {
			return api.CreateOrganisation200JSONResponse{Body: toOrganisation(o),
				Headers: api.CreateOrganisation200ResponseHeaders{Location: location("/v1/organisations", o.ID), ETag: etag(o.Version)}}, nil
		}
		return api.CreateOrganisation201JSONResponse{Body: toOrganisation(o),
			Headers: api.CreateOrganisation201ResponseHeaders{Location: location("/v1/organisations", o.ID), ETag: etag(o.Version)}}, nil
	}
	o, err := h.svc.CreateOrganisation(ctx, fromOrganisationInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateOrganisation201JSONResponse{Body: toOrganisation(o),
		Headers: api.CreateOrganisation201ResponseHeaders{Location: location("/v1/organisations", o.ID), ETag: etag(o.Version)}}, nil
}

func (h *directoryHandlers) GetOrganisation(ctx context.Context, req api.GetOrganisationRequestObject) (api.GetOrganisationResponseObject, error) {
	o, err := h.svc.Organisation(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetOrganisation200JSONResponse{Body: toOrganisation(o), Headers: api.GetOrganisation200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

func (h *directoryHandlers) ListOrganisations(ctx context.Context, req api.ListOrganisationsRequestObject) (api.ListOrganisationsResponseObject, error) {
	q := req.Params
	f := directory.OrganisationFilter{Type: string(ptrVal(q.Type)), Locality: str(q.Locality), Query: str(q.Q)}
	if q.ExternalID != nil {
		id, err := h.svc.ParseExternalID("external_id", *q.ExternalID)
		if err != nil {
			return nil, err
		}
		f.ExternalID = &id
	}
	items, next, err := h.svc.Organisations(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListOrganisations200JSONResponse{Items: make([]api.Organisation, len(items)), NextCursor: nextCursor(next)}
	for i, o := range items {
		out.Items[i] = toOrganisation(o)
	}
	return out, nil
}

func (h *directoryHandlers) UpdateOrganisation(ctx context.Context, req api.UpdateOrganisationRequestObject) (api.UpdateOrganisationResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	o, err := h.svc.UpdateOrganisation(ctx, req.ID.String(), ifMatch, func(cur directory.Organisation) (directory.Organisation, []string, error) {
		var in api.OrganisationInput
		changed, err := h.s.mergePatch(ctx, toOrganisationInput(cur), "OrganisationInput", &in)
		return fromOrganisationInput(in), changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateOrganisation200JSONResponse{Body: toOrganisation(o), Headers: api.UpdateOrganisation200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

func (h *directoryHandlers) CreatePractitioner(ctx context.Context, req api.CreatePractitionerRequestObject) (api.CreatePractitionerResponseObject, error) {
	p, err := h.svc.CreatePractitioner(ctx, fromPractitionerInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreatePractitioner201JSONResponse{Body: toPractitioner(p),
		Headers: api.CreatePractitioner201ResponseHeaders{Location: location("/v1/practitioners", p.ID), ETag: etag(p.Version)}}, nil
}

func (h *directoryHandlers) GetPractitioner(ctx context.Context, req api.GetPractitionerRequestObject) (api.GetPractitionerResponseObject, error) {
	p, err := h.svc.Practitioner(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetPractitioner200JSONResponse{Body: toPractitioner(p), Headers: api.GetPractitioner200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

func (h *directoryHandlers) ListPractitioners(ctx context.Context, req api.ListPractitionersRequestObject) (api.ListPractitionersResponseObject, error) {
	q := req.Params
	f := directory.PractitionerFilter{OrganisationID: uuidStr(q.OrganisationID), Role: string(ptrVal(q.Role)), Query: str(q.Q)}
	items, next, err := h.svc.Practitioners(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListPractitioners200JSONResponse{Items: make([]api.Practitioner, len(items)), NextCursor: nextCursor(next)}
	for i, p := range items {
		out.Items[i] = toPractitioner(p)
	}
	return out, nil
}

func (h *directoryHandlers) UpdatePractitioner(ctx context.Context, req api.UpdatePractitionerRequestObject) (api.UpdatePractitionerResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.UpdatePractitioner(ctx, req.ID.String(), ifMatch, func(cur directory.Practitioner) (directory.Practitioner, []string, error) {
		var in api.PractitionerInput
		changed, err := h.s.mergePatch(ctx, toPractitionerInput(cur), "PractitionerInput", &in)
		return fromPractitionerInput(in), changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdatePractitioner200JSONResponse{Body: toPractitioner(p), Headers: api.UpdatePractitioner200ResponseHeaders{ETag: etag(p.Version)}}, nil
}
