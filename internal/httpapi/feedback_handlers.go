package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/feedback"
)

// Converters for pathway feedback. Feedback is immutable: there is no patch shape.

func fromFeedbackInput(in api.PathwayFeedbackInput) feedback.Feedback {
	f := feedback.Feedback{ReferralID: in.ReferralID.String(), MeetingID: uuidStr(in.MeetingID), From: string(in.From),
		PractitionerID: uuidStr(in.PractitionerID), WorkingWell: str(in.WorkingWell), NotWorking: str(in.NotWorking), NextSteps: str(in.NextSteps)}
	for _, r := range ptrVal(in.OutcomeRatings) {
		f.OutcomeRatings = append(f.OutcomeRatings, feedback.Rating{Outcome: r.Outcome, Rating: r.Rating})
	}
	return f
}

func toFeedback(f feedback.Feedback) api.PathwayFeedback {
	ratings := make([]api.OutcomeRating, len(f.OutcomeRatings))
	for i, r := range f.OutcomeRatings {
		ratings[i] = api.OutcomeRating{Outcome: r.Outcome, Rating: r.Rating}
	}
	return api.PathwayFeedback{ID: mustUUID(f.ID), ReferralID: mustUUID(f.ReferralID), YoungPersonID: mustUUID(f.YoungPersonID),
		MeetingID: uuidPtr(f.MeetingID), From: api.FeedbackFrom(f.From), PractitionerID: uuidPtr(f.PractitionerID),
		ProfessionalRole: ptr(api.PathwayFeedbackProfessionalRole(f.ProfessionalRole)), WorkingWell: ptr(f.WorkingWell),
		NotWorking: ptr(f.NotWorking), NextSteps: ptr(f.NextSteps), OutcomeRatings: ratings, CreatedAt: f.CreatedAt, Version: f.Version}
}

// Handlers.

func (h *meetingHandlers) ListPathwayFeedback(ctx context.Context, req api.ListPathwayFeedbackRequestObject) (api.ListPathwayFeedbackResponseObject, error) {
	q := req.Params
	f := feedback.Filter{ReferralID: uuidStr(q.ReferralID), MeetingID: uuidStr(q.MeetingID), From: string(ptrVal(q.From))}
	items, next, err := h.svc.ListFeedback(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListPathwayFeedback200JSONResponse{Items: make([]api.PathwayFeedback, len(items)), NextCursor: nextCursor(next)}
	for i, fb := range items {
		out.Items[i] = toFeedback(fb)
	}
	return out, nil
}

func (h *meetingHandlers) CreatePathwayFeedback(ctx context.Context, req api.CreatePathwayFeedbackRequestObject) (api.CreatePathwayFeedbackResponseObject, error) {
	f, err := h.svc.GiveFeedback(ctx, fromFeedbackInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreatePathwayFeedback201JSONResponse{Body: toFeedback(f), Headers: api.CreatePathwayFeedback201ResponseHeaders{
		Location: location("/v1/pathway-feedback", f.ID), ETag: etag(f.Version)}}, nil
}

func (h *meetingHandlers) GetPathwayFeedback(ctx context.Context, req api.GetPathwayFeedbackRequestObject) (api.GetPathwayFeedbackResponseObject, error) {
	f, err := h.svc.Feedback(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetPathwayFeedback200JSONResponse{Body: toFeedback(f), Headers: api.GetPathwayFeedback200ResponseHeaders{ETag: etag(f.Version)}}, nil
}
