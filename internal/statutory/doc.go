// Package statutory is OnePlan's statutory deadline calendar for the EHC (education, health and
// care) process in England: Children and Families Act 2014 Part 3 ("the Act"), the Special
// Educational Needs and Disability Regulations 2014, SI 2014/1530 ("Reg n" below), and the
// Tribunal Procedure (First-tier Tribunal) (Health, Education and Social Care Chamber) Rules
// 2008, SI 2008/2699 ("HESC Rules").
//
// Everything here is a pure function of its arguments. Nothing reads the clock: callers pass the
// reporting date (asOf) themselves.
//
// # Civil dates
//
// Every time.Time taken or returned is a civil (calendar) date represented as midnight UTC, e.g.
// Date(2026, time.January, 5). Inputs are normalised defensively: the year, month and day of the
// value in its own location are kept and the clock time is dropped, so 2026-01-05T23:30+01:00
// means 5 January 2026. Results are always midnight UTC. The zero time.Time means "no date" where
// a parameter says so (an unfinished milestone, no mediation certificate).
//
// # Counting conventions
//
//   - "Within n weeks of" date D is D + 7n calendar days; "within n days of" D is D + n;
//     "within n months of" D is AddMonths(D, n).
//   - "A period of n days (or months, or working days) beginning (or starting) with" D includes
//     D, so it ends the day before D + n units: PeriodEndDays (D + n - 1, Regs 13(1)(a),
//     22(2)(c)), PeriodEndMonths (AddMonths(D, n) - 1, s.44(1) of the Act, Reg 15(5)) and
//     PeriodEndWorkingDays (Reg 15(2)). This is one rule for days and months; see periods.go.
//   - "n months" is calendar months with month-end clamping (see AddMonths): when the target
//     month is shorter, the result is that month's last day (31 Jan + 1 month = 28 or 29 Feb;
//     29 Feb 2024 + 12 months = 28 Feb 2025).
//   - Working days skip Saturdays, Sundays and any dates in a caller-supplied Holidays set;
//     EnglandAndWalesBankHolidays builds that set for England and Wales.
//   - A due date is met by completion on or before that date; the day after is late.
package statutory
