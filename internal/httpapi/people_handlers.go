package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/person"
)

func (h *peopleHandlers) CreateYoungPerson(ctx context.Context, req api.CreateYoungPersonRequestObject) (api.CreateYoungPersonResponseObject, error) {
	if req.Params.IfNoneExist != nil {
		cond, err := h.svc.ParseExternalID("If-None-Exist", *req.Params.IfNoneExist)
		if err != nil {
			return nil, err
		}
		yp, created, err := h.svc.CreateYoungPersonIfNoneExist(ctx, fromYoungPersonInput(*req.Body), cond)
		if err != nil {
			return nil, err
		}
		if !created {
			return api.CreateYoungPerson200JSONResponse{Body: toYoungPerson(yp, h.s.today()),
				Headers: api.CreateYoungPerson200ResponseHeaders{Location: location("/v1/young-people", yp.ID), ETag: etag(yp.Version)}}, nil
		}
		return api.CreateYoungPerson201JSONResponse{Body: toYoungPerson(yp, h.s.today()),
			Headers: api.CreateYoungPerson201ResponseHeaders{Location: location("/v1/young-people", yp.ID), ETag: etag(yp.Version)}}, nil
	}
	yp, err := h.svc.CreateYoungPerson(ctx, fromYoungPersonInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateYoungPerson201JSONResponse{Body: toYoungPerson(yp, h.s.today()),
		Headers: api.CreateYoungPerson201ResponseHeaders{Location: location("/v1/young-people", yp.ID), ETag: etag(yp.Version)}}, nil
}

func (h *peopleHandlers) GetYoungPerson(ctx context.Context, req api.GetYoungPersonRequestObject) (api.GetYoungPersonResponseObject, error) {
	yp, err := h.svc.YoungPerson(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return fastJSON{body: toYoungPerson(yp, h.s.today()), etag: etag(yp.Version)}, nil
}

func (h *peopleHandlers) ListYoungPeople(ctx context.Context, req api.ListYoungPeopleRequestObject) (api.ListYoungPeopleResponseObject, error) {
	q := req.Params
	f := person.Filter{Query: str(q.Q), Locality: str(q.Locality), PrimarySENNeed: string(ptrVal(q.PrimarySENNeed)),
		EducationSettingID: uuidStr(q.EducationSettingID)}
	if q.ExternalID != nil {
		id, err := h.svc.ParseExternalID("external_id", *q.ExternalID)
		if err != nil {
			return nil, err
		}
		f.ExternalID = &id
	}
	items, next, err := h.svc.YoungPeople(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListYoungPeople200JSONResponse{Items: make([]api.YoungPerson, len(items)), NextCursor: nextCursor(next)}
	d := h.s.today()
	for i, yp := range items {
		out.Items[i] = toYoungPerson(yp, d)
	}
	return fastJSON{body: out}, nil
}

func (h *peopleHandlers) UpdateYoungPerson(ctx context.Context, req api.UpdateYoungPersonRequestObject) (api.UpdateYoungPersonResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	yp, err := h.svc.UpdateYoungPerson(ctx, req.ID.String(), ifMatch, func(cur person.YoungPerson) (person.YoungPerson, []string, error) {
		var in api.YoungPersonInput
		changed, err := h.s.mergePatch(ctx, toYoungPersonInput(cur), "YoungPersonInput", &in)
		return fromYoungPersonInput(in), changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateYoungPerson200JSONResponse{Body: toYoungPerson(yp, h.s.today()), Headers: api.UpdateYoungPerson200ResponseHeaders{ETag: etag(yp.Version)}}, nil
}

func (h *peopleHandlers) MergeYoungPeople(ctx context.Context, req api.MergeYoungPeopleRequestObject) (api.MergeYoungPeopleResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	res, err := h.svc.MergeYoungPeople(ctx, req.ID.String(), ifMatch, req.Body.From.String())
	if err != nil {
		return nil, err
	}
	moved := map[string]int(res.Moved)
	if moved == nil {
		moved = map[string]int{}
	}
	return api.MergeYoungPeople200JSONResponse{Body: api.MergeResult{YoungPerson: toYoungPerson(res.Kept, h.s.today()), MergedFrom: mustUUID(res.From),
		Moved: moved}, Headers: api.MergeYoungPeople200ResponseHeaders{ETag: etag(res.Kept.Version)}}, nil
}

func (h *peopleHandlers) ListPossibleDuplicates(ctx context.Context, req api.ListPossibleDuplicatesRequestObject) (api.ListPossibleDuplicatesResponseObject, error) {
	q := req.Params
	f := person.DuplicateFilter{Status: person.DuplicateStatus(ptrVal(q.Status)), YoungPersonID: uuidStr(q.YoungPersonID)}
	items, next, err := h.svc.PossibleDuplicates(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListPossibleDuplicates200JSONResponse{Items: make([]api.PossibleDuplicate, len(items)), NextCursor: nextCursor(next)}
	for i, d := range items {
		out.Items[i] = toPossibleDuplicate(d)
	}
	return out, nil
}

func (h *peopleHandlers) DismissPossibleDuplicate(ctx context.Context, req api.DismissPossibleDuplicateRequestObject) (api.DismissPossibleDuplicateResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.DismissDuplicate(ctx, req.ID.String(), ifMatch, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.DismissPossibleDuplicate200JSONResponse{Body: toPossibleDuplicate(d),
		Headers: api.DismissPossibleDuplicate200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func toPossibleDuplicate(d person.Duplicate) api.PossibleDuplicate {
	return api.PossibleDuplicate{ID: mustUUID(d.ID), YoungPersonIDs: []openapi_types.UUID{mustUUID(d.YoungPersonIDs[0]), mustUUID(d.YoungPersonIDs[1])},
		MatchedOn: api.MatchedOn(d.MatchedOn), FoundAt: d.FoundAt, Status: api.PossibleDuplicateStatus(d.Status), ResolvedAt: d.ResolvedAt,
		Reason: ptr(d.Reason), MergedInto: uuidPtr(d.MergedInto), Version: d.Version}
}
