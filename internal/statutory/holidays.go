package statutory

import "time"

// England and Wales bank holidays, for the working-day limits (Reg 15(2), Reg 34).
//
// Source: the Banking and Financial Dealings Act 1971, Schedule 1 (Easter Monday, the last
// Monday in August, 26 December if not a Sunday, 27 December in a year in which 25 or 26 December
// is a Sunday), the standing royal proclamations for New Year's Day, the first Monday in May and
// the last Monday in May, Christmas Day and Good Friday as common-law holidays, and the dates
// published at https://www.gov.uk/bank-holidays (the England and Wales list). The usual rules
// are computed; the one-off changes made by proclamation are in bankHolidayChanges, complete from
// 2014 (the Regulations came into force on 1 September 2014) to the year this table was last
// checked, 2027. A proclamation for a later year must be added here when it is made; until then
// a caller may pass its own Holidays set built from the gov.uk list.

// bankHolidayChange is one year's departure from the usual rules: days dropped and days added.
type bankHolidayChange struct {
	drop, add []time.Time
}

// bankHolidayChanges lists the one-off changes since 2014, from the gov.uk England and Wales list.
var bankHolidayChanges = map[int]bankHolidayChange{
	// Early May bank holiday moved to Friday 8 May for the 75th anniversary of VE Day.
	2020: {drop: []time.Time{Date(2020, time.May, 4)}, add: []time.Time{Date(2020, time.May, 8)}},
	// Spring bank holiday moved to Thursday 2 June, Friday 3 June added for the Platinum
	// Jubilee; Monday 19 September added for the State Funeral of Queen Elizabeth II.
	2022: {drop: []time.Time{Date(2022, time.May, 30)},
		add: []time.Time{Date(2022, time.June, 2), Date(2022, time.June, 3), Date(2022, time.September, 19)}},
	// Monday 8 May added for the Coronation of King Charles III.
	2023: {add: []time.Time{Date(2023, time.May, 8)}},
}

// EnglandAndWalesBankHolidays returns the England and Wales bank holidays of the given years
// (see the source note above), with substitute days when a holiday falls at a weekend.
func EnglandAndWalesBankHolidays(years ...int) Holidays {
	var dates []time.Time
	for _, y := range years {
		dates = append(dates, bankHolidays(y)...)
	}
	return NewHolidays(dates...)
}

// bankHolidays lists one year's England and Wales bank holidays.
func bankHolidays(y int) []time.Time {
	easter := easterSunday(y)
	days := []time.Time{
		nextWeekday(Date(y, time.January, 1), nil), // New Year's Day, or the Monday after
		AddDays(easter, -2),                        // Good Friday
		AddDays(easter, 1),                         // Easter Monday
		firstMonday(y, time.May),                   // early May
		lastMonday(y, time.May),                    // spring
		lastMonday(y, time.August),                 // summer
	}
	// Christmas Day and Boxing Day each take the first weekday on or after their own day that
	// the other has not taken: 25 Saturday gives 27 and 28; 25 Sunday gives 26 and 27.
	christmas := nextWeekday(Date(y, time.December, 25), nil)
	boxing := nextWeekday(Date(y, time.December, 26), []time.Time{christmas})
	days = append(days, christmas, boxing)
	if c, ok := bankHolidayChanges[y]; ok {
		kept := days[:0]
		for _, d := range days {
			if !containsDay(c.drop, d) {
				kept = append(kept, d)
			}
		}
		days = append(kept, c.add...)
	}
	return days
}

// easterSunday is Easter Day in the Gregorian calendar (the anonymous Gregorian algorithm, as
// in Meeus, Astronomical Algorithms).
func easterSunday(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return Date(y, time.Month(n/31), n%31+1)
}

// nextWeekday is the first Monday-to-Friday day on or after d that is not in taken.
func nextWeekday(d time.Time, taken []time.Time) time.Time {
	for {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !containsDay(taken, d) {
			return d
		}
		d = AddDays(d, 1)
	}
}

func firstMonday(y int, m time.Month) time.Time {
	d := Date(y, m, 1)
	return AddDays(d, (int(time.Monday)-int(d.Weekday())+7)%7)
}

func lastMonday(y int, m time.Month) time.Time {
	d := Date(y, m+1, 0) // the month's last day
	return AddDays(d, -((int(d.Weekday()) - int(time.Monday) + 7) % 7))
}

func containsDay(days []time.Time, d time.Time) bool {
	for _, x := range days {
		if x.Equal(d) {
			return true
		}
	}
	return false
}
