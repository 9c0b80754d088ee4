package survey

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// maxAnswerText is the longest text answer, in characters.
const maxAnswerText = 2000

// Answer is one answer. Value holds what JSON decoding gave (float64, json.Number or int for
// numbers; bool; string) until Response.Check normalises it.
type Answer struct {
	QuestionID string `json:"question_id"`
	Value      any    `json:"value"`
}

// Response is one completed survey.
type Response struct {
	ID, TemplateID   string
	TemplateVersion  int
	Audience         string // the template's audience, copied so reports need not join
	ProfessionalRole string // professional audience only
	Point            string
	// What the response is about; both empty: anonymous.
	ReferralID, EHCPlanID string
	YoungPersonID         string // filled by the caller from the referral or plan
	Answers               []Answer
	SubmittedOn           time.Time
	Via                   string
	InvitationID          string
	RespondentOrgID       string
	PractitionerID        string
	CreatedAt             time.Time
	Version               int
}

// Check validates r against template t and the question set it answers. On success it copies
// the template's id, audience and the set's number into r, normalises answer values (likert_5
// to int, yes_no to bool, choice and text to trimmed strings) and orders the answers as the
// questions are; on failure r is left as it was. Every problem is a field error (kind Invalid).
// Details name question ids and allowed values only, never what was answered: free text may be
// personal and details reach callers.
func (r *Response) Check(t Template, set QuestionSet, today time.Time) error {
	// A response naming another template or version than the one it is checked against is a
	// caller's bug, not the respondent's: never a 400.
	if r.TemplateID != "" && r.TemplateID != t.ID {
		return errors.New("survey: response names template " + r.TemplateID + " but was checked against " + t.ID)
	}
	if r.TemplateVersion != 0 && r.TemplateVersion != set.Number {
		return errors.New("survey: response names version " + strconv.Itoa(r.TemplateVersion) + " but was checked against version " + strconv.Itoa(set.Number))
	}
	var errs []fault.FieldError
	add := func(pointer, detail string) { errs = append(errs, fault.FieldError{Pointer: pointer, Detail: detail}) }
	if !slices.Contains(Points, r.Point) {
		add("/point", "must be one of: "+strings.Join(Points, ", "))
	}
	switch {
	case t.Audience == Professional && !slices.Contains(ProfessionalRoles, r.ProfessionalRole):
		add("/professional_role", "is required for a professional survey and must be one of: "+strings.Join(ProfessionalRoles, ", "))
	case t.Audience != Professional && r.ProfessionalRole != "":
		add("/professional_role", "is only for professional surveys")
	}
	if r.ReferralID != "" && r.EHCPlanID != "" {
		add("/ehc_plan_id", "give a referral or a plan, not both")
	}
	switch {
	case r.SubmittedOn.IsZero():
		add("/submitted_on", "is required")
	case statutory.Civil(r.SubmittedOn).After(statutory.Civil(today)):
		add("/submitted_on", "must not be in the future")
	}

	values := make(map[string]any, len(r.Answers))
	for i, a := range r.Answers {
		at := "/answers/" + strconv.Itoa(i)
		q, ok := set.question(a.QuestionID)
		switch _, dup := values[a.QuestionID]; {
		case !ok && !questionIDPattern.MatchString(a.QuestionID):
			// Not even shaped like an id: it may be anything, so it is not echoed back.
			add(at+"/question_id", "is not a question in version "+strconv.Itoa(set.Number)+" of this template")
		case !ok:
			add(at+"/question_id", "no question "+a.QuestionID+" in version "+strconv.Itoa(set.Number)+" of this template")
		case dup:
			add(at+"/question_id", "question "+q.ID+" is answered twice")
		default:
			v, ok := q.normalise(a.Value)
			if !ok {
				add(at+"/value", "question "+q.ID+": "+q.expected())
			}
			values[q.ID] = v
		}
	}
	for _, q := range set.Questions {
		if _, answered := values[q.ID]; q.Required && !answered {
			add("/answers", "question "+q.ID+" is required")
		}
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}

	answers := make([]Answer, 0, len(values))
	for _, q := range set.Questions {
		if v, answered := values[q.ID]; answered {
			answers = append(answers, Answer{QuestionID: q.ID, Value: v})
		}
	}
	r.TemplateID, r.TemplateVersion, r.Audience = t.ID, set.Number, t.Audience
	r.Answers = answers
	return nil
}

// normalise returns v in its stored form for the question's type: int for likert_5, bool for
// yes_no, a trimmed string for choice and text. It reports false when v is not a valid answer.
func (q Question) normalise(v any) (any, bool) {
	switch q.Type {
	case Likert5:
		n, ok := wholeNumber(v)
		return n, ok && n >= 1 && n <= 5
	case YesNo:
		b, ok := v.(bool)
		return b, ok
	case Choice:
		s, ok := v.(string)
		s = strings.TrimSpace(s)
		return s, ok && slices.Contains(q.Options, s)
	case Text:
		s, ok := v.(string)
		s = strings.TrimSpace(s)
		n := utf8.RuneCountInString(s)
		return s, ok && n >= 1 && n <= maxAnswerText
	}
	return nil, false
}

// expected says what an answer to q must be, for a refused answer's detail.
func (q Question) expected() string {
	switch q.Type {
	case Likert5:
		return "must be a whole number from 1 to 5"
	case YesNo:
		return "must be true or false"
	case Choice:
		return "must be one of: " + strings.Join(q.Options, ", ")
	case Text:
		return "must be text of 1 to " + strconv.Itoa(maxAnswerText) + " characters"
	}
	return "is of an unknown type"
}

// wholeNumber reads a decoded JSON number as an int. Strings and booleans are refused even when
// they look like numbers: a "4" is a client that did not mean a score. 4.0 is accepted, since
// JSON cannot tell it from 4.
func wholeNumber(v any) (int, bool) {
	var f float64
	switch x := v.(type) {
	case int:
		return x, true
	case int32:
		return int(x), true
	case int64:
		f = float64(x)
	case float32:
		f = float64(x)
	case float64:
		f = x
	case json.Number:
		if n, err := x.Int64(); err == nil {
			f = float64(n)
		} else if n, err := x.Float64(); err == nil {
			f = n
		} else {
			return 0, false
		}
	default:
		return 0, false
	}
	// Out of int range or fractional: never a score, and the conversion below would be undefined.
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, false
	}
	return int(f), true
}

// Score is the reportable form of one answer: Score is 1..5 for likert_5 and 1 (yes) or 0 (no)
// for yes_no; Choice holds a choice answer; a text answer has neither, since free text is only
// ever counted, never reported.
type Score struct {
	QuestionID, Type string
	Score            *int
	Choice           string
}

// Scores are r's answers in reportable form, in the order of set's questions. Values are read
// leniently (a stored response reloaded from JSON has float64 scores); answers to questions the
// set does not have, or that are not valid for their question, are left out.
func (r Response) Scores(set QuestionSet) []Score {
	var out []Score
	for _, q := range set.Questions {
		i := slices.IndexFunc(r.Answers, func(a Answer) bool { return a.QuestionID == q.ID })
		if i < 0 {
			continue
		}
		v, ok := q.normalise(r.Answers[i].Value)
		if !ok {
			continue
		}
		s := Score{QuestionID: q.ID, Type: q.Type}
		switch q.Type {
		case Likert5:
			n := v.(int)
			s.Score = &n
		case YesNo:
			n := 0
			if v.(bool) {
				n = 1
			}
			s.Score = &n
		case Choice:
			s.Choice = v.(string)
		}
		out = append(out, s)
	}
	return out
}

// CheckFamily applies what a family signed in as themselves may answer: their own or their
// child's survey, about their own child's referral or plan (never anonymously, where nothing
// would tie the answer to a child of theirs).
func (r Response) CheckFamily(t Template) error {
	if err := FamilyMayAnswer(t.Audience); err != nil {
		return err
	}
	if r.ReferralID == "" && r.EHCPlanID == "" {
		return fault.Field(fault.Unprocessable, "/referral_id", "a family's response is about their own child's referral or EHC plan")
	}
	return nil
}

// FamilySees reports whether a family sees a response given by audience about their child: their
// own and their child's, not a professional's, whose answers are the professional's.
func FamilySees(audience string) bool { return slices.Contains(FamilyAudiences, audience) }

// FamilyMayAnswer reports whether a family signed in as themselves may answer a template for
// audience: their own or their child's survey, never a professional's.
func FamilyMayAnswer(audience string) error {
	if audience == ParentCarer || audience == ChildYoungPerson {
		return nil
	}
	return fault.Field(fault.Unprocessable, "/template_id", "families answer parent and carer or child and young person surveys only")
}
