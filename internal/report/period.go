// Package report holds the model of aggregate reports (the period covered, tables of figures)
// and the statistical disclosure control applied before a report is published as open data.
package report

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Period is a closed range of civil dates (UTC midnight), From <= To.
type Period struct{ From, To time.Time }

// maxYears bounds a report so that one query cannot scan the whole history by accident.
const maxYears = 10

const day = 24 * time.Hour

// NewPeriod checks and builds a period. Only the calendar dates of from and to count (as read in
// their own location): time of day is dropped so that Days and Previous work in whole days.
func NewPeriod(from, to time.Time) (Period, error) {
	from, to = statutory.Civil(from), statutory.Civil(to)
	if to.Before(from) {
		return Period{}, fault.Field(fault.Invalid, "/query/to", "must not be before from")
	}
	if to.After(from.AddDate(maxYears, 0, 0)) {
		return Period{}, fault.Field(fault.Invalid, "/query/to", "a report covers at most 10 years")
	}
	return Period{From: from, To: to}, nil
}

// Days is the number of days in p, counting both ends.
func (p Period) Days() int {
	return int(statutory.Civil(p.To).Sub(statutory.Civil(p.From))/day) + 1
}

// Previous is the period of equal length immediately before p: the same number of whole months
// when p is whole calendar months (so a school year compares with the school year before, whatever
// the leap days), otherwise the same number of days ending the day before p.From.
func (p Period) Previous() Period {
	from, to := statutory.Civil(p.From), statutory.Civil(p.To)
	end := from.AddDate(0, 0, -1)
	if p.WholeMonths() {
		months := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month()) + 1
		return Period{From: from.AddDate(0, -months, 0), To: end}
	}
	return Period{From: end.AddDate(0, 0, 1-p.Days()), To: end}
}

// WholeMonths reports whether p runs from the first day of a month to the last day of a month.
func (p Period) WholeMonths() bool {
	return statutory.Civil(p.From).Day() == 1 && statutory.Civil(p.To).AddDate(0, 0, 1).Day() == 1
}

// CheckControlled refuses a period for disclosure-controlled figures (open data) that is not whole
// calendar months: with any day as a bound, two periods a day apart give by subtraction the exact
// count of that day, however small, which suppression exists to withhold. Periods of whole
// months leave a month's count to subtraction between overlapping periods; rounding
// (ONEPLAN_DISCLOSURE_ROUNDING) is what guards that.
func CheckControlled(p Period) error {
	var errs []fault.FieldError
	if statutory.Civil(p.From).Day() != 1 {
		errs = append(errs, fault.FieldError{Pointer: "/query/from", Detail: "disclosure-controlled figures cover whole calendar months: from must be the first day of a month"})
	}
	if statutory.Civil(p.To).AddDate(0, 0, 1).Day() != 1 {
		errs = append(errs, fault.FieldError{Pointer: "/query/to", Detail: "disclosure-controlled figures cover whole calendar months: to must be the last day of a month"})
	}
	return fault.Fields(fault.Invalid, errs)
}

// Contains reports whether the calendar date of d falls within p.
func (p Period) Contains(d time.Time) bool {
	d = statutory.Civil(d)
	return !d.Before(statutory.Civil(p.From)) && !d.After(statutory.Civil(p.To))
}
