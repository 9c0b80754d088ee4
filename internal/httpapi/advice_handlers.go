package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/casework/advicerequests"
)

type adviceHandlers struct {
	s   *Server
	svc *advicerequests.Service
}

func toAdviceRequest(v advicerequests.View) api.AdviceRequest {
	out := api.AdviceRequest{ID: mustUUID(v.ID), EHCRequestID: mustUUID(v.EHCRequestID), Adviser: api.EHCAdviser(v.Adviser),
		AdviserPractitionerID: mustUUID(v.PractitionerID), Provider: ptr(v.Provider), RequestedOn: date(v.RequestedOn), DueOn: date(v.DueOn),
		Status: api.AdviceRequestStatus(v.Status), SubmittedOn: optDatePtr(v.SubmittedOn), Late: v.Late, DocumentIds: uuidsPtr(v.DocumentIDs),
		Version: v.Version, Child: api.AdviceChild{YoungPersonID: mustUUID(v.YoungPersonID), GivenName: v.Child.GivenName,
			FamilyName: v.Child.FamilyName, DateOfBirth: date(v.Child.DateOfBirth)}}
	if v.Status == advice.Submitted {
		s := v.Sections
		out.Sections = &api.AdviceSections{Summary: ptr(s.Summary), Needs: ptr(s.Needs), Outcomes: ptr(s.Outcomes), Provision: ptr(s.Provision)}
		informs := make([]api.PlanSectionCode, len(v.Informs))
		for i, sec := range v.Informs {
			informs[i] = api.PlanSectionCode(sec)
		}
		out.InformsSections = &informs
	}
	return out
}

func (h *adviceHandlers) ListAdviceRequests(ctx context.Context, req api.ListAdviceRequestsRequestObject) (api.ListAdviceRequestsResponseObject, error) {
	var f advice.Filter
	if req.Params.Status != nil {
		f.Status = advice.Status(*req.Params.Status)
	}
	f.EHCRequestID = uuidStr(req.Params.EHCRequestID)
	vs, next, err := h.svc.AdviceRequests(ctx, f, page(req.Params.Limit, req.Params.Cursor, req.Params.UpdatedSince))
	if err != nil {
		return nil, err
	}
	items := make([]api.AdviceRequest, len(vs))
	for i, v := range vs {
		items[i] = toAdviceRequest(v)
	}
	return api.ListAdviceRequests200JSONResponse{Items: items, NextCursor: nextCursor(next)}, nil
}

func (h *adviceHandlers) GetAdviceRequest(ctx context.Context, req api.GetAdviceRequestRequestObject) (api.GetAdviceRequestResponseObject, error) {
	v, err := h.svc.AdviceRequest(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetAdviceRequest200JSONResponse{Body: toAdviceRequest(v), Headers: api.GetAdviceRequest200ResponseHeaders{ETag: etag(v.Version)}}, nil
}

func (h *adviceHandlers) SubmitAdvice(ctx context.Context, req api.SubmitAdviceRequestObject) (api.SubmitAdviceResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := advice.Submission{Sections: advice.Sections{Summary: str(b.Sections.Summary), Needs: str(b.Sections.Needs),
		Outcomes: str(b.Sections.Outcomes), Provision: str(b.Sections.Provision)}}
	if b.DocumentIds != nil {
		in.DocumentIDs = idStrings(*b.DocumentIds)
	}
	if b.InformsSections != nil {
		for _, s := range *b.InformsSections {
			in.Informs = append(in.Informs, string(s))
		}
	}
	v, err := h.svc.Submit(ctx, req.ID.String(), ifMatch, in)
	if err != nil {
		return nil, err
	}
	return api.SubmitAdvice200JSONResponse{Body: toAdviceRequest(v), Headers: api.SubmitAdvice200ResponseHeaders{ETag: etag(v.Version)}}, nil
}

func idStrings(ids []openapi_types.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
