package httpapi

import (
	"context"
	"net/http"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/referral"
)

func (h *referralHandlers) CreateReferral(ctx context.Context, req api.CreateReferralRequestObject) (api.CreateReferralResponseObject, error) {
	if req.Params.IfNoneExist != nil {
		cond, err := h.svc.ParseExternalID("If-None-Exist", *req.Params.IfNoneExist)
		if err != nil {
			return nil, err
		}
		r, created, err := h.svc.CreateReferralIfNoneExist(ctx, fromReferralInput(*req.Body), cond)
		if err != nil {
			return nil, err
		}
		if !created {
			return api.CreateReferral200JSONResponse{Body: toReferral(r),
				Headers: api.CreateReferral200ResponseHeaders{Location: location("/v1/referrals", r.ID), ETag: etag(r.Version)}}, nil
		}
		return api.CreateReferral201JSONResponse{Body: toReferral(r),
			Headers: api.CreateReferral201ResponseHeaders{Location: location("/v1/referrals", r.ID), ETag: etag(r.Version)}}, nil
	}
	r, err := h.svc.CreateReferral(ctx, fromReferralInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return fastJSON{status: http.StatusCreated, body: toReferral(r), location: location("/v1/referrals", r.ID), etag: etag(r.Version)}, nil
}

func (h *referralHandlers) GetReferral(ctx context.Context, req api.GetReferralRequestObject) (api.GetReferralResponseObject, error) {
	r, err := h.svc.Referral(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return fastJSON{body: toReferral(r), etag: etag(r.Version)}, nil
}

func (h *referralHandlers) ListReferrals(ctx context.Context, req api.ListReferralsRequestObject) (api.ListReferralsResponseObject, error) {
	q := req.Params
	f := referral.Filter{Status: string(ptrVal(q.Status)), Reason: string(ptrVal(q.Reason)), OrganisationID: uuidStr(q.OrganisationID),
		YoungPersonID: uuidStr(q.YoungPersonID), Locality: str(q.Locality), Query: str(q.Q), CreatedAfter: q.CreatedAfter, CreatedBefore: q.CreatedBefore}
	if q.ExternalID != nil {
		id, err := h.svc.ParseExternalID("external_id", *q.ExternalID)
		if err != nil {
			return nil, err
		}
		f.ExternalID = &id
	}
	items, next, err := h.svc.Referrals(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	return referralPageJSON{items: items, next: next}, nil
}

func (h *referralHandlers) UpdateReferral(ctx context.Context, req api.UpdateReferralRequestObject) (api.UpdateReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.UpdateReferral(ctx, req.ID.String(), ifMatch, func(cur referral.Referral) (referral.Referral, []string, error) {
		var in api.ReferralInput
		changed, err := h.s.mergePatch(ctx, toReferralInput(cur), "ReferralInput", &in)
		return cur.Corrected(fromReferralInput(in), changed), changed, err
	})
	if err != nil {
		return nil, err
	}
	return fastJSON{status: http.StatusOK, body: toReferral(r), etag: etag(r.Version)}, nil
}

func (h *referralHandlers) TriageReferral(ctx context.Context, req api.TriageReferralRequestObject) (api.TriageReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.TriageReferral(ctx, req.ID.String(), ifMatch, fromTriageInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.TriageReferral200JSONResponse{Body: toReferral(r), Headers: api.TriageReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *referralHandlers) AllocateReferral(ctx context.Context, req api.AllocateReferralRequestObject) (api.AllocateReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	r, err := h.svc.Allocate(ctx, req.ID.String(), ifMatch, b.PractitionerID.String(), b.Reason, uuidStr(b.MeetingID))
	if err != nil {
		return nil, err
	}
	return api.AllocateReferral200JSONResponse{Body: toReferral(r), Headers: api.AllocateReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *referralHandlers) ListAllocations(ctx context.Context, req api.ListAllocationsRequestObject) (api.ListAllocationsResponseObject, error) {
	items, err := h.svc.Allocations(ctx, req.ID.String(), ptrVal(req.Params.UpdatedSince))
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

func (h *referralHandlers) TransitionReferral(ctx context.Context, req api.TransitionReferralRequestObject) (api.TransitionReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.TransitionReferral(ctx, req.ID.String(), ifMatch, referral.Status(req.Body.To), req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.TransitionReferral200JSONResponse{Body: toReferral(r), Headers: api.TransitionReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *referralHandlers) CloseReferral(ctx context.Context, req api.CloseReferralRequestObject) (api.CloseReferralResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.CloseReferral(ctx, req.ID.String(), ifMatch, string(req.Body.Outcome), req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return api.CloseReferral200JSONResponse{Body: toReferral(r), Headers: api.CloseReferral200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *referralHandlers) GetTimeline(ctx context.Context, req api.GetTimelineRequestObject) (api.GetTimelineResponseObject, error) {
	items, next, err := h.svc.Timeline(ctx, req.ID.String(), page(req.Params.Limit, req.Params.Cursor, nil))
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

func (h *referralHandlers) RaiseSafeguardingConcern(ctx context.Context, req api.RaiseSafeguardingConcernRequestObject) (api.RaiseSafeguardingConcernResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.RaiseSafeguardingConcern(ctx, req.ID.String(), ifMatch, req.Body.Reason, req.Body.RaisedOn.Time)
	if err != nil {
		return nil, err
	}
	return api.RaiseSafeguardingConcern200JSONResponse{Body: toReferral(r), Headers: api.RaiseSafeguardingConcern200ResponseHeaders{ETag: etag(r.Version)}}, nil
}
