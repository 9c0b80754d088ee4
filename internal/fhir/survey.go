package fhir

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/survey"
)

// InvitationSystem identifies a survey invitation's token in QuestionnaireResponse.identifier:
// whoever holds the token may answer once, as through /v1/survey-links/{token}.
const InvitationSystem = base + "Id/survey-invitation-token"

// QuestionnaireURL is a survey template's canonical URL under the server's FHIR base.
func QuestionnaireURL(fhirBase, templateID string) string {
	return fhirBase + "/Questionnaire/" + templateID
}

// Questionnaire shows a survey template's question set: likert_5 as a choice of the integers 1
// to 5, yes_no as boolean, choice as a choice of its options, text as text.
func Questionnaire(fhirBase string, t survey.Template, set survey.QuestionSet) (json.RawMessage, error) {
	q := fhir.Questionnaire{Id: ptr(t.ID), Meta: meta(t.Version, t.UpdatedAt), Url: ptr(QuestionnaireURL(fhirBase, t.ID)),
		Version: ptr(strconv.Itoa(set.Number)), Name: ptr(t.Code), Title: ptr(t.Name), Status: fhir.PublicationStatusActive,
		Date: ptr(set.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"))}
	if t.Description != "" {
		q.Description = ptr(t.Description)
	}
	options := make([][]map[string]any, len(set.Questions))
	for i, qu := range set.Questions {
		item := fhir.QuestionnaireItem{LinkId: qu.ID, Text: ptr(qu.Text), Required: ptr(qu.Required)}
		switch qu.Type {
		case survey.Likert5:
			item.Type = fhir.QuestionnaireItemTypeChoice
			for v := 1; v <= 5; v++ {
				options[i] = append(options[i], map[string]any{"valueInteger": v})
			}
		case survey.YesNo:
			item.Type = fhir.QuestionnaireItemTypeBoolean
		case survey.Choice:
			item.Type = fhir.QuestionnaireItemTypeChoice
			for _, o := range qu.Options {
				options[i] = append(options[i], map[string]any{"valueString": o})
			}
		default:
			item.Type = fhir.QuestionnaireItemTypeText
		}
		q.Item = append(q.Item, item)
	}
	raw, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("marshal questionnaire: %w", err)
	}
	// The model's answerOption carries every value[x] at once (they are not optional in its
	// structs), which is not valid FHIR: the options are added to the JSON instead.
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("add answer options: %w", err)
	}
	for i, it := range m["item"].([]any) {
		if len(options[i]) > 0 {
			it.(map[string]any)["answerOption"] = options[i]
		}
	}
	return json.Marshal(m)
}

// QuestionnaireResponse shows a survey response.
func QuestionnaireResponse(fhirBase string, r survey.Response) fhir.QuestionnaireResponse {
	out := fhir.QuestionnaireResponse{Id: ptr(r.ID), Meta: meta(r.Version, r.CreatedAt), Status: fhir.QuestionnaireResponseStatusCompleted,
		Questionnaire: ptr(QuestionnaireURL(fhirBase, r.TemplateID) + "|" + strconv.Itoa(r.TemplateVersion)),
		Subject:       ref("Patient", r.YoungPersonID), Authored: ptr(r.SubmittedOn.UTC().Format("2006-01-02"))}
	for _, a := range r.Answers {
		ans := fhir.QuestionnaireResponseItemAnswer{}
		switch v := a.Value.(type) {
		case bool:
			ans.ValueBoolean = ptr(v)
		case int:
			ans.ValueInteger = ptr(v)
		case float64:
			ans.ValueInteger = ptr(int(v))
		case string:
			ans.ValueString = ptr(v)
		default:
			continue
		}
		out.Item = append(out.Item, fhir.QuestionnaireResponseItem{LinkId: a.QuestionID, Answer: []fhir.QuestionnaireResponseItemAnswer{ans}})
	}
	return out
}

// FromQuestionnaireResponse reads the invitation token and the answers from a response a
// respondent sends; the survey service checks the answers against the question set.
func FromQuestionnaireResponse(qr fhir.QuestionnaireResponse) (token string, answers []survey.Answer, errs []fault.FieldError) {
	bad := func(path, detail string) { errs = append(errs, fault.FieldError{Pointer: path, Detail: detail}) }
	if qr.Identifier == nil || qr.Identifier.System == nil || *qr.Identifier.System != InvitationSystem || qr.Identifier.Value == nil || *qr.Identifier.Value == "" {
		bad("QuestionnaireResponse.identifier", "carry the invitation's token as identifier {system: "+InvitationSystem+", value: <token>}")
	} else {
		token = *qr.Identifier.Value
	}
	if qr.Status != fhir.QuestionnaireResponseStatusCompleted {
		bad("QuestionnaireResponse.status", "send a completed response")
	}
	for i, it := range qr.Item {
		path := "QuestionnaireResponse.item[" + strconv.Itoa(i) + "]"
		if len(it.Answer) != 1 {
			bad(path+".answer", "give exactly one answer")
			continue
		}
		a := it.Answer[0]
		var v any
		switch {
		case a.ValueBoolean != nil:
			v = *a.ValueBoolean
		case a.ValueInteger != nil:
			v = *a.ValueInteger
		case a.ValueString != nil:
			v = *a.ValueString
		case a.ValueCoding != nil && a.ValueCoding.Code != nil:
			v = *a.ValueCoding.Code
		default:
			bad(path+".answer[0]", "answer with valueBoolean, valueInteger, valueString or valueCoding")
			continue
		}
		answers = append(answers, survey.Answer{QuestionID: it.LinkId, Value: v})
	}
	return token, answers, errs
}
