package tcare

import "testing"

func TestHeldOnTimeAndAsOf(t *testing.T) {
	// Rated amber on 1 March, red on 2 March (a C(E)TR due 28 days later, 30 March), admitted
	// unplanned on 10 April (post-admission review within 10 working days: 24 April).
	e := Entry{History: []RatingChange{
		{Rating: Amber, DecidedOn: d("2026-03-01")},
		{Rating: Red, DecidedOn: d("2026-03-02")},
		{Rating: Blue, DecidedOn: d("2026-04-10"), AdmittedOn: d("2026-04-10")},
	}, ClosedOn: d("2026-09-01")}
	cases := []struct {
		name           string
		held, previous string
		want           bool
	}{
		{"amber: nothing due", "2026-03-01", "", true},
		{"red, held by the 28th day", "2026-03-30", "", true},
		{"red, held a day late", "2026-03-31", "", false},
		{"blue, post-admission review in time", "2026-04-24", "2026-03-20", true},
		{"blue, post-admission review late", "2026-04-27", "2026-03-20", false},
		{"blue, repeat review within 3 months", "2026-07-24", "2026-04-24", true},
		{"blue, repeat review late", "2026-07-27", "2026-04-24", false},
		{"before the first rating", "2026-02-01", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := e.HeldOnTime(d(c.held), d(c.previous), DefaultPolicy); got != c.want {
				t.Fatalf("HeldOnTime = %v, want %v", got, c.want)
			}
		})
	}
	if _, ok := e.AsOf(d("2026-09-01"), d("")); ok {
		t.Fatal("on the register on the day it closed")
	}
	then, ok := e.AsOf(d("2026-03-15"), d(""))
	if !ok || then.Current().Rating != Red || !then.Overdue(DefaultPolicy, d("2026-03-31")) {
		t.Fatalf("as of 15 March: %+v %v", then.Current(), ok)
	}
}
