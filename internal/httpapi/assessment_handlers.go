package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// Placeholder until this resource is implemented.

func (h *handlers) ListFamilyAssessments(context.Context, api.ListFamilyAssessmentsRequestObject) (api.ListFamilyAssessmentsResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) CreateFamilyAssessment(context.Context, api.CreateFamilyAssessmentRequestObject) (api.CreateFamilyAssessmentResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) GetFamilyAssessment(context.Context, api.GetFamilyAssessmentRequestObject) (api.GetFamilyAssessmentResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) UpdateFamilyAssessment(context.Context, api.UpdateFamilyAssessmentRequestObject) (api.UpdateFamilyAssessmentResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) ReviewFamilyAssessment(context.Context, api.ReviewFamilyAssessmentRequestObject) (api.ReviewFamilyAssessmentResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}

func (h *handlers) SubmitFamilyAssessment(context.Context, api.SubmitFamilyAssessmentRequestObject) (api.SubmitFamilyAssessmentResponseObject, error) {
	return nil, fault.New(fault.Unavailable, "not implemented yet")
}
