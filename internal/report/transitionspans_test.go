package report

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// randomFacts is a young person born between 1990 and 2020 (often on 29 February, 31 August or 1
// September, where the age rules turn) with up to two open referrals, EHC plans (issued or
// ceasing, dates sometimes unrecorded) and transition plans.
func randomFacts(rng *rand.Rand) TransitionFacts {
	day := func(from, years int) time.Time {
		return statutory.AddDays(statutory.Date(from, time.January, 1), rng.IntN(years*366))
	}
	maybe := func(d time.Time) time.Time {
		if rng.IntN(5) == 0 {
			return time.Time{}
		}
		return d
	}
	var c TransitionFacts
	switch rng.IntN(4) {
	case 0:
		c.DateOfBirth = statutory.Date(1992+4*rng.IntN(7), time.February, 29)
	case 1:
		c.DateOfBirth = statutory.Date(1990+rng.IntN(30), time.August, 31+rng.IntN(2))
	default:
		c.DateOfBirth = day(1990, 30)
	}
	for range rng.IntN(3) {
		c.OpenReferrals = append(c.OpenReferrals, day(2000, 30))
	}
	for range rng.IntN(3) {
		c.Plans = append(c.Plans, TransitionPlanFacts{Ceasing: rng.IntN(3) == 0, CeasesOn: maybe(day(2005, 30)), FirstIssuedOn: maybe(day(2000, 30))})
	}
	for range rng.IntN(3) {
		start := day(2000, 30)
		var end time.Time
		if rng.IntN(2) == 0 {
			end = statutory.AddDays(start, 1+rng.IntN(4000))
		}
		exp := maybe(statutory.AddDays(start, rng.IntN(5000)))
		if rng.IntN(4) == 0 && !exp.IsZero() {
			exp = statutory.Date(exp.Year(), time.February, 28+rng.IntN(2)) // a year after 28 or 29 February
		}
		c.TransitionPlans = append(c.TransitionPlans, TransitionPlanDates{StartedOn: start, EndedOn: end, ExpectedEndOn: exp})
	}
	return c
}

// TestTransitionSpansAgreeWithTheRule: on every day from 2000 to 2055, the spans of a young person
// hold that day exactly as often as the snapshot's rule counts them, for 300 random young people.
func TestTransitionSpansAgreeWithTheRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(102, 7))
	first, last := statutory.Date(2000, time.January, 1), statutory.Date(2055, time.January, 1)
	for n := range 300 {
		c := randomFacts(rng)
		spans := c.Spans()
		for d := first; d.Before(last); d = statutory.AddDays(d, 1) {
			want := map[string]int{}
			population, withPlan, plans := c.On(d)
			add := func(kind string, on bool) {
				if on {
					want[kind]++
				}
			}
			add(SpanPopulation, population)
			add(SpanWithPlan, withPlan)
			for _, p := range plans {
				add(SpanEnding, p.Expected || p.MaxAge)
				add(SpanEndingExpect, p.Expected)
				add(SpanEndingMaxAge, p.MaxAge)
			}
			got := map[string]int{}
			for _, s := range spans {
				if !d.Before(s.From) && d.Before(s.To) {
					got[s.Kind]++
				}
			}
			for _, k := range SpanKinds {
				if got[k] != want[k] {
					t.Fatalf("young person %d %+v on %s: %s counted %d times by the spans %+v, %d by the rule",
						n, c, d.Format(time.DateOnly), k, got[k], spans, want[k])
				}
			}
		}
	}
}

// TestTransitionSpansCountSomething: the random young people above do reach every kind of span,
// so the agreement is not an agreement on nothing.
func TestTransitionSpansCountSomething(t *testing.T) {
	rng := rand.New(rand.NewPCG(102, 7))
	seen := map[string]bool{}
	for range 300 {
		for _, s := range randomFacts(rng).Spans() {
			seen[s.Kind] = true
		}
	}
	for _, k := range SpanKinds {
		if !seen[k] {
			t.Errorf("no span of kind %s", k)
		}
	}
}

// TestIsTransitionQueries: the report's own queries are recognised, others are not.
func TestIsTransitionQueries(t *testing.T) {
	on := statutory.Date(2025, time.March, 31)
	g, e := TransitionQueries(on)
	if !IsTransitionQueries(g, e) {
		t.Fatal("the report's own queries are not recognised")
	}
	g2 := g
	g2.BornBy = transition.TurnedBy(on, 10)
	if IsTransitionQueries(g2, e) {
		t.Fatal("another age range is taken for the report's")
	}
	e2 := e
	e2.Through = on.AddDate(0, 6, 0)
	if IsTransitionQueries(g, e2) {
		t.Fatal("another window is taken for the report's")
	}
}

// BenchmarkTransitionSpans: working out one young person's spans, as a fold does for each marked.
// Children share their days of birth (a council's are spread over about 9,000), as here.
func BenchmarkTransitionSpans(b *testing.B) {
	rng := rand.New(rand.NewPCG(102, 8))
	facts := make([]TransitionFacts, 9000)
	for i := range facts {
		facts[i] = randomFacts(rng)
	}
	i := 0
	for b.Loop() {
		_ = facts[i%len(facts)].Spans()
		i++
	}
}
