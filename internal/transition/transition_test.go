package transition

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var d = testkit.Day

func dp(y int, m time.Month, day int) *time.Time { t := d(y, m, day); return &t }

func iso(t time.Time) string { return t.Format(time.DateOnly) }

func TestBirthday(t *testing.T) {
	tests := []struct {
		name  string
		dob   time.Time
		years int
		want  time.Time
	}{
		{"ordinary", d(2010, time.June, 15), 14, d(2024, time.June, 15)},
		{"29 Feb into a leap year", d(2008, time.February, 29), 16, d(2024, time.February, 29)},
		{"29 Feb into a non-leap year is 1 March", d(2008, time.February, 29), 14, d(2022, time.March, 1)},
		{"29 Feb, 18th birthday", d(2008, time.February, 29), 18, d(2026, time.March, 1)},
		{"28 Feb stays 28 Feb", d(2008, time.February, 28), 14, d(2022, time.February, 28)},
		{"1 March", d(2008, time.March, 1), 17, d(2025, time.March, 1)},
		{"2100 is not a leap year", d(2084, time.February, 29), 16, d(2100, time.March, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Birthday(tt.dob, tt.years)
			if !got.Equal(tt.want) {
				t.Fatalf("Birthday = %s, want %s", iso(got), iso(tt.want))
			}
			// Independent check: the age package agrees the birthday is the day the age changes.
			if age.YearsOn(tt.dob, got) != tt.years || age.YearsOn(tt.dob, got.AddDate(0, 0, -1)) != tt.years-1 {
				t.Fatalf("age.YearsOn disagrees around %s", iso(got))
			}
		})
	}
}

// CHC milestones: identified by 14, referred by 16, eligibility decided by 17 + 3 months (our
// reading of "soon after 17"), in place by 18 (DOMAIN.md section 2, source [21]).
func TestCHCDueDates(t *testing.T) {
	tests := []struct {
		name                           string
		dob                            time.Time
		identify, refer, decide, place time.Time
	}{
		{"ordinary", d(2010, time.June, 15), d(2024, time.June, 15), d(2026, time.June, 15), d(2027, time.September, 15), d(2028, time.June, 15)},
		{"29 Feb birth: 1 March in non-leap years", d(2008, time.February, 29),
			d(2022, time.March, 1), d(2024, time.February, 29), d(2025, time.June, 1), d(2026, time.March, 1)},
		{"30 Nov birth: +3 months clamps to February's end", d(2010, time.November, 30),
			d(2024, time.November, 30), d(2026, time.November, 30), d(2028, time.February, 29), d(2028, time.November, 30)},
		{"30 Nov birth in a non-leap year", d(2011, time.November, 30),
			d(2025, time.November, 30), d(2027, time.November, 30), d(2029, time.February, 28), d(2029, time.November, 30)},
		{"31 Aug birth", d(2009, time.August, 31), d(2023, time.August, 31), d(2025, time.August, 31), d(2026, time.November, 30), d(2027, time.August, 31)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CHCDueDates(tt.dob)
			want := CHCDue{tt.identify, tt.refer, tt.decide, tt.place}
			if got != want {
				t.Fatalf("got identify %s refer %s decide %s in place %s", iso(got.IdentifyBy), iso(got.ReferBy), iso(got.EligibilityDecidedBy), iso(got.InPlaceBy))
			}
		})
	}
}

func TestMilestoneStatuses(t *testing.T) {
	yes, no := true, false
	dob := d(2010, time.June, 15) // identify by 2024-06-15, refer by 2026-06-15, decide by 2027-09-15, in place by 2028-06-15
	tests := []struct {
		name  string
		chc   CHC
		end   *Ending
		asOf  time.Time
		wants [4]statutory.Status
	}{
		{"nothing done at 13, long before", CHC{}, nil, d(2023, time.June, 1),
			[4]statutory.Status{statutory.StatusNotDue, statutory.StatusNotDue, statutory.StatusNotDue, statutory.StatusNotDue}},
		{"identification due within six months", CHC{}, nil, d(2024, time.January, 1),
			[4]statutory.Status{statutory.StatusDue, statutory.StatusNotDue, statutory.StatusNotDue, statutory.StatusNotDue}},
		{"identification due on the 14th birthday", CHC{}, nil, d(2024, time.June, 15),
			[4]statutory.Status{statutory.StatusDue, statutory.StatusNotDue, statutory.StatusNotDue, statutory.StatusNotDue}},
		{"identification overdue the day after", CHC{}, nil, d(2024, time.June, 16),
			[4]statutory.Status{statutory.StatusOverdue, statutory.StatusNotDue, statutory.StatusNotDue, statutory.StatusNotDue}},
		{"identified on time, referred late", CHC{IdentifiedOn: dp(2024, time.May, 1), ReferredOn: dp(2026, time.July, 1)}, nil, d(2026, time.August, 1),
			[4]statutory.Status{statutory.StatusMetOnTime, statutory.StatusMetLate, statutory.StatusNotDue, statutory.StatusNotDue}},
		{"a completion after as_of is not yet visible", CHC{IdentifiedOn: dp(2024, time.May, 1)}, nil, d(2024, time.April, 1),
			[4]statutory.Status{statutory.StatusDue, statutory.StatusNotDue, statutory.StatusNotDue, statutory.StatusNotDue}},
		{"found not eligible: no package is due", CHC{IdentifiedOn: dp(2024, time.May, 1), ReferredOn: dp(2026, time.May, 1),
			EligibilityDecidedOn: dp(2027, time.August, 1), Eligible: &no}, nil, d(2028, time.December, 1),
			[4]statutory.Status{statutory.StatusMetOnTime, statutory.StatusMetOnTime, statutory.StatusMetOnTime, statutory.StatusNotApplicable}},
		{"eligible, package late", CHC{IdentifiedOn: dp(2024, time.May, 1), ReferredOn: dp(2026, time.May, 1),
			EligibilityDecidedOn: dp(2027, time.October, 1), Eligible: &yes}, nil, d(2028, time.June, 16),
			[4]statutory.Status{statutory.StatusMetOnTime, statutory.StatusMetOnTime, statutory.StatusMetLate, statutory.StatusOverdue}},
		{"an ended plan is judged on its last day", CHC{}, &Ending{On: d(2024, time.June, 1), Reason: EndLeftArea}, d(2030, time.January, 1),
			[4]statutory.Status{statutory.StatusDue, statutory.StatusNotDue, statutory.StatusNotDue, statutory.StatusNotDue}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Plan{DateOfBirth: dob, CHC: tt.chc, Ending: tt.end}
			m := p.Milestones(tt.asOf)
			got := [4]statutory.Status{m.Identify.Status, m.Refer.Status, m.EligibilityDecided.Status, m.InPlace.Status}
			if got != tt.wants {
				t.Fatalf("statuses = %v, want %v", got, tt.wants)
			}
			if !m.InPlace.DueOn.Equal(d(2028, time.June, 15)) {
				t.Fatalf("in place due %s", iso(m.InPlace.DueOn))
			}
		})
	}
}

// TurnedBy and ScopeBornBy turn "aged at least N" into a comparison on the date of birth. They
// must agree with age.YearsOn and ScopeStart for every birth date, including 29 February and the
// 31 August / 1 September school-year boundary.
func TestTurnedByAgreesWithYearsOn(t *testing.T) {
	days := []time.Time{d(2024, time.February, 28), d(2024, time.February, 29), d(2024, time.March, 1), d(2025, time.February, 28),
		d(2025, time.March, 1), d(2025, time.August, 31), d(2025, time.September, 1), d(2026, time.June, 15)}
	for _, day := range days {
		for _, years := range []int{13, 14, 18, 26} {
			cut := TurnedBy(day, years)
			for dob := day.AddDate(-years-2, 0, 0); dob.Before(day.AddDate(-years+2, 0, 0)); dob = dob.AddDate(0, 0, 1) {
				if turned := age.YearsOn(dob, day) >= years; turned != !dob.After(cut) {
					t.Fatalf("day %s, %d years, dob %s: YearsOn says %v, cut-off %s", iso(day), years, iso(dob), turned, iso(cut))
				}
			}
		}
	}
}

func TestScopeBornByAgreesWithScopeStart(t *testing.T) {
	for _, schoolYear := range []bool{false, true} {
		for _, minAge := range []int{13, 14, 25} {
			for day := d(2023, time.August, 25); day.Before(d(2025, time.March, 5)); day = day.AddDate(0, 0, 3) {
				cut := ScopeBornBy(day, minAge, schoolYear)
				for dob := day.AddDate(-minAge-2, 0, 0); dob.Before(day.AddDate(-minAge+2, 0, 0)); dob = dob.AddDate(0, 0, 1) {
					in := !day.Before(ScopeStart(dob, minAge, schoolYear))
					if in != !dob.After(cut) {
						t.Fatalf("school year %v, min %d, day %s, dob %s: scope start %s, cut-off %s", schoolYear, minAge, iso(day), iso(dob),
							iso(ScopeStart(dob, minAge, schoolYear)), iso(cut))
					}
				}
			}
		}
	}
}

func TestScopeStart(t *testing.T) {
	tests := []struct {
		name       string
		dob        time.Time
		minAge     int
		schoolYear bool
		want       time.Time
	}{
		{"14th birthday", d(2012, time.March, 10), 14, false, d(2026, time.March, 10)},
		{"Year 9 starts the September before a spring 14th birthday", d(2012, time.March, 10), 14, true, d(2025, time.September, 1)},
		{"31 Aug birth: youngest of its Year 9", d(2012, time.August, 31), 14, true, d(2025, time.September, 1)},
		{"1 Sep birth: eldest of the next Year 9, from its birthday", d(2012, time.September, 1), 14, true, d(2026, time.September, 1)},
		{"13 by the school year (Year 8)", d(2012, time.March, 10), 13, true, d(2024, time.September, 1)},
		{"29 Feb birth turns 14 on 1 March", d(2012, time.February, 29), 14, false, d(2026, time.March, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ScopeStart(tt.dob, tt.minAge, tt.schoolYear); !got.Equal(tt.want) {
				t.Fatalf("got %s, want %s", iso(got), iso(tt.want))
			}
			if tt.schoolYear && tt.minAge == 14 && age.NationalCurriculumYear(tt.dob, tt.want) != Year9 {
				t.Fatalf("scope start is not in Year 9")
			}
		})
	}
}

func TestTurningAndEndOfYearWindows(t *testing.T) {
	for _, w := range [][2]time.Time{{d(2025, time.January, 1), d(2026, time.January, 1)}, {d(2025, time.August, 31), d(2026, time.August, 31)},
		{d(2025, time.August, 30), d(2025, time.September, 30)}, {d(2024, time.February, 28), d(2024, time.March, 1)}, {d(2025, time.September, 1), d(2026, time.August, 30)}} {
		after, through := w[0], w[1]
		turning, ending := Turning(after, through, 18), EndOfYearTurningIn(after, through, 25)
		for dob := d(1997, time.January, 1); dob.Before(d(2010, time.January, 1)); dob = dob.AddDate(0, 0, 1) {
			b := ChildrensServicesEnd(dob)
			in := b.After(after) && !b.After(through)
			if got := !dob.Before(turning.From) && !dob.After(turning.Through); got != in {
				t.Fatalf("window %s..%s dob %s: 18th birthday %s, range %s..%s", iso(after), iso(through), iso(dob), iso(b), iso(turning.From), iso(turning.Through))
			}
			e := age.EndOfAcademicYearTurning(dob, 25)
			in = e.After(after) && !e.After(through)
			if got := !ending.Empty() && !dob.Before(ending.From) && !dob.After(ending.Through); got != in {
				t.Fatalf("window %s..%s dob %s: end of year turning 25 %s, range %s..%s", iso(after), iso(through), iso(dob), iso(e), iso(ending.From), iso(ending.Through))
			}
		}
	}
	if r := EndOfYearTurningIn(d(2025, time.September, 1), d(2026, time.August, 30), 25); !r.Empty() {
		t.Fatalf("a window without a 31 August is empty: %v", r)
	}
}

func TestGapSince(t *testing.T) {
	scope := d(2026, time.March, 10)
	tests := []struct {
		name    string
		reasons []time.Time
		ended   time.Time
		want    time.Time
	}{
		{"referral long before the threshold", []time.Time{d(2024, time.January, 5)}, time.Time{}, scope},
		{"referral after the threshold", []time.Time{d(2026, time.May, 1)}, time.Time{}, d(2026, time.May, 1)},
		{"the earlier of two reasons", []time.Time{d(2026, time.July, 1), d(2026, time.May, 1)}, time.Time{}, d(2026, time.May, 1)},
		{"unknown reason date ignored", []time.Time{{}}, time.Time{}, scope},
		{"a plan ended after the threshold reopens the gap then", []time.Time{d(2025, time.January, 1)}, d(2026, time.June, 30), d(2026, time.June, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GapSince(scope, tt.reasons, tt.ended); !got.Equal(tt.want) {
				t.Fatalf("got %s, want %s", iso(got), iso(tt.want))
			}
		})
	}
}

func valid() Plan {
	return Plan{YoungPersonID: "yp", DateOfBirth: d(2011, time.May, 1), StartedOn: d(2025, time.September, 10)}
}

func TestValidate(t *testing.T) {
	today := d(2026, time.January, 15)
	yes, no := true, false
	tests := []struct {
		name    string
		change  func(p *Plan)
		kind    fault.Kind
		pointer string
	}{
		{"minimal plan", func(*Plan) {}, fault.Unknown, ""},
		{"full plan", func(p *Plan) {
			p.PfA.Health = Area{Aspirations: "Manage my epilepsy", Actions: "Epilepsy nurse sessions"}
			p.Contacts = []Contact{{Service: ServiceAdultSocialCare, ContactName: "Transitions team", ContactRole: "social worker"}}
			p.CareAct = CareActAssessment{Status: CareActCompleted, RequestedOn: dp(2025, time.October, 1), CompletedOn: dp(2025, time.December, 1)}
			p.CHC = CHC{IdentifiedOn: dp(2025, time.September, 20)}
			p.EHCPlanExpectedEndOn = dp(2030, time.July, 31)
		}, fault.Unknown, ""},
		{"no start", func(p *Plan) { p.StartedOn = time.Time{} }, fault.Invalid, "/started_on"},
		{"future start", func(p *Plan) { p.StartedOn = d(2026, time.January, 16) }, fault.Invalid, "/started_on"},
		{"aged 12 at start", func(p *Plan) { p.DateOfBirth = d(2013, time.January, 16) }, fault.Unprocessable, "/started_on"},
		{"aged 13 on the day it starts", func(p *Plan) { p.DateOfBirth = d(2012, time.September, 10) }, fault.Unknown, ""},
		{"unknown service", func(p *Plan) { p.Contacts = []Contact{{Service: "police", ContactName: "x"}} }, fault.Invalid, "/adult_services_contacts/0/service"},
		{"contact names nobody", func(p *Plan) { p.Contacts = []Contact{{Service: ServiceHousing, ContactRole: "officer"}} }, fault.Invalid, "/adult_services_contacts/0/contact_name"},
		{"contact by organisation only", func(p *Plan) { p.Contacts = []Contact{{Service: ServiceHousing, OrganisationID: "org"}} }, fault.Unknown, ""},
		{"unknown Care Act status", func(p *Plan) { p.CareAct.Status = "maybe" }, fault.Invalid, "/care_act_assessment/status"},
		{"requested without a date", func(p *Plan) { p.CareAct.Status = CareActRequested }, fault.Invalid, "/care_act_assessment/requested_on"},
		{"completed without a date", func(p *Plan) {
			p.CareAct = CareActAssessment{Status: CareActCompleted, RequestedOn: dp(2025, time.October, 1)}
		}, fault.Invalid, "/care_act_assessment/completed_on"},
		{"completion date while in progress", func(p *Plan) {
			p.CareAct = CareActAssessment{Status: CareActInProgress, RequestedOn: dp(2025, time.October, 1), CompletedOn: dp(2025, time.November, 1)}
		}, fault.Invalid, "/care_act_assessment/completed_on"},
		{"completed before requested", func(p *Plan) {
			p.CareAct = CareActAssessment{Status: CareActCompleted, RequestedOn: dp(2025, time.October, 1), CompletedOn: dp(2025, time.September, 1)}
		}, fault.Invalid, "/care_act_assessment/completed_on"},
		{"CHC steps out of order", func(p *Plan) {
			p.CHC = CHC{IdentifiedOn: dp(2025, time.October, 1), ReferredOn: dp(2025, time.September, 1)}
		},
			fault.Invalid, "/chc/referred_on"},
		{"CHC in the future", func(p *Plan) { p.CHC = CHC{IdentifiedOn: dp(2026, time.February, 1)} }, fault.Invalid, "/chc/identified_on"},
		{"eligible without a decision", func(p *Plan) { p.CHC = CHC{Eligible: &yes} }, fault.Invalid, "/chc/eligible"},
		{"decision without the outcome", func(p *Plan) { p.CHC = CHC{EligibilityDecidedOn: dp(2025, time.December, 1)} }, fault.Invalid, "/chc/eligible"},
		{"package for someone not eligible", func(p *Plan) {
			p.CHC = CHC{EligibilityDecidedOn: dp(2025, time.December, 1), Eligible: &no, InPlaceOn: dp(2026, time.January, 1)}
		}, fault.Invalid, "/chc/in_place_on"},
		{"EHC plan ends before the plan starts", func(p *Plan) { p.EHCPlanExpectedEndOn = dp(2025, time.January, 1) }, fault.Invalid, "/ehc_plan_expected_end_on"},
		{"EHC plan ends after the academic year of 25", func(p *Plan) { p.EHCPlanExpectedEndOn = dp(2036, time.September, 1) },
			fault.Unprocessable, "/ehc_plan_expected_end_on"},
		{"EHC plan ends on the last day allowed", func(p *Plan) { p.EHCPlanExpectedEndOn = dp(2036, time.August, 31) }, fault.Unknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.change(&p)
			err := p.Validate(today)
			if tt.kind == fault.Unknown {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != tt.kind {
				t.Fatalf("error = %v, want kind %d", err, tt.kind)
			}
			found := false
			for _, f := range fe.Fields {
				found = found || f.Pointer == tt.pointer
			}
			if !found {
				t.Fatalf("fields %v do not name %s", fe.Fields, tt.pointer)
			}
		})
	}
	p := valid()
	if err := p.Validate(today); err != nil || p.CareAct.Status != CareActNotYetDue {
		t.Fatalf("default Care Act status: %v %q", err, p.CareAct.Status)
	}
}

func TestEndAndCurrent(t *testing.T) {
	today := d(2026, time.January, 15)
	p := valid()
	if !p.CurrentOn(p.StartedOn) || p.CurrentOn(p.StartedOn.AddDate(0, 0, -1)) {
		t.Fatal("current from its start")
	}
	for _, tt := range []struct {
		on      time.Time
		reason  string
		pointer string
	}{{d(2025, time.September, 9), EndOther, "/ended_on"}, {d(2026, time.January, 16), EndOther, "/ended_on"}, {today, "bored", "/reason"}} {
		q := p
		var fe *fault.Error
		if err := q.End(tt.on, tt.reason, "", today); !errors.As(err, &fe) || fe.Kind != fault.Invalid || fe.Fields[0].Pointer != tt.pointer {
			t.Fatalf("End(%s, %s) = %v", iso(tt.on), tt.reason, err)
		}
	}
	if err := p.End(time.Time{}, EndMovedToAdultServices, "", today); err != nil || !p.Ending.On.Equal(today) {
		t.Fatalf("end today: %v %v", err, p.Ending)
	}
	if p.CurrentOn(today) || !p.CurrentOn(today.AddDate(0, 0, -1)) {
		t.Fatal("an end takes effect on its own day")
	}
	var fe *fault.Error
	if err := p.End(today, EndOther, "", today); !errors.As(err, &fe) || fe.Kind != fault.Conflict || fe.CurrentStatus != "ended" {
		t.Fatalf("second end: %v", err)
	}
}

func TestInYear9OrAbove(t *testing.T) {
	dob := d(2012, time.August, 31) // Year 9 in 2025/26
	if InYear9OrAbove(dob, d(2025, time.August, 31)) || !InYear9OrAbove(dob, d(2025, time.September, 1)) {
		t.Fatal("Year 9 starts on 1 September of the school year in which the child turns 14")
	}
}
