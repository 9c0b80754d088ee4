// Package survey holds outcome surveys: how the council learns what works for children and
// families. Survey instruments are data, not code: a template has versioned questions for one
// audience, so a council adds its own instruments without a release. Responses are checked
// against the template version they answer, and families may answer once through an invitation
// link without an account.
package survey

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Record types in the audit trail and outbox.
const (
	RecordType           = "survey_response" // a response
	TemplateRecordType   = "survey_template"
	InvitationRecordType = "survey_invitation"
)

// Audiences of a template.
const (
	ParentCarer      = "parent_carer"
	ChildYoungPerson = "child_young_person"
	Professional     = "professional"
)

// Audiences lists every audience.
var Audiences = []string{ParentCarer, ChildYoungPerson, Professional}

// FamilyAudiences are the responses a family sees about their child: their own and their
// child's. A professional's answers about the pathway are the professional's, not the family's.
var FamilyAudiences = []string{ParentCarer, ChildYoungPerson}

// A professional respondent's role. The Salford pathfinder reported the engagement lead's view
// apart from the other professionals'.
const (
	RoleEngagementLead = "engagement_lead"
	RoleOther          = "other"
)

// ProfessionalRoles lists every professional role.
var ProfessionalRoles = []string{RoleEngagementLead, RoleOther}

// Points lists the points in the pathway at which a response is given.
var Points = []string{"after_mam", "at_review", "at_closure", "other"}

// Question types.
const (
	Likert5 = "likert_5" // 1 (strongly disagree) to 5 (strongly agree)
	YesNo   = "yes_no"
	Choice  = "choice"
	Text    = "text"
)

// QuestionTypes lists every question type.
var QuestionTypes = []string{Likert5, YesNo, Choice, Text}

// How a response arrived.
const (
	ViaStaff      = "staff"      // recorded by a practitioner
	ViaFamily     = "family"     // a family member signed in as themselves
	ViaInvitation = "invitation" // through an invitation link, without an account
)

// Limits of a template. Unexported: the contract states them, callers need not.
const (
	maxName         = 200
	maxDescription  = 2000
	minQuestions    = 1
	maxQuestions    = 100
	maxQuestionText = 500
	minOptions      = 2
	maxOptions      = 20
	maxOption       = 100
)

var (
	codePattern       = regexp.MustCompile(`^[a-z][a-z0-9_]{2,49}$`)
	questionIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// Question is one item of a template version. JSON tags are the stored form.
type Question struct {
	// ID is unique within a version; the same id across versions is the same question for
	// reporting, so it keeps its type.
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Type     string   `json:"type"`
	Options  []string `json:"options,omitempty"` // choice questions only
	Required bool     `json:"required"`
}

// QuestionSet is one published version of a template's questions. Responses name the set they
// answer, so a set never changes once published.
type QuestionSet struct {
	Number    int
	Questions []Question
	CreatedAt time.Time
}

// question returns the question with id, if the set has one.
func (s QuestionSet) question(id string) (Question, bool) {
	for _, q := range s.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// Template is a survey instrument for one audience.
type Template struct {
	ID, Code, Name, Description, Audience string // Code is unique (enforced by the store)
	BuiltIn                               bool
	Versions                              []QuestionSet // oldest first; the last is current
	// Version is the current question set's number; it doubles as the record's version (ETag).
	Version              int
	CreatedAt, UpdatedAt time.Time
}

// Current is the question set new responses answer (zero for a template without one).
func (t Template) Current() QuestionSet {
	if len(t.Versions) == 0 {
		return QuestionSet{}
	}
	return t.Versions[len(t.Versions)-1]
}

// At is the question set numbered number, if the template has it.
func (t Template) At(number int) (QuestionSet, bool) {
	for _, s := range t.Versions {
		if s.Number == number {
			return s, true
		}
	}
	return QuestionSet{}, false
}

// NewTemplate checks and builds a council template at version 1, with trimmed text. The caller
// fills the ID and may replace the timestamps.
func NewTemplate(code, name, description, audience string, questions []Question, at time.Time) (Template, error) {
	var errs []fault.FieldError
	add := func(pointer, detail string) { errs = append(errs, fault.FieldError{Pointer: pointer, Detail: detail}) }
	if !codePattern.MatchString(code) {
		add("/code", "must be 3 to 50 characters of lower-case letters, digits and underscores, starting with a letter")
	}
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	if n := utf8.RuneCountInString(name); n < 1 || n > maxName {
		add("/name", "must be 1 to "+strconv.Itoa(maxName)+" characters")
	}
	if utf8.RuneCountInString(description) > maxDescription {
		add("/description", "must be at most "+strconv.Itoa(maxDescription)+" characters")
	}
	if !slices.Contains(Audiences, audience) {
		add("/audience", "must be one of: "+strings.Join(Audiences, ", "))
	}
	qs, qerrs := checkQuestions(questions)
	if err := fault.Fields(fault.Invalid, append(errs, qerrs...)); err != nil {
		return Template{}, err
	}
	return Template{
		Code: code, Name: name, Description: description, Audience: audience,
		Versions:  []QuestionSet{{Number: 1, Questions: qs, CreatedAt: at}},
		Version:   1,
		CreatedAt: at, UpdatedAt: at,
	}, nil
}

// AddVersion publishes a new question set (number = current + 1) and bumps Version. Earlier sets
// stay as they were, because responses already given name them.
func (t *Template) AddVersion(questions []Question, at time.Time) error {
	if t.BuiltIn {
		// The pathfinder's instruments are compared across councils; a changed copy would not be.
		return fault.New(fault.Conflict, "Built-in templates cannot be changed; create your own template from its questions.")
	}
	qs, errs := checkQuestions(questions)
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if err := fault.Fields(fault.Unprocessable, t.typeChanges(qs)); err != nil {
		return err
	}
	n := t.Current().Number + 1
	t.Versions = append(t.Versions, QuestionSet{Number: n, Questions: qs, CreatedAt: at})
	t.Version = n
	t.UpdatedAt = at
	return nil
}

// typeChanges refuses a question that keeps an earlier version's id under another type: reports
// join answers across versions by id, and a 1-to-5 score cannot be read beside a yes or no.
func (t Template) typeChanges(qs []Question) []fault.FieldError {
	var errs []fault.FieldError
	for i, q := range qs {
		for _, s := range t.Versions {
			if old, ok := s.question(q.ID); ok && old.Type != q.Type {
				errs = append(errs, fault.FieldError{
					Pointer: "/questions/" + strconv.Itoa(i) + "/type",
					Detail:  "question " + q.ID + " was " + old.Type + " in version " + strconv.Itoa(s.Number) + "; give a question of another type a new id",
				})
				break
			}
		}
	}
	return errs
}

// checkQuestions validates a question set's questions (pointers under "/questions") and returns
// a trimmed copy that shares no memory with the caller's.
func checkQuestions(questions []Question) ([]Question, []fault.FieldError) {
	var errs []fault.FieldError
	add := func(pointer, detail string) { errs = append(errs, fault.FieldError{Pointer: pointer, Detail: detail}) }
	if len(questions) < minQuestions || len(questions) > maxQuestions {
		// Past the limit, listing each question's faults too would only make the answer longer.
		add("/questions", "give "+strconv.Itoa(minQuestions)+" to "+strconv.Itoa(maxQuestions)+" questions")
		return nil, errs
	}
	out := make([]Question, len(questions))
	first := map[string]int{}
	for i, q := range questions {
		at := "/questions/" + strconv.Itoa(i)
		switch j, seen := first[q.ID]; {
		case !questionIDPattern.MatchString(q.ID):
			add(at+"/id", "must be 1 to 40 characters of lower-case letters, digits and underscores, starting with a letter")
		case seen:
			add(at+"/id", "question "+q.ID+" is already /questions/"+strconv.Itoa(j)+"; ids must be unique")
		default:
			first[q.ID] = i
		}
		text := strings.TrimSpace(q.Text)
		if n := utf8.RuneCountInString(text); n < 1 || n > maxQuestionText {
			add(at+"/text", "must be 1 to "+strconv.Itoa(maxQuestionText)+" characters")
		}
		if !slices.Contains(QuestionTypes, q.Type) {
			add(at+"/type", "must be one of: "+strings.Join(QuestionTypes, ", "))
		}
		var options []string
		if q.Type == Choice {
			var detail string
			options, detail = checkOptions(q.Options)
			if detail != "" {
				add(at+"/options", detail)
			}
		} else if q.Options != nil {
			// An empty list counts too: the stored form omits options for other types.
			add(at+"/options", "only choice questions have options")
		}
		out[i] = Question{ID: q.ID, Text: text, Type: q.Type, Options: options, Required: q.Required}
	}
	return out, errs
}

// checkOptions validates a choice question's options and returns them trimmed, or the first
// problem. Options differing only in case are refused: answers must match one exactly, and
// "Yes" beside "yes" would confuse whoever answers.
func checkOptions(options []string) ([]string, string) {
	if len(options) < minOptions || len(options) > maxOptions {
		return nil, "a choice question needs " + strconv.Itoa(minOptions) + " to " + strconv.Itoa(maxOptions) + " options"
	}
	out := make([]string, len(options))
	first := map[string]int{}
	for i, o := range options {
		o = strings.TrimSpace(o)
		if n := utf8.RuneCountInString(o); n < 1 || n > maxOption {
			return nil, "option " + strconv.Itoa(i) + " must be 1 to " + strconv.Itoa(maxOption) + " characters"
		}
		k := strings.ToLower(o)
		if j, seen := first[k]; seen {
			return nil, "option " + strconv.Itoa(i) + " repeats option " + strconv.Itoa(j) + "; options must be distinct"
		}
		first[k] = i
		out[i] = o
	}
	return out, ""
}

// AllQuestions lists every question the template has had, each in its newest wording: the newest
// version's in its order, then those only older versions asked. Reports join answers across
// versions by question id.
func (t Template) AllQuestions() []Question {
	var out []Question
	seen := map[string]bool{}
	for i := len(t.Versions) - 1; i >= 0; i-- {
		for _, q := range t.Versions[i].Questions {
			if !seen[q.ID] {
				seen[q.ID] = true
				out = append(out, q)
			}
		}
	}
	return out
}

// Values lists the answers a question's responses are counted by: 1 to 5, yes and no, or the
// options; none for free text, which is never reported.
func (q Question) Values() []string {
	switch q.Type {
	case Likert5:
		return []string{"1", "2", "3", "4", "5"}
	case YesNo:
		return []string{"yes", "no"}
	case Choice:
		return q.Options
	}
	return nil
}

// ScoreValue is the value a score counts as (see Values): "yes" or "no" for a yes/no question,
// the number for a Likert one.
func ScoreValue(questionType string, score int) string {
	if questionType == YesNo {
		if score == 1 {
			return "yes"
		}
		return "no"
	}
	return strconv.Itoa(score)
}

// Respondent names the group a response is reported in: its audience, and a professional's role
// (the pilot reported engagement leads apart from other professionals).
func Respondent(audience, role string) string {
	if audience == Professional && role != "" {
		return audience + "_" + role
	}
	return audience
}

// RespondentLabel names a respondent group for people.
func RespondentLabel(respondent string) string {
	switch respondent {
	case ParentCarer:
		return "parents and carers"
	case ChildYoungPerson:
		return "children and young people"
	case Respondent(Professional, RoleEngagementLead):
		return "engagement leads"
	case Respondent(Professional, RoleOther):
		return "other professionals"
	}
	return respondent
}
