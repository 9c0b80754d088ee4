package meeting

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var d = testkit.Day

func TestValidate(t *testing.T) {
	today := d(2026, 3, 10)
	decision := &MapDecision{Solution: "Specialist placement", CostBand: "20k_to_50k", Outcome: OutcomeApproved}
	due := d(2026, 4, 1)
	cases := []struct {
		name string
		m    Meeting
		want []string // pointers of the 400; none means valid
	}{
		{"plain mam", Meeting{Type: MAM, HeldOn: today}, nil},
		{"map with decision", Meeting{Type: MAP, HeldOn: today, MapDecision: decision}, nil},
		{"map without decision is not a shape problem", Meeting{Type: MAP, HeldOn: today}, nil},
		{"unknown type", Meeting{Type: "coffee", HeldOn: today}, []string{"/type"}},
		{"no date", Meeting{Type: MAM}, []string{"/held_on"}},
		{"tomorrow", Meeting{Type: MAM, HeldOn: today.AddDate(0, 0, 1)}, []string{"/held_on"}},
		{"decision on a mam", Meeting{Type: MAM, HeldOn: today, MapDecision: decision}, []string{"/map_decision"}},
		{"decision on a taf", Meeting{Type: TAF, HeldOn: today, MapDecision: decision}, []string{"/map_decision"}},
		{"attendees complete", Meeting{Type: MAM, HeldOn: today, Attendees: []Attendee{
			{Kind: KindPractitioner, PractitionerID: "p1"}, {Kind: KindOrganisation, OrganisationID: "o1"},
			{Kind: KindFamilyMember, Name: "Parent"}, {Kind: KindChildYoungPerson, Name: "Child"}}}, nil},
		{"attendees missing their identifiers", Meeting{Type: MAM, HeldOn: today, Attendees: []Attendee{
			{Kind: KindPractitioner}, {Kind: KindOrganisation}, {Kind: KindFamilyMember, Name: "  "}, {Kind: KindChildYoungPerson}, {Kind: "pet"}}},
			[]string{"/attendees/0/practitioner_id", "/attendees/1/organisation_id", "/attendees/2/name", "/attendees/3/name", "/attendees/4/kind"}},
		{"blank decision", Meeting{Type: Review, HeldOn: today, Decisions: []string{"Meet again", " "}}, []string{"/decisions/1"}},
		{"actions", Meeting{Type: MAM, HeldOn: today, Actions: []Action{{What: "Book SALT", DueOn: due}, {What: "", DueOn: due}, {What: "x"}}},
			[]string{"/actions/1/what", "/actions/2/due_on"}},
	}
	for _, c := range cases {
		err := c.m.Validate(today)
		kind, got := testkit.KindOf(t, err), testkit.Pointers(err)
		if len(c.want) == 0 {
			if kind != fault.Unknown {
				t.Errorf("%s: unexpected error %v", c.name, got)
			}
			continue
		}
		if kind != fault.Invalid || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v %v, want 400 %v", c.name, kind, got, c.want)
		}
	}
}

func TestAttach(t *testing.T) {
	received := d(2026, 3, 1)
	decision := &MapDecision{Solution: "x", CostBand: "under_5k", Outcome: OutcomeRequestEHCNeedsAssessment}
	cases := []struct {
		name   string
		m      Meeting
		before bool
		want   []string // pointers of the 422
	}{
		{"mam after receipt", Meeting{Type: MAM, HeldOn: d(2026, 3, 5)}, false, nil},
		{"mam on the day of receipt", Meeting{Type: MAM, HeldOn: received}, false, nil},
		{"mam before receipt", Meeting{Type: MAM, HeldOn: d(2026, 2, 28)}, true, []string{"/held_on"}},
		{"allocation before receipt", Meeting{Type: Allocation, HeldOn: d(2026, 1, 1)}, true, []string{"/held_on"}},
		{"review before receipt", Meeting{Type: Review, HeldOn: d(2026, 1, 1)}, true, []string{"/held_on"}},
		{"taf before receipt", Meeting{Type: TAF, HeldOn: d(2025, 11, 3)}, true, nil},
		{"family service plan before receipt", Meeting{Type: FamilyServicePlan, HeldOn: d(2025, 11, 3)}, true, nil},
		{"map without decision", Meeting{Type: MAP, HeldOn: d(2026, 3, 5)}, false, []string{"/map_decision"}},
		{"map requesting an EHC needs assessment", Meeting{Type: MAP, HeldOn: d(2026, 3, 5), MapDecision: decision}, false, nil},
		{"map before receipt without decision", Meeting{Type: MAP, HeldOn: d(2026, 2, 1)}, true, []string{"/held_on", "/map_decision"}},
	}
	for _, c := range cases {
		m := c.m
		err := m.Attach(received)
		kind, got := testkit.KindOf(t, err), testkit.Pointers(err)
		if m.BeforeReferral != c.before {
			t.Errorf("%s: BeforeReferral = %v", c.name, m.BeforeReferral)
		}
		if len(c.want) == 0 {
			if kind != fault.Unknown {
				t.Errorf("%s: unexpected error %v", c.name, got)
			}
			continue
		}
		if kind != fault.Unprocessable || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v %v, want 422 %v", c.name, kind, got, c.want)
		}
	}
}

func TestSummaryHoldsNoFreeText(t *testing.T) {
	cases := []struct {
		m    Meeting
		want string
	}{
		{Meeting{Type: MAM, Attendees: []Attendee{{Kind: KindPractitioner, PractitionerID: "p", TookPart: true}, {Kind: KindOrganisation, OrganisationID: "o", TookPart: true},
			{Kind: KindFamilyMember, Name: "Grace Parent", TookPart: true}, {Kind: KindChildYoungPerson, Name: "Ada Child", TookPart: true, How: "in_person"}}},
			"MAM held (4 attendees, child took part)"},
		{Meeting{Type: MAM, Attendees: []Attendee{{Kind: KindChildYoungPerson, Name: "Ada Child", TookPart: true, How: HowDidNotTakePart}}},
			"MAM held (1 attendee, child did not take part)"},
		{Meeting{Type: MAP, FamilySaid: "We want help at home.", Decisions: []string{"Fund a placement for Ada"},
			MapDecision: &MapDecision{Solution: "Residential placement for Ada", CostBand: "20k_to_50k", Outcome: OutcomeApproved}},
			"MAP held (0 attendees); MAP decision: approved (20k_to_50k)"},
		{Meeting{Type: TAF, BeforeReferral: true}, "TAF meeting held (0 attendees, before referral)"},
	}
	for _, c := range cases {
		got := c.m.Summary()
		if got != c.want {
			t.Errorf("Summary = %q, want %q", got, c.want)
		}
		for _, secret := range []string{"Grace", "Ada", "home", "Residential", "Fund"} {
			if strings.Contains(got, secret) {
				t.Errorf("summary %q leaks %q", got, secret)
			}
		}
	}
}

func TestOverdueAndComplete(t *testing.T) {
	today := d(2026, 3, 10)
	cases := []struct {
		name string
		a    Action
		want bool
	}{
		{"open, due yesterday", Action{Status: Open, DueOn: d(2026, 3, 9)}, true},
		{"open, due today", Action{Status: Open, DueOn: today}, false},
		{"open, due next week", Action{Status: Open, DueOn: d(2026, 3, 17)}, false},
		{"done, was due last month", Action{Status: Done, DueOn: d(2026, 2, 1)}, false},
	}
	for _, c := range cases {
		if got := c.a.OverdueOn(today); got != c.want {
			t.Errorf("%s: OverdueOn = %v", c.name, got)
		}
	}

	a := Action{Status: Open, DueOn: d(2026, 3, 1)}
	at := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	if err := a.Complete(at, "p1", "Referral sent."); err != nil {
		t.Fatal(err)
	}
	if a.Status != Done || a.CompletedAt == nil || !a.CompletedAt.Equal(at) || a.CompletedByPractitionerID != "p1" || a.CompletionNote != "Referral sent." {
		t.Fatalf("completed: %+v", a)
	}
	if a.OverdueOn(today) {
		t.Error("a done action is never overdue")
	}
	err := a.Complete(at.Add(time.Hour), "p2", "")
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Conflict || fe.CurrentStatus != Done {
		t.Fatalf("second completion: %v", err)
	}
	if a.CompletedByPractitionerID != "p1" {
		t.Error("a refused completion must not change the record")
	}
}

// TestMayRecord: the pathway's meetings in the pathway's order (Salford 0-25 pathfinder):
// allocation once the family assessment has started, a MAM once a lead is allocated, a MAP or
// review once a MAM is recorded, nothing on a closed referral; TAF and family service plan
// meetings at any open stage, since they may predate the referral.
func TestMayRecord(t *testing.T) {
	ref := func(s referral.Status, lead string) referral.Referral {
		return referral.Referral{Status: s, EngagementLeadID: lead}
	}
	mam := Meeting{Type: MAM, HeldOn: d(2026, 3, 10)}
	cases := []struct {
		name     string
		typ      string
		held     time.Time
		r        referral.Referral
		recorded []Meeting
		kind     fault.Kind // Unknown: allowed
		pointer  string     // for a 422
	}{
		{"taf before triage", TAF, d(2025, 11, 3), ref(referral.Received, ""), nil, fault.Unknown, ""},
		{"family service plan while assessing", FamilyServicePlan, d(2026, 3, 1), ref(referral.Assessing, ""), nil, fault.Unknown, ""},
		{"taf on a closed referral", TAF, d(2026, 3, 1), ref(referral.Closed, "p1"), nil, fault.Conflict, ""},
		{"allocation before triage", Allocation, d(2026, 3, 1), ref(referral.Received, ""), nil, fault.Conflict, ""},
		{"allocation before the family assessment", Allocation, d(2026, 3, 1), ref(referral.Accepted, ""), nil, fault.Conflict, ""},
		{"allocation during the family assessment", Allocation, d(2026, 3, 1), ref(referral.Assessing, ""), nil, fault.Unknown, ""},
		{"re-allocation after a MAM", Allocation, d(2026, 4, 1), ref(referral.MAMHeld, "p1"), []Meeting{mam}, fault.Unknown, ""},
		{"mam before triage", MAM, d(2026, 3, 1), ref(referral.Received, ""), nil, fault.Conflict, ""},
		{"mam before a lead is allocated", MAM, d(2026, 3, 1), ref(referral.Assessing, ""), nil, fault.Conflict, ""},
		{"mam once the lead is allocated", MAM, d(2026, 3, 10), ref(referral.Allocated, "p1"), nil, fault.Unknown, ""},
		{"a second mam", MAM, d(2026, 5, 1), ref(referral.MAMHeld, "p1"), []Meeting{mam}, fault.Unknown, ""},
		{"mam on a closed referral", MAM, d(2026, 3, 10), ref(referral.Closed, "p1"), nil, fault.Conflict, ""},
		{"map with no mam", MAP, d(2026, 3, 20), ref(referral.Allocated, "p1"), nil, fault.Conflict, ""},
		{"map with only a taf", MAP, d(2026, 3, 20), ref(referral.Allocated, "p1"), []Meeting{{Type: TAF, HeldOn: d(2026, 1, 1)}}, fault.Conflict, ""},
		{"map after the mam", MAP, d(2026, 3, 20), ref(referral.MAMHeld, "p1"), []Meeting{mam}, fault.Unknown, ""},
		{"map on the day of the mam", MAP, d(2026, 3, 10), ref(referral.MAMHeld, "p1"), []Meeting{mam}, fault.Unknown, ""},
		{"map dated before the mam", MAP, d(2026, 3, 9), ref(referral.MAMHeld, "p1"), []Meeting{mam}, fault.Unprocessable, "/held_on"},
		{"map on a declined referral", MAP, d(2026, 3, 20), ref(referral.Declined, ""), []Meeting{mam}, fault.Conflict, ""},
		{"map on a closed referral", MAP, d(2026, 3, 20), ref(referral.Closed, "p1"), []Meeting{mam}, fault.Conflict, ""},
		{"review with no mam", Review, d(2026, 6, 1), ref(referral.PlanInPlace, "p1"), nil, fault.Conflict, ""},
		{"review after the mam", Review, d(2026, 6, 1), ref(referral.PlanInPlace, "p1"), []Meeting{mam}, fault.Unknown, ""},
		{"review dated before the mam", Review, d(2026, 3, 1), ref(referral.Reviewing, "p1"), []Meeting{mam}, fault.Unprocessable, "/held_on"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := MayRecord(c.typ, c.held, c.r, c.recorded)
			kind, ptrs := testkit.KindOf(t, err), testkit.Pointers(err)
			if kind != c.kind {
				t.Fatalf("got %v (%v), want kind %v", err, kind, c.kind)
			}
			var fe *fault.Error
			if kind == fault.Conflict && (!errors.As(err, &fe) || fe.CurrentStatus != string(c.r.Status)) {
				t.Fatalf("a stage conflict names the referral's status: %v", err)
			}
			if c.pointer != "" && !slices.Equal(ptrs, []string{c.pointer}) {
				t.Fatalf("pointers %v, want %s", ptrs, c.pointer)
			}
		})
	}
}

// TestInOrder: corrections keep a MAP and reviews on or after the first MAM.
func TestInOrder(t *testing.T) {
	mam := Meeting{Type: MAM, HeldOn: d(2026, 3, 10)}
	mapm := Meeting{Type: MAP, HeldOn: d(2026, 3, 20)}
	for _, c := range []struct {
		name string
		ms   []Meeting
		ok   bool
	}{
		{"mam then map", []Meeting{mam, mapm}, true},
		{"the earliest of two mams counts", []Meeting{{Type: MAM, HeldOn: d(2026, 3, 25)}, mam, mapm}, true},
		{"mam moved after the map", []Meeting{{Type: MAM, HeldOn: d(2026, 3, 21)}, mapm}, false},
		{"taf and allocation are not ordered", []Meeting{{Type: TAF, HeldOn: d(2026, 4, 1)}, {Type: Allocation, HeldOn: d(2026, 4, 2)}, mam}, true},
		{"nothing recorded", nil, true},
	} {
		if err := InOrder(c.ms); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
