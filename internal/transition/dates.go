package transition

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Birthday returns the day a person born on dob attains years: the anniversary of their birth,
// or 1 March in a non-leap year for someone born on 29 February (the convention of
// age.YearsOn, so YearsOn(dob, Birthday(dob, n)) == n and the day before is still n-1).
func Birthday(dob time.Time, years int) time.Time {
	y, m, d := dob.Date()
	if m == time.February && d == 29 && !leap(y+years) {
		return statutory.Date(y+years, time.March, 1)
	}
	return statutory.Date(y+years, m, d)
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// NHS continuing healthcare for young people moving to adult services (the National Framework for
// NHS Continuing Healthcare's section on transition; as summarised by North East Lincolnshire's
// "preparing for adulthood" CHC guidance, livewell.nelincs.gov.uk, DOMAIN.md section 2): the young person who may need CHC is identified at 14, referred for screening at 16, has
// eligibility decided "soon after" 17, and has any package in place at 18. "Soon after 17" has no
// fixed length in the framework; OnePlan reads it as within 3 months of the 17th birthday, which
// leaves 9 months to commission a package before 18.
const (
	CHCIdentifyAge        = 14
	CHCReferAge           = 16
	CHCDecideAge          = 17
	CHCDecideMonthsAfter  = 3
	CHCInPlaceAge         = 18
	MilestoneDueSoonDays  = 182 // a milestone not met shows as due in the six months before it
	childrensServicesEnds = 18
)

// CHCDue are the CHC milestone due dates for a young person born on dob.
type CHCDue struct {
	IdentifyBy, ReferBy, EligibilityDecidedBy, InPlaceBy time.Time
}

// CHCDueDates returns the CHC milestone due dates: by the 14th, 16th and 18th birthdays, and 3
// months after the 17th birthday (clamped to the month's end, as statutory.AddMonths does).
func CHCDueDates(dob time.Time) CHCDue {
	return CHCDue{IdentifyBy: Birthday(dob, CHCIdentifyAge), ReferBy: Birthday(dob, CHCReferAge),
		EligibilityDecidedBy: statutory.AddMonths(Birthday(dob, CHCDecideAge), CHCDecideMonthsAfter), InPlaceBy: Birthday(dob, CHCInPlaceAge)}
}

// Milestone is one CHC milestone as of a day.
type Milestone struct {
	DueOn       time.Time
	CompletedOn *time.Time
	Status      statutory.Status
}

// CHCMilestones are the four CHC milestones of a plan as of a day.
type CHCMilestones struct {
	Identify, Refer, EligibilityDecided, InPlace Milestone
}

// Milestones judges the plan's CHC milestones as of asOf, or as of the day it ended if earlier
// (an ended plan stops tracking). A package is not needed once the young person was found not
// eligible, so that milestone is then not applicable.
func (p Plan) Milestones(asOf time.Time) CHCMilestones {
	asOf = statutory.Civil(asOf)
	if p.Ending != nil && p.Ending.On.Before(asOf) {
		asOf = p.Ending.On
	}
	due := CHCDueDates(p.DateOfBirth)
	m := func(dueOn time.Time, done *time.Time, applies bool) Milestone {
		var completed time.Time
		if done != nil {
			completed = *done
		}
		judged := dueOn
		if !applies {
			judged = time.Time{}
		}
		return Milestone{DueOn: dueOn, CompletedOn: done, Status: statutory.MilestoneStatus(judged, completed, asOf, MilestoneDueSoonDays)}
	}
	c := p.CHC
	notEligible := c.Eligible != nil && !*c.Eligible && c.EligibilityDecidedOn != nil && !c.EligibilityDecidedOn.After(asOf)
	return CHCMilestones{
		Identify:           m(due.IdentifyBy, c.IdentifiedOn, true),
		Refer:              m(due.ReferBy, c.ReferredOn, true),
		EligibilityDecided: m(due.EligibilityDecidedBy, c.EligibilityDecidedOn, true),
		InPlace:            m(due.InPlaceBy, c.InPlaceOn, !notEligible),
	}
}

// InYear9OrAbove reports whether a young person born on dob is in National Curriculum Year 9 or
// above (by age) on day.
func InYear9OrAbove(dob, day time.Time) bool { return age.NationalCurriculumYear(dob, day) >= Year9 }

// ScopeStart returns the day from which a young person born on dob must have a transition plan
// under a gap threshold of minAge: their minAge-th birthday or, with schoolYear, 1 September of
// the school year in which they reach minAge (for 14, the start of Year 9).
func ScopeStart(dob time.Time, minAge int, schoolYear bool) time.Time {
	b := Birthday(dob, minAge)
	if schoolYear {
		return age.SchoolYearStart(b)
	}
	return b
}

// TurnedBy returns the latest date of birth of someone who has turned years by day: a person
// born on dob has, exactly when dob <= TurnedBy(day, years). It is day less years, clamped to 28
// February when day is 29 February and the earlier year is not a leap year (so it agrees with
// age.YearsOn for 29 February births). Dates of birth are YYYY-MM-DD text in the store, so this
// turns an age condition into a plain comparison.
func TurnedBy(day time.Time, years int) time.Time {
	return statutory.AddMonths(day, -12*years)
}

// ScopeBornBy returns the latest date of birth in scope on day under the threshold: a person
// born on dob is in scope on day exactly when dob <= ScopeBornBy(day, minAge, schoolYear), that
// is when day >= ScopeStart(dob, minAge, schoolYear).
func ScopeBornBy(day time.Time, minAge int, schoolYear bool) time.Time {
	if !schoolYear {
		return TurnedBy(day, minAge)
	}
	// In scope from the school year in which they reach minAge, which is the minAge-th after the
	// school year of their birth: so born in or before the school year starting minAge years
	// before day's, which ends on 31 August the year after that.
	return statutory.Date(age.SchoolYearStart(day).Year()-minAge+1, time.August, 31)
}

// BornRange is an inclusive range of dates of birth. It is empty when From is after Through.
type BornRange struct{ From, Through time.Time }

// Empty reports whether no date falls in the range.
func (r BornRange) Empty() bool { return r.From.After(r.Through) }

// Turning returns the dates of birth of those who turn years in the window (after, through].
func Turning(after, through time.Time, years int) BornRange {
	return BornRange{From: statutory.AddDays(TurnedBy(after, years), 1), Through: TurnedBy(through, years)}
}

// EndOfYearTurningIn returns the dates of birth for which age.EndOfAcademicYearTurning(dob,
// years) falls in the window (after, through]: those born in the school years whose cohort
// reaches that 31 August inside the window.
func EndOfYearTurningIn(after, through time.Time, years int) BornRange {
	after, through = statutory.Civil(after), statutory.Civil(through)
	first := after.Year() // the first 31 August strictly after after
	if !after.Before(statutory.Date(first, time.August, 31)) {
		first++
	}
	last := through.Year() // the last 31 August on or before through
	if through.Before(statutory.Date(last, time.August, 31)) {
		last--
	}
	// EndOfAcademicYearTurning is 31 August of (school year of birth) + years + 1.
	return BornRange{From: statutory.Date(first-years-1, time.September, 1), Through: statutory.Date(last-years, time.August, 31)}
}

// ChildrensServicesEnd returns the 18th birthday, when children's services end.
func ChildrensServicesEnd(dob time.Time) time.Time { return Birthday(dob, childrensServicesEnds) }

// GapSince returns the day a young person's gap began: the later of the day they came into
// scope, the earliest day a reason for a plan applied (an open referral received, an EHC plan
// issued; zero: unknown, ignored), and the day their last plan ended (zero: none).
func GapSince(scopeStart time.Time, reasonsSince []time.Time, lastEnded time.Time) time.Time {
	since := statutory.Civil(scopeStart)
	var earliest time.Time
	for _, r := range reasonsSince {
		if !r.IsZero() && (earliest.IsZero() || r.Before(earliest)) {
			earliest = r
		}
	}
	if !earliest.IsZero() {
		since = statutory.Later(since, earliest)
	}
	if !lastEnded.IsZero() {
		since = statutory.Later(since, lastEnded)
	}
	return since
}
