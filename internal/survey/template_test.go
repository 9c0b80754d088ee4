package survey

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var (
	jan1   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	march2 = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
)

// faultOf returns the kind, pointers and details of a fault error (Unknown and none for nil).
func faultOf(t *testing.T, err error) (fault.Kind, []string, []string) {
	t.Helper()
	kind := testkit.KindOf(t, err)
	var details []string
	var fe *fault.Error
	if errors.As(err, &fe) {
		for _, f := range fe.Fields {
			details = append(details, f.Detail)
		}
	}
	return kind, testkit.Pointers(err), details
}

func likertQ(id string) Question {
	return Question{ID: id, Text: "Statement " + id, Type: Likert5, Required: true}
}

func choiceQ(id string, options ...string) Question {
	return Question{ID: id, Text: "Pick one", Type: Choice, Options: options}
}

func qs(q ...Question) []Question { return q }

// manyQuestions makes n valid likert questions q0..q(n-1).
func manyQuestions(n int) []Question {
	out := make([]Question, n)
	for i := range out {
		out[i] = likertQ("q" + strconv.Itoa(i))
	}
	return out
}

// manyOptions makes n distinct options.
func manyOptions(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "Option " + strconv.Itoa(i)
	}
	return out
}

func TestNewTemplateValidation(t *testing.T) {
	type in struct {
		code, name, description, audience string
		questions                         []Question
	}
	ok := func() in { return in{"school_exit", "School exit", "", ParentCarer, qs(likertQ("happy"))} }
	with := func(f func(*in)) in { v := ok(); f(&v); return v }
	cases := []struct {
		name string
		in   in
		want []string // pointers of the 400; nil: accepted
	}{
		{"minimal", ok(), nil},
		{"every audience: child", with(func(v *in) { v.audience = ChildYoungPerson }), nil},
		{"every audience: professional", with(func(v *in) { v.audience = Professional }), nil},
		{"code of 3", with(func(v *in) { v.code = "abc" }), nil},
		{"code of 50", with(func(v *in) { v.code = "a" + strings.Repeat("b_9", 16) + "c" }), nil},
		{"name of 200 characters", with(func(v *in) { v.name = strings.Repeat("é", 200) }), nil},
		{"description of 2000 characters", with(func(v *in) { v.description = strings.Repeat("é", 2000) }), nil},
		{"100 questions", with(func(v *in) { v.questions = manyQuestions(100) }), nil},
		{"id of 1", with(func(v *in) { v.questions = qs(likertQ("a")) }), nil},
		{"id of 40", with(func(v *in) { v.questions = qs(likertQ("a" + strings.Repeat("1", 39))) }), nil},
		{"text of 500", with(func(v *in) { v.questions[0].Text = strings.Repeat("é", 500) }), nil},
		{"every type", with(func(v *in) {
			v.questions = qs(likertQ("a"), Question{ID: "b", Text: "Yes?", Type: YesNo}, choiceQ("c", "x", "y"), Question{ID: "d", Text: "Say", Type: Text})
		}), nil},
		{"choice of 20 options of 100", with(func(v *in) {
			o := manyOptions(20)
			o[0] = strings.Repeat("é", 100)
			v.questions = qs(choiceQ("c", o...))
		}), nil},

		{"code too short", with(func(v *in) { v.code = "ab" }), []string{"/code"}},
		{"code too long", with(func(v *in) { v.code = "a" + strings.Repeat("b", 50) }), []string{"/code"}},
		{"code upper case", with(func(v *in) { v.code = "School_exit" }), []string{"/code"}},
		{"code starts with a digit", with(func(v *in) { v.code = "1school" }), []string{"/code"}},
		{"code with a hyphen", with(func(v *in) { v.code = "school-exit" }), []string{"/code"}},
		{"code with spaces", with(func(v *in) { v.code = " school_exit" }), []string{"/code"}},
		{"name blank", with(func(v *in) { v.name = "  \t" }), []string{"/name"}},
		{"name too long", with(func(v *in) { v.name = strings.Repeat("é", 201) }), []string{"/name"}},
		{"description too long", with(func(v *in) { v.description = strings.Repeat("é", 2001) }), []string{"/description"}},
		{"audience unknown", with(func(v *in) { v.audience = "teacher" }), []string{"/audience"}},
		{"audience empty", with(func(v *in) { v.audience = "" }), []string{"/audience"}},
		{"no questions", with(func(v *in) { v.questions = nil }), []string{"/questions"}},
		{"101 questions", with(func(v *in) { v.questions = manyQuestions(101) }), []string{"/questions"}},
		{"id empty", with(func(v *in) { v.questions[0].ID = "" }), []string{"/questions/0/id"}},
		{"id upper case", with(func(v *in) { v.questions[0].ID = "Happy" }), []string{"/questions/0/id"}},
		{"id starts with a digit", with(func(v *in) { v.questions[0].ID = "1happy" }), []string{"/questions/0/id"}},
		{"id starts with underscore", with(func(v *in) { v.questions[0].ID = "_happy" }), []string{"/questions/0/id"}},
		{"id too long", with(func(v *in) { v.questions[0].ID = "a" + strings.Repeat("1", 40) }), []string{"/questions/0/id"}},
		{"id duplicated", with(func(v *in) { v.questions = qs(likertQ("a"), likertQ("b"), likertQ("a")) }), []string{"/questions/2/id"}},
		{"text blank", with(func(v *in) { v.questions[0].Text = " " }), []string{"/questions/0/text"}},
		{"text too long", with(func(v *in) { v.questions[0].Text = strings.Repeat("é", 501) }), []string{"/questions/0/text"}},
		{"type unknown", with(func(v *in) { v.questions[0].Type = "likert_7" }), []string{"/questions/0/type"}},
		{"type empty", with(func(v *in) { v.questions[0].Type = "" }), []string{"/questions/0/type"}},
		{"choice without options", with(func(v *in) { v.questions = qs(choiceQ("c")) }), []string{"/questions/0/options"}},
		{"choice of one option", with(func(v *in) { v.questions = qs(choiceQ("c", "only")) }), []string{"/questions/0/options"}},
		{"choice of 21 options", with(func(v *in) { v.questions = qs(choiceQ("c", manyOptions(21)...)) }), []string{"/questions/0/options"}},
		{"choice with a blank option", with(func(v *in) { v.questions = qs(choiceQ("c", "a", "  ")) }), []string{"/questions/0/options"}},
		{"choice with a long option", with(func(v *in) { v.questions = qs(choiceQ("c", "a", strings.Repeat("é", 101))) }), []string{"/questions/0/options"}},
		{"choice with repeated options", with(func(v *in) { v.questions = qs(choiceQ("c", "a", "b", "a")) }), []string{"/questions/0/options"}},
		{"choice options differing in case and spaces", with(func(v *in) { v.questions = qs(choiceQ("c", "Yes", " yes ")) }), []string{"/questions/0/options"}},
		{"options on likert", with(func(v *in) { v.questions[0].Options = []string{"a", "b"} }), []string{"/questions/0/options"}},
		{"options on yes_no", with(func(v *in) {
			v.questions = qs(Question{ID: "b", Text: "Yes?", Type: YesNo, Options: []string{"y", "n"}})
		}), []string{"/questions/0/options"}},
		{"empty options on text", with(func(v *in) { v.questions = qs(Question{ID: "d", Text: "Say", Type: Text, Options: []string{}}) }), []string{"/questions/0/options"}},
		{"every problem at once", in{"X", "", strings.Repeat("d", 2001), "nobody", qs(
			Question{ID: "A", Text: "", Type: "stars"},
			choiceQ("c", "one"),
			Question{ID: "c", Text: "again", Type: Text},
		)}, []string{"/code", "/name", "/description", "/audience",
			"/questions/0/id", "/questions/0/text", "/questions/0/type", "/questions/1/options", "/questions/2/id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := NewTemplate(c.in.code, c.in.name, c.in.description, c.in.audience, c.in.questions, jan1)
			kind, got, _ := faultOf(t, err)
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if tpl.Version != 1 || len(tpl.Versions) != 1 {
					t.Fatalf("version %d with %d sets, want 1 and 1", tpl.Version, len(tpl.Versions))
				}
				return
			}
			if kind != fault.Invalid {
				t.Errorf("kind = %v, want Invalid (%v)", kind, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("pointers = %q, want %q", got, c.want)
			}
		})
	}
}

// TestNewTemplateDetails: the duplicate id and the bad option are named, so the author can find them.
func TestNewTemplateDetails(t *testing.T) {
	cases := []struct {
		name      string
		questions []Question
		pointer   string
		detail    string
	}{
		{"duplicate id", qs(likertQ("calm"), likertQ("safe"), likertQ("calm")), "/questions/2/id", "question calm is already /questions/0; ids must be unique"},
		{"repeated option", qs(choiceQ("c", "a", "b", "A")), "/questions/0/options", "option 2 repeats option 0; options must be distinct"},
		{"long option", qs(choiceQ("c", "a", "b", strings.Repeat("x", 101))), "/questions/0/options", "option 2 must be 1 to 100 characters"},
		{"too few options", qs(choiceQ("c", "a")), "/questions/0/options", "a choice question needs 2 to 20 options"},
		{"options off choice", qs(Question{ID: "t", Text: "Say", Type: Text, Options: []string{"a", "b"}}), "/questions/0/options", "only choice questions have options"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewTemplate("custom", "Custom", "", ParentCarer, c.questions, jan1)
			_, pointers, details := faultOf(t, err)
			if len(pointers) != 1 || pointers[0] != c.pointer || details[0] != c.detail {
				t.Fatalf("got %q %q, want %q %q", pointers, details, c.pointer, c.detail)
			}
		})
	}
}

func TestNewTemplateBuilds(t *testing.T) {
	in := qs(
		Question{ID: "feel", Text: "  How do you feel?\n", Type: Likert5, Required: true},
		Question{ID: "pick", Text: "Pick", Type: Choice, Options: []string{" Red ", "Blue"}},
	)
	tpl, err := NewTemplate("feelings", "  Feelings  ", "\tAbout feelings ", ChildYoungPerson, in, march2)
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Code != "feelings" || tpl.Name != "Feelings" || tpl.Description != "About feelings" || tpl.Audience != ChildYoungPerson {
		t.Errorf("fields = %q %q %q %q", tpl.Code, tpl.Name, tpl.Description, tpl.Audience)
	}
	if tpl.ID != "" || tpl.BuiltIn {
		t.Errorf("id %q built-in %v: the caller fills the id and council templates are not built in", tpl.ID, tpl.BuiltIn)
	}
	if tpl.Version != 1 || len(tpl.Versions) != 1 || tpl.Versions[0].Number != 1 || !tpl.Versions[0].CreatedAt.Equal(march2) {
		t.Errorf("versions = %+v, version %d", tpl.Versions, tpl.Version)
	}
	if !tpl.CreatedAt.Equal(march2) || !tpl.UpdatedAt.Equal(march2) {
		t.Errorf("timestamps %v %v", tpl.CreatedAt, tpl.UpdatedAt)
	}
	got := tpl.Current().Questions
	if got[0].Text != "How do you feel?" || !got[0].Required || got[0].Options != nil {
		t.Errorf("question 0 = %+v", got[0])
	}
	if !slices.Equal(got[1].Options, []string{"Red", "Blue"}) || got[1].Required {
		t.Errorf("question 1 = %+v", got[1])
	}
	// The template keeps its own copy: the caller's slices may be reused.
	in[0].ID, in[1].Options[1] = "changed", "Green"
	if got[0].ID != "feel" || got[1].Options[1] != "Blue" {
		t.Errorf("template shares memory with the caller: %+v", got)
	}
}

func TestCurrentAndAt(t *testing.T) {
	var empty Template
	if s := empty.Current(); s.Number != 0 || s.Questions != nil {
		t.Errorf("empty current = %+v", s)
	}
	if _, ok := empty.At(1); ok {
		t.Error("empty template has version 1")
	}
	tpl := Template{Versions: []QuestionSet{{Number: 1, Questions: qs(likertQ("a"))}, {Number: 2, Questions: qs(likertQ("b"))}}, Version: 2}
	if tpl.Current().Number != 2 || tpl.Current().Questions[0].ID != "b" {
		t.Errorf("current = %+v", tpl.Current())
	}
	for _, c := range []struct {
		n  int
		ok bool
		id string
	}{{1, true, "a"}, {2, true, "b"}, {0, false, ""}, {3, false, ""}, {-1, false, ""}} {
		s, ok := tpl.At(c.n)
		if ok != c.ok || (ok && (s.Number != c.n || s.Questions[0].ID != c.id)) {
			t.Errorf("At(%d) = %+v %v", c.n, s, ok)
		}
	}
}

func councilTemplate(t *testing.T) Template {
	t.Helper()
	tpl, err := NewTemplate("school_exit", "School exit", "", ParentCarer, qs(likertQ("happy"), Question{ID: "note", Text: "Anything else?", Type: Text}), jan1)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestAddVersion(t *testing.T) {
	cases := []struct {
		name      string
		questions []Question
		kind      fault.Kind // Unknown: accepted
		want      []string
	}{
		{"new question", qs(likertQ("happy"), likertQ("safe")), fault.Unknown, nil},
		{"question dropped and reworded", qs(Question{ID: "happy", Text: "Reworded", Type: Likert5}), fault.Unknown, nil},
		{"changed type under a new id", qs(Question{ID: "happy_now", Text: "Happy?", Type: YesNo}), fault.Unknown, nil},
		{"no questions", nil, fault.Invalid, []string{"/questions"}},
		{"bad question", qs(likertQ("happy"), Question{ID: "Bad", Text: "", Type: "x"}), fault.Invalid,
			[]string{"/questions/1/id", "/questions/1/text", "/questions/1/type"}},
		{"duplicate id", qs(likertQ("happy"), likertQ("happy")), fault.Invalid, []string{"/questions/1/id"}},
		{"bad options", qs(choiceQ("colour", "red")), fault.Invalid, []string{"/questions/0/options"}},
		{"type changed under the same id", qs(likertQ("safe"), Question{ID: "happy", Text: "Happy?", Type: YesNo}), fault.Unprocessable,
			[]string{"/questions/1/type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := councilTemplate(t)
			err := tpl.AddVersion(c.questions, march2)
			kind, got, _ := faultOf(t, err)
			if kind != c.kind || !slices.Equal(got, c.want) {
				t.Fatalf("got %v %q (%v), want %v %q", kind, got, err, c.kind, c.want)
			}
			if c.kind != fault.Unknown {
				if tpl.Version != 1 || len(tpl.Versions) != 1 || !tpl.UpdatedAt.Equal(jan1) {
					t.Errorf("refused change altered the template: %+v", tpl)
				}
				return
			}
			if tpl.Version != 2 || len(tpl.Versions) != 2 || tpl.Current().Number != 2 || !tpl.Current().CreatedAt.Equal(march2) || !tpl.UpdatedAt.Equal(march2) {
				t.Errorf("after: version %d, sets %+v, updated %v", tpl.Version, tpl.Versions, tpl.UpdatedAt)
			}
			if v1, ok := tpl.At(1); !ok || len(v1.Questions) != 2 || v1.Questions[0].ID != "happy" || v1.Questions[0].Text != "Statement happy" {
				t.Errorf("version 1 changed: %+v", v1)
			}
		})
	}
}

func TestAddVersionTwice(t *testing.T) {
	tpl := councilTemplate(t)
	for want := 2; want <= 4; want++ {
		if err := tpl.AddVersion(qs(likertQ("happy")), march2); err != nil {
			t.Fatal(err)
		}
		if tpl.Version != want || tpl.Current().Number != want || len(tpl.Versions) != want {
			t.Fatalf("version %d current %d sets %d, want %d", tpl.Version, tpl.Current().Number, len(tpl.Versions), want)
		}
	}
	// A type change is caught against any earlier version, not only the current one.
	if err := tpl.AddVersion(qs(Question{ID: "note", Text: "Note", Type: YesNo}), march2); fault.KindOf(err) != fault.Unprocessable {
		t.Fatalf("type change of a version 1 question: %v", err)
	}
}

func TestAddVersionBuiltIn(t *testing.T) {
	for _, tpl := range BuiltIns() {
		t.Run(tpl.Code, func(t *testing.T) {
			err := tpl.AddVersion(tpl.Current().Questions, march2)
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Conflict ||
				fe.Detail != "Built-in templates cannot be changed; create your own template from its questions." {
				t.Fatalf("got %v", err)
			}
			if tpl.Version != 1 || len(tpl.Versions) != 1 {
				t.Errorf("built-in changed: %+v", tpl)
			}
		})
	}
}

func TestBuiltIns(t *testing.T) {
	type want struct {
		id, code, name, audience string
		likert                   []string
	}
	wants := []want{
		{"0190a5e0-0000-7000-8000-000000000001", "parent_carer_experience", "Parent and carer experience", ParentCarer,
			[]string{"listened_to", "involved_in_decisions", "understood", "confidence_and_trust"}},
		{"0190a5e0-0000-7000-8000-000000000002", "professional_experience", "Professional experience", Professional,
			[]string{"information_sharing", "accessing_information", "mam_successful", "success_for_parents", "success_for_professionals"}},
	}
	texts := map[string]string{
		"listened_to":               "I felt listened to",
		"involved_in_decisions":     "I was involved in decisions about my child",
		"understood":                "I felt that people understood my child and our family",
		"confidence_and_trust":      "I have confidence and trust in the people working with us",
		"information_sharing":       "Information was shared well between agencies",
		"accessing_information":     "I could access the information I needed",
		"mam_successful":            "The multi-agency meeting was successful",
		"success_for_parents":       "The pathway was a success for the parents",
		"success_for_professionals": "The pathway was a success for professionals",
		"comments":                  "What has worked well, and what could be better?",
	}
	got := BuiltIns()
	if len(got) != len(wants) {
		t.Fatalf("%d built-ins, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		tpl := got[i]
		t.Run(w.code, func(t *testing.T) {
			if tpl.ID != w.id || tpl.Code != w.code || tpl.Name != w.name || tpl.Audience != w.audience || !tpl.BuiltIn {
				t.Errorf("got %q %q %q %q built-in %v", tpl.ID, tpl.Code, tpl.Name, tpl.Audience, tpl.BuiltIn)
			}
			if tpl.Version != 1 || len(tpl.Versions) != 1 || tpl.Current().Number != 1 {
				t.Errorf("version %d, sets %d", tpl.Version, len(tpl.Versions))
			}
			for _, at := range []time.Time{tpl.Current().CreatedAt, tpl.CreatedAt, tpl.UpdatedAt} {
				if !at.Equal(jan1) {
					t.Errorf("timestamp %v, want 2026-01-01", at)
				}
			}
			questions := tpl.Current().Questions
			var ids []string
			for _, q := range questions {
				ids = append(ids, q.ID)
				if q.Text != texts[q.ID] {
					t.Errorf("%s text = %q, want %q", q.ID, q.Text, texts[q.ID])
				}
			}
			if want := append(slices.Clone(w.likert), "comments"); !slices.Equal(ids, want) {
				t.Fatalf("question ids = %q, want %q", ids, want)
			}
			for _, q := range questions[:len(questions)-1] {
				if q.Type != Likert5 || !q.Required || q.Options != nil {
					t.Errorf("%s = %+v, want a required likert_5", q.ID, q)
				}
			}
			if c := questions[len(questions)-1]; c.Type != Text || c.Required {
				t.Errorf("comments = %+v, want optional text", c)
			}
			// The built-ins obey the rules council templates do.
			if _, err := NewTemplate(tpl.Code, tpl.Name, tpl.Description, tpl.Audience, questions, jan1); err != nil {
				t.Errorf("built-in fails the template rules: %v", err)
			}
		})
	}
	if ParentCarerExperienceID != wants[0].id || ProfessionalExperienceID != wants[1].id {
		t.Error("exported ids differ from the built-ins'")
	}
}

func TestBuiltInsAreFreshCopies(t *testing.T) {
	first := BuiltIns()
	first[0].Name = "changed"
	first[0].Versions[0].Questions[0].Text = "changed"
	first[0].Versions[0].Questions[0].Required = false
	first[1].Versions[0].Questions = append(first[1].Versions[0].Questions[:1], likertQ("extra"))
	first[1].Versions = append(first[1].Versions, QuestionSet{Number: 2})
	second := BuiltIns()
	if second[0].Name != "Parent and carer experience" {
		t.Errorf("name = %q", second[0].Name)
	}
	if q := second[0].Current().Questions[0]; q.Text != "I felt listened to" || !q.Required {
		t.Errorf("question = %+v", q)
	}
	if qs := second[1].Current().Questions; len(qs) != 6 || qs[1].ID != "accessing_information" || len(second[1].Versions) != 1 {
		t.Errorf("professional questions = %+v", second[1].Versions)
	}
}

func TestReportingVocabulary(t *testing.T) {
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	tpl, err := NewTemplate("council_survey", "Council", "", ChildYoungPerson, []Question{
		{ID: "ready", Text: "Ready?", Type: Likert5, Required: true}, {ID: "old_only", Text: "Asked once", Type: YesNo}}, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := tpl.AddVersion([]Question{{ID: "next", Text: "Next?", Type: Choice, Options: []string{"college", "work"}},
		{ID: "ready", Text: "Ready now?", Type: Likert5, Required: true}}, at); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range tpl.AllQuestions() {
		got = append(got, q.ID+":"+q.Text)
	}
	if want := []string{"next:Next?", "ready:Ready now?", "old_only:Asked once"}; !slices.Equal(got, want) {
		t.Errorf("AllQuestions = %v, want %v", got, want)
	}
	for typ, want := range map[string][]string{Likert5: {"1", "2", "3", "4", "5"}, YesNo: {"yes", "no"}, Text: nil} {
		if got := (Question{Type: typ}).Values(); !slices.Equal(got, want) {
			t.Errorf("%s values %v, want %v", typ, got, want)
		}
	}
	if got := (Question{Type: Choice, Options: []string{"a", "b"}}).Values(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("choice values %v", got)
	}
	for _, c := range []struct {
		typ   string
		score int
		want  string
	}{{YesNo, 1, "yes"}, {YesNo, 0, "no"}, {Likert5, 4, "4"}} {
		if got := ScoreValue(c.typ, c.score); got != c.want {
			t.Errorf("ScoreValue(%s, %d) = %q, want %q", c.typ, c.score, got, c.want)
		}
	}
	for _, c := range []struct{ audience, role, group, label string }{
		{ParentCarer, "", "parent_carer", "parents and carers"}, {ChildYoungPerson, "", "child_young_person", "children and young people"},
		{Professional, RoleEngagementLead, "professional_engagement_lead", "engagement leads"},
		{Professional, RoleOther, "professional_other", "other professionals"}, {Professional, "", "professional", "professional"},
	} {
		if g := Respondent(c.audience, c.role); g != c.group || RespondentLabel(g) != c.label {
			t.Errorf("Respondent(%s, %s) = %q labelled %q", c.audience, c.role, g, RespondentLabel(g))
		}
	}
}
