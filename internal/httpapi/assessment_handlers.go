package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/assessment"
)

// Converters for family assessments.

func fromSections(in *api.AssessmentSections) assessment.Sections {
	if in == nil {
		return assessment.Sections{}
	}
	out := assessment.Sections{DevelopmentalNeeds: str(in.DevelopmentalNeeds), ParentingCapacity: str(in.ParentingCapacity),
		FamilyAndEnvironment: str(in.FamilyAndEnvironment), Education: str(in.Education), Health: str(in.Health),
		SocialCare: str(in.SocialCare), ChildVoice: str(in.ChildVoice)}
	if v := in.FamilyViews; v != nil {
		out.FamilyViews = &assessment.FamilyViews{WhoWeAre: str(v.WhoWeAre), WhatMatters: str(v.WhatMatters),
			WhatWeWantToAchieve: str(v.WhatWeWantToAchieve)}
	}
	return out.Tidy()
}

func toSections(in assessment.Sections) api.AssessmentSections {
	in = in.Tidy()
	out := api.AssessmentSections{DevelopmentalNeeds: ptr(in.DevelopmentalNeeds), ParentingCapacity: ptr(in.ParentingCapacity),
		FamilyAndEnvironment: ptr(in.FamilyAndEnvironment), Education: ptr(in.Education), Health: ptr(in.Health),
		SocialCare: ptr(in.SocialCare), ChildVoice: ptr(in.ChildVoice)}
	if v := in.FamilyViews; v != nil {
		out.FamilyViews = &api.FamilyViews{WhoWeAre: ptr(v.WhoWeAre), WhatMatters: ptr(v.WhatMatters), WhatWeWantToAchieve: ptr(v.WhatWeWantToAchieve)}
	}
	return out
}

// toAssessmentPatch is an assessment in its patchable shape, for JSON merge patch.
func toAssessmentPatch(a assessment.Assessment) api.FamilyAssessmentPatch {
	sections := toSections(a.Sections)
	return api.FamilyAssessmentPatch{AssessorPractitionerID: uuidPtr(a.AssessorPractitionerID), Sections: &sections}
}

func toAssessment(a assessment.Assessment) api.FamilyAssessment {
	return api.FamilyAssessment{ID: mustUUID(a.ID), ReferralID: mustUUID(a.ReferralID), YoungPersonID: mustUUID(a.YoungPersonID),
		Kind: api.AssessmentKind(a.Kind), Status: api.AssessmentStatus(a.Status), AssessmentNumber: a.Number, PreviousID: uuidPtr(a.PreviousID),
		AssessorPractitionerID: uuidPtr(a.AssessorPractitionerID), Sections: toSections(a.Sections), SubmittedAt: a.SubmittedAt,
		ReviewedAt: a.ReviewedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version}
}

// Handlers.

func (h *assessmentHandlers) ListFamilyAssessments(ctx context.Context, req api.ListFamilyAssessmentsRequestObject) (api.ListFamilyAssessmentsResponseObject, error) {
	q := req.Params
	f := assessment.Filter{ReferralID: uuidStr(q.ReferralID), YoungPersonID: uuidStr(q.YoungPersonID), Status: string(ptrVal(q.Status))}
	items, next, err := h.svc.Assessments(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListFamilyAssessments200JSONResponse{Items: make([]api.FamilyAssessment, len(items)), NextCursor: nextCursor(next)}
	for i, a := range items {
		out.Items[i] = toAssessment(a)
	}
	return out, nil
}

func (h *assessmentHandlers) CreateFamilyAssessment(ctx context.Context, req api.CreateFamilyAssessmentRequestObject) (api.CreateFamilyAssessmentResponseObject, error) {
	in := *req.Body
	a, err := h.svc.CreateAssessment(ctx, in.ReferralID.String(), uuidStr(in.AssessorPractitionerID), fromSections(in.Sections))
	if err != nil {
		return nil, err
	}
	return api.CreateFamilyAssessment201JSONResponse{Body: toAssessment(a), Headers: api.CreateFamilyAssessment201ResponseHeaders{
		Location: location("/v1/family-assessments", a.ID), ETag: etag(a.Version)}}, nil
}

func (h *assessmentHandlers) GetFamilyAssessment(ctx context.Context, req api.GetFamilyAssessmentRequestObject) (api.GetFamilyAssessmentResponseObject, error) {
	a, err := h.svc.Assessment(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetFamilyAssessment200JSONResponse{Body: toAssessment(a), Headers: api.GetFamilyAssessment200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

func (h *assessmentHandlers) UpdateFamilyAssessment(ctx context.Context, req api.UpdateFamilyAssessmentRequestObject) (api.UpdateFamilyAssessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	a, err := h.svc.UpdateAssessment(ctx, req.ID.String(), ifMatch, func(cur assessment.Assessment) (assessment.Assessment, []string, error) {
		var in api.FamilyAssessmentPatch
		if _, err := h.s.mergePatch(ctx, toAssessmentPatch(cur), "FamilyAssessmentPatch", &in); err != nil {
			return cur, nil, err
		}
		next := cur
		next.AssessorPractitionerID, next.Sections = uuidStr(in.AssessorPractitionerID), fromSections(in.Sections)
		// What changed is judged on the record, not its JSON: an empty family_views is no change.
		var changed []string
		if next.AssessorPractitionerID != cur.AssessorPractitionerID {
			changed = append(changed, "assessor_practitioner_id")
		}
		if !next.Sections.Equal(cur.Sections) {
			changed = append(changed, "sections")
		}
		return next, changed, nil
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateFamilyAssessment200JSONResponse{Body: toAssessment(a), Headers: api.UpdateFamilyAssessment200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

func (h *assessmentHandlers) SubmitFamilyAssessment(ctx context.Context, req api.SubmitFamilyAssessmentRequestObject) (api.SubmitFamilyAssessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	a, err := h.svc.SubmitAssessment(ctx, req.ID.String(), ifMatch)
	if err != nil {
		return nil, err
	}
	return api.SubmitFamilyAssessment200JSONResponse{Body: toAssessment(a), Headers: api.SubmitFamilyAssessment200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

func (h *assessmentHandlers) ReviewFamilyAssessment(ctx context.Context, req api.ReviewFamilyAssessmentRequestObject) (api.ReviewFamilyAssessmentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	a, err := h.svc.ReviewAssessment(ctx, req.ID.String(), ifMatch)
	if err != nil {
		return nil, err
	}
	return api.ReviewFamilyAssessment201JSONResponse{Body: toAssessment(a), Headers: api.ReviewFamilyAssessment201ResponseHeaders{
		Location: location("/v1/family-assessments", a.ID), ETag: etag(a.Version)}}, nil
}
