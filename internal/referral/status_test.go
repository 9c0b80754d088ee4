package referral

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// wantMoves is the pathway written out by hand. It is deliberately a copy of
// the transitions map, not a reference to it: a change to the pathway must
// fail this test and be made here too, on purpose.
var wantMoves = map[Status][]Status{
	Received:    {Accepted, Redirected, Declined, Closed},
	Accepted:    {Assessing, Closed},
	Assessing:   {Allocated, Closed},
	Allocated:   {MAMHeld, Closed},
	MAMHeld:     {Panel, PlanInPlace, Reviewing, Closed},
	Panel:       {MAMHeld, PlanInPlace, Closed},
	PlanInPlace: {Reviewing, Closed},
	Reviewing:   {MAMHeld, PlanInPlace, Closed},
	Closed:      nil,
	Redirected:  nil,
	Declined:    nil,
}

func wantMove(from, to Status) bool {
	for _, s := range wantMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

func TestStatusesListsEveryStatusOnce(t *testing.T) {
	want := []Status{Received, Accepted, Assessing, Allocated, MAMHeld, Panel, PlanInPlace, Reviewing, Closed, Redirected, Declined}
	if len(Statuses) != len(want) {
		t.Fatalf("Statuses has %d entries, want %d: %v", len(Statuses), len(want), Statuses)
	}
	seen := map[Status]bool{}
	for i, s := range Statuses {
		if s != want[i] {
			t.Errorf("Statuses[%d] = %q, want %q", i, s, want[i])
		}
		if seen[s] {
			t.Errorf("status %q listed twice", s)
		}
		seen[s] = true
		if _, ok := wantMoves[s]; !ok {
			t.Errorf("status %q missing from the expected table", s)
		}
	}
	if len(wantMoves) != len(Statuses) {
		t.Errorf("expected table has %d statuses, Statuses has %d", len(wantMoves), len(Statuses))
	}
}

func TestCanMoveEveryPair(t *testing.T) {
	for _, from := range Statuses {
		for _, to := range Statuses {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				if got, want := CanMove(from, to), wantMove(from, to); got != want {
					t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
				}
			})
		}
	}
}

func TestMoveEveryPair(t *testing.T) {
	for _, from := range Statuses {
		for _, to := range Statuses {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				got, err := Move(from, to)
				if wantMove(from, to) {
					if err != nil {
						t.Fatalf("Move(%s, %s) error %v, want nil", from, to, err)
					}
					if got != to {
						t.Errorf("Move(%s, %s) = %q, want %q", from, to, got, to)
					}
					return
				}
				if err == nil {
					t.Fatalf("Move(%s, %s) = %q, nil; want a conflict", from, to, got)
				}
				var fe *fault.Error
				if !errors.As(err, &fe) {
					t.Fatalf("Move(%s, %s) error %T %v, want *fault.Error", from, to, err, err)
				}
				if fe.Kind != fault.Conflict {
					t.Errorf("Kind = %v, want Conflict", fe.Kind)
				}
				if fe.CurrentStatus != string(from) {
					t.Errorf("CurrentStatus = %q, want %q", fe.CurrentStatus, from)
				}
				if got != from {
					t.Errorf("refused Move returned %q, want the current status %q", got, from)
				}
				if !errors.Is(err, fault.ErrConflict) {
					t.Errorf("errors.Is(err, fault.ErrConflict) = false")
				}
			})
		}
	}
}

func TestTerminal(t *testing.T) {
	tests := []struct {
		s    Status
		want bool
	}{
		{Received, false},
		{Accepted, false},
		{Assessing, false},
		{Allocated, false},
		{MAMHeld, false},
		{Panel, false},
		{PlanInPlace, false},
		{Reviewing, false},
		{Closed, true},
		{Redirected, true},
		{Declined, true},
	}
	if len(tests) != len(Statuses) {
		t.Fatalf("table covers %d statuses, want %d", len(tests), len(Statuses))
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			if got := tt.s.Terminal(); got != tt.want {
				t.Errorf("%s.Terminal() = %v, want %v", tt.s, got, tt.want)
			}
			if !tt.want {
				return
			}
			for _, to := range Statuses {
				if CanMove(tt.s, to) {
					t.Errorf("terminal %s can move to %s", tt.s, to)
				}
				if _, err := Move(tt.s, to); fault.KindOf(err) != fault.Conflict {
					t.Errorf("Move(%s, %s) error %v, want Conflict", tt.s, to, err)
				}
			}
		})
	}
}

// Every status that is not an end can be closed, received included (with restricted outcomes,
// see TestClose).
func TestEveryNonTerminalStatusCanClose(t *testing.T) {
	for _, s := range Statuses {
		if s.Terminal() {
			continue
		}
		if !CanMove(s, Closed) {
			t.Errorf("status %s cannot be closed", s)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range Statuses {
		t.Run(string(s), func(t *testing.T) {
			got, err := ParseStatus(string(s))
			if err != nil {
				t.Fatalf("ParseStatus(%q) error %v", s, err)
			}
			if got != s {
				t.Errorf("ParseStatus(%q) = %q", s, got)
			}
		})
	}
	for _, in := range []string{"", "open", "Received", "RECEIVED", " received", "received ", "plan-in-place", "mam held", "close"} {
		t.Run("refuses "+in, func(t *testing.T) {
			got, err := ParseStatus(in)
			if err == nil {
				t.Fatalf("ParseStatus(%q) = %q, nil; want an error", in, got)
			}
			if got != "" {
				t.Errorf("ParseStatus(%q) returned %q with its error, want empty", in, got)
			}
		})
	}
}

func TestStepsFollowThePathway(t *testing.T) {
	for from, tos := range transitions {
		for _, to := range tos {
			// Every forward move goes up a step; the only moves back are a panel or reviews
			// returning to a multi-agency meeting and reviews putting a plan back in place.
			if to.Step() <= from.Step() && to != MAMHeld && to != PlanInPlace {
				t.Errorf("%s (step %d) -> %s (step %d) does not move forward", from, from.Step(), to, to.Step())
			}
		}
	}
	if Redirected.Step() != Accepted.Step() || Declined.Step() != Accepted.Step() {
		t.Error("triage's outcomes should share a step")
	}
	if Closed.Step() <= Reviewing.Step() {
		t.Error("closed should be the last step")
	}
}

func TestReach(t *testing.T) {
	d := func(day int) time.Time { return testkit.Day(2026, 3, day) }
	received := d(2)
	cases := []struct {
		name     string
		reached  map[Status]time.Time
		stage    Status
		on       time.Time
		fromRecv int
		fromPrev int // -1: none
	}{
		{"receipt itself", nil, Received, d(2), 0, -1},
		{"accepted, after receipt", map[Status]time.Time{Received: d(2)}, Accepted, d(5), 3, 3},
		{"assessing, after acceptance", map[Status]time.Time{Received: d(2), Accepted: d(5)}, Assessing, d(9), 7, 4},
		{"mam skipping nothing recorded between", map[Status]time.Time{Received: d(2), Accepted: d(5), Assessing: d(9), Allocated: d(16)}, MAMHeld, d(18), 16, 2},
		{"back to a plan from reviews: the stage below, not reviews", map[Status]time.Time{Received: d(2), Accepted: d(3), Assessing: d(4),
			Allocated: d(5), MAMHeld: d(10), Reviewing: d(20)}, PlanInPlace, d(25), 23, 15},
		{"declined at triage", map[Status]time.Time{Received: d(2)}, Declined, d(4), 2, 2},
		{"no earlier stage recorded: from receipt", nil, Closed, d(12), 10, 10},
		{"a meeting held before the referral counts from receipt", map[Status]time.Time{Received: d(2), Accepted: d(2), Assessing: d(2),
			Allocated: d(2)}, MAMHeld, d(1), 0, 0},
	}
	for _, c := range cases {
		got := Reach(received, c.reached, c.stage, c.on, d(28))
		if c.on.Before(received) {
			c.on = received
		}
		prev := -1
		if got.DaysFromPrevious != nil {
			prev = *got.DaysFromPrevious
		}
		if got.DaysFromReceived != c.fromRecv || prev != c.fromPrev || got.Stage != c.stage || !got.On.Equal(c.on) {
			t.Errorf("%s: %+v (previous %d), want %d and %d", c.name, got, prev, c.fromRecv, c.fromPrev)
		}
	}
}
