package statutory

import "time"

// The law words its limits in two ways, and OnePlan counts each one way only:
//
//   - "within n <units> of D" (Regs 5, 8, 10, 13(2), 22(3), 25(1), 27(2), 15(4)): the limit is the
//     day n units after D, counted from the day after D: AddDays, AddWeeks, AddMonths,
//     AddWorkingDays.
//   - "a period of n <units> beginning (or starting) with D" (s.44(1) of the Act; Regs 13(1)(a),
//     22(2)(c), 15(2), 15(5)): D is the first day of the period, so the period ends the day
//     before the day n units after D. These are the PeriodEnd functions below.
//
// So one rule covers days and months alike: the last day of a period beginning with D is
// (D + n units) - 1 day, with D + n units worked out exactly as for "within n units of D". A plan
// made on 5 January 2026 must be reviewed in the 12 months starting with that day, which end on
// 4 January 2027; a draft served on 20 February 2026 gives the family 15 days beginning with that
// day, which end on 6 March 2026.
//
// Where month-end clamping makes "D + n months" ambiguous (D = 29 February, n = 12), the clamped
// day is used before subtracting, so the period of 12 months starting with 29 February 2024 ends
// on 27 February 2025. The other possible reading (28 February 2025, the day before 1 March) is
// one day later; taking the earlier day means an authority that meets OnePlan's date meets the
// law on either reading, and it keeps PeriodEndMonths(D, n) = AddMonths(D, n) - 1 for every D.

// PeriodEndDays returns the last day of a period of n days beginning with start: start + n - 1.
// n must be at least 1.
func PeriodEndDays(start time.Time, n int) time.Time {
	return AddDays(AddDays(start, n), -1)
}

// PeriodEndMonths returns the last day of a period of n calendar months starting with start:
// AddMonths(start, n) - 1 day. 5 Jan 2026 + 12 months ends 4 Jan 2027; 1 Mar 2023 ends
// 29 Feb 2024; 29 Feb 2024 ends 27 Feb 2025 (see the package note on periods).
func PeriodEndMonths(start time.Time, n int) time.Time {
	return AddDays(AddMonths(start, n), -1)
}

// PeriodEndWorkingDays returns the last day of a period of n working days beginning with start:
// start counts as the first of them when it is a working day; otherwise the first working day
// after it is the first. n must be at least 1.
func PeriodEndWorkingDays(start time.Time, n int, holidays Holidays) time.Time {
	return AddWorkingDays(AddDays(start, -1), n, holidays)
}

// SubtractWorkingDays returns the n-th working day before d (d itself never counts). With n <= 0
// it returns d unchanged.
func SubtractWorkingDays(d time.Time, n int, holidays Holidays) time.Time {
	cur := Civil(d)
	for n > 0 {
		cur = AddDays(cur, -1)
		if IsWorkingDay(cur, holidays) {
			n--
		}
	}
	return cur
}
