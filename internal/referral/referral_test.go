package referral

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// refToday is the fixed "today" of these tests.
var refToday = testkit.Day(2026, time.March, 15)

// The unmet criteria as AssessEligibility words them.
const (
	unmetAge      = "not aged 0 to 25 on the day of receipt"
	unmetServices = "fewer than two services involved"
	unmetArea     = "neither lives in nor attends a setting in the area"
)

func TestAssessEligibility(t *testing.T) {
	on := refToday
	tests := []struct {
		name     string
		dob      time.Time
		services int
		inArea   bool
		wantAge  int
		ageOK    bool
		unmet    []string
	}{
		{"born today", on, 2, true, 0, true, nil},
		{"one day old", testkit.Day(2026, time.March, 14), 2, true, 0, true, nil},
		{"first birthday", testkit.Day(2025, time.March, 15), 2, true, 1, true, nil},
		{"aged 18", testkit.Day(2008, time.March, 15), 3, true, 18, true, nil},
		{"25 years 364 days", testkit.Day(2000, time.March, 16), 2, true, 25, true, nil},
		{"25th birthday", testkit.Day(2001, time.March, 15), 2, true, 25, true, nil},
		{"26th birthday", testkit.Day(2000, time.March, 15), 2, true, 26, false, []string{unmetAge}},
		{"aged 40", testkit.Day(1986, time.January, 1), 2, true, 40, false, []string{unmetAge}},
		{"born tomorrow", testkit.Day(2026, time.March, 16), 2, true, -1, false, []string{unmetAge}},
		{"born next year", testkit.Day(2027, time.January, 1), 2, true, -1, false, []string{unmetAge}},
		{"no services", testkit.Day(2015, time.June, 1), 0, true, 10, true, []string{unmetServices}},
		{"one service", testkit.Day(2015, time.June, 1), 1, true, 10, true, []string{unmetServices}},
		{"two services", testkit.Day(2015, time.June, 1), 2, true, 10, true, nil},
		{"five services", testkit.Day(2015, time.June, 1), 5, true, 10, true, nil},
		{"out of area", testkit.Day(2015, time.June, 1), 2, false, 10, true, []string{unmetArea}},
		{"one service out of area", testkit.Day(2015, time.June, 1), 1, false, 10, true, []string{unmetServices, unmetArea}},
		{"too old and out of area", testkit.Day(2000, time.March, 15), 5, false, 26, false, []string{unmetAge, unmetArea}},
		{"nothing met", testkit.Day(2026, time.March, 16), 0, false, -1, false, []string{unmetAge, unmetServices, unmetArea}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := AssessEligibility(tt.dob, on, tt.services, tt.inArea)
			if e.AgeInRange != tt.ageOK {
				t.Errorf("AgeInRange = %v, want %v", e.AgeInRange, tt.ageOK)
			}
			if e.Age != tt.wantAge {
				t.Errorf("Age = %d, want %d", e.Age, tt.wantAge)
			}
			if want := tt.services >= 2; e.TwoOrMoreServices != want {
				t.Errorf("TwoOrMoreServices = %v, want %v", e.TwoOrMoreServices, want)
			}
			if e.ServicesCount != tt.services {
				t.Errorf("ServicesCount = %d, want %d", e.ServicesCount, tt.services)
			}
			if e.InArea != tt.inArea {
				t.Errorf("InArea = %v, want %v", e.InArea, tt.inArea)
			}
			if !e.AssessedOn.Equal(on) {
				t.Errorf("AssessedOn = %v, want %v", e.AssessedOn, on)
			}
			if !slices.Equal(e.Unmet, tt.unmet) {
				t.Errorf("Unmet = %q, want %q", e.Unmet, tt.unmet)
			}
			if want := len(tt.unmet) == 0; e.Eligible != want {
				t.Errorf("Eligible = %v, want %v", e.Eligible, want)
			}
		})
	}
}

func TestInArea(t *testing.T) {
	salford := []string{"Salford South", "Salford West", "Eccles"}
	tests := []struct {
		name       string
		area       []string
		localities []string
		want       bool
	}{
		{"nil area is the whole council", nil, []string{"Anywhere"}, true},
		{"empty area is the whole council", []string{}, []string{"Anywhere"}, true},
		{"empty area, no localities", nil, nil, true},
		{"empty area, empty locality", nil, []string{""}, true},
		{"exact match", salford, []string{"Eccles"}, true},
		{"case-insensitive", salford, []string{"salford SOUTH"}, true},
		{"surrounding spaces on locality", salford, []string{"  Salford West \t"}, true},
		{"surrounding spaces on area", []string{" Eccles "}, []string{"eccles"}, true},
		{"first locality matches", salford, []string{"Eccles", "Trafford"}, true},
		{"second locality matches", salford, []string{"Trafford", "Salford West"}, true},
		{"neither locality matches", salford, []string{"Trafford", "Bolton"}, false},
		{"partial name does not match", salford, []string{"Salford"}, false},
		{"no localities", salford, nil, false},
		{"empty locality", salford, []string{""}, false},
		{"both localities empty", salford, []string{"", ""}, false},
		{"empty then matching", salford, []string{"", "Eccles"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InArea(tt.area, tt.localities...); got != tt.want {
				t.Errorf("InArea(%q, %q) = %v, want %v", tt.area, tt.localities, got, tt.want)
			}
		})
	}
}

// received returns a referral awaiting triage.
func received(safeguarding, eligible bool) *Referral {
	e := AssessEligibility(testkit.Day(2015, time.June, 1), refToday, 2, true)
	if !eligible {
		e = AssessEligibility(testkit.Day(2015, time.June, 1), refToday, 1, true)
	}
	return &Referral{
		ID:                  "ref-1",
		Reference:           FormatReference(2026, 1),
		Status:              Received,
		Reasons:             []string{"SEN", "Speech & language"},
		MainReason:          "SEN",
		ServicesInvolved:    []string{"school", "health"},
		SafeguardingConcern: safeguarding,
		ReceivedOn:          refToday,
		Eligibility:         e,
		Version:             1,
	}
}

var triagedAt = time.Date(2026, time.March, 15, 10, 30, 0, 0, time.UTC)

func TestApplyTriageSuccess(t *testing.T) {
	tests := []struct {
		name         string
		safeguarding bool
		eligible     bool
		triage       Triage
		wantStatus   Status
		wantRoute    string
	}{
		{"accept defaults to family assessment", false, true,
			Triage{Decision: DecisionAccept, Reason: "two services"}, Accepted, RouteFamilyAssessment},
		{"accept with explicit family assessment", false, true,
			Triage{Decision: DecisionAccept, Route: RouteFamilyAssessment, Reason: "ok"}, Accepted, RouteFamilyAssessment},
		{"safeguarding defaults to safeguarding assessment", true, true,
			Triage{Decision: DecisionAccept, Reason: "concern"}, Accepted, RouteSafeguardingAssessment},
		{"safeguarding with explicit route", true, true,
			Triage{Decision: DecisionAccept, Route: RouteSafeguardingAssessment, Reason: "concern"}, Accepted, RouteSafeguardingAssessment},
		{"ineligible accepted with override", false, false,
			Triage{Decision: DecisionAccept, Reason: "complex", OverrideReason: "third service pending"}, Accepted, RouteFamilyAssessment},
		{"redirect", false, true,
			Triage{Decision: DecisionRedirect, Reason: "early help fits", RedirectTo: "Early Help"}, Redirected, ""},
		{"redirect ineligible", false, false,
			Triage{Decision: DecisionRedirect, Reason: "one service", RedirectTo: "Early Help"}, Redirected, ""},
		{"decline", false, true,
			Triage{Decision: DecisionDecline, Reason: "no needs identified"}, Declined, ""},
		{"decline ineligible", false, false,
			Triage{Decision: DecisionDecline, Reason: "one service"}, Declined, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := received(tt.safeguarding, tt.eligible)
			tr := tt.triage
			tr.TriagedAt = triagedAt
			tr.TriagedBy = "prac-7"
			if err := r.ApplyTriage(tr); err != nil {
				t.Fatalf("ApplyTriage error %v", err)
			}
			if r.Status != tt.wantStatus {
				t.Errorf("Status = %q, want %q", r.Status, tt.wantStatus)
			}
			if r.Route != tt.wantRoute {
				t.Errorf("Route = %q, want %q", r.Route, tt.wantRoute)
			}
			if r.Triage == nil {
				t.Fatal("Triage not stored")
			}
			want := tr
			want.Route = tt.wantRoute
			if !reflect.DeepEqual(*r.Triage, want) {
				t.Errorf("Triage = %+v, want %+v", *r.Triage, want)
			}
		})
	}
}

func TestApplyTriageRefused(t *testing.T) {
	tests := []struct {
		name         string
		safeguarding bool
		eligible     bool
		triage       Triage
		kind         fault.Kind
		pointer      string
	}{
		{"family case sent to safeguarding", false, true,
			Triage{Decision: DecisionAccept, Route: RouteSafeguardingAssessment, Reason: "r"}, fault.Unprocessable, "/route"},
		{"safeguarding case sent to family assessment", true, true,
			Triage{Decision: DecisionAccept, Route: RouteFamilyAssessment, Reason: "r"}, fault.Unprocessable, "/route"},
		{"unknown route", false, true,
			Triage{Decision: DecisionAccept, Route: "panel", Reason: "r"}, fault.Unprocessable, "/route"},
		{"ineligible without override", false, false,
			Triage{Decision: DecisionAccept, Reason: "r"}, fault.Unprocessable, "/override_reason"},
		{"accept naming a redirect", false, true,
			Triage{Decision: DecisionAccept, Reason: "r", RedirectTo: "Early Help"}, fault.Invalid, "/redirect_to"},
		{"redirect without redirect_to", false, true,
			Triage{Decision: DecisionRedirect, Reason: "r"}, fault.Invalid, "/redirect_to"},
		{"redirect with route", false, true,
			Triage{Decision: DecisionRedirect, Reason: "r", RedirectTo: "Early Help", Route: RouteFamilyAssessment}, fault.Invalid, "/route"},
		{"redirect with override", false, true,
			Triage{Decision: DecisionRedirect, Reason: "r", RedirectTo: "Early Help", OverrideReason: "x"}, fault.Invalid, "/override_reason"},
		{"decline with route", false, true,
			Triage{Decision: DecisionDecline, Reason: "r", Route: RouteFamilyAssessment}, fault.Invalid, "/route"},
		{"decline with redirect_to", false, true,
			Triage{Decision: DecisionDecline, Reason: "r", RedirectTo: "Early Help"}, fault.Invalid, "/redirect_to"},
		{"decline with override", false, false,
			Triage{Decision: DecisionDecline, Reason: "r", OverrideReason: "x"}, fault.Invalid, "/override_reason"},
		{"unknown decision", false, true,
			Triage{Decision: "defer", Reason: "r"}, fault.Invalid, "/decision"},
		{"empty decision", false, true,
			Triage{Reason: "r"}, fault.Invalid, "/decision"},
		{"decision in capitals", false, true,
			Triage{Decision: "ACCEPT", Reason: "r"}, fault.Invalid, "/decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := received(tt.safeguarding, tt.eligible)
			before := *r
			err := r.ApplyTriage(tt.triage)
			testkit.WantFault(t, err, tt.kind, tt.pointer)
			if !reflect.DeepEqual(*r, before) {
				t.Errorf("refused triage changed the referral:\n got %+v\nwant %+v", *r, before)
			}
		})
	}
}

func TestApplyTriageOverrideMessageNamesUnmet(t *testing.T) {
	r := received(false, false)
	err := r.ApplyTriage(Triage{Decision: DecisionAccept, Reason: "r"})
	fe := testkit.AsFault(t, err, fault.Unprocessable)
	if !strings.Contains(fe.Detail, unmetServices) {
		t.Errorf("detail %q does not name the unmet criterion", fe.Detail)
	}
}

func TestApplyTriageOnlyFromReceived(t *testing.T) {
	decisions := []Triage{
		{Decision: DecisionAccept, Reason: "r"},
		{Decision: DecisionRedirect, Reason: "r", RedirectTo: "Early Help"},
		{Decision: DecisionDecline, Reason: "r"},
	}
	for _, s := range Statuses {
		if s == Received {
			continue
		}
		for _, tr := range decisions {
			t.Run(string(s)+"/"+tr.Decision, func(t *testing.T) {
				r := received(false, true)
				r.Status = s
				r.Route = RouteFamilyAssessment
				prev := &Triage{Decision: DecisionAccept, Route: RouteFamilyAssessment, Reason: "earlier"}
				r.Triage = prev
				before := *r
				fe := testkit.AsFault(t, r.ApplyTriage(tr), fault.Conflict)
				if fe.CurrentStatus != string(s) {
					t.Errorf("CurrentStatus = %q, want %q", fe.CurrentStatus, s)
				}
				if !reflect.DeepEqual(*r, before) || r.Triage != prev {
					t.Errorf("refused triage changed the referral:\n got %+v\nwant %+v", *r, before)
				}
			})
		}
	}
}

func TestNormalise(t *testing.T) {
	tests := []struct {
		name       string
		reasons    []string
		main       string
		receivedOn time.Time
		consent    *Consent
		wantMain   string
		pointers   []string
	}{
		{"main reason defaults to first", []string{"SEN", "ADHD"}, "", refToday, nil, "SEN", nil},
		{"main reason kept", []string{"SEN", "ADHD"}, "ADHD", refToday, nil, "ADHD", nil},
		{"no reasons, no main", nil, "", refToday, nil, "", nil},
		{"main reason not in reasons", []string{"SEN", "ADHD"}, "Hearing", refToday, nil, "Hearing", []string{"/main_reason"}},
		{"main reason without reasons", nil, "SEN", refToday, nil, "SEN", []string{"/main_reason"}},
		{"received yesterday", []string{"SEN"}, "", refToday.AddDate(0, 0, -1), nil, "SEN", nil},
		{"received tomorrow", []string{"SEN"}, "", refToday.AddDate(0, 0, 1), nil, "SEN", []string{"/received_on"}},
		{"consent today", []string{"SEN"}, "", refToday,
			&Consent{GivenBy: "parent", Relationship: "mother", GivenOn: refToday}, "SEN", nil},
		{"consent tomorrow", []string{"SEN"}, "", refToday,
			&Consent{GivenBy: "parent", Relationship: "mother", GivenOn: refToday.AddDate(0, 0, 1)}, "SEN", []string{"/consent/given_on"}},
		{"every rule broken", []string{"SEN"}, "ADHD", refToday.AddDate(0, 1, 0),
			&Consent{GivenOn: refToday.AddDate(1, 0, 0)}, "ADHD", []string{"/main_reason", "/received_on", "/consent/given_on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Referral{Status: Received, Reasons: tt.reasons, MainReason: tt.main, ReceivedOn: tt.receivedOn, Consent: tt.consent}
			err := r.Normalise(refToday)
			if tt.pointers == nil {
				if err != nil {
					t.Fatalf("Normalise error %v, want nil", err)
				}
			} else if testkit.WantFault(t, err, fault.Invalid, tt.pointers...) {
				// Normalise reports the broken rules in a fixed order; keep it stable.
				if got := testkit.Pointers(err); !slices.Equal(got, tt.pointers) {
					t.Errorf("pointers = %v, want them in the order %v", got, tt.pointers)
				}
			}
			if r.MainReason != tt.wantMain {
				t.Errorf("MainReason = %q, want %q", r.MainReason, tt.wantMain)
			}
		})
	}
}

func TestCheckEditable(t *testing.T) {
	for _, s := range Statuses {
		t.Run(string(s), func(t *testing.T) {
			r := &Referral{Status: s}
			err := r.CheckEditable()
			if s == Received {
				if err != nil {
					t.Fatalf("received referral not editable: %v", err)
				}
				return
			}
			fe := testkit.AsFault(t, err, fault.Conflict)
			if fe.CurrentStatus != string(s) {
				t.Errorf("CurrentStatus = %q, want %q", fe.CurrentStatus, s)
			}
		})
	}
}

func TestFormatReference(t *testing.T) {
	tests := []struct {
		year int
		n    int64
		want string
	}{
		{2026, 123, "REF-2026-000123"},
		{2026, 1, "REF-2026-000001"},
		{2026, 999999, "REF-2026-999999"},
		{2026, 1000000, "REF-2026-1000000"},
		{2027, 1234567, "REF-2027-1234567"},
	}
	for _, tt := range tests {
		if got := FormatReference(tt.year, tt.n); got != tt.want {
			t.Errorf("FormatReference(%d, %d) = %q, want %q", tt.year, tt.n, got, tt.want)
		}
	}
}

// TestReferralForFamily: the family read their child's referral without a safeguarding concern
// or the referrer's summary; the timeline's safeguarding entry is theirs to be spared too.
func TestReferralForFamily(t *testing.T) {
	r := Referral{ID: "r", SafeguardingConcern: true, Summary: "Concern about father.", EngagementLeadID: "lead", Status: Received,
		SafeguardingRaised: &SafeguardingRaised{Reason: "Bruising", LeadToReplace: "lead"}}
	got := r.ForFamily()
	if got.SafeguardingConcern || got.SafeguardingRaised != nil || got.Summary != "" || got.LeadMustBeSocialWorker() {
		t.Errorf("the family's view: %+v", got)
	}
	if !r.SafeguardingConcern || r.SafeguardingRaised == nil {
		t.Error("ForFamily changed the referral it was given")
	}
	if !FamilyHides(TimelineSafeguardingRaised) || FamilyHides("referral.received") {
		t.Error("FamilyHides")
	}
}
