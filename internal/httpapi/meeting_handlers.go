package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// Placeholder until this resource is implemented.

func (h *handlers) ListMeetings(context.Context, api.ListMeetingsRequestObject) (api.ListMeetingsResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) CreateMeeting(context.Context, api.CreateMeetingRequestObject) (api.CreateMeetingResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) GetMeeting(context.Context, api.GetMeetingRequestObject) (api.GetMeetingResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) UpdateMeeting(context.Context, api.UpdateMeetingRequestObject) (api.UpdateMeetingResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) ListActions(context.Context, api.ListActionsRequestObject) (api.ListActionsResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) CompleteAction(context.Context, api.CompleteActionRequestObject) (api.CompleteActionResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}
