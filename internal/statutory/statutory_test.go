package statutory

// Every expected date below was worked out independently of this package, with GNU date
// (e.g. `date -u -d '2026-01-05 + 140 days' +%F`), and for month-end clamping with the last day
// of the target month (`date -u -d '2025-02-01 + 1 month - 1 day' +%F`). None was produced by
// running the code under test. SI 2014/1530 is "Reg"; SI 2008/2699 is "HESC r.".

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/testkit"
)

// d parses a YYYY-MM-DD civil date; "" is the zero time.
var d = testkit.Date

func sameDay(t *testing.T, name string, got time.Time, want string) {
	t.Helper()
	if g := got.Format(time.DateOnly); g != want {
		t.Errorf("%s: got %s, want %s", name, g, want)
	}
	if got.Location() != time.UTC || got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
		t.Errorf("%s: got %v, want midnight UTC", name, got)
	}
}

func TestAssessmentDueDates(t *testing.T) {
	cases := []struct {
		name string
		fn   func(time.Time) time.Time
		from string
		want string
	}{
		{"Reg5(1) decision to assess 6 weeks", DecisionToAssessDue, "2026-01-05", "2026-02-16"},
		{"Reg5(1) decision to assess, leap year lands on 29 Feb", DecisionToAssessDue, "2024-01-18", "2024-02-29"},
		{"Reg5(1) decision to assess across year boundary", DecisionToAssessDue, "2025-12-01", "2026-01-12"},
		{"Reg8 advice 6 weeks from asking", AdviceDue, "2026-02-20", "2026-04-03"},
		{"Reg10(1) notice not to issue 16 weeks", NoPlanNoticeDue, "2026-01-05", "2026-04-27"},
		{"Reg10(1) notice not to issue 16 weeks, leap year", NoPlanNoticeDue, "2024-01-18", "2024-05-09"},
		{"practice draft target 14 weeks", DraftPlanTarget, "2026-01-05", "2026-04-13"},
		{"Reg13(1)(a) draft comment period 15 days beginning with service", DraftCommentPeriodEnd, "2026-02-20", "2026-03-06"},
		{"Reg13(1)(a) draft comment period across 29 Feb", DraftCommentPeriodEnd, "2024-02-20", "2024-03-05"},
		{"Reg13(2) final plan 20 weeks", FinalPlanDue, "2026-01-05", "2026-05-25"},
		{"Reg13(2) final plan 20 weeks, leap year 2024", FinalPlanDue, "2024-01-18", "2024-06-06"},
		{"Reg13(2) final plan 20 weeks, same day non-leap 2023", FinalPlanDue, "2023-01-18", "2023-06-07"},
		{"Reg13(2) final plan 20 weeks, received on 29 Feb", FinalPlanDue, "2024-02-29", "2024-07-18"},
		{"Reg13(2) final plan 20 weeks across year boundary", FinalPlanDue, "2025-11-20", "2026-04-09"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sameDay(t, c.name, c.fn(d(t, c.from)), c.want)
		})
	}
}

// Exception periods for a request received 2026-01-05: raw final plan date 2026-05-25 (Reg 13(2)).
func TestAdjustedFinalPlanDue(t *testing.T) {
	type ex struct {
		g        Ground
		from, to string
	}
	cases := []struct {
		name     string
		received string
		exs      []ex
		want     string
		week20   bool
	}{
		{"Reg13(3) no exceptions: adjusted equals raw", "2026-01-05", nil, "2026-05-25", false},
		{"Reg10(4)(c) one 10-day period inside the window", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-02-02", "2026-02-11"}}, "2026-06-04", true},
		{"Reg10(4) two overlapping periods counted once (union 19 days)", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-02-02", "2026-02-11"}, {GroundAbsentFromArea, "2026-02-08", "2026-02-20"}},
			"2026-06-13", true},
		{"Reg10(4) duplicate periods counted once", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-02-02", "2026-02-11"}, {GroundPersonalCircumstances, "2026-02-02", "2026-02-11"}},
			"2026-06-04", true},
		{"Reg10(4) adjacent periods (10 + 4 days)", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-02-12", "2026-02-15"}, {GroundPersonalCircumstances, "2026-02-02", "2026-02-11"}},
			"2026-06-08", true},
		{"Reg10(4)(d) period entirely before the request does not count", "2026-01-05",
			[]ex{{GroundAbsentFromArea, "2025-12-01", "2025-12-31"}}, "2026-05-25", false},
		{"Reg10(4)(d) period straddling the received date counts from received (6 days)", "2026-01-05",
			[]ex{{GroundAbsentFromArea, "2025-12-20", "2026-01-10"}}, "2026-05-31", true},
		{"Reg10(4) single day on the received date counts", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-01-05", "2026-01-05"}}, "2026-05-26", true},
		{"Reg10(4) period starting after the due date does not count", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-05-30", "2026-06-05"}}, "2026-05-25", false},
		{"Reg10(4) period starting on the raw due date does not count", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-05-25", "2026-06-05"}}, "2026-05-25", false},
		{"Reg10(4) period ending the day before the due date counts (15 days)", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-05-10", "2026-05-24"}}, "2026-06-09", true},
		{"Reg10(4) period straddling the due date counts in full (16 days)", "2026-01-05",
			[]ex{{GroundAbsentFromArea, "2026-05-20", "2026-06-04"}}, "2026-06-10", true},
		{"Reg10(4) later period after the adjusted due date does not count", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-02-02", "2026-02-11"}, {GroundPersonalCircumstances, "2026-06-06", "2026-06-10"}},
			"2026-06-04", true},
		{"Reg10(4) later period after raw but before adjusted due date counts", "2026-01-05",
			[]ex{{GroundPersonalCircumstances, "2026-06-02", "2026-06-03"}, {GroundPersonalCircumstances, "2026-02-02", "2026-02-11"}},
			"2026-06-06", true},
		{"Reg10(4)(a) school closure counts; missed appointment is adviser-only (Reg 8)", "2026-01-05",
			[]ex{{GroundSchoolClosure, "2026-03-02", "2026-03-29"}, {GroundMissedAppointment, "2026-03-31", "2026-03-31"}},
			"2026-06-22", true},
		{"Reg10(4) leap year: period across 29 Feb 2024 (8 days)", "2024-01-18",
			[]ex{{GroundEarlyYearsClosure, "2024-02-26", "2024-03-04"}}, "2024-06-14", true},
		{"Reg10(4) leap year: period straddling due date 2024-06-06 (41 days)", "2024-01-18",
			[]ex{{GroundAbsentFromArea, "2024-05-01", "2024-06-10"}}, "2024-07-17", true},
		{"Reg10(4)(a) Christmas closure across the year boundary (29 days)", "2025-11-20",
			[]ex{{GroundSchoolClosure, "2025-12-12", "2026-01-09"}}, "2026-05-08", true},
		{"Reg10(4) unknown ground is ignored", "2026-01-05",
			[]ex{{Ground("holiday"), "2026-02-02", "2026-02-11"}}, "2026-05-25", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var exs []Exception
			for _, e := range c.exs {
				exs = append(exs, Exception{Ground: e.g, From: d(t, e.from), To: d(t, e.to), Reason: "test"})
			}
			received := d(t, c.received)
			sameDay(t, "AdjustedDue", AdjustedDue(received, FinalPlanDue(received), exs), c.want)
			if got := Week20Applies(received, exs); got != c.week20 {
				t.Errorf("Week20Applies = %v, want %v", got, c.week20)
			}
			a := Assessment(received, exs)
			sameDay(t, "Assessment.FinalPlanAdjusted", a.FinalPlanAdjusted, c.want)
			if a.Week20 != c.week20 {
				t.Errorf("Assessment.Week20 = %v, want %v", a.Week20, c.week20)
			}
		})
	}
}

// Reg 5(4) and 10(4): the same pause applies to the 6- and 16-week limits; the draft target is not
// adjusted.
func TestAssessmentTimetableWithException(t *testing.T) {
	exs := []Exception{{Ground: GroundPersonalCircumstances, From: d(t, "2026-02-02"), To: d(t, "2026-02-11")}}
	a := Assessment(d(t, "2026-01-05"), exs)
	sameDay(t, "Reg5(1) raw", a.DecisionToAssess, "2026-02-16")
	sameDay(t, "Reg5(4) adjusted (+10)", a.DecisionToAssessAdjusted, "2026-02-26")
	sameDay(t, "Reg10(1) raw", a.NoPlanNotice, "2026-04-27")
	sameDay(t, "Reg10(4) adjusted (+10)", a.NoPlanNoticeAdjusted, "2026-05-07")
	sameDay(t, "draft target (not adjusted)", a.DraftPlanTarget, "2026-04-13")
	sameDay(t, "Reg13(2) raw", a.FinalPlan, "2026-05-25")
}

// Reg 8: an adviser's clock pauses for personal circumstances, absence and missed appointments, not
// for closures.
func TestAdjustedAdviceDue(t *testing.T) {
	exs := []Exception{
		{Ground: GroundSchoolClosure, From: d(t, "2026-03-02"), To: d(t, "2026-03-29")},
		{Ground: GroundMissedAppointment, From: d(t, "2026-03-31"), To: d(t, "2026-03-31")},
	}
	sameDay(t, "Reg8 raw", AdviceDue(d(t, "2026-02-20")), "2026-04-03")
	sameDay(t, "Reg8 adjusted: closure ignored, missed appointment +1", AdjustedAdviceDue(d(t, "2026-02-20"), exs), "2026-04-04")
}

// Reg 27(3): the re-assessment 14-week limit uses the same grounds.
func TestReassessment(t *testing.T) {
	cases := []struct {
		name string
		fn   func(time.Time) time.Time
		from string
		want string
	}{
		{"Reg25(1) decision to re-assess 15 days", ReassessmentDecisionDue, "2026-01-20", "2026-02-04"},
		{"Reg25(1) decision to re-assess across 29 Feb", ReassessmentDecisionDue, "2024-02-20", "2024-03-06"},
		{"Reg25(1) decision to re-assess across year boundary", ReassessmentDecisionDue, "2025-12-22", "2026-01-06"},
		{"Reg27(2) final plan 14 weeks after the Reg 25(1) notification", ReassessmentFinalDue, "2026-02-04", "2026-05-13"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { sameDay(t, c.name, c.fn(d(t, c.from)), c.want) })
	}
	exs := []Exception{{Ground: GroundPersonalCircumstances, From: d(t, "2026-03-02"), To: d(t, "2026-03-15")}}
	decided := d(t, "2026-02-04")
	sameDay(t, "Reg27(3) adjusted (+14)", AdjustedDue(decided, ReassessmentFinalDue(decided), exs), "2026-05-27")
}

func TestMilestoneStatus(t *testing.T) {
	const due = "2026-05-25" // Reg 13(2) final plan for a request received 2026-01-05
	cases := []struct {
		name            string
		due, done, asOf string
		soon            int
		want            Status
	}{
		{"Reg13(2) not done, asOf = due date: due", due, "", "2026-05-25", 7, StatusDue},
		{"Reg13(2) not done, day after due date: overdue", due, "", "2026-05-26", 7, StatusOverdue},
		{"Reg13(2) done on the due date: met on time", due, "2026-05-25", "2026-06-01", 7, StatusMetOnTime},
		{"Reg13(2) done the day after: met late", due, "2026-05-26", "2026-06-01", 7, StatusMetLate},
		{"Reg13(2) done early, reported long after: met on time", due, "2026-05-01", "2026-07-01", 7, StatusMetOnTime},
		{"Reg13(2) 8 days before due: not due", due, "", "2026-05-17", 7, StatusNotDue},
		{"Reg13(2) 7 days before due: due soon", due, "", "2026-05-18", 7, StatusDue},
		{"Reg13(2) window 0, day before due: not due", due, "", "2026-05-24", 0, StatusNotDue},
		{"Reg13(2) completion after asOf is not yet visible", due, "2026-05-20", "2026-05-19", 7, StatusDue},
		{"Reg13(2) completion after asOf, asOf overdue", due, "2026-06-10", "2026-06-01", 7, StatusOverdue},
		{"Reg10(1) no deadline in this case: not applicable", "", "", "2026-05-26", 7, StatusNotApplicable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MilestoneStatus(d(t, c.due), d(t, c.done), d(t, c.asOf), c.soon); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

// AddMonths' month-end clamping ("within n months of"). The s.44(1) review periods are in
// TestReviewPeriods.
func TestAddMonths(t *testing.T) {
	cases := []struct {
		name string
		got  func(*testing.T) time.Time
		want string
	}{
		{"clamp: 31 Jan 2025 + 1 month = 28 Feb", func(t *testing.T) time.Time { return AddMonths(d(t, "2025-01-31"), 1) }, "2025-02-28"},
		{"clamp: 31 Jan 2024 + 1 month = 29 Feb (leap)", func(t *testing.T) time.Time { return AddMonths(d(t, "2024-01-31"), 1) }, "2024-02-29"},
		{"clamp: 31 Mar + 1 month = 30 Apr", func(t *testing.T) time.Time { return AddMonths(d(t, "2025-03-31"), 1) }, "2025-04-30"},
		{"clamp: 31 Oct + 1 month = 30 Nov", func(t *testing.T) time.Time { return AddMonths(d(t, "2025-10-31"), 1) }, "2025-11-30"},
		{"clamp across year: 31 Dec 2025 + 2 months = 28 Feb 2026", func(t *testing.T) time.Time { return AddMonths(d(t, "2025-12-31"), 2) }, "2026-02-28"},
		{"clamp backwards: 31 Jul 2025 - 5 months = 28 Feb", func(t *testing.T) time.Time { return AddMonths(d(t, "2025-07-31"), -5) }, "2025-02-28"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { sameDay(t, c.name, c.got(t), c.want) })
	}
}

// Reg 20: notice and papers 2 weeks before, report 2 weeks after, decision 4 weeks after.
func TestReviewMeeting(t *testing.T) {
	cases := []struct {
		name                       string
		meeting                    string
		notice, report, decisionBy string
	}{
		{"Reg20 meeting 2026-03-10", "2026-03-10", "2026-02-24", "2026-03-24", "2026-04-07"},
		{"Reg20 meeting 2024-03-07, papers across 29 Feb", "2024-03-07", "2024-02-22", "2024-03-21", "2024-04-04"},
		{"Reg20 meeting 2026-01-06, papers in previous year", "2026-01-06", "2025-12-23", "2026-01-20", "2026-02-03"},
		{"Reg20 meeting 2025-12-15, decision in next year", "2025-12-15", "2025-12-01", "2025-12-29", "2026-01-12"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ReviewMeeting(d(t, c.meeting))
			sameDay(t, "NoticeBy", r.NoticeBy, c.notice)
			sameDay(t, "ReportBy", r.ReportBy, c.report)
			sameDay(t, "DecisionBy", r.DecisionBy, c.decisionBy)
		})
	}
}

// Reg 22: comments for 15 days beginning with the notice; final amended plan within 8 weeks.
func TestAmendment(t *testing.T) {
	cases := []struct {
		name, notice, comments, final string
	}{
		{"Reg22 notice 2026-06-01", "2026-06-01", "2026-06-15", "2026-07-27"},
		{"Reg22 notice 2025-12-15, across year boundary", "2025-12-15", "2025-12-29", "2026-02-09"},
		{"Reg22 notice 2024-01-10, final across 29 Feb", "2024-01-10", "2024-01-24", "2024-03-06"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Amendment(d(t, c.notice))
			sameDay(t, "CommentPeriodEnd", a.CommentPeriodEnd, c.comments)
			sameDay(t, "FinalBy", a.FinalBy, c.final)
		})
	}
}

func TestPhaseTransferDue(t *testing.T) {
	cases := []struct {
		name     string
		kind     TransferKind
		transfer string
		want     string
	}{
		{"Reg18(1)(b) primary to secondary: 15 Feb of transfer year", TransferBetweenPhases, "2026-09-01", "2026-02-15"},
		{"Reg18(1)(a) secondary to post-16: 31 Mar of transfer year", TransferSecondaryToPost16, "2026-09-01", "2026-03-31"},
		{"Reg18(1)(a) secondary to post-16, leap year", TransferSecondaryToPost16, "2024-09-02", "2024-03-31"},
		{"Reg18(2) post-16 move 1 Sep: 5 months before", TransferBetweenPost16, "2026-09-01", "2026-04-01"},
		{"Reg18(2) post-16 move across year boundary", TransferBetweenPost16, "2027-01-05", "2026-08-05"},
		{"Reg18(2) post-16 move 31 Jul: clamp to 28 Feb", TransferBetweenPost16, "2026-07-31", "2026-02-28"},
		{"Reg18(2) post-16 move 31 Jul 2024: clamp to 29 Feb (leap)", TransferBetweenPost16, "2024-07-31", "2024-02-29"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := PhaseTransferDue(c.kind, d(t, c.transfer))
			if err != nil {
				t.Fatal(err)
			}
			sameDay(t, c.name, got, c.want)
		})
	}
	if _, err := PhaseTransferDue(TransferKind("sideways"), d(t, "2026-09-01")); err == nil {
		t.Error("Reg18: unknown transfer kind should be an error")
	}
}

func TestAppealDeadline(t *testing.T) {
	cases := []struct {
		name, letter, cert, want string
	}{
		{"HESC r.20(1)(c)(i) 2 months from the letter, no certificate", "2026-01-10", "", "2026-03-10"},
		{"HESC r.20(1)(c)(ii) certificate + 1 month is later", "2026-01-10", "2026-03-01", "2026-04-01"},
		{"HESC r.20(1)(c) certificate + 1 month is earlier: letter + 2 months", "2026-01-10", "2026-01-20", "2026-03-10"},
		{"HESC r.20(1)(c) both limits the same day", "2026-01-10", "2026-02-10", "2026-03-10"},
		{"HESC r.20(1)(c) letter 31 Dec: clamp to 28 Feb", "2025-12-31", "", "2026-02-28"},
		{"HESC r.20(1)(c) letter 31 Dec 2023: clamp to 29 Feb (leap)", "2023-12-31", "", "2024-02-29"},
		{"HESC r.20(1)(c) certificate 31 Jan: clamp to 28 Feb and later", "2025-12-01", "2026-01-31", "2026-02-28"},
		{"HESC r.20(1)(c) IPSEA example: letter 1 Oct, certificate 29 Nov", "2025-10-01", "2025-11-29", "2025-12-29"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sameDay(t, c.name, AppealDeadline(d(t, c.letter), d(t, c.cert)), c.want)
		})
	}
}

// Reg 34: mediation certificate within 3 working days.
func TestMediationCertificateDue(t *testing.T) {
	easter2026 := NewHolidays(d(t, "2026-04-03"), d(t, "2026-04-06")) // Good Friday, Easter Monday
	christmas := NewHolidays(d(t, "2025-12-25"), d(t, "2025-12-26"), d(t, "2026-01-01"))
	cases := []struct {
		name     string
		trigger  string
		holidays Holidays
		want     string
	}{
		{"Reg34 Wednesday: skips the weekend", "2026-01-07", Holidays{}, "2026-01-12"},
		{"Reg34 Friday", "2026-01-09", Holidays{}, "2026-01-14"},
		{"Reg34 Saturday trigger", "2026-01-10", Holidays{}, "2026-01-14"},
		{"Reg34 Thursday before Easter, no holidays given", "2026-04-02", Holidays{}, "2026-04-07"},
		{"Reg34 Thursday before Easter with Good Friday and Easter Monday", "2026-04-02", easter2026, "2026-04-09"},
		{"Reg34 over Christmas 2025", "2025-12-23", christmas, "2025-12-30"},
		{"Reg34 New Year's Eve, 1 Jan holiday, year boundary", "2025-12-31", christmas, "2026-01-06"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sameDay(t, c.name, MediationCertificateDue(d(t, c.trigger), c.holidays), c.want)
		})
	}
}

func TestEnums(t *testing.T) {
	for _, s := range []string{"school_closure", "early_years_closure", "personal_circumstances", "absent_from_area", "missed_appointment"} {
		if g, err := ParseGround(s); err != nil || string(g) != s {
			t.Errorf("Reg10(4) ParseGround(%q) = %q, %v", s, g, err)
		}
	}
	if _, err := ParseGround("holiday"); err == nil {
		t.Error("Reg10(4) ParseGround should reject an unknown ground")
	}
	if GroundMissedAppointment.ExcusesAuthority() || !GroundMissedAppointment.ExcusesAdviser() {
		t.Error("Reg8: a missed appointment excuses advisers only")
	}
	if GroundSchoolClosure.ExcusesAdviser() || !GroundSchoolClosure.ExcusesAuthority() {
		t.Error("Reg10(4)(a): a closure excuses the authority, not advisers")
	}
	for _, s := range []string{"not_due", "due", "overdue", "met_on_time", "met_late", "not_applicable"} {
		if st, err := ParseStatus(s); err != nil || string(st) != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, st, err)
		}
	}
	if _, err := ParseStatus("late"); err == nil || Status("").Valid() {
		t.Error("ParseStatus should reject unknown and empty statuses")
	}
	for _, s := range []string{"between_phases", "secondary_to_post16", "between_post16"} {
		if k, err := ParseTransferKind(s); err != nil || string(k) != s {
			t.Errorf("Reg18 ParseTransferKind(%q) = %q, %v", s, k, err)
		}
	}
	if _, err := ParseTransferKind("post16"); err == nil {
		t.Error("Reg18 ParseTransferKind should reject an unknown kind")
	}
}

func TestExceptionValidate(t *testing.T) {
	cases := []struct {
		name     string
		e        Exception
		wantFail bool
	}{
		{"Reg10(4)(c) one-day personal circumstances is fine", Exception{GroundPersonalCircumstances, d(t, "2026-02-02"), d(t, "2026-02-02"), ""}, false},
		{"Reg10(4)(d) absence of exactly 4 weeks is fine", Exception{GroundAbsentFromArea, d(t, "2026-02-02"), d(t, "2026-03-01"), ""}, false},
		{"Reg10(4)(d) absence of 27 days is too short", Exception{GroundAbsentFromArea, d(t, "2026-02-02"), d(t, "2026-02-28"), ""}, true},
		{"Reg10(4)(a) closure window under 4 weeks is too short", Exception{GroundSchoolClosure, d(t, "2026-02-02"), d(t, "2026-02-13"), ""}, true},
		{"Reg10(4) To before From", Exception{GroundPersonalCircumstances, d(t, "2026-02-10"), d(t, "2026-02-02"), ""}, true},
		{"Reg10(4) missing To", Exception{GroundPersonalCircumstances, d(t, "2026-02-10"), time.Time{}, ""}, true},
		{"Reg10(4) unknown ground", Exception{Ground("holiday"), d(t, "2026-02-02"), d(t, "2026-03-02"), ""}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.e.Validate(); (err != nil) != c.wantFail {
				t.Errorf("Validate() = %v, wantFail %v", err, c.wantFail)
			}
		})
	}
}

// Civil dates: inputs carrying a clock time or another zone keep their own calendar date.
func TestCivilNormalisation(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	late := time.Date(2026, time.January, 5, 23, 30, 0, 0, london)
	sameDay(t, "Reg13(2) received late evening London time", FinalPlanDue(late), "2026-05-25")
	bst := time.Date(2026, time.June, 1, 0, 30, 0, 0, london) // 2026-05-31T23:30Z
	sameDay(t, "Reg22 notice just after midnight BST keeps its London date", Amendment(bst).FinalBy, "2026-07-27")
	if DaysBetween(d(t, "2026-03-28"), d(t, "2026-03-30")) != 2 {
		t.Error("DaysBetween across the clock change")
	}
}
