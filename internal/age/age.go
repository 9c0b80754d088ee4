// Package age does the civil-date arithmetic OnePlan needs for the 0-25 SEND
// age range: completed years, English school years and the academic-year
// limits that statutory rules are written in.
//
// Dates are calendar dates, not instants. Each function reads only the year,
// month and day of its time.Time arguments (in whatever location they carry;
// time of day is ignored), and every time.Time it returns is midnight UTC.
// Callers should build inputs with time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
// so that a date never shifts across midnight between time zones.
//
// The functions are pure: none of them reads the clock.
package age

import "time"

// civil is a calendar date with no time of day or zone.
type civil struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// before reports whether a falls before b in the calendar.
func (a civil) before(b civil) bool {
	if a.y != b.y {
		return a.y < b.y
	}
	if a.m != b.m {
		return a.m < b.m
	}
	return a.d < b.d
}

// utc returns midnight UTC on the given date.
func utc(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// YearsOn returns the person's age in completed years on the date on, for a
// person born on dob. If on is before dob (not yet born) it returns -1.
//
// A person attains an age at the start of the anniversary of their birth
// (Family Law Reform Act 1969 s.9). For someone born on 29 February, the
// anniversary in a non-leap year is taken to be 1 March, which is the usual
// practice in England and Wales: they are still the younger age on
// 28 February.
func YearsOn(dob, on time.Time) int {
	b, o := dateOf(dob), dateOf(on)
	if o.before(b) {
		return -1
	}
	years := o.y - b.y
	// Comparing (month, day) directly makes a 29 February birthday fall on
	// 1 March in non-leap years, because 28 February < 29 February < 1 March.
	if o.m < b.m || (o.m == b.m && o.d < b.d) {
		years--
	}
	return years
}

// SchoolYearStart returns 1 September of the English academic year that
// contains on. The academic year runs from 1 September to 31 August, so any
// date from January to August belongs to the year that started the previous
// September.
func SchoolYearStart(on time.Time) time.Time {
	return utc(academicYear(dateOf(on)), time.September, 1)
}

// academicYear returns the calendar year in which the academic year
// containing c started.
func academicYear(c civil) int {
	if c.m >= time.September {
		return c.y
	}
	return c.y - 1
}

// NationalCurriculumYear returns the National Curriculum year group that a
// child born on dob belongs to by age on the date on: 0 for Reception,
// 1 for Year 1, and so on up to 13 for Year 13 and beyond.
//
// Year N is the academic year in which the child turns N+5: Reception is the
// year in which they turn 5, Year 9 the year in which they turn 14. Children
// born from 1 September to the following 31 August form one cohort, so a
// 31 August birthday is the youngest of one year group and a 1 September
// birthday the oldest of the next.
//
// Values below 0 are years before Reception (-1 is the year in which the
// child turns 4, usually the nursery year); the result is not clamped. This is
// the chronological year group: a child educated out of their year group
// (for example a summer-born child who delayed Reception) is taught in a
// different one, which must be recorded separately.
func NationalCurriculumYear(dob, on time.Time) int {
	// A child born in the academic year starting in September A turns 5
	// during the academic year starting in September A+5.
	return academicYear(dateOf(on)) - (academicYear(dateOf(dob)) + 5)
}

// InRange0to25 reports whether a person born on dob is within the 0-25 age
// range of the SEND system on the date on: already born (on or before on)
// and not yet 26.
func InRange0to25(dob, on time.Time) bool {
	a := YearsOn(dob, on)
	return a >= 0 && a <= 25
}

// EndOfAcademicYearTurning returns 31 August at the end of the academic year
// in which a person born on dob turns years old (midnight UTC, so the day
// itself is included in the year).
//
// This is the form in which statutory age limits are written: an EHC plan
// may be maintained up to the end of the academic year in which the young
// person turns 25, which is EndOfAcademicYearTurning(dob, 25).
//
// The academic year in which a person turns N is always the N-th after the
// academic year of their birth, whatever their birthday (a 29 February
// birthday falls on 1 March in non-leap years, still the same academic year).
// years is not validated.
func EndOfAcademicYearTurning(dob time.Time, years int) time.Time {
	return utc(academicYear(dateOf(dob))+years+1, time.August, 31)
}
