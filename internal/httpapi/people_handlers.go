package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/person"
)

func (h *peopleHandlers) CreateYoungPerson(ctx context.Context, req api.CreateYoungPersonRequestObject) (api.CreateYoungPersonResponseObject, error) {
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
	return api.GetYoungPerson200JSONResponse{Body: toYoungPerson(yp, h.s.today()), Headers: api.GetYoungPerson200ResponseHeaders{ETag: etag(yp.Version)}}, nil
}

func (h *peopleHandlers) ListYoungPeople(ctx context.Context, req api.ListYoungPeopleRequestObject) (api.ListYoungPeopleResponseObject, error) {
	q := req.Params
	f := person.Filter{Query: str(q.Q), Locality: str(q.Locality), PrimarySENNeed: string(ptrVal(q.PrimarySENNeed)),
		EducationSettingID: uuidStr(q.EducationSettingID)}
	items, next, err := h.svc.YoungPeople(ctx, f, page(q.Limit, q.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.ListYoungPeople200JSONResponse{Items: make([]api.YoungPerson, len(items)), NextCursor: nextCursor(next)}
	d := h.s.today()
	for i, yp := range items {
		out.Items[i] = toYoungPerson(yp, d)
	}
	return out, nil
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
