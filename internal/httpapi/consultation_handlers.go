package httpapi

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/consultations"
	"github.com/oneplan-send/oneplan/internal/consultation"
)

type consultationHandlers struct {
	s   *Server
	svc *consultations.Service
}

func toConsultation(c consultation.Consultation) api.Consultation {
	out := api.Consultation{ID: mustUUID(c.ID), PlanID: mustUUID(c.PlanID), YoungPersonID: mustUUID(c.YoungPersonID),
		OrganisationID: mustUUID(c.OrganisationID), RequestedBy: api.ConsultationRequestedBy(c.RequestedBy), SentOn: date(c.SentOn),
		DueOn: date(c.DueOn), Status: api.ConsultationStatus(c.Status), Reasons: ptr(c.Reasons), RespondedOn: optDatePtr(c.RespondedOn),
		Late: c.Late, Notes: ptr(c.Notes), Version: c.Version}
	if c.Response != "" {
		r := api.ConsultationAnswer(c.Response)
		out.Response = &r
	}
	return out
}

func (h *consultationHandlers) ConsultSetting(ctx context.Context, req api.ConsultSettingRequestObject) (api.ConsultSettingResponseObject, error) {
	b := req.Body
	var sent time.Time
	if b.SentOn != nil {
		sent = b.SentOn.Time
	}
	c, err := h.svc.Consult(ctx, req.ID.String(), consultations.Input{OrganisationID: b.OrganisationID.String(), RequestedBy: string(b.RequestedBy),
		Notes: str(b.Notes), SentOn: sent})
	if err != nil {
		return nil, err
	}
	return api.ConsultSetting201JSONResponse{Body: toConsultation(c), Headers: api.ConsultSetting201ResponseHeaders{
		Location: location("/v1/consultations", c.ID), ETag: etag(c.Version)}}, nil
}

func (h *consultationHandlers) ListConsultations(ctx context.Context, req api.ListConsultationsRequestObject) (api.ListConsultationsResponseObject, error) {
	f := consultation.Filter{PlanID: uuidStr(req.Params.PlanID)}
	if req.Params.Status != nil {
		f.Status = consultation.Status(*req.Params.Status)
	}
	cs, next, err := h.svc.Consultations(ctx, f, page(req.Params.Limit, req.Params.Cursor, req.Params.UpdatedSince))
	if err != nil {
		return nil, err
	}
	items := make([]api.Consultation, len(cs))
	for i, c := range cs {
		items[i] = toConsultation(c)
	}
	return api.ListConsultations200JSONResponse{Items: items, NextCursor: nextCursor(next)}, nil
}

func (h *consultationHandlers) GetConsultation(ctx context.Context, req api.GetConsultationRequestObject) (api.GetConsultationResponseObject, error) {
	c, err := h.svc.Consultation(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetConsultation200JSONResponse{Body: toConsultation(c), Headers: api.GetConsultation200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

func (h *consultationHandlers) RespondToConsultation(ctx context.Context, req api.RespondToConsultationRequestObject) (api.RespondToConsultationResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.Respond(ctx, req.ID.String(), ifMatch, string(req.Body.Response), str(req.Body.Reasons))
	if err != nil {
		return nil, err
	}
	return api.RespondToConsultation200JSONResponse{Body: toConsultation(c), Headers: api.RespondToConsultation200ResponseHeaders{ETag: etag(c.Version)}}, nil
}
