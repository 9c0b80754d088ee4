package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/referral"
)

func (h *handlers) AllocateReferral(ctx context.Context, req api.AllocateReferralRequestObject) (api.AllocateReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.s.svc.Allocate(ctx, req.ID.String(), ifMatch, b.PractitionerID.String(), b.Reason, uuidStr(b.MeetingID))
	if err != nil {
		return nil, err
	}
	return api.AllocateReferral200JSONResponse{Body: toReferral(r), Headers: api.AllocateReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) ListAllocations(ctx context.Context, req api.ListAllocationsRequestObject) (api.ListAllocationsResponseObject, error) {
	items, err := h.s.svc.Allocations(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	out := api.ListAllocations200JSONResponse{Items: make([]api.Allocation, len(items))}
	for i, a := range items {
		out.Items[i] = toAllocation(a)
	}
	return out, nil
}

func toAllocation(a referral.Allocation) api.Allocation {
	return api.Allocation{ID: mustUUID(a.ID), ReferralID: mustUUID(a.ReferralID), PractitionerID: mustUUID(a.PractitionerID),
		OrganisationID: uuidPtr(a.OrganisationID), Reason: a.Reason, MeetingID: uuidPtr(a.MeetingID), Active: a.EndedAt == nil,
		StartedAt: a.StartedAt, EndedAt: a.EndedAt}
}

func (h *handlers) TransitionReferral(ctx context.Context, req api.TransitionReferralRequestObject) (api.TransitionReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.s.svc.TransitionReferral(ctx, req.ID.String(), ifMatch, referral.Status(req.Body.To), req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.TransitionReferral200JSONResponse{Body: toReferral(r), Headers: api.TransitionReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) CloseReferral(ctx context.Context, req api.CloseReferralRequestObject) (api.CloseReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.s.svc.CloseReferral(ctx, req.ID.String(), ifMatch, string(req.Body.Outcome), req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.CloseReferral200JSONResponse{Body: toReferral(r), Headers: api.CloseReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *handlers) GetTimeline(ctx context.Context, req api.GetTimelineRequestObject) (api.GetTimelineResponseObject, error) {
	items, next, err := h.s.svc.Timeline(ctx, req.ID.String(), page(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	out := api.GetTimeline200JSONResponse{Items: make([]api.TimelineEvent, len(items)), NextCursor: nextCursor(next)}
	for i, e := range items {
		out.Items[i] = api.TimelineEvent{ID: mustUUID(e.ID), OccurredOn: date(e.OccurredOn), RecordedAt: e.RecordedAt, Kind: e.Kind,
			RecordType: e.RecordType, RecordID: mustUUID(e.RecordID), ReferralID: uuidPtr(e.ReferralID), Summary: e.Summary}
	}
	return out, nil
}
