package ehc

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var d = testkit.Day

var today = d(2026, 3, 2)

func received(t *testing.T) Request {
	t.Helper()
	r, err := New("yp", d(2015, 6, 1), d(2026, 1, 5), ByParent, "", "", today)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dob      time.Time
		received time.Time
		by       string
		kind     fault.Kind
		pointers []string
	}{
		{"parent", d(2015, 6, 1), d(2026, 1, 5), ByParent, fault.Unknown, nil},
		{"school", d(2015, 6, 1), d(2026, 1, 5), BySchoolOrCollege, fault.Unknown, nil},
		{"young person 16 on the day", d(2010, 1, 5), d(2026, 1, 5), ByYoungPerson, fault.Unknown, nil},
		{"young person 25", d(2000, 6, 1), d(2026, 1, 5), ByYoungPerson, fault.Unknown, nil},
		{"young person 15, a day short of 16", d(2010, 1, 6), d(2026, 1, 5), ByYoungPerson, fault.Unprocessable, []string{"/requested_by"}},
		{"young person 12", d(2013, 6, 1), d(2026, 1, 5), ByYoungPerson, fault.Unprocessable, []string{"/requested_by"}},
		{"young person 26", d(1999, 6, 1), d(2026, 1, 5), ByYoungPerson, fault.Unprocessable, []string{"/requested_by"}},
		{"future receipt", d(2015, 6, 1), d(2026, 3, 3), ByParent, fault.Invalid, []string{"/received_on"}},
		{"unknown requester", d(2015, 6, 1), d(2026, 1, 5), "grandparent", fault.Invalid, []string{"/requested_by"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New("yp", tc.dob, tc.received, tc.by, "", "", today)
			if !testkit.WantFault(t, err, tc.kind, tc.pointers...) {
				t.FailNow()
			}
			if err == nil && (r.Status != Received || r.RequestOutcome != OutcomePending || r.AssessmentOutcome != "") {
				t.Fatalf("new request = %+v, want received with SEN2 outcome A", r)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name        string
		decision    Decision
		kind        fault.Kind
		pointers    []string
		status      Status
		request     string
		assessment  string
		decidedDate time.Time
	}{
		{"assess", Decision{Decision: Assess, DecidedOn: d(2026, 2, 10), Reason: "x"}, fault.Unknown, nil, Assessing, OutcomeYes, OutcomePending, d(2026, 2, 10)},
		{"not assess with rights", Decision{Decision: NotAssess, DecidedOn: d(2026, 2, 10), AppealRightsNotified: true, Reason: "x"}, fault.Unknown, nil, NotAssessed, OutcomeNo, "", d(2026, 2, 10)},
		{"not assess without rights", Decision{Decision: NotAssess, DecidedOn: d(2026, 2, 10), Reason: "x"}, fault.Unprocessable, []string{"/appeal_rights_notified"}, Received, OutcomePending, "", time.Time{}},
		{"before receipt", Decision{Decision: Assess, DecidedOn: d(2026, 1, 4), Reason: "x"}, fault.Invalid, []string{"/decided_on"}, Received, OutcomePending, "", time.Time{}},
		{"in the future", Decision{Decision: Assess, DecidedOn: d(2026, 3, 3), Reason: "x"}, fault.Invalid, []string{"/decided_on"}, Received, OutcomePending, "", time.Time{}},
		{"unknown decision", Decision{Decision: "maybe", DecidedOn: d(2026, 2, 10), Reason: "x"}, fault.Invalid, []string{"/decision"}, Received, OutcomePending, "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := received(t)
			err := r.Decide(tc.decision, today)
			if !testkit.WantFault(t, err, tc.kind, tc.pointers...) {
				t.FailNow()
			}
			if r.Status != tc.status || r.RequestOutcome != tc.request || r.AssessmentOutcome != tc.assessment {
				t.Fatalf("got %s %s/%s, want %s %s/%s", r.Status, r.RequestOutcome, r.AssessmentOutcome, tc.status, tc.request, tc.assessment)
			}
			if !tc.decidedDate.IsZero() && (r.RequestOutcomeOn == nil || !r.RequestOutcomeOn.Equal(tc.decidedDate)) {
				t.Fatalf("request outcome date = %v", r.RequestOutcomeOn)
			}
		})
	}
}

// TestMoves: which moves each status allows.
func TestMoves(t *testing.T) {
	states := map[Status]func(t *testing.T) Request{
		Received: received,
		Assessing: func(t *testing.T) Request {
			r := received(t)
			if err := r.Decide(Decision{Decision: Assess, DecidedOn: d(2026, 2, 1)}, today); err != nil {
				t.Fatal(err)
			}
			return r
		},
		NotAssessed: func(t *testing.T) Request {
			r := received(t)
			if err := r.Decide(Decision{Decision: NotAssess, DecidedOn: d(2026, 2, 1), AppealRightsNotified: true}, today); err != nil {
				t.Fatal(err)
			}
			return r
		},
		Withdrawn: func(t *testing.T) Request {
			r := received(t)
			if err := r.Withdraw(d(2026, 2, 1), "x", today); err != nil {
				t.Fatal(err)
			}
			return r
		},
	}
	for from, mk := range states {
		t.Run(string(from), func(t *testing.T) {
			r := mk(t)
			err := r.Decide(Decision{Decision: Assess, DecidedOn: d(2026, 2, 20)}, today)
			if (from == Received) != (err == nil) || (err != nil && fault.KindOf(err) != fault.Conflict) {
				t.Errorf("decide from %s: %v", from, err)
			}
			r = mk(t)
			err = r.AddException(statutory.Exception{Ground: statutory.GroundPersonalCircumstances, From: d(2026, 1, 10), To: d(2026, 1, 20), Reason: "x"})
			if from.Open() != (err == nil) || (err != nil && fault.KindOf(err) != fault.Conflict) {
				t.Errorf("exception from %s: %v", from, err)
			}
			r = mk(t)
			err = r.Withdraw(d(2026, 2, 20), "x", today)
			if from.Open() != (err == nil) || (err != nil && fault.KindOf(err) != fault.Conflict) {
				t.Errorf("withdraw from %s: %v", from, err)
			}
		})
	}
}

func TestWithdrawOutcomes(t *testing.T) {
	r := received(t)
	if err := r.Withdraw(d(2026, 1, 20), "Family moved away.", today); err != nil {
		t.Fatal(err)
	}
	if r.Status != Withdrawn || r.RequestOutcome != OutcomeWithdrawn || r.AssessmentOutcome != "" || !r.RequestOutcomeOn.Equal(d(2026, 1, 20)) {
		t.Fatalf("withdrawn before decision: %+v", r)
	}
	r = received(t)
	if err := r.Decide(Decision{Decision: Assess, DecidedOn: d(2026, 2, 1)}, today); err != nil {
		t.Fatal(err)
	}
	if err := r.Withdraw(d(2026, 2, 20), "x", today); err != nil {
		t.Fatal(err)
	}
	if r.RequestOutcome != OutcomeYes || r.AssessmentOutcome != OutcomeWithdrawn || !r.AssessmentOutcomeOn.Equal(d(2026, 2, 20)) {
		t.Fatalf("withdrawn while assessing: %+v", r)
	}
	r = received(t)
	if err := r.Withdraw(d(2026, 1, 4), "x", today); !testkit.WantFault(t, err, fault.Invalid, "/withdrawn_on") {
		t.Fatal("withdrawn before receipt")
	}
}

func TestAddExceptionValidation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		e        statutory.Exception
		kind     fault.Kind
		pointers []string
	}{
		{"personal circumstances, a week", statutory.Exception{Ground: statutory.GroundPersonalCircumstances, From: d(2026, 2, 1), To: d(2026, 2, 7), Reason: "r"}, fault.Unknown, nil},
		{"absence of 4 weeks", statutory.Exception{Ground: statutory.GroundAbsentFromArea, From: d(2026, 2, 1), To: d(2026, 2, 28), Reason: "r"}, fault.Unknown, nil},
		{"absence under 4 weeks", statutory.Exception{Ground: statutory.GroundAbsentFromArea, From: d(2026, 2, 1), To: d(2026, 2, 27), Reason: "r"}, fault.Invalid, []string{"/to"}},
		{"ends before it starts", statutory.Exception{Ground: statutory.GroundPersonalCircumstances, From: d(2026, 2, 7), To: d(2026, 2, 1), Reason: "r"}, fault.Invalid, []string{"/to"}},
		{"no reason", statutory.Exception{Ground: statutory.GroundPersonalCircumstances, From: d(2026, 2, 1), To: d(2026, 2, 7), Reason: " "}, fault.Invalid, []string{"/reason"}},
		{"adviser-only ground", statutory.Exception{Ground: statutory.GroundMissedAppointment, From: d(2026, 2, 1), To: d(2026, 2, 7), Reason: "r"}, fault.Invalid, []string{"/ground"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := received(t)
			err := r.AddException(tc.e)
			testkit.WantFault(t, err, tc.kind, tc.pointers...)
		})
	}
}

// TestDeadlines: a request received on Monday 5 January 2026. Decision due 16 February (Reg 5(1):
// 6 weeks), no-plan notice 27 April (Reg 10(1): 16 weeks), draft target 13 April (14 weeks), final
// plan 25 May (Reg 13(2): 20 weeks). https://www.legislation.gov.uk/uksi/2014/1530/regulation/13
func TestDeadlines(t *testing.T) {
	r := received(t)
	dl := r.Deadlines(d(2026, 1, 20))
	want := map[string][2]time.Time{
		"decision": {dl.DecisionToAssess.DueOn, d(2026, 2, 16)},
		"no plan":  {dl.NoPlanNotice.DueOn, d(2026, 4, 27)},
		"draft":    {dl.DraftPlanTarget.DueOn, d(2026, 4, 13)},
		"final":    {dl.FinalPlan.DueOn, d(2026, 5, 25)},
	}
	for name, w := range want {
		if !w[0].Equal(w[1]) {
			t.Errorf("%s due %s, want %s", name, w[0].Format("2006-01-02"), w[1].Format("2006-01-02"))
		}
	}
	if dl.DecisionToAssess.Status != statutory.StatusNotDue || dl.Week20 || dl.Overdue() {
		t.Fatalf("on 20 Jan: %+v", dl)
	}
	if got := r.Deadlines(d(2026, 2, 17)); got.DecisionToAssess.Status != statutory.StatusOverdue || !got.Overdue() {
		t.Fatalf("on 17 Feb undecided: %+v", got.DecisionToAssess)
	}

	// Two weeks of exceptional personal circumstances (ground c) push every adjusted date by 14 days.
	if err := r.AddException(statutory.Exception{Ground: statutory.GroundPersonalCircumstances, From: d(2026, 1, 19), To: d(2026, 2, 1), Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	dl = r.Deadlines(d(2026, 2, 17))
	if !dl.DecisionToAssess.DueOn.Equal(d(2026, 2, 16)) || !dl.DecisionToAssess.AdjustedDueOn.Equal(d(2026, 3, 2)) ||
		!dl.FinalPlan.AdjustedDueOn.Equal(d(2026, 6, 8)) || !dl.NoPlanNotice.AdjustedDueOn.Equal(d(2026, 5, 11)) ||
		!dl.DraftPlanTarget.AdjustedDueOn.Equal(d(2026, 4, 27)) {
		t.Fatalf("adjusted: %+v", dl)
	}
	if dl.DecisionToAssess.Status != statutory.StatusNotDue || dl.Overdue() || !dl.Week20 {
		t.Fatalf("with the exception on 17 Feb: %+v", dl)
	}
	due := r.DueDates()
	if !due.DecisionToAssess.Equal(d(2026, 3, 2)) || !due.FinalPlan.Equal(d(2026, 6, 8)) {
		t.Fatalf("due dates kept for the filter: %+v", due)
	}

	// Decided late (after the adjusted date): met late; later milestones run on.
	if err := r.Decide(Decision{Decision: Assess, DecidedOn: d(2026, 3, 3)}, d(2026, 3, 3)); err != nil {
		t.Fatal(err)
	}
	dl = r.Deadlines(d(2026, 3, 4))
	if dl.DecisionToAssess.Status != statutory.StatusMetLate || !dl.DecisionToAssess.CompletedOn.Equal(d(2026, 3, 3)) || dl.FinalPlan.Status != statutory.StatusNotDue {
		t.Fatalf("after deciding: %+v", dl)
	}
	if got := r.Deadlines(d(2026, 5, 12)); !got.Overdue() || got.NoPlanNotice.Status != statutory.StatusOverdue {
		t.Fatalf("past the adjusted 16 weeks: %+v", got)
	}

	// A refusal or a withdrawal leaves nothing to be overdue.
	n := received(t)
	if err := n.Decide(Decision{Decision: NotAssess, DecidedOn: d(2026, 2, 10), AppealRightsNotified: true}, today); err != nil {
		t.Fatal(err)
	}
	dl = n.Deadlines(d(2026, 12, 1))
	if dl.DecisionToAssess.Status != statutory.StatusMetOnTime || dl.FinalPlan.Status != statutory.StatusNotApplicable || dl.Overdue() {
		t.Fatalf("not assessed: %+v", dl)
	}
	w := received(t)
	if err := w.Withdraw(d(2026, 1, 20), "x", today); err != nil {
		t.Fatal(err)
	}
	if dl := w.Deadlines(d(2026, 12, 1)); dl.DecisionToAssess.Status != statutory.StatusNotApplicable || dl.Overdue() {
		t.Fatalf("withdrawn: %+v", dl)
	}
}

func TestGroundLetters(t *testing.T) {
	for _, l := range []string{"a", "b", "c", "d"} {
		g, ok := GroundOf(l)
		if !ok || !g.ExcusesAuthority() || LetterOf(g) != l {
			t.Errorf("%s: %v %v", l, g, ok)
		}
	}
	if _, ok := GroundOf("e"); ok {
		t.Error("e is not a ground")
	}
}

func TestFamilyRequest(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for name, c := range map[string]struct {
		f       FamilyRequest
		pointer string
	}{
		"a parent, received today":        {FamilyRequest{RequestedBy: ByParent, ReceivedOn: today}, ""},
		"a young person, no date":         {FamilyRequest{RequestedBy: ByYoungPerson}, ""},
		"the school cannot be the family": {FamilyRequest{RequestedBy: BySchoolOrCollege}, "/requested_by"},
		"backdated":                       {FamilyRequest{RequestedBy: ByParent, ReceivedOn: today.AddDate(0, 0, -7)}, "/received_on"},
		"naming the council's referral":   {FamilyRequest{RequestedBy: ByParent, ReferralID: "r"}, "/referral_id"},
		"naming the panel that asked":     {FamilyRequest{RequestedBy: ByParent, Meeting: "m"}, "/meeting_id"},
	} {
		err := c.f.CheckFamily(today)
		if c.pointer == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Unprocessable || len(fe.Fields) != 1 || fe.Fields[0].Pointer != c.pointer {
			t.Errorf("%s: %v, want a refusal at %s", name, err, c.pointer)
		}
	}
}

// TestForFamily: a family reads their own words on their request, never the notes professionals
// wrote on it or on the requests for advice; the stored request is left as it was.
func TestForFamily(t *testing.T) {
	for _, c := range []struct {
		requestedBy, notes, want string
	}{
		{ByParent, "We are worried.", "We are worried."},
		{ByYoungPerson, "I need more help.", "I need more help."},
		{BySchoolOrCollege, "Internal: attendance is a worry.", ""},
		{ByHealth, "Internal: the GP is concerned.", ""},
		{BySocialCare, "Internal: open to social care.", ""},
		{ByOther, "Internal: asked by the youth offending team.", ""},
	} {
		r := Request{RequestedBy: c.requestedBy, Notes: c.notes, Advice: []Advice{{ID: "a1", Adviser: "medical", Notes: "Internal: chase the GP."}}}
		got := r.ForFamily()
		if got.Notes != c.want || got.Advice[0].Notes != "" || got.Advice[0].ID != "a1" {
			t.Errorf("%s: %+v", c.requestedBy, got)
		}
		if r.Notes != c.notes || r.Advice[0].Notes == "" {
			t.Errorf("%s: the request read for the family changed the stored one: %+v", c.requestedBy, r)
		}
	}
}
