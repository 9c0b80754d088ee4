package surveys_test

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/surveys"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

var questions = []survey.Question{{ID: "heard", Text: "Did we listen to you?", Type: survey.YesNo, Required: true}}

func template(t *testing.T, e *cwt.Env) survey.Template {
	t.Helper()
	return cwt.Must(e.App.Surveys.CreateSurveyTemplate(cwt.As(e.Officer()), "family_voice", "Family voice", "", survey.ParentCarer, questions))(t)
}

// The SEND team manages the council's templates; a new version needs a current If-Match.
func TestSurveyTemplates(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		_, err := e.App.Surveys.CreateSurveyTemplate(cwt.As(e.Partner()), "family_voice", "Family voice", "", survey.ParentCarer, questions)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Surveys.CreateSurveyTemplate(cwt.As(e.Officer()), "Family Voice!", "Family voice", "", survey.ParentCarer, questions)
		testkit.WantFault(t, err, fault.Invalid, "/code")
		tpl := template(t, e)
		if tpl.Version != 1 || tpl.Current().Number != 1 {
			t.Errorf("template = v%d set %d", tpl.Version, tpl.Current().Number)
		}
		e.WantWritten(tpl.ID, audit.Create, outbox.SurveyTemplateCreated)
		more := append(questions, survey.Question{ID: "next", Text: "Anything else?", Type: survey.Text})
		_, err = e.App.Surveys.AddSurveyTemplateVersion(cwt.As(e.Officer()), tpl.ID, cwt.Ptr(tpl.Version+1), more)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		next, err := e.App.Surveys.AddSurveyTemplateVersion(cwt.As(e.Officer()), tpl.ID, cwt.Ptr(tpl.Version), more)
		if err != nil || next.Current().Number != 2 || len(next.Current().Questions) != 2 {
			t.Fatalf("new version = %+v, %v", next.Current(), err)
		}
		e.WantWritten(tpl.ID, audit.Update, outbox.SurveyTemplateVersioned)
	})
}

// An invitation runs 30 days from the clock's today by default, is answered once without an
// account, and expires at the end of its last day.
func TestSurveyInvitation(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		tpl := template(t, e)
		in := surveys.SurveyInvitationInput{TemplateID: tpl.ID, Point: "at_closure", ReferralID: c.Referral.ID}
		_, _, err := e.App.Surveys.CreateSurveyInvitation(cwt.As(e.Outsider()), in)
		testkit.WantFault(t, err, fault.Unprocessable, "/referral_id")
		tooSoon := in
		tooSoon.ExpiresOn = cwt.Ptr(cwt.Today)
		_, _, err = e.App.Surveys.CreateSurveyInvitation(cwt.As(e.Officer()), tooSoon)
		testkit.WantFault(t, err, fault.Invalid, "/expires_on")

		inv, token, err := e.App.Surveys.CreateSurveyInvitation(cwt.As(e.Partner()), in)
		if err != nil {
			t.Fatal(err)
		}
		if want := cwt.Today.AddDate(0, 0, 31); !inv.ExpiresAt.Equal(want) || inv.YoungPersonID != c.Child.ID {
			t.Errorf("invitation expires %v about %s, want %v about the child", inv.ExpiresAt, inv.YoungPersonID, want)
		}
		e.WantWritten(inv.ID, audit.Create, outbox.SurveyInvitationCreated)
		if _, err := e.App.Surveys.OpenSurveyLink(cwt.Anonymous(), token); err != nil {
			t.Fatalf("open the link: %v", err)
		}
		_, err = e.App.Surveys.OpenSurveyLink(cwt.Anonymous(), token+"x")
		testkit.AsFault(t, err, fault.NotFound)
		yes := []survey.Answer{{QuestionID: "heard", Value: true}}
		r, err := e.App.Surveys.AnswerSurveyLink(cwt.Anonymous(), token, yes)
		if err != nil {
			t.Fatal(err)
		}
		if r.Via != survey.ViaInvitation || r.YoungPersonID != c.Child.ID || !r.SubmittedOn.Equal(cwt.Today) || r.InvitationID != inv.ID {
			t.Errorf("response = %+v", r)
		}
		_, err = e.App.Surveys.AnswerSurveyLink(cwt.Anonymous(), token, yes)
		testkit.AsFault(t, err, fault.Conflict)

		_, late, err := e.App.Surveys.CreateSurveyInvitation(cwt.As(e.Officer()), in)
		if err != nil {
			t.Fatal(err)
		}
		e.Travel(cwt.Today.AddDate(0, 0, 31).Add(-time.Second))
		if _, err := e.App.Surveys.OpenSurveyLink(cwt.Anonymous(), late); err != nil {
			t.Errorf("the link on its last day: %v", err)
		}
		e.Travel(cwt.Today.AddDate(0, 0, 31))
		_, err = e.App.Surveys.AnswerSurveyLink(cwt.Anonymous(), late, yes)
		testkit.AsFault(t, err, fault.Gone)
	})
}

// A family answers their own survey about their own child's referral, dated by the clock; they see
// their own answers but never a professional's about the same child, and an outsider sees neither.
func TestFamilySurveyResponses(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		mine := template(t, e)
		staff := cwt.Must(e.App.Surveys.CreateSurveyTemplate(cwt.As(e.Officer()), "team_view", "Team view", "", survey.Professional, questions))(t)
		family := cwt.As(e.Family(c.Child.ID))
		yes := []survey.Answer{{QuestionID: "heard", Value: true}}
		_, err := e.App.Surveys.CreateSurveyResponse(family, survey.Response{TemplateID: staff.ID, Point: "at_closure", ReferralID: c.Referral.ID, Answers: yes})
		if k := testkit.KindOf(t, err); k == fault.Unknown {
			t.Errorf("a family answered a professional survey")
		}
		_, err = e.App.Surveys.CreateSurveyResponse(cwt.As(e.Family(e.YoungPerson(6, nil).ID)), survey.Response{TemplateID: mine.ID, Point: "at_closure",
			ReferralID: c.Referral.ID, Answers: yes})
		testkit.WantFault(t, err, fault.Unprocessable, "/referral_id")
		r, err := e.App.Surveys.CreateSurveyResponse(family, survey.Response{TemplateID: mine.ID, Point: "at_closure", ReferralID: c.Referral.ID, Answers: yes})
		if err != nil {
			t.Fatal(err)
		}
		if r.Via != survey.ViaFamily || !r.SubmittedOn.Equal(cwt.Today) || r.YoungPersonID != c.Child.ID {
			t.Errorf("response = via %s on %v about %s", r.Via, r.SubmittedOn, r.YoungPersonID)
		}
		theirs, err := e.App.Surveys.CreateSurveyResponse(cwt.As(e.Lead()), survey.Response{TemplateID: staff.ID, Point: "at_closure",
			ReferralID: c.Referral.ID, ProfessionalRole: survey.RoleEngagementLead, Answers: yes})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Surveys.SurveyResponse(family, r.ID); err != nil {
			t.Errorf("the family cannot read their own response: %v", err)
		}
		_, err = e.App.Surveys.SurveyResponse(family, theirs.ID)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Surveys.SurveyResponse(cwt.As(e.Outsider()), r.ID)
		testkit.AsFault(t, err, fault.NotFound)
	})
}
