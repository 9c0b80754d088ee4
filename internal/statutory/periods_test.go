package statutory

// As in statutory_test.go, every expected date was worked out outside this package: calendar
// dates with GNU date (`date -u -d '2026-01-05 +1 year -1 day' +%F`), working days with a
// separate Python count over the calendar, bank holidays from the gov.uk England and Wales list.

import (
	"testing"
	"time"
)

// s.44(1) of the Act: "in the period of 12 months starting with the date on which the plan was
// first made" and "in each subsequent period of 12 months starting with the date on which the
// plan was last reviewed". The period includes its first day, so it ends the day before the
// anniversary.
func TestReviewPeriods(t *testing.T) {
	cases := []struct {
		name string
		fn   func(time.Time) time.Time
		from string
		want string
	}{
		{"s.44(1)(a) made 5 Jan 2026: by 4 Jan 2027, not 5 Jan", FirstReviewDue, "2026-01-05", "2027-01-04"},
		{"s.44(1)(a) made 29 Feb 2024: by 27 Feb 2025 (the clamped 28 Feb, less a day)", FirstReviewDue, "2024-02-29", "2025-02-27"},
		{"s.44(1)(a) made 28 Feb 2024: by 27 Feb 2025", FirstReviewDue, "2024-02-28", "2025-02-27"},
		{"s.44(1)(a) made 1 Mar 2025: by 28 Feb 2026", FirstReviewDue, "2025-03-01", "2026-02-28"},
		{"s.44(1)(a) made 1 Mar 2023: by 29 Feb 2024 (leap)", FirstReviewDue, "2023-03-01", "2024-02-29"},
		{"s.44(1)(a) made 28 Feb 2023: by 27 Feb 2024", FirstReviewDue, "2023-02-28", "2024-02-27"},
		{"s.44(1)(a) made 31 Jan 2026: by 30 Jan 2027", FirstReviewDue, "2026-01-31", "2027-01-30"},
		{"s.44(1)(a) made 1 Jan 2026: by 31 Dec 2026, same year", FirstReviewDue, "2026-01-01", "2026-12-31"},
		{"s.44(1)(a) made 15 Mar 2025: by 14 Mar 2026", FirstReviewDue, "2025-03-15", "2026-03-14"},
		{"s.44(1)(a) made 31 Dec 2025: by 30 Dec 2026", FirstReviewDue, "2025-12-31", "2026-12-30"},
		{"s.44(1)(b) last reviewed 31 Aug 2025: by 30 Aug 2026", NextReviewDue, "2025-08-31", "2026-08-30"},
		{"s.44(1)(b) last reviewed 31 Jan 2025: by 30 Jan 2026", NextReviewDue, "2025-01-31", "2026-01-30"},
		{"s.44(1)(b) last reviewed 29 Feb 2028: by 27 Feb 2029", NextReviewDue, "2028-02-29", "2029-02-27"},
		{"s.44(1)(b) last reviewed 1 Jan 2027: by 31 Dec 2027", NextReviewDue, "2027-01-01", "2027-12-31"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { sameDay(t, c.name, c.fn(d(t, c.from)), c.want) })
	}
}

// One rule for every period "beginning with" a day: it ends the day before start + n units.
func TestPeriodEnds(t *testing.T) {
	easter2026 := NewHolidays(d(t, "2026-04-03"), d(t, "2026-04-06"))
	cases := []struct {
		name string
		got  func(*testing.T) time.Time
		want string
	}{
		{"Reg13(1)(a) 15 days beginning with 20 Feb 2026", func(t *testing.T) time.Time { return PeriodEndDays(d(t, "2026-02-20"), 15) }, "2026-03-06"},
		{"1 day beginning with D is D", func(t *testing.T) time.Time { return PeriodEndDays(d(t, "2026-02-20"), 1) }, "2026-02-20"},
		{"12 months starting with 5 Jan 2026", func(t *testing.T) time.Time { return PeriodEndMonths(d(t, "2026-01-05"), 12) }, "2027-01-04"},
		{"Reg15(5)(b) 3 months beginning with 30 Nov 2025 (clamped 28 Feb, less a day)", func(t *testing.T) time.Time { return PeriodEndMonths(d(t, "2025-11-30"), 3) }, "2026-02-27"},
		{"Reg15(2) 15 working days beginning with a Wednesday, which counts", func(t *testing.T) time.Time {
			return PeriodEndWorkingDays(d(t, "2026-01-07"), 15, Holidays{})
		}, "2026-01-27"},
		{"Reg15(2) 15 working days beginning with a Saturday, which does not count", func(t *testing.T) time.Time {
			return PeriodEndWorkingDays(d(t, "2026-01-10"), 15, Holidays{})
		}, "2026-01-30"},
		{"Reg15(2) 15 working days from Maundy Thursday, no holidays given", func(t *testing.T) time.Time {
			return PeriodEndWorkingDays(d(t, "2026-04-02"), 15, Holidays{})
		}, "2026-04-22"},
		{"Reg15(2) 15 working days from Maundy Thursday over Easter", func(t *testing.T) time.Time {
			return PeriodEndWorkingDays(d(t, "2026-04-02"), 15, easter2026)
		}, "2026-04-24"},
		{"15th working day before Monday 2 Feb 2026", func(t *testing.T) time.Time {
			return SubtractWorkingDays(d(t, "2026-02-02"), 15, Holidays{})
		}, "2026-01-12"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { sameDay(t, c.name, c.got(t), c.want) })
	}
}

// The data migration for review dates stored as the anniversary (the old rule).
func TestLegacyReviewDueFix(t *testing.T) {
	cases := []struct {
		name, base, stored, want string
		changed                  bool
	}{
		{"anniversary of 5 Jan 2026 moves back a day", "2026-01-05", "2027-01-05", "2027-01-04", true},
		{"29 Feb 2024: stored clamped 28 Feb 2025 becomes 27 Feb", "2024-02-29", "2025-02-28", "2025-02-27", true},
		{"28 Feb 2024: stored 28 Feb 2025 becomes 27 Feb", "2024-02-28", "2025-02-28", "2025-02-27", true},
		{"1 Mar 2023: stored 1 Mar 2024 becomes 29 Feb (leap)", "2023-03-01", "2024-03-01", "2024-02-29", true},
		{"already corrected: unchanged", "2026-01-05", "2027-01-04", "2027-01-04", false},
		{"a date not computed from this base: unchanged", "2026-01-05", "2026-12-01", "2026-12-01", false},
		{"no base: unchanged", "", "2027-01-05", "2027-01-05", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, changed := LegacyReviewDueFix(d(t, c.base), d(t, c.stored))
			sameDay(t, c.name, got, c.want)
			if changed != c.changed {
				t.Errorf("changed = %v, want %v", changed, c.changed)
			}
		})
	}
	// For every base day over seven years (two leap days), the fix of the old date is the new
	// rule's date, and a second run changes nothing.
	for base := d(t, "2023-01-01"); base.Before(d(t, "2030-01-01")); base = AddDays(base, 1) {
		fixed, changed := LegacyReviewDueFix(base, AddMonths(base, 12))
		if !changed || !fixed.Equal(FirstReviewDue(base)) {
			t.Fatalf("base %s: fixed %s (%v), want %s", base.Format(time.DateOnly), fixed.Format(time.DateOnly), changed,
				FirstReviewDue(base).Format(time.DateOnly))
		}
		if again, changed := LegacyReviewDueFix(base, fixed); changed || !again.Equal(fixed) {
			t.Fatalf("base %s: second run moved %s to %s", base.Format(time.DateOnly), fixed.Format(time.DateOnly), again.Format(time.DateOnly))
		}
	}
}

// Regs 25(1) and 27(2): the decision within 15 days of the request; the final plan within 14
// weeks of the notification that the authority will re-assess (or of its own decision under
// s.44(3)), not of the request.
func TestReassessmentTimetable(t *testing.T) {
	personal := []Exception{{Ground: GroundPersonalCircumstances, From: d(t, "2026-03-02"), To: d(t, "2026-03-15")}}
	cases := []struct {
		name               string
		requested, started string
		exs                []Exception
		decision           string // "" zero
		final, adjusted    string
		ifOnTime           string
	}{
		{"Reg25(1)/27(2) requested 20 Jan, notified 30 Jan: final 14 weeks after the notice", "2026-01-20", "2026-01-30", nil,
			"2026-02-04", "2026-05-08", "2026-05-08", "2026-05-13"},
		{"Reg27(2) notified on the last day: both limits agree", "2026-01-20", "2026-02-04", nil,
			"2026-02-04", "2026-05-13", "2026-05-13", "2026-05-13"},
		{"Reg27(2) notified late (20 Feb): the plan's own limit moves, the on-time one does not", "2026-01-20", "2026-02-20", nil,
			"2026-02-04", "2026-05-29", "2026-05-29", "2026-05-13"},
		{"Reg25(1) not yet decided: no final plan limit yet", "2026-01-20", "", nil,
			"2026-02-04", "", "", "2026-05-13"},
		{"s.44(3) own motion: no request, no decision limit", "", "2026-03-02", nil,
			"", "2026-06-08", "2026-06-08", ""},
		{"Reg27(3)(c) 14 days of personal circumstances pause the final plan", "2026-01-20", "2026-02-04", personal,
			"2026-02-04", "2026-05-13", "2026-05-27", "2026-05-13"},
		{"Reg25(1)/27(2) across 29 Feb 2024", "2024-02-20", "2024-03-06", nil,
			"2024-03-06", "2024-06-12", "2024-06-12", "2024-06-12"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Reassessment(d(t, c.requested), d(t, c.started), c.exs)
			check := func(what string, got time.Time, want string) {
				t.Helper()
				if want == "" {
					if !got.IsZero() {
						t.Errorf("%s = %s, want none", what, got.Format(time.DateOnly))
					}
					return
				}
				sameDay(t, what, got, want)
			}
			check("DecisionDue", r.DecisionDue, c.decision)
			check("FinalPlan", r.FinalPlan, c.final)
			check("FinalPlanAdjusted", r.FinalPlanAdjusted, c.adjusted)
			check("FinalPlanIfNotifiedOnTime", r.FinalPlanIfNotifiedOnTime, c.ifOnTime)
		})
	}
	// Counting from the request, as once proposed, would give 28 Apr 2026 for the first case: too
	// early by the regulation's words.
	if r := Reassessment(d(t, "2026-01-20"), d(t, "2026-01-30"), nil); r.FinalPlan.Equal(AddWeeks(d(t, "2026-01-20"), 14)) {
		t.Error("Reg27(2): the 14 weeks must not run from the request")
	}
}

// Reg 15(2): transfer on the day of the move if the old authority knew at least 15 working days
// before; otherwise within 15 working days beginning with the day it became aware.
func TestPlanTransferDue(t *testing.T) {
	christmas := NewHolidays(d(t, "2025-12-25"), d(t, "2025-12-26"), d(t, "2026-01-01"))
	cases := []struct {
		name        string
		move, aware string
		holidays    Holidays
		want        string
		onMoveDay   bool
	}{
		{"Reg15(2) aware exactly 15 working days before: the day of the move", "2026-02-02", "2026-01-12", Holidays{}, "2026-02-02", true},
		{"Reg15(2) aware months before: the day of the move", "2026-02-02", "2025-12-01", Holidays{}, "2026-02-02", true},
		{"Reg15(2) aware 14 working days before: 15 working days from awareness (lands on the move)", "2026-02-02", "2026-01-13", Holidays{}, "2026-02-02", false},
		{"Reg15(2) aware 9 working days before: after the move", "2026-02-02", "2026-01-20", Holidays{}, "2026-02-09", false},
		{"Reg15(2) aware only after the move", "2026-02-02", "2026-02-10", Holidays{}, "2026-03-02", false},
		{"Reg15(2) move on a Saturday, aware 15 working days before", "2026-03-07", "2026-02-16", Holidays{}, "2026-03-07", true},
		{"Reg15(2) move on a Saturday, aware a day later", "2026-03-07", "2026-02-17", Holidays{}, "2026-03-09", false},
		{"Reg15(2) over Christmas: aware 10 Dec is 15 working days before 5 Jan", "2026-01-05", "2025-12-10", christmas, "2026-01-05", true},
		{"Reg15(2) over Christmas: aware 11 Dec", "2026-01-05", "2025-12-11", christmas, "2026-01-05", false},
		{"Reg15(2) over Christmas: aware 12 Dec", "2026-01-05", "2025-12-12", christmas, "2026-01-06", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, onMove := PlanTransferDue(d(t, c.move), d(t, c.aware), c.holidays)
			sameDay(t, c.name, got, c.want)
			if onMove != c.onMoveDay {
				t.Errorf("onMoveDay = %v, want %v", onMove, c.onMoveDay)
			}
		})
	}
}

// Reg 15(4) and (5): tell the family within 6 weeks; review before the later of the s.44 period
// the plan was in and 3 months beginning with the transfer.
func TestPlanTransfer(t *testing.T) {
	cases := []struct {
		name                            string
		transferred, made, lastReviewed string
		notify, review                  string
	}{
		{"Reg15(5)(a) the s.44 period ends later (made 5 Jan 2026)", "2026-03-10", "2026-01-05", "", "2026-04-21", "2027-01-04"},
		{"Reg15(5)(b) 3 months from transfer end later than the last review's period", "2026-04-20", "2024-06-15", "2025-05-30", "2026-06-01", "2026-07-19"},
		{"Reg15(5)(b) review already overdue at the old authority: 3 months, month-end clamped", "2025-11-30", "2024-08-31", "", "2026-01-11", "2026-02-27"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := PlanTransfer(d(t, c.transferred), d(t, c.made), d(t, c.lastReviewed))
			sameDay(t, "Transferred", p.Transferred, c.transferred)
			sameDay(t, "NotifyFamilyBy", p.NotifyFamilyBy, c.notify)
			sameDay(t, "ReviewBy", p.ReviewBy, c.review)
		})
	}
}

// England and Wales bank holidays against the gov.uk list, including its one-off changes.
func TestEnglandAndWalesBankHolidays(t *testing.T) {
	want := map[int][]string{
		2020: {"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"},
		2021: {"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"},
		2022: {"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"},
		2023: {"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"},
		2024: {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"},
		2025: {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"},
		2026: {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"},
		2027: {"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"},
	}
	for year, days := range want {
		h := EnglandAndWalesBankHolidays(year)
		var got []string
		for day := Date(year, time.January, 1); day.Year() == year; day = AddDays(day, 1) {
			if h.Contains(day) {
				got = append(got, day.Format(time.DateOnly))
			}
		}
		if len(got) != len(days) {
			t.Errorf("%d: got %v, want %v", year, got, days)
			continue
		}
		for i := range got {
			if got[i] != days[i] {
				t.Errorf("%d: got %v, want %v", year, got, days)
				break
			}
		}
	}
	both := EnglandAndWalesBankHolidays(2025, 2026)
	if !both.Contains(d(t, "2025-12-26")) || !both.Contains(d(t, "2026-01-01")) || both.Contains(d(t, "2026-01-02")) {
		t.Error("several years in one set")
	}
	// Reg 15(2) with the real calendar: 15 working days beginning with Maundy Thursday 2026.
	sameDay(t, "Reg15(2) over Easter 2026", PeriodEndWorkingDays(d(t, "2026-04-02"), 15, EnglandAndWalesBankHolidays(2026)), "2026-04-24")
}
