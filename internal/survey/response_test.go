package survey

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

var today = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

// mixed is a council template with one question of each type; "mood" and "safe" are required.
func mixed(t *testing.T, audience string) Template {
	t.Helper()
	tpl, err := NewTemplate("mixed", "Mixed", "", audience, qs(
		Question{ID: "mood", Text: "I am happy", Type: Likert5, Required: true},
		Question{ID: "safe", Text: "Do you feel safe?", Type: YesNo, Required: true},
		Question{ID: "where", Text: "Where?", Type: Choice, Options: []string{"home", "school", "club"}},
		Question{ID: "note", Text: "Anything else?", Type: Text},
	), jan1)
	if err != nil {
		t.Fatal(err)
	}
	tpl.ID = "tpl-1"
	return tpl
}

func ans(id string, v any) Answer { return Answer{QuestionID: id, Value: v} }

// valid is a complete, valid response to mixed(ParentCarer).
func valid() Response {
	return Response{
		Point:       "after_mam",
		ReferralID:  "ref-1",
		SubmittedOn: today,
		Via:         ViaStaff,
		Answers:     []Answer{ans("mood", 4.0), ans("safe", true)},
	}
}

// TestCheckValues: each answer type's accepted and refused values, and the stored form.
func TestCheckValues(t *testing.T) {
	cases := []struct {
		name string
		id   string
		v    any
		want any    // normalised value when accepted
		err  string // detail when refused
	}{
		{"likert float64", "mood", 4.0, 4, ""},
		{"likert float64 1", "mood", 1.0, 1, ""},
		{"likert float64 5", "mood", 5.0, 5, ""},
		{"likert int", "mood", 3, 3, ""},
		{"likert int64", "mood", int64(2), 2, ""},
		{"likert json.Number", "mood", json.Number("5"), 5, ""},
		{"likert json.Number 4.0", "mood", json.Number("4.0"), 4, ""},
		{"likert 0", "mood", 0.0, nil, "question mood: must be a whole number from 1 to 5"},
		{"likert 6", "mood", 6.0, nil, "question mood: must be a whole number from 1 to 5"},
		{"likert int 6", "mood", 6, nil, "question mood: must be a whole number from 1 to 5"},
		{"likert negative", "mood", -1.0, nil, "question mood: must be a whole number from 1 to 5"},
		{"likert 4.5", "mood", 4.5, nil, "question mood: must be a whole number from 1 to 5"},
		{"likert json.Number 4.5", "mood", json.Number("4.5"), nil, "question mood: must be a whole number from 1 to 5"},
		{"likert json.Number 0", "mood", json.Number("0"), nil, "question mood: must be a whole number from 1 to 5"},
		{"likert json.Number junk", "mood", json.Number("four"), nil, "question mood: must be a whole number from 1 to 5"},
		{"likert huge", "mood", 1e300, nil, "question mood: must be a whole number from 1 to 5"},
		{"likert string", "mood", "4", nil, "question mood: must be a whole number from 1 to 5"},
		{"likert bool", "mood", true, nil, "question mood: must be a whole number from 1 to 5"},
		{"likert null", "mood", nil, nil, "question mood: must be a whole number from 1 to 5"},
		{"yes_no true", "safe", true, true, ""},
		{"yes_no false", "safe", false, false, ""},
		{"yes_no yes", "safe", "yes", nil, "question safe: must be true or false"},
		{"yes_no 1", "safe", 1.0, nil, "question safe: must be true or false"},
		{"choice", "where", "school", "school", ""},
		{"choice trimmed", "where", "  club\n", "club", ""},
		{"choice unknown option", "where", "park", nil, "question where: must be one of: home, school, club"},
		{"choice wrong case", "where", "Home", nil, "question where: must be one of: home, school, club"},
		{"choice number", "where", 1.0, nil, "question where: must be one of: home, school, club"},
		{"text", "note", "It went well.", "It went well.", ""},
		{"text trimmed", "note", "  fine \t", "fine", ""},
		{"text of 2000", "note", strings.Repeat("é", 2000), strings.Repeat("é", 2000), ""},
		{"text empty", "note", "", nil, "question note: must be text of 1 to 2000 characters"},
		{"text blank", "note", "   ", nil, "question note: must be text of 1 to 2000 characters"},
		{"text too long", "note", strings.Repeat("é", 2001), nil, "question note: must be text of 1 to 2000 characters"},
		{"text number", "note", 3.0, nil, "question note: must be text of 1 to 2000 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := mixed(t, ParentCarer)
			r := valid()
			// Replace the answer to the question under test, or add it.
			r.Answers = slices.DeleteFunc(r.Answers, func(a Answer) bool { return a.QuestionID == c.id })
			r.Answers = append(r.Answers, ans(c.id, c.v))
			err := r.Check(tpl, tpl.Current(), today)
			if c.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				i := slices.IndexFunc(r.Answers, func(a Answer) bool { return a.QuestionID == c.id })
				if i < 0 || r.Answers[i].Value != c.want {
					t.Fatalf("answers = %#v, want %s = %#v", r.Answers, c.id, c.want)
				}
				return
			}
			kind, pointers, details := faultOf(t, err)
			want := "/answers/" + strconv.Itoa(len(r.Answers)-1) + "/value"
			if kind != fault.Invalid || !slices.Equal(pointers, []string{want}) || details[0] != c.err {
				t.Fatalf("got %v %q %q, want Invalid %s %q", kind, pointers, details, want, c.err)
			}
		})
	}
}

// TestCheckFields: the response's own fields, unknown and repeated questions, missing answers.
func TestCheckFields(t *testing.T) {
	future := today.AddDate(0, 0, 1)
	cases := []struct {
		name     string
		audience string
		change   func(*Response)
		want     []string // pointers; nil: accepted
		details  []string // when set, the details in order
	}{
		{"valid", ParentCarer, func(*Response) {}, nil, nil},
		{"anonymous", ParentCarer, func(r *Response) { r.ReferralID = "" }, nil, nil},
		{"about a plan", ParentCarer, func(r *Response) { r.ReferralID, r.EHCPlanID = "", "plan-1" }, nil, nil},
		{"every point: at_review", ParentCarer, func(r *Response) { r.Point = "at_review" }, nil, nil},
		{"every point: at_closure", ParentCarer, func(r *Response) { r.Point = "at_closure" }, nil, nil},
		{"every point: other", ParentCarer, func(r *Response) { r.Point = "other" }, nil, nil},
		{"submitted later today", ParentCarer, func(r *Response) { r.SubmittedOn = today.Add(23 * time.Hour) }, nil, nil},
		{"submitted earlier", ParentCarer, func(r *Response) { r.SubmittedOn = today.AddDate(-1, 0, 0) }, nil, nil},
		{"every question answered", ParentCarer, func(r *Response) {
			r.Answers = append(r.Answers, ans("where", "home"), ans("note", "ok"))
		}, nil, nil},
		{"child audience", ChildYoungPerson, func(*Response) {}, nil, nil},
		{"engagement lead", Professional, func(r *Response) { r.ProfessionalRole = RoleEngagementLead }, nil, nil},
		{"other professional", Professional, func(r *Response) { r.ProfessionalRole = RoleOther }, nil, nil},

		{"point missing", ParentCarer, func(r *Response) { r.Point = "" }, []string{"/point"},
			[]string{"must be one of: after_mam, at_review, at_closure, other"}},
		{"point unknown", ParentCarer, func(r *Response) { r.Point = "at_birth" }, []string{"/point"}, nil},
		{"professional without role", Professional, func(*Response) {}, []string{"/professional_role"},
			[]string{"is required for a professional survey and must be one of: engagement_lead, other"}},
		{"professional with unknown role", Professional, func(r *Response) { r.ProfessionalRole = "boss" }, []string{"/professional_role"}, nil},
		{"parent with a role", ParentCarer, func(r *Response) { r.ProfessionalRole = RoleOther }, []string{"/professional_role"},
			[]string{"is only for professional surveys"}},
		{"child with a role", ChildYoungPerson, func(r *Response) { r.ProfessionalRole = RoleEngagementLead }, []string{"/professional_role"}, nil},
		{"referral and plan", ParentCarer, func(r *Response) { r.EHCPlanID = "plan-1" }, []string{"/ehc_plan_id"},
			[]string{"give a referral or a plan, not both"}},
		{"submitted tomorrow", ParentCarer, func(r *Response) { r.SubmittedOn = future }, []string{"/submitted_on"},
			[]string{"must not be in the future"}},
		{"submitted date missing", ParentCarer, func(r *Response) { r.SubmittedOn = time.Time{} }, []string{"/submitted_on"},
			[]string{"is required"}},
		{"unknown question", ParentCarer, func(r *Response) { r.Answers = append(r.Answers, ans("sleep", 3.0)) }, []string{"/answers/2/question_id"},
			[]string{"no question sleep in version 1 of this template"}},
		{"junk question id is not echoed", ParentCarer, func(r *Response) { r.Answers = append(r.Answers, ans("Jane Smith, 12 Acacia Ave", 3.0)) },
			[]string{"/answers/2/question_id"}, []string{"is not a question in version 1 of this template"}},
		{"question answered twice", ParentCarer, func(r *Response) { r.Answers = append(r.Answers, ans("mood", 2.0)) }, []string{"/answers/2/question_id"},
			[]string{"question mood is answered twice"}},
		{"second answer invalid too: only the repeat is reported", ParentCarer, func(r *Response) { r.Answers = append(r.Answers, ans("mood", "x")) },
			[]string{"/answers/2/question_id"}, nil},
		{"required likert missing", ParentCarer, func(r *Response) { r.Answers = r.Answers[1:] }, []string{"/answers"},
			[]string{"question mood is required"}},
		{"no answers", ParentCarer, func(r *Response) { r.Answers = nil }, []string{"/answers", "/answers"},
			[]string{"question mood is required", "question safe is required"}},
		{"invalid answer to a required question is not also missing", ParentCarer, func(r *Response) { r.Answers[0].Value = 9.0 },
			[]string{"/answers/0/value"}, nil},
		{"everything wrong", Professional, func(r *Response) {
			r.Point, r.EHCPlanID, r.SubmittedOn = "", "plan-1", future
			r.Answers = []Answer{ans("where", "park"), ans("nope", 1.0), ans("where", "home")}
		}, []string{"/point", "/professional_role", "/ehc_plan_id", "/submitted_on",
			"/answers/0/value", "/answers/1/question_id", "/answers/2/question_id", "/answers", "/answers"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := mixed(t, c.audience)
			r := valid()
			c.change(&r)
			err := r.Check(tpl, tpl.Current(), today)
			kind, pointers, details := faultOf(t, err)
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if r.Audience != c.audience || r.TemplateID != "tpl-1" || r.TemplateVersion != 1 {
					t.Errorf("copied %q %q %d", r.Audience, r.TemplateID, r.TemplateVersion)
				}
				return
			}
			if kind != fault.Invalid || !slices.Equal(pointers, c.want) {
				t.Fatalf("got %v %q, want Invalid %q (%v)", kind, pointers, c.want, err)
			}
			if c.details != nil && !slices.Equal(details, c.details) {
				t.Errorf("details = %q, want %q", details, c.details)
			}
		})
	}
}

// TestCheckNormalisesAndOrders: answers come back in question order, in their stored types.
func TestCheckNormalisesAndOrders(t *testing.T) {
	tpl := mixed(t, ParentCarer)
	r := valid()
	r.Answers = []Answer{ans("note", "  Thanks  "), ans("where", " club "), ans("safe", false), ans("mood", json.Number("2"))}
	if err := r.Check(tpl, tpl.Current(), today); err != nil {
		t.Fatal(err)
	}
	want := []Answer{ans("mood", 2), ans("safe", false), ans("where", "club"), ans("note", "Thanks")}
	if !slices.Equal(r.Answers, want) {
		t.Fatalf("answers = %#v, want %#v", r.Answers, want)
	}
	// Checking again is a no-op: the stored form is valid input.
	if err := r.Check(tpl, tpl.Current(), today); err != nil || !slices.Equal(r.Answers, want) {
		t.Fatalf("second check: %v %#v", err, r.Answers)
	}
}

// TestCheckDecodedJSON: a request body decoded with UseNumber and without it both check.
func TestCheckDecodedJSON(t *testing.T) {
	body := `[{"question_id":"safe","value":true},{"question_id":"mood","value":5}]`
	for _, useNumber := range []bool{false, true} {
		dec := json.NewDecoder(strings.NewReader(body))
		if useNumber {
			dec.UseNumber()
		}
		var answers []Answer
		if err := dec.Decode(&answers); err != nil {
			t.Fatal(err)
		}
		tpl := mixed(t, ParentCarer)
		r := valid()
		r.Answers = answers
		if err := r.Check(tpl, tpl.Current(), today); err != nil {
			t.Fatalf("UseNumber %v: %v", useNumber, err)
		}
		if !slices.Equal(r.Answers, []Answer{ans("mood", 5), ans("safe", true)}) {
			t.Errorf("UseNumber %v: answers = %#v", useNumber, r.Answers)
		}
	}
}

// TestCheckOlderVersion: a response answers the version it names, not the current one.
func TestCheckOlderVersion(t *testing.T) {
	tpl := mixed(t, ParentCarer)
	if err := tpl.AddVersion(qs(Question{ID: "mood", Text: "I am happy", Type: Likert5, Required: true}, likertQ("calm")), march2); err != nil {
		t.Fatal(err)
	}
	v1, _ := tpl.At(1)
	r := valid()
	r.TemplateVersion = 1
	if err := r.Check(tpl, v1, today); err != nil {
		t.Fatalf("version 1 response: %v", err)
	}
	r = valid() // answers mood and safe, as version 1 asked
	_, pointers, details := faultOf(t, r.Check(tpl, tpl.Current(), today))
	if !slices.Equal(pointers, []string{"/answers/1/question_id", "/answers"}) ||
		details[0] != "no question safe in version 2 of this template" || details[1] != "question calm is required" {
		t.Fatalf("version 2 with a version 1 answer: %q %q", pointers, details)
	}
}

// TestCheckLeavesResponseOnFailure: a refused response is not half normalised.
func TestCheckLeavesResponseOnFailure(t *testing.T) {
	tpl := mixed(t, ParentCarer)
	r := valid()
	r.Point = ""
	before := slices.Clone(r.Answers)
	if err := r.Check(tpl, tpl.Current(), today); err == nil {
		t.Fatal("accepted")
	}
	if !slices.Equal(r.Answers, before) || r.Audience != "" || r.TemplateID != "" || r.TemplateVersion != 0 {
		t.Fatalf("changed: %#v", r)
	}
}

// TestCheckNeverEchoesAnswers: free text and values never reach the details.
func TestCheckNeverEchoesAnswers(t *testing.T) {
	secret := "Jane Smith has a diagnosis"
	tpl := mixed(t, ParentCarer)
	r := valid()
	r.Answers = []Answer{ans("mood", secret), ans("safe", secret), ans("where", secret), ans("note", strings.Repeat(secret, 100))}
	err := r.Check(tpl, tpl.Current(), today)
	_, pointers, details := faultOf(t, err)
	if len(pointers) != 4 {
		t.Fatalf("pointers = %q", pointers)
	}
	if strings.Contains(err.Error(), "Jane") {
		t.Fatalf("answer leaked: %v", err)
	}
	for _, d := range details {
		if strings.Contains(d, "Jane") {
			t.Fatalf("answer leaked: %q", d)
		}
	}
}

// TestCheckCallerMismatch: checking against another template or version is a bug, not a 400.
func TestCheckCallerMismatch(t *testing.T) {
	tpl := mixed(t, ParentCarer)
	for _, c := range []struct {
		name   string
		change func(*Response)
	}{
		{"other template", func(r *Response) { r.TemplateID = "tpl-2" }},
		{"other version", func(r *Response) { r.TemplateVersion = 2 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := valid()
			c.change(&r)
			err := r.Check(tpl, tpl.Current(), today)
			if err == nil || fault.KindOf(err) != fault.Unknown {
				t.Fatalf("got %v, want an uncategorised error", err)
			}
		})
	}
}

func TestScores(t *testing.T) {
	tpl := mixed(t, ParentCarer)
	set := tpl.Current()
	n := func(i int) *int { return &i }
	cases := []struct {
		name    string
		answers []Answer
		want    []Score
	}{
		{"none", nil, nil},
		{"every type, in question order", []Answer{ans("note", "Private words"), ans("where", "home"), ans("safe", true), ans("mood", 4)}, []Score{
			{QuestionID: "mood", Type: Likert5, Score: n(4)},
			{QuestionID: "safe", Type: YesNo, Score: n(1)},
			{QuestionID: "where", Type: Choice, Choice: "home"},
			{QuestionID: "note", Type: Text},
		}},
		{"no is 0", []Answer{ans("safe", false)}, []Score{{QuestionID: "safe", Type: YesNo, Score: n(0)}}},
		{"reloaded from JSON as float64", []Answer{ans("mood", 1.0)}, []Score{{QuestionID: "mood", Type: Likert5, Score: n(1)}}},
		{"json.Number", []Answer{ans("mood", json.Number("5"))}, []Score{{QuestionID: "mood", Type: Likert5, Score: n(5)}}},
		{"unknown questions and bad values left out", []Answer{ans("gone", 3), ans("mood", 9), ans("where", "park"), ans("safe", true)},
			[]Score{{QuestionID: "safe", Type: YesNo, Score: n(1)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Response{Answers: c.answers}.Scores(set)
			if len(got) != len(c.want) {
				t.Fatalf("scores = %+v, want %+v", got, c.want)
			}
			for i, w := range c.want {
				g := got[i]
				if g.QuestionID != w.QuestionID || g.Type != w.Type || g.Choice != w.Choice || (g.Score == nil) != (w.Score == nil) ||
					(g.Score != nil && *g.Score != *w.Score) {
					t.Errorf("score %d = %+v (%v), want %+v (%v)", i, g, deref(g.Score), w, deref(w.Score))
				}
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestFamilyMayAnswer(t *testing.T) {
	cases := []struct {
		audience string
		ok       bool
	}{
		{ParentCarer, true},
		{ChildYoungPerson, true},
		{Professional, false},
		{"", false},
		{"teacher", false},
	}
	for _, c := range cases {
		err := FamilyMayAnswer(c.audience)
		if c.ok {
			if err != nil {
				t.Errorf("%q: %v", c.audience, err)
			}
			continue
		}
		kind, pointers, details := faultOf(t, err)
		if kind != fault.Unprocessable || !slices.Equal(pointers, []string{"/template_id"}) ||
			details[0] != "families answer parent and carer or child and young person surveys only" {
			t.Errorf("%q: %v %q %q", c.audience, kind, pointers, details)
		}
	}
}

func TestCheckFamily(t *testing.T) {
	parent, professional := BuiltIns()[0], BuiltIns()[1]
	cases := []struct {
		name    string
		t       Template
		r       Response
		pointer string // "" when allowed
	}{
		{"own survey about a referral", parent, Response{ReferralID: "r"}, ""},
		{"own survey about a plan", parent, Response{EHCPlanID: "p"}, ""},
		{"anonymous", parent, Response{}, "/referral_id"},
		{"a professional's survey", professional, Response{ReferralID: "r"}, "/template_id"},
	}
	for _, c := range cases {
		err := c.r.CheckFamily(c.t)
		var fe *fault.Error
		switch {
		case c.pointer == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.pointer != "" && (!errors.As(err, &fe) || fe.Kind != fault.Unprocessable || fe.Fields[0].Pointer != c.pointer):
			t.Errorf("%s: %v, want 422 at %s", c.name, err, c.pointer)
		}
	}
	for audience, want := range map[string]bool{ParentCarer: true, ChildYoungPerson: true, Professional: false} {
		if FamilySees(audience) != want {
			t.Errorf("FamilySees(%s) = %v", audience, !want)
		}
	}
}
