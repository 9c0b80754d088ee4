package tcare

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

func d(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func rc(r Rating, on string) RatingChange {
	return RatingChange{Rating: r, Reasons: []string{"reason"}, DecidedOn: d(on)}
}

// TestCTRDue: when a C(E)TR falls due for a table of histories. 2026-03-02 is a Monday.
func TestCTRDue(t *testing.T) {
	pol := DefaultPolicy
	blue := func(on, admitted string, planned bool) RatingChange {
		r := rc(Blue, on)
		r.AdmittedOn, r.AdmissionPlanned = d(admitted), planned
		return r
	}
	cases := []struct {
		name    string
		history []RatingChange
		lastCTR string
		closed  string
		due     string
		overdue string // a day on which it is overdue ("" if never)
	}{
		{"green: none", []RatingChange{rc(Green, "2026-03-02")}, "", "", "", ""},
		{"amber: none", []RatingChange{rc(Amber, "2026-03-02")}, "", "", "", ""},
		{"red: 28 days after rated red", []RatingChange{rc(Amber, "2026-01-05"), rc(Red, "2026-03-02")}, "", "", "2026-03-30", "2026-03-31"},
		{"red twice: from the start of the run", []RatingChange{rc(Red, "2026-02-02"), rc(Red, "2026-03-02")}, "", "", "2026-03-02", "2026-03-03"},
		{"red with a review since: none", []RatingChange{rc(Red, "2026-03-02")}, "2026-03-10", "", "", ""},
		{"red with a review before the run: due", []RatingChange{rc(Red, "2026-03-02")}, "2026-02-10", "", "2026-03-30", ""},
		{"unplanned admission: 10 working days", []RatingChange{rc(Red, "2026-02-02"), blue("2026-03-02", "2026-03-02", false)}, "", "", "2026-03-16", "2026-03-17"},
		{"unplanned admission over a weekend", []RatingChange{blue("2026-03-06", "2026-03-06", false)}, "", "", "2026-03-20", ""},
		{"planned admission after a community review: 3 months", []RatingChange{rc(Red, "2026-01-05"), blue("2026-03-02", "2026-03-02", true)}, "2026-02-20", "", "2026-06-02", ""},
		{"planned admission with no review: 10 working days", []RatingChange{blue("2026-03-02", "2026-03-02", true)}, "", "", "2026-03-16", ""},
		{"inpatient reviewed: 3 months after the last", []RatingChange{blue("2026-03-02", "2026-03-02", false)}, "2026-03-12", "", "2026-06-12", "2026-06-13"},
		{"blue without an admission date: from the rating", []RatingChange{blue("2026-03-02", "", false)}, "", "", "2026-03-16", ""},
		{"closed: none", []RatingChange{rc(Red, "2026-03-02")}, "", "2026-03-05", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Entry{History: c.history, LastCTROn: d(c.lastCTR), ClosedOn: d(c.closed)}
			if got := e.CTRDue(pol); !got.Equal(d(c.due)) {
				t.Fatalf("due %v, want %s", got, c.due)
			}
			if c.due != "" && e.Overdue(pol, d(c.due)) {
				t.Fatal("overdue on the due day")
			}
			if c.overdue != "" && !e.Overdue(pol, d(c.overdue)) {
				t.Fatal("not overdue the day after")
			}
		})
	}
	// A holiday moves the post-admission review on a day.
	pol.Holidays = statutory.NewHolidays(d("2026-03-09"))
	e := Entry{History: []RatingChange{blue("2026-03-02", "2026-03-02", false)}}
	if got := e.CTRDue(pol); !got.Equal(d("2026-03-17")) {
		t.Fatalf("with a holiday: %v", got)
	}
}

// TestRatingHistory: ratings are kept in order, never dated before the current one, blue keeps
// its admission, and a closed entry takes no more.
func TestRatingHistory(t *testing.T) {
	today := d("2026-06-01")
	e, err := NewEntry(Entry{Conditions: []string{Autism}, Consent: ConsentGiven}, rc(Amber, "2026-01-05"), d("2012-01-01"), today)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		r       RatingChange
		kind    fault.Kind
		pointer string
	}{
		{"red in February", rc(Red, "2026-02-02"), fault.Unknown, ""},
		{"backdated before red", rc(Green, "2026-01-20"), fault.Unprocessable, "/decided_on"},
		{"future", rc(Green, "2026-06-02"), fault.Invalid, "/decided_on"},
		{"no reasons", RatingChange{Rating: Green, DecidedOn: d("2026-03-01")}, fault.Invalid, "/reasons"},
		{"purple", RatingChange{Rating: "purple", Reasons: []string{"x"}, DecidedOn: d("2026-03-01")}, fault.Invalid, "/rating"},
		{"admission on amber", RatingChange{Rating: Amber, Reasons: []string{"x"}, DecidedOn: d("2026-03-01"), AdmittedOn: d("2026-03-01")}, fault.Invalid, "/admitted_on"},
		{"admitted", RatingChange{Rating: Blue, Reasons: []string{"x"}, DecidedOn: d("2026-03-01"), AdmittedOn: d("2026-02-27")}, fault.Unknown, ""},
		{"still blue", rc(Blue, "2026-04-01"), fault.Unknown, ""},
	}
	for _, s := range steps {
		err := e.Rate(s.r, today)
		if got := fault.KindOf(err); got != s.kind {
			t.Fatalf("%s: kind %v (%v), want %v", s.name, got, err, s.kind)
		}
		if s.pointer != "" {
			var fe *fault.Error
			if !asFault(err, &fe) || len(fe.Fields) == 0 || fe.Fields[0].Pointer != s.pointer {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
	}
	if len(e.History) != 4 || e.Current().Rating != Blue || !e.Current().AdmittedOn.Equal(d("2026-02-27")) || !e.RatedSince().Equal(d("2026-03-01")) {
		t.Fatalf("history: %+v", e.History)
	}
	if err := e.Close(d("2026-05-01"), today); err != nil {
		t.Fatal(err)
	}
	if err := e.Rate(rc(Green, "2026-05-02"), today); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("rate closed: %v", err)
	}
}

func asFault(err error, out **fault.Error) bool {
	return errors.As(err, out)
}

// TestNewEntry: conditions, consent or the lawful basis, ages 0 to 25.
func TestNewEntry(t *testing.T) {
	today := d("2026-06-01")
	cases := []struct {
		name    string
		e       Entry
		dob     string
		kind    fault.Kind
		pointer string
	}{
		{"ok", Entry{Conditions: []string{LearningDisability, Autism}, Consent: ConsentGiven}, "2010-01-01", fault.Unknown, ""},
		{"no condition", Entry{Consent: ConsentGiven}, "2010-01-01", fault.Invalid, "/conditions"},
		{"bad condition", Entry{Conditions: []string{"adhd"}, Consent: ConsentGiven}, "2010-01-01", fault.Invalid, "/conditions"},
		{"no consent, no basis", Entry{Conditions: []string{Autism}, Consent: ConsentNotGiven}, "2010-01-01", fault.Invalid, "/lawful_basis"},
		{"no consent, a basis", Entry{Conditions: []string{Autism}, Consent: ConsentNotGiven, LawfulBasis: "Safeguarding: s.47 enquiry"}, "2010-01-01", fault.Unknown, ""},
		{"26", Entry{Conditions: []string{Autism}, Consent: ConsentGiven}, "2000-05-31", fault.Unprocessable, "/young_person_id"},
		{"25", Entry{Conditions: []string{Autism}, Consent: ConsentGiven}, "2000-06-02", fault.Unknown, ""},
		{"action without owner", Entry{Conditions: []string{Autism}, Consent: ConsentGiven, Actions: []Action{{Description: "Refer to intensive support"}}}, "2010-01-01", fault.Invalid, "/actions/0/owner"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewEntry(c.e, rc(Red, "2026-05-01"), d(c.dob), today)
			if fault.KindOf(err) != c.kind {
				t.Fatalf("kind %v: %v", fault.KindOf(err), err)
			}
			var fe *fault.Error
			if c.pointer != "" && (!asFault(err, &fe) || fe.Fields[0].Pointer != c.pointer) {
				t.Fatalf("%v", err)
			}
		})
	}
}

// TestPlacement: types, weeks a year, dates and the funding shares.
func TestPlacement(t *testing.T) {
	today := d("2026-06-01")
	cost := int64(25000000)
	km := 120.5
	cases := []struct {
		name    string
		p       Placement
		weeks   int
		kind    fault.Kind
		pointer string
	}{
		{"52-week residential, three funders", Placement{Type: Residential52, SettingName: "Hill House", StartOn: d("2025-09-01"), DistanceKm: &km,
			AnnualCostPence: &cost, EducationPct: 50, SocialCarePct: 30, HealthPct: 20}, 52, fault.Unknown, ""},
		{"38-week", Placement{Type: Residential38, SettingName: "Vale School", StartOn: d("2025-09-01")}, 38, fault.Unknown, ""},
		{"mainstream", Placement{Type: Mainstream, SettingName: "St Mary's", StartOn: d("2025-09-01"), EducationPct: 100}, 0, fault.Unknown, ""},
		{"inpatient", Placement{Type: Inpatient, SettingName: "Unit", StartOn: d("2026-03-01")}, 52, fault.Unknown, ""},
		{"bad type", Placement{Type: "boarding", SettingName: "x", StartOn: d("2025-09-01")}, 0, fault.Invalid, "/type"},
		{"ends before start", Placement{Type: Special, SettingName: "x", StartOn: d("2025-09-01"), EndOn: d("2025-08-01")}, 0, fault.Invalid, "/end_on"},
		{"shares short", Placement{Type: Special, SettingName: "x", StartOn: d("2025-09-01"), AnnualCostPence: &cost, EducationPct: 60}, 0, fault.Unprocessable, "/education_pct"},
		{"share over 100", Placement{Type: Special, SettingName: "x", StartOn: d("2025-09-01"), HealthPct: 120}, 0, fault.Invalid, "/health_pct"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := CheckPlacement(c.p, today)
			if fault.KindOf(err) != c.kind {
				t.Fatalf("kind %v: %v", fault.KindOf(err), err)
			}
			var fe *fault.Error
			if c.pointer != "" && (!asFault(err, &fe) || fe.Fields[0].Pointer != c.pointer) {
				t.Fatalf("%v", err)
			}
			if err == nil && (p.WeeksPerYear() != c.weeks || p.Residential() != (c.weeks > 0)) {
				t.Fatalf("weeks %d", p.WeeksPerYear())
			}
		})
	}
}

// TestReview: a C(E)TR is scheduled, then held once with its panel, outcome and recommendations.
func TestReview(t *testing.T) {
	today := d("2026-06-01")
	if _, err := NewReview(Review{Kind: "mtr", Setting: Community, ScheduledOn: d("2026-05-01")}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("kind: %v", err)
	}
	r, err := NewReview(Review{Kind: CETR, Setting: Community, ScheduledOn: d("2026-05-01")})
	if err != nil || r.Status() != ReviewScheduled {
		t.Fatalf("new: %v %v", err, r.Status())
	}
	panel := Panel{Chair: "Commissioner", ClinicalExpert: "Psychiatrist", ExpertByExperience: "Parent carer"}
	rec := []Recommendation{{Description: "Intensive support", Owner: "ISS", DueOn: d("2026-05-15")}}
	cases := []struct {
		name    string
		held    Review
		kind    fault.Kind
		pointer string
	}{
		{"no expert by experience", Review{HeldOn: d("2026-05-01"), Outcome: "admission_avoided", Panel: Panel{Chair: "c", ClinicalExpert: "e"}}, fault.Invalid, "/panel/expert_by_experience"},
		{"future", Review{HeldOn: d("2026-06-02"), Outcome: "admission_avoided", Panel: panel}, fault.Invalid, "/held_on"},
		{"bad outcome", Review{HeldOn: d("2026-05-01"), Outcome: "fine", Panel: panel}, fault.Invalid, "/outcome"},
		{"recommendation without owner", Review{HeldOn: d("2026-05-01"), Outcome: "admission_avoided", Panel: panel,
			Recommendations: []Recommendation{{Description: "x", DueOn: d("2026-05-15")}}}, fault.Invalid, "/recommendations/0/owner"},
		{"held", Review{HeldOn: d("2026-05-01"), Outcome: "admission_avoided", Panel: panel, Recommendations: rec}, fault.Unknown, ""},
		{"held twice", Review{HeldOn: d("2026-05-02"), Outcome: "admission_avoided", Panel: panel}, fault.Conflict, ""},
	}
	for _, c := range cases {
		err := r.Hold(c.held, today)
		if fault.KindOf(err) != c.kind {
			t.Fatalf("%s: %v", c.name, err)
		}
		var fe *fault.Error
		if c.pointer != "" && (!asFault(err, &fe) || fe.Fields[0].Pointer != c.pointer) {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if r.Status() != ReviewHeld || len(r.Overdue(today)) != 1 || len(r.Overdue(d("2026-05-15"))) != 0 {
		t.Fatalf("held: %+v", r)
	}
	for _, c := range []struct {
		name    string
		i       int
		on      string
		kind    fault.Kind
		pointer string
	}{
		{"no such recommendation", 5, "2026-05-10", fault.NotFound, ""},
		{"before the review", 0, "2026-04-30", fault.Invalid, "/done_on"},
		{"in the future", 0, "2026-06-30", fault.Invalid, "/done_on"},
	} {
		err := r.CompleteRecommendation(c.i, d(c.on), "", today)
		var fe *fault.Error
		if fault.KindOf(err) != c.kind || (c.pointer != "" && (!asFault(err, &fe) || fe.Fields[0].Pointer != c.pointer)) {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if err := r.CompleteRecommendation(0, d("2026-05-10"), "Visits started", today); err != nil || len(r.Overdue(today)) != 0 ||
		!r.Recommendations[0].DoneOn.Equal(d("2026-05-10")) || r.Recommendations[0].Note != "Visits started" {
		t.Fatalf("complete: %v %+v", err, r.Recommendations[0])
	}
	if err := r.CompleteRecommendation(0, d("2026-05-10"), "", today); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("twice: %v", err)
	}
}

// TestBudgetSectionJ: a personal budget across three streams produces the plan's section J.
func TestBudgetSectionJ(t *testing.T) {
	today := d("2026-06-01")
	b, err := NewBudget(Budget{RequestedOn: d("2026-04-01"), RequestedBy: "parent"}, today)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.SectionJ(); got != "A personal budget was requested on 2026-04-01; the decision is awaited." {
		t.Fatalf("requested: %q", got)
	}
	parts := []Part{
		{Stream: "health", Arrangement: "direct_payment", AmountPence: 120000, Period: "month", AgreementSignedOn: d("2026-04-20")},
		{Stream: "education", Arrangement: "notional", AmountPence: 600000, Period: "year"},
		{Stream: "social_care", Arrangement: "third_party", AmountPence: 1234567, Period: "year"},
	}
	cases := []struct {
		name    string
		agreed  bool
		reasons string
		parts   []Part
		pointer string
	}{
		{"refused without reasons", false, "", nil, "/reasons"},
		{"agreed without parts", true, "", nil, "/parts"},
		{"direct payment without agreement", true, "", []Part{{Stream: "health", Arrangement: "direct_payment", AmountPence: 1, Period: "week"}}, "/parts/0/agreement_signed_on"},
		{"a stream twice", true, "", []Part{parts[1], parts[1]}, "/parts/1/stream"},
	}
	for _, c := range cases {
		err := b.Decide(c.agreed, d("2026-04-21"), c.reasons, c.parts, time.Time{}, today)
		var fe *fault.Error
		if !asFault(err, &fe) || fe.Kind != fault.Invalid || fe.Fields[0].Pointer != c.pointer {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if err := b.Decide(true, d("2026-04-21"), "", parts, d("2027-04-21"), today); err != nil {
		t.Fatal(err)
	}
	want := "Integrated personal budget agreed on 2026-04-21.\n" +
		"Education: £6,000.00 a year, as a notional budget (arranged by the council).\n" +
		"Social care: £12,345.67 a year, as a third-party arrangement.\n" +
		"Health: £1,200.00 a month, as a direct payment (agreement signed 2026-04-20).\n" +
		"To be reviewed by 2027-04-21."
	if got := b.SectionJ(); got != want || !b.Integrated() {
		t.Fatalf("section J:\n%s\nwant\n%s", got, want)
	}
	if err := b.Decide(false, d("2026-04-22"), "x", nil, time.Time{}, today); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("decided twice: %v", err)
	}
	if err := b.Pay(Payment{Stream: "housing", PaidOn: d("2026-05-01"), AmountPence: 10}, today); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("unknown stream: %v", err)
	}
	if err := b.Pay(Payment{Stream: "health", PaidOn: d("2026-04-01"), AmountPence: 10}, today); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("before the decision: %v", err)
	}
	_ = b.Pay(Payment{Stream: "health", PaidOn: d("2026-05-01"), AmountPence: 120000}, today)
	_ = b.Pay(Payment{Stream: "health", PaidOn: d("2026-05-28"), AmountPence: 120000}, today)
	if b.Spent()["health"] != 240000 {
		t.Fatalf("spent: %v", b.Spent())
	}
	refused, _ := NewBudget(Budget{RequestedOn: d("2026-04-01"), RequestedBy: "young_person"}, today)
	if err := refused.Decide(false, d("2026-04-10"), "No direct payment: the provision is at a maintained school (reg. 8(1)).", nil, time.Time{}, today); err != nil {
		t.Fatal(err)
	}
	if err := refused.Pay(Payment{Stream: "health", PaidOn: d("2026-05-01"), AmountPence: 1}, today); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("pay refused: %v", err)
	}
}
