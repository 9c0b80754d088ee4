package httpapi

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/surveys"
	"github.com/oneplan-send/oneplan/internal/survey"
)

// Converters.

func fromSurveyQuestions(in []api.SurveyQuestion) []survey.Question {
	out := make([]survey.Question, len(in))
	for i, q := range in {
		out[i] = survey.Question{ID: q.ID, Text: q.Text, Type: string(q.Type), Options: ptrVal(q.Options), Required: ptrVal(q.Required)}
	}
	return out
}

func toSurveyQuestions(in []survey.Question) []api.SurveyQuestion {
	out := make([]api.SurveyQuestion, len(in))
	for i, q := range in {
		required := q.Required
		out[i] = api.SurveyQuestion{ID: q.ID, Text: q.Text, Type: api.SurveyQuestionType(q.Type), Options: slicePtr(q.Options), Required: &required}
	}
	return out
}

func toSurveyTemplate(t survey.Template) api.SurveyTemplate {
	out := api.SurveyTemplate{ID: mustUUID(t.ID), Code: t.Code, Name: t.Name, Description: ptr(t.Description), Audience: api.SurveyAudience(t.Audience),
		BuiltIn: t.BuiltIn, CurrentVersion: t.Current().Number, Versions: make([]api.SurveyQuestionSet, len(t.Versions)),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
	for i, v := range t.Versions {
		out.Versions[i] = api.SurveyQuestionSet{Number: v.Number, Questions: toSurveyQuestions(v.Questions), CreatedAt: v.CreatedAt}
	}
	return out
}

func fromSurveyAnswers(in []api.SurveyAnswer) []survey.Answer {
	out := make([]survey.Answer, len(in))
	for i, a := range in {
		out[i] = survey.Answer{QuestionID: a.QuestionID, Value: a.Value}
	}
	return out
}

func toSurveyResponse(r survey.Response) api.SurveyResponse {
	out := api.SurveyResponse{ID: mustUUID(r.ID), TemplateID: mustUUID(r.TemplateID), TemplateVersion: r.TemplateVersion,
		Audience: api.SurveyAudience(r.Audience), ProfessionalRole: ptr(api.SurveyProfessionalRole(r.ProfessionalRole)), Point: api.SurveyPoint(r.Point),
		ReferralID: uuidPtr(r.ReferralID), EHCPlanID: uuidPtr(r.EHCPlanID), YoungPersonID: uuidPtr(r.YoungPersonID), SubmittedOn: date(r.SubmittedOn),
		Via: api.SurveyResponseVia(r.Via), Answers: make([]api.SurveyAnswer, len(r.Answers)), CreatedAt: r.CreatedAt, Version: r.Version}
	for i, a := range r.Answers {
		out.Answers[i] = api.SurveyAnswer{QuestionID: a.QuestionID, Value: a.Value}
	}
	return out
}

func toSurveyInvitation(i survey.Invitation, now time.Time) api.SurveyInvitation {
	return api.SurveyInvitation{ID: mustUUID(i.ID), TemplateID: mustUUID(i.TemplateID), TemplateVersion: i.TemplateVersion,
		Audience: api.SurveyAudience(i.Audience), Point: api.SurveyPoint(i.Point), ReferralID: uuidPtr(i.ReferralID), EHCPlanID: uuidPtr(i.EHCPlanID),
		YoungPersonID: uuidPtr(i.YoungPersonID), Status: api.SurveyInvitationStatus(i.Status(now)), ExpiresAt: i.ExpiresAt,
		AnsweredAt: i.AnsweredAt, ResponseID: uuidPtr(i.ResponseID), CreatedAt: i.CreatedAt}
}

// Templates.

func (h *surveyHandlers) CreateSurveyTemplate(ctx context.Context, req api.CreateSurveyTemplateRequestObject) (api.CreateSurveyTemplateResponseObject, error) {
	b := req.Body
	t, err := h.svc.CreateSurveyTemplate(ctx, b.Code, b.Name, str(b.Description), string(b.Audience), fromSurveyQuestions(b.Questions))
	if err != nil {
		return nil, err
	}
	return api.CreateSurveyTemplate201JSONResponse{Body: toSurveyTemplate(t),
		Headers: api.CreateSurveyTemplate201ResponseHeaders{Location: location("/v1/survey-templates", t.ID), ETag: etag(t.Version)}}, nil
}

func (h *surveyHandlers) ListSurveyTemplates(ctx context.Context, req api.ListSurveyTemplatesRequestObject) (api.ListSurveyTemplatesResponseObject, error) {
	q := req.Params
	items, next, err := h.svc.SurveyTemplates(ctx, string(ptrVal(q.Audience)), page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListSurveyTemplates200JSONResponse{Items: make([]api.SurveyTemplate, len(items)), NextCursor: nextCursor(next)}
	for i, t := range items {
		out.Items[i] = toSurveyTemplate(t)
	}
	return out, nil
}

func (h *surveyHandlers) GetSurveyTemplate(ctx context.Context, req api.GetSurveyTemplateRequestObject) (api.GetSurveyTemplateResponseObject, error) {
	t, err := h.svc.SurveyTemplate(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetSurveyTemplate200JSONResponse{Body: toSurveyTemplate(t), Headers: api.GetSurveyTemplate200ResponseHeaders{ETag: etag(t.Version)}}, nil
}

func (h *surveyHandlers) AddSurveyTemplateVersion(ctx context.Context, req api.AddSurveyTemplateVersionRequestObject) (api.AddSurveyTemplateVersionResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	t, err := h.svc.AddSurveyTemplateVersion(ctx, req.ID.String(), ifMatch, fromSurveyQuestions(req.Body.Questions))
	if err != nil {
		return nil, err
	}
	return api.AddSurveyTemplateVersion200JSONResponse{Body: toSurveyTemplate(t), Headers: api.AddSurveyTemplateVersion200ResponseHeaders{ETag: etag(t.Version)}}, nil
}

// Responses.

func (h *surveyHandlers) CreateSurveyResponse(ctx context.Context, req api.CreateSurveyResponseRequestObject) (api.CreateSurveyResponseResponseObject, error) {
	b := req.Body
	in := survey.Response{TemplateID: b.TemplateID.String(), TemplateVersion: ptrVal(b.TemplateVersion), ProfessionalRole: string(ptrVal(b.ProfessionalRole)),
		Point: string(b.Point), ReferralID: uuidStr(b.ReferralID), EHCPlanID: uuidStr(b.EHCPlanID), Answers: fromSurveyAnswers(b.Answers)}
	if b.SubmittedOn != nil {
		in.SubmittedOn = b.SubmittedOn.Time
	}
	r, err := h.svc.CreateSurveyResponse(ctx, in)
	if err != nil {
		return nil, err
	}
	return api.CreateSurveyResponse201JSONResponse{Body: toSurveyResponse(r),
		Headers: api.CreateSurveyResponse201ResponseHeaders{Location: location("/v1/survey-responses", r.ID), ETag: etag(r.Version)}}, nil
}

func (h *surveyHandlers) ListSurveyResponses(ctx context.Context, req api.ListSurveyResponsesRequestObject) (api.ListSurveyResponsesResponseObject, error) {
	q := req.Params
	f := survey.ResponseFilter{TemplateID: uuidStr(q.TemplateID), ReferralID: uuidStr(q.ReferralID), EHCPlanID: uuidStr(q.EHCPlanID),
		YoungPersonID: uuidStr(q.YoungPersonID), Point: string(ptrVal(q.Point))}
	items, next, err := h.svc.ListSurveyResponses(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListSurveyResponses200JSONResponse{Items: make([]api.SurveyResponse, len(items)), NextCursor: nextCursor(next)}
	for i, r := range items {
		out.Items[i] = toSurveyResponse(r)
	}
	return out, nil
}

func (h *surveyHandlers) GetSurveyResponse(ctx context.Context, req api.GetSurveyResponseRequestObject) (api.GetSurveyResponseResponseObject, error) {
	r, err := h.svc.SurveyResponse(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetSurveyResponse200JSONResponse{Body: toSurveyResponse(r), Headers: api.GetSurveyResponse200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

// Invitations and the links families answer through.

func (h *surveyHandlers) CreateSurveyInvitation(ctx context.Context, req api.CreateSurveyInvitationRequestObject) (api.CreateSurveyInvitationResponseObject, error) {
	b := req.Body
	in := surveys.SurveyInvitationInput{TemplateID: b.TemplateID.String(), Point: string(b.Point), ReferralID: uuidStr(b.ReferralID), EHCPlanID: uuidStr(b.EHCPlanID)}
	if b.ExpiresOn != nil {
		in.ExpiresOn = &b.ExpiresOn.Time
	}
	inv, token, err := h.svc.CreateSurveyInvitation(ctx, in)
	if err != nil {
		return nil, err
	}
	return api.CreateSurveyInvitation201JSONResponse{Body: api.SurveyInvitationIssued{Invitation: toSurveyInvitation(inv, h.svc.Now()), Token: token,
		LinkPath: "/v1/survey-links/" + token}, Headers: api.CreateSurveyInvitation201ResponseHeaders{Location: location("/v1/survey-invitations", inv.ID)}}, nil
}

func (h *surveyHandlers) ListSurveyInvitations(ctx context.Context, req api.ListSurveyInvitationsRequestObject) (api.ListSurveyInvitationsResponseObject, error) {
	q := req.Params
	f := survey.InvitationFilter{ReferralID: uuidStr(q.ReferralID), EHCPlanID: uuidStr(q.EHCPlanID), Status: string(ptrVal(q.Status))}
	items, next, err := h.svc.ListSurveyInvitations(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListSurveyInvitations200JSONResponse{Items: make([]api.SurveyInvitation, len(items)), NextCursor: nextCursor(next)}
	for i, inv := range items {
		out.Items[i] = toSurveyInvitation(inv, h.svc.Now())
	}
	return out, nil
}

func (h *surveyHandlers) GetSurveyInvitation(ctx context.Context, req api.GetSurveyInvitationRequestObject) (api.GetSurveyInvitationResponseObject, error) {
	inv, err := h.svc.SurveyInvitation(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetSurveyInvitation200JSONResponse(toSurveyInvitation(inv, h.svc.Now())), nil
}

func (h *surveyHandlers) GetSurveyLink(ctx context.Context, req api.GetSurveyLinkRequestObject) (api.GetSurveyLinkResponseObject, error) {
	l, err := h.svc.OpenSurveyLink(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	return api.GetSurveyLink200JSONResponse{Name: l.Template.Name, Description: ptr(l.Template.Description), Audience: api.SurveyAudience(l.Template.Audience),
		Point: api.SurveyPoint(l.Invitation.Point), Questions: toSurveyQuestions(l.Set.Questions), ExpiresAt: l.Invitation.ExpiresAt}, nil
}

func (h *surveyHandlers) AnswerSurveyLink(ctx context.Context, req api.AnswerSurveyLinkRequestObject) (api.AnswerSurveyLinkResponseObject, error) {
	r, err := h.svc.AnswerSurveyLink(ctx, req.Token, fromSurveyAnswers(req.Body.Answers))
	if err != nil {
		return nil, err
	}
	return api.AnswerSurveyLink201JSONResponse{ReceivedOn: date(r.SubmittedOn)}, nil
}
