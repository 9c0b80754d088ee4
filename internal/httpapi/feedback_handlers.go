package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// Placeholder until this resource is implemented.

func (h *handlers) ListPathwayFeedback(context.Context, api.ListPathwayFeedbackRequestObject) (api.ListPathwayFeedbackResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) CreatePathwayFeedback(context.Context, api.CreatePathwayFeedbackRequestObject) (api.CreatePathwayFeedbackResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) GetPathwayFeedback(context.Context, api.GetPathwayFeedbackRequestObject) (api.GetPathwayFeedbackResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}
