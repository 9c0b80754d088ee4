package report

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// The transitions report is a snapshot on a day D (each period's last day). So that it costs the
// same whatever the number of children, the store keeps, for each young person, the days on which
// they count under each figure of the snapshot, as spans [From, To): a count on day D is the
// number of spans holding D. TransitionFacts.Spans works those spans out from what the snapshot
// depends on; TransitionFacts.On is the snapshot's rule for one day, which the spans must agree
// with on every day (a property test checks).

// TransitionQueries are the snapshot's queries on day on: the young people aged TransitionAge to
// transition.MaxAge, and the EHC plans ending in the twelve months after it.
func TransitionQueries(on time.Time) (transition.GapQuery, transition.UpcomingQuery) {
	gaps := transition.GapQuery{AsOf: on, BornBy: transition.TurnedBy(on, TransitionAge), BornAfter: transition.TurnedBy(on, transition.MaxAge+1)}
	through := on.AddDate(1, 0, 0)
	ending := transition.UpcomingQuery{AsOf: on, Through: through, MaxAgeEnd: transition.EndOfYearTurningIn(on, through, transition.MaxAge)}
	return gaps, ending
}

// IsTransitionQueries reports whether gaps and ending are TransitionQueries(gaps.AsOf), the only
// snapshot the stored spans answer.
func IsTransitionQueries(gaps transition.GapQuery, ending transition.UpcomingQuery) bool {
	g, e := TransitionQueries(gaps.AsOf)
	return g.AsOf.Equal(gaps.AsOf) && g.BornBy.Equal(gaps.BornBy) && g.BornAfter.Equal(gaps.BornAfter) &&
		e.AsOf.Equal(ending.AsOf) && e.Through.Equal(ending.Through) && e.Turning18 == ending.Turning18 &&
		e.MaxAgeEnd.From.Equal(ending.MaxAgeEnd.From) && e.MaxAgeEnd.Through.Equal(ending.MaxAgeEnd.Through)
}

// TransitionFacts is what one young person's place in the transitions snapshot depends on. A zero
// time stands for a date not recorded.
type TransitionFacts struct {
	DateOfBirth time.Time
	// OpenReferrals: the days the young person's referrals not closed, redirected or declined
	// were received.
	OpenReferrals []time.Time
	// Plans: their EHC plans issued or ceasing (no other status is ever in force).
	Plans           []TransitionPlanFacts
	TransitionPlans []TransitionPlanDates
}

// TransitionPlanFacts is an EHC plan issued, or ceasing (kept in force until CeasesOn).
type TransitionPlanFacts struct {
	Ceasing                 bool
	CeasesOn, FirstIssuedOn time.Time
}

// TransitionPlanDates is a transition plan's dates.
type TransitionPlanDates struct {
	StartedOn, EndedOn, ExpectedEndOn time.Time
}

// Kinds of transition span: young people counted (population) and among them those with a
// current transition plan (with_plan); EHC plans in force ending in the next twelve months
// (ending), by the transition plan's expected end (ending_expected) or the upper age limit
// (ending_max_age).
const (
	SpanPopulation   = "population"
	SpanWithPlan     = "with_plan"
	SpanEnding       = "ending"
	SpanEndingExpect = "ending_expected"
	SpanEndingMaxAge = "ending_max_age"
)

// SpanKinds lists the kinds of span.
var SpanKinds = []string{SpanPopulation, SpanWithPlan, SpanEnding, SpanEndingExpect, SpanEndingMaxAge}

// TransitionSpan is a run of days [From, To) on which a young person counts once under Kind.
type TransitionSpan struct {
	Kind     string
	From, To time.Time
}

// On is the young person's part in the snapshot on day on, by the rule of the report's queries:
// counted among the young people (population), with a current transition plan (withPlan), and for
// each EHC plan in force the reasons it is ending.
func (c TransitionFacts) On(on time.Time) (population, withPlan bool, plans []PlanEnding) {
	gaps, ending := TransitionQueries(on)
	inAge := !c.DateOfBirth.After(gaps.BornBy) && c.DateOfBirth.After(gaps.BornAfter)
	reason := false
	for _, r := range c.OpenReferrals {
		reason = reason || !r.After(on)
	}
	for _, p := range c.Plans {
		reason = reason || p.inForce(on)
	}
	population = inAge && reason
	current, expected := false, false
	for _, t := range c.TransitionPlans {
		cur := !t.StartedOn.After(on) && (t.EndedOn.IsZero() || t.EndedOn.After(on))
		current = current || cur
		expected = expected || cur && !t.ExpectedEndOn.IsZero() && t.ExpectedEndOn.After(on) && !t.ExpectedEndOn.After(ending.Through)
	}
	withPlan = population && current
	maxAge := !c.DateOfBirth.Before(ending.MaxAgeEnd.From) && !c.DateOfBirth.After(ending.MaxAgeEnd.Through)
	for _, p := range c.Plans {
		if p.inForce(on) {
			plans = append(plans, PlanEnding{Expected: expected, MaxAge: maxAge})
		}
	}
	return population, withPlan, plans
}

// PlanEnding says why an EHC plan in force is counted as ending (neither: it is not).
type PlanEnding struct{ Expected, MaxAge bool }

// inForce: issued, or ceasing and not yet ceased, and first issued by the day (or on a day not
// recorded).
func (p TransitionPlanFacts) inForce(on time.Time) bool {
	kept := !p.Ceasing || !p.CeasesOn.IsZero() && p.CeasesOn.After(on)
	return kept && (p.FirstIssuedOn.IsZero() || !p.FirstIssuedOn.After(on))
}

// The days spans are worked out over: wide enough for anyone aged up to 26.
var (
	spanFirst = statutory.Date(1800, time.January, 1)
	spanLast  = statutory.Date(2300, time.January, 1)
)

// Spans are the runs of days on which the young person counts under each kind. Each condition
// the rule combines changes at most once as the day moves on (a date of birth against a cut-off
// that only moves forward, a record's date against the day), so the rule's answer can only change
// on a day one of them does: Spans finds those days and asks On on each of them.
func (c TransitionFacts) Spans() []TransitionSpan {
	if len(c.OpenReferrals) == 0 && len(c.Plans) == 0 {
		return nil // counted under nothing, on any day
	}
	// The days a condition changes on, found directly where they are a record's date.
	flips := birthFlips(c.DateOfBirth)
	days := append(flips[:], c.OpenReferrals...)
	for _, p := range c.Plans {
		days = append(days, p.FirstIssuedOn, p.CeasesOn)
	}
	for _, t := range c.TransitionPlans {
		days = append(days, t.StartedOn, t.EndedOn, t.ExpectedEndOn)
		if exp := t.ExpectedEndOn; !exp.IsZero() {
			days = append(days, flipDay(func(d time.Time) bool { return !exp.After(d.AddDate(1, 0, 0)) }))
		}
	}
	days = append(days, spanFirst)
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	days = slices.CompactFunc(days, func(a, b time.Time) bool { return a.Equal(b) })

	type key struct {
		kind string
		plan int // -1 for the young person's own kinds
	}
	var out []TransitionSpan
	open := map[key]time.Time{} // the day each open span opened
	var order []key
	emit := func(k key, on bool, day time.Time) {
		from, was := open[k]
		switch {
		case on && !was:
			open[k] = day
			if !slices.Contains(order, k) {
				order = append(order, k)
			}
		case !on && was:
			delete(open, k)
			out = append(out, TransitionSpan{Kind: k.kind, From: from, To: day})
		}
	}
	for _, day := range days {
		if day.IsZero() || day.Before(spanFirst) || !day.Before(spanLast) {
			continue
		}
		population, withPlan, plans := c.On(day)
		emit(key{SpanPopulation, -1}, population, day)
		emit(key{SpanWithPlan, -1}, withPlan, day)
		inForce := 0
		for i, p := range c.Plans {
			var e PlanEnding
			forced := p.inForce(day)
			if forced {
				e = plans[inForce]
				inForce++
			}
			emit(key{SpanEnding, i}, forced && (e.Expected || e.MaxAge), day)
			emit(key{SpanEndingExpect, i}, forced && e.Expected, day)
			emit(key{SpanEndingMaxAge, i}, forced && e.MaxAge, day)
		}
	}
	for _, k := range order {
		if from, ok := open[k]; ok {
			out = append(out, TransitionSpan{Kind: k.kind, From: from, To: spanLast})
		}
	}
	slices.SortFunc(out, func(a, b TransitionSpan) int {
		return cmp.Or(a.From.Compare(b.From), cmp.Compare(a.Kind, b.Kind), a.To.Compare(b.To))
	})
	return out
}

// birthFlips are the days the rule's four conditions on the date of birth dob change on: the
// same for everyone born that day, and most of the cost of Spans (a search over five centuries
// of days asking TransitionQueries at each step: 0.06 ms a young person), so each is worked out
// once per process and kept. A council's children are born on a few thousand days; the kept
// days stop growing at birthFlipsKept (about 13 MB).
func birthFlips(dob time.Time) [4]time.Time {
	key := dob.Unix()
	birthFlipsMu.Lock()
	f, ok := birthFlipsByDay[key]
	birthFlipsMu.Unlock()
	if ok {
		return f
	}
	for i, cond := range []func(time.Time) bool{
		func(d time.Time) bool { g, _ := TransitionQueries(d); return !dob.After(g.BornBy) },
		func(d time.Time) bool { g, _ := TransitionQueries(d); return dob.After(g.BornAfter) },
		func(d time.Time) bool { _, e := TransitionQueries(d); return !dob.Before(e.MaxAgeEnd.From) },
		func(d time.Time) bool { _, e := TransitionQueries(d); return !dob.After(e.MaxAgeEnd.Through) },
	} {
		f[i] = flipDay(cond)
	}
	birthFlipsMu.Lock()
	if len(birthFlipsByDay) < birthFlipsKept {
		birthFlipsByDay[key] = f
	}
	birthFlipsMu.Unlock()
	return f
}

const birthFlipsKept = 100_000

var (
	birthFlipsMu    sync.Mutex
	birthFlipsByDay = map[int64][4]time.Time{}
)

// flipDay is the first day cond's answer differs from its answer on spanFirst (zero: none
// before spanLast); cond changes at most once.
func flipDay(cond func(time.Time) bool) time.Time {
	start := cond(spanFirst)
	lo, hi := 0, int(spanLast.Sub(spanFirst).Hours()/24) // cond(day lo) == start; look in (lo, hi]
	if cond(statutory.AddDays(spanFirst, hi)) == start {
		return time.Time{}
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if cond(statutory.AddDays(spanFirst, mid)) == start {
			lo = mid
		} else {
			hi = mid
		}
	}
	return statutory.AddDays(spanFirst, hi)
}
