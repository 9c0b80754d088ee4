package statutory

import (
	"errors"
	"time"
)

// Date returns the civil date y-m-d as midnight UTC. Out-of-range days and months normalise as
// time.Date does (Date(2026, 2, 30) is 2 March 2026).
func Date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Civil returns t's calendar date (read in t's own location) as midnight UTC. The zero time stays
// zero.
func Civil(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.Date()
	return Date(y, m, d)
}

// AddDays returns the civil date n calendar days after d (before it when n < 0).
func AddDays(d time.Time, n int) time.Time {
	y, m, day := Civil(d).Date()
	return Date(y, m, day+n)
}

// AddWeeks returns the civil date n calendar weeks (7n days) after d.
func AddWeeks(d time.Time, n int) time.Time {
	return AddDays(d, 7*n)
}

// AddMonths returns the civil date n calendar months after d (before it when n < 0). When the
// target month has no such day, the result is clamped to the target month's last day: 31 Jan 2025
// + 1 month = 28 Feb 2025, 31 Jan 2024 + 1 month = 29 Feb 2024, 29 Feb 2024 + 12 months = 28 Feb
// 2025, 31 Jul 2025 - 5 months = 28 Feb 2025. It never overflows into the following month, unlike
// time.Time.AddDate.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := Civil(d).Date()
	first := Date(y, m+time.Month(n), 1) // time.Date normalises the month and year
	if last := daysIn(first.Year(), first.Month()); day > last {
		day = last
	}
	return Date(first.Year(), first.Month(), day)
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return Date(y, m+1, 0).Day()
}

// DaysBetween returns the number of calendar days from a to b (negative when b is before a).
func DaysBetween(a, b time.Time) int {
	return int(Civil(b).Sub(Civil(a)).Hours() / 24)
}

// Later returns the later of two civil dates.
func Later(a, b time.Time) time.Time {
	a, b = Civil(a), Civil(b)
	if b.After(a) {
		return b
	}
	return a
}

// Holidays is a set of non-working dates (bank holidays, Christmas Day, Good Friday) for
// working-day arithmetic. The zero value is the empty set. Callers pass the set they need:
// EnglandAndWalesBankHolidays for England and Wales, or their own list (e.g. from gov.uk).
type Holidays struct {
	days map[time.Time]struct{}
}

// NewHolidays returns a set holding the civil dates given.
func NewHolidays(dates ...time.Time) Holidays {
	h := Holidays{days: make(map[time.Time]struct{}, len(dates))}
	for _, d := range dates {
		h.days[Civil(d)] = struct{}{}
	}
	return h
}

// Contains reports whether d is in the set.
func (h Holidays) Contains(d time.Time) bool {
	_, ok := h.days[Civil(d)]
	return ok
}

// IsWorkingDay reports whether d is a working day: not a Saturday or Sunday and not in holidays.
func IsWorkingDay(d time.Time, holidays Holidays) bool {
	switch Civil(d).Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !holidays.Contains(d)
}

// AddWorkingDays returns the n-th working day after d (d itself never counts, whatever day it is).
// With n <= 0 it returns d unchanged.
func AddWorkingDays(d time.Time, n int, holidays Holidays) time.Time {
	cur := Civil(d)
	for n > 0 {
		cur = AddDays(cur, 1)
		if IsWorkingDay(cur, holidays) {
			n--
		}
	}
	return cur
}

// FirstDay is the earliest date OnePlan records or reads: nothing in a 0-25 pathway happened
// before it, and the years before it are where Go's zero date (0001-01-01, read as "not given")
// and periods reaching back past year 1 (which cannot be written as dates) live.
var FirstDay = Date(1900, time.January, 1)

// ParseDate reads a date written YYYY-MM-DD, a real calendar date from FirstDay on.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, err
	}
	if d.Before(FirstDay) {
		return time.Time{}, errBeforeFirstDay
	}
	return d, nil
}

// DateRule is how ParseDate's rule is told to a caller.
const DateRule = "must be a real calendar date YYYY-MM-DD, from 1900-01-01"

var errBeforeFirstDay = errors.New("before 1900-01-01")
