package statutory

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Ground is a reason the regulations allow a time limit not to be met.
type Ground string

// The grounds. The first four are paragraphs (a) to (d) of Regs 5(4), 10(4) and 27(3) (and of
// Reg 13(3), which refers to Reg 10(4)(a) to (d)); they excuse the local authority's limits. An
// adviser's 6-week limit (Reg 8) is excused by personal circumstances, absence from the area, or a
// missed appointment, but not by a setting's closure.
const (
	// GroundSchoolClosure is ground (a): advice was requested from a school or post-16
	// institution in the period from 1 week before it closed for 4 weeks or more until 1 week
	// before it reopened.
	GroundSchoolClosure Ground = "school_closure"
	// GroundEarlyYearsClosure is ground (b): the same for a provider of relevant early years
	// education.
	GroundEarlyYearsClosure Ground = "early_years_closure"
	// GroundPersonalCircumstances is ground (c): exceptional personal circumstances affecting the
	// child or parent, or the young person.
	GroundPersonalCircumstances Ground = "personal_circumstances"
	// GroundAbsentFromArea is ground (d): the child or parent, or the young person, was absent
	// from the authority's area for a continuous period of at least 4 weeks.
	GroundAbsentFromArea Ground = "absent_from_area"
	// GroundMissedAppointment excuses an adviser only (Reg 8): the child or parent, or the young
	// person, failed to keep an appointment for an examination or test.
	GroundMissedAppointment Ground = "missed_appointment"
)

// MinClosureOrAbsenceDays is the 4-week minimum for grounds (a), (b) and (d) (Reg 10(4)).
const MinClosureOrAbsenceDays = 28

// Valid reports whether g is one of the defined grounds.
func (g Ground) Valid() bool {
	switch g {
	case GroundSchoolClosure, GroundEarlyYearsClosure, GroundPersonalCircumstances,
		GroundAbsentFromArea, GroundMissedAppointment:
		return true
	}
	return false
}

// ExcusesAuthority reports whether g can excuse a local authority time limit (Regs 5(4), 10(4),
// 13(3), 27(3): grounds (a) to (d)).
func (g Ground) ExcusesAuthority() bool {
	switch g {
	case GroundSchoolClosure, GroundEarlyYearsClosure, GroundPersonalCircumstances, GroundAbsentFromArea:
		return true
	}
	return false
}

// ExcusesAdviser reports whether g can excuse an adviser's 6-week limit (Reg 8): personal
// circumstances, absence from the area or a missed appointment; closures do not.
func (g Ground) ExcusesAdviser() bool {
	switch g {
	case GroundPersonalCircumstances, GroundAbsentFromArea, GroundMissedAppointment:
		return true
	}
	return false
}

// ParseGround returns the Ground spelled s, or an error.
func ParseGround(s string) (Ground, error) {
	if g := Ground(s); g.Valid() {
		return g, nil
	}
	return "", fmt.Errorf("statutory: unknown exception ground %q", s)
}

// Exception is a recorded period, From to To inclusive (civil dates), during which a ground
// applied. Reason is free text for the case record.
type Exception struct {
	Ground Ground
	From   time.Time
	To     time.Time
	Reason string
}

// Validate checks that the ground is known, both dates are set, To is not before From, and that a
// closure or absence (grounds (a), (b), (d)) covers at least 4 weeks (Reg 10(4)).
func (e Exception) Validate() error {
	if !e.Ground.Valid() {
		return fmt.Errorf("statutory: unknown exception ground %q", e.Ground)
	}
	if e.From.IsZero() || e.To.IsZero() {
		return errors.New("statutory: exception period needs both From and To")
	}
	days := DaysBetween(e.From, e.To) + 1
	if days < 1 {
		return errors.New("statutory: exception period ends before it starts")
	}
	switch e.Ground {
	case GroundSchoolClosure, GroundEarlyYearsClosure, GroundAbsentFromArea:
		if days < MinClosureOrAbsenceDays {
			return fmt.Errorf("statutory: %s period must cover at least 4 weeks, got %d days", e.Ground, days)
		}
	}
	return nil
}

// AdjustedDue returns the exception-adjusted due date for a local authority limit that runs from
// start and is due on raw: the clock is paused for every day covered by the union of the
// exception periods (grounds (a) to (d) only; see Ground.ExcusesAuthority) that falls on or after
// start and before the due date as progressively extended. Overlapping or repeated periods count
// each day once; days before start do not count; a period beginning on or after the extended due
// date does not count. With no qualifying exceptions the result is raw.
//
// The regulations do not pause the clock: Regs 5(4), 10(4), 13(3) and 27(3) disapply the limit
// ("need not comply with the time limit") when meeting it is impractical for one of the grounds.
// The pause is the common local-authority practice for "exception-adjusted" timeliness
// reporting, shown alongside the raw due date, never instead of it.
//
// Periods with an unknown ground or with To before From are ignored; use Exception.Validate to
// reject them on input.
func AdjustedDue(start, raw time.Time, exceptions []Exception) time.Time {
	return adjust(start, raw, exceptions, Ground.ExcusesAuthority)
}

// AdjustedAdviceDue is AdjustedDue for an adviser's 6-week limit from requested (Reg 8): only
// personal circumstances, absence from the area and missed appointments pause it.
func AdjustedAdviceDue(requested time.Time, exceptions []Exception) time.Time {
	return adjust(requested, AdviceDue(requested), exceptions, Ground.ExcusesAdviser)
}

// Week20Applies answers SEN2's Week20 flag for a request received on received (1 = exceptions
// apply to the 20-week limit of Reg 13(2)): true when at least one authority-ground exception
// period has a day in the 20-week window, from received up to the day before the raw due date.
// Equivalently, the exception-adjusted final plan date differs from the raw one.
func Week20Applies(received time.Time, exceptions []Exception) bool {
	start, due := Civil(received), FinalPlanDue(received)
	for _, p := range qualifying(exceptions, Ground.ExcusesAuthority) {
		if p.from.Before(due) && !p.to.Before(start) {
			return true
		}
	}
	return false
}

type period struct{ from, to time.Time }

// qualifying returns the periods whose ground passes keep and whose dates are sane, as civil
// dates, sorted by start.
func qualifying(exceptions []Exception, keep func(Ground) bool) []period {
	ps := make([]period, 0, len(exceptions))
	for _, e := range exceptions {
		if !keep(e.Ground) || e.From.IsZero() || e.To.IsZero() {
			continue
		}
		p := period{Civil(e.From), Civil(e.To)}
		if p.to.Before(p.from) {
			continue
		}
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].from.Before(ps[j].from) })
	return ps
}

func adjust(start, raw time.Time, exceptions []Exception, keep func(Ground) bool) time.Time {
	start, due := Civil(start), Civil(raw)
	// Clip to start and merge overlapping or adjacent periods into a disjoint, sorted union.
	var union []period
	for _, p := range qualifying(exceptions, keep) {
		if p.to.Before(start) {
			continue
		}
		if p.from.Before(start) {
			p.from = start
		}
		if n := len(union); n > 0 && !p.from.After(AddDays(union[n-1].to, 1)) {
			if p.to.After(union[n-1].to) {
				union[n-1].to = p.to
			}
			continue
		}
		union = append(union, p)
	}
	// Walk the union in date order. A period that begins before the current due date is wholly
	// paused: the clock still has days left to run when it begins, so they all fall after it.
	for _, p := range union {
		if !p.from.Before(due) {
			break
		}
		due = AddDays(due, DaysBetween(p.from, p.to)+1)
	}
	return due
}

// CheckAuthorityException is the input rule for an exception period on a local authority's limit,
// shared by an EHC needs assessment (Reg 10(4)) and a re-assessment (Reg 27(3)); reg names the
// regulation in the answer. It returns e with civil dates, or the problem naming its field.
func CheckAuthorityException(e Exception, reg string) (Exception, error) {
	e.From, e.To = Civil(e.From), Civil(e.To)
	if !e.Ground.ExcusesAuthority() {
		return e, fault.Field(fault.Invalid, "/ground", "must be a, b, c or d")
	}
	if !e.From.IsZero() && !e.To.IsZero() && e.To.Before(e.From) {
		return e, fault.Field(fault.Invalid, "/to", "must not be before from")
	}
	if err := e.Validate(); err != nil {
		return e, fault.Field(fault.Invalid, "/to", "a closure or an absence from the area must cover at least 4 weeks ("+reg+")")
	}
	if strings.TrimSpace(e.Reason) == "" {
		return e, fault.Field(fault.Invalid, "/reason", "is required")
	}
	return e, nil
}
