package transition

import "time"

// Filter selects transition plans.
type Filter struct {
	YoungPersonID string
	Current       *bool // true: not ended; false: ended
}

// GapQuery asks for the young people without a current transition plan on AsOf.
type GapQuery struct {
	AsOf time.Time
	// BornBy is the latest date of birth in scope (transition.ScopeBornBy); BornAfter the latest
	// date of birth of someone already 26 (transition.TurnedBy(AsOf, 26)).
	BornBy, BornAfter time.Time
}

// Gap is one young person without a current transition plan.
type Gap struct {
	YoungPersonID, GivenName, FamilyName, PreferredName string
	DateOfBirth                                         time.Time
	OpenReferral, EHCPlan                               bool
	ReferralSince, EHCPlanSince, LastPlanEnded          time.Time // zero: none or unknown
}

// UpcomingQuery asks for the events in (AsOf, Through]. Turning18 and MaxAgeEnd are the dates of
// birth whose 18th birthday, and whose end of the academic year of turning 25, fall in the window
// (from package transition).
type UpcomingQuery struct {
	AsOf, Through        time.Time
	Turning18, MaxAgeEnd BornRange
}

// Upcoming is one event: for turns_18 and plan_max_age_end, On is left for the caller to work
// out from DateOfBirth; the others carry their date.
type Upcoming struct {
	YoungPersonID string
	DateOfBirth   time.Time
	Kind          string
	On            time.Time
	RelatedType   string
	RelatedID     string
}

// GapsOn selects, as of a day, the young people past the gap threshold minAge and not yet 26.
func GapsOn(asOf time.Time, minAge int, schoolYear bool) GapQuery {
	return GapQuery{AsOf: asOf, BornBy: ScopeBornBy(asOf, minAge, schoolYear), BornAfter: TurnedBy(asOf, MaxAge+1)}
}

// Since is the day the young person's gap opened: the latest of the threshold, the earliest
// reason they need a plan, and the end of their last plan.
func (g Gap) Since(minAge int, schoolYear bool) time.Time {
	var reasons []time.Time
	if g.OpenReferral {
		reasons = append(reasons, g.ReferralSince)
	}
	if g.EHCPlan {
		reasons = append(reasons, g.EHCPlanSince)
	}
	return GapSince(ScopeStart(g.DateOfBirth, minAge, schoolYear), reasons, g.LastPlanEnded)
}

// Upcoming event kinds.
const (
	UpcomingTurns18         = "turns_18"
	UpcomingPlanExpectedEnd = "plan_expected_end"
	UpcomingPlanMaxAgeEnd   = "plan_max_age_end"
	UpcomingServiceEnd      = "service_end"
)
