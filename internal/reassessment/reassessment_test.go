package reassessment

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

var today = day("2026-12-01")

// The 14 weeks run from the Reg 25(1) notification or the own-motion decision, never from the
// request; a refusal starts nothing.
func TestStartedAndDeadlines(t *testing.T) {
	for _, c := range []struct {
		name                                      string
		in                                        Input
		decision, notified                        string
		decisionDue, started, finalPlan, ifOnTime string
		late                                      bool
	}{
		{"notified on time", Input{Route: RouteRequest, RequestedBy: "parent", ReceivedOn: day("2026-03-02")}, Agree, "2026-03-16",
			"2026-03-17", "2026-03-16", "2026-06-22", "2026-06-23", false},
		{"notified on the last day", Input{Route: RouteRequest, RequestedBy: "parent", ReceivedOn: day("2026-03-02")}, Agree, "2026-03-17",
			"2026-03-17", "2026-03-17", "2026-06-23", "2026-06-23", false},
		{"notified late", Input{Route: RouteRequest, RequestedBy: "young_person", ReceivedOn: day("2026-03-02")}, Agree, "2026-03-25",
			"2026-03-17", "2026-03-25", "2026-07-01", "2026-06-23", true},
		{"refused", Input{Route: RouteRequest, RequestedBy: "parent", ReceivedOn: day("2026-03-02")}, Refuse, "2026-03-10",
			"2026-03-17", "", "", "2026-06-23", false},
		{"own motion", Input{Route: RouteOwnMotion, DecidedOn: day("2026-05-04")}, "", "", "", "2026-05-04", "2026-08-10", "", false},
	} {
		r, err := New("p", "y", c.in, today)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.decision != "" {
			if err := r.Decide(c.decision, "Reasons.", day(c.notified), today); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		d := r.Deadlines()
		f := func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format("2006-01-02")
		}
		if f(d.DecisionDue) != c.decisionDue || f(d.Started) != c.started || f(d.FinalPlan) != c.finalPlan || f(d.FinalPlanIfNotifiedOnTime) != c.ifOnTime ||
			r.DecisionLate() != c.late {
			t.Errorf("%s: %+v late %v", c.name, d, r.DecisionLate())
		}
	}
}

func TestNewNamesTheField(t *testing.T) {
	for _, c := range []struct {
		in      Input
		pointer string
	}{
		{Input{Route: "asked"}, "/route"},
		{Input{Route: RouteRequest, ReceivedOn: day("2026-03-02")}, "/requested_by"},
		{Input{Route: RouteRequest, RequestedBy: "parent"}, "/received_on"},
		{Input{Route: RouteRequest, RequestedBy: "parent", ReceivedOn: day("2026-12-02")}, "/received_on"},
		{Input{Route: RouteOwnMotion, RequestedBy: "parent", DecidedOn: day("2026-03-02")}, "/requested_by"},
		{Input{Route: RouteOwnMotion}, "/decided_on"},
	} {
		_, err := New("p", "y", c.in, today)
		if fault.KindOf(err) != fault.Invalid || !hasPointer(err, c.pointer) {
			t.Errorf("%+v: %v, want %s", c.in, err, c.pointer)
		}
	}
}

func hasPointer(err error, pointer string) bool {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return false
	}
	for _, f := range fe.Fields {
		if f.Pointer == pointer {
			return true
		}
	}
	return false
}

func TestCompleteChecksTheVersion(t *testing.T) {
	r, _ := New("p", "y", Input{Route: RouteOwnMotion, DecidedOn: day("2026-05-04")}, today)
	early, issued := day("2026-04-01"), day("2026-08-03")
	for _, c := range []struct {
		name      string
		completed time.Time
		v         *PlanVersion
		pointer   string
	}{
		{"no such version", issued, nil, "/plan_version"},
		{"a proposal", issued, &PlanVersion{Number: 3}, "/plan_version"},
		{"issued before the start", early, &PlanVersion{Number: 2, Final: true, IssuedOn: &early}, "/completed_on"},
		{"a final from before the start", issued, &PlanVersion{Number: 2, Final: true, IssuedOn: &early}, "/plan_version"},
		{"another day", day("2026-08-04"), &PlanVersion{Number: 4, Final: true, IssuedOn: &issued}, "/completed_on"},
	} {
		rr := r
		if err := rr.Complete(c.completed, c.v, today); !hasPointer(err, c.pointer) {
			t.Errorf("%s: %v, want %s", c.name, err, c.pointer)
		}
	}
	if err := r.Complete(issued, &PlanVersion{Number: 4, Final: true, IssuedOn: &issued}, today); err != nil || r.Status != Completed || r.CompletionLate() {
		t.Fatalf("complete: %v %+v", err, r)
	}
	if err := r.AddException(statutory.Exception{Ground: statutory.GroundPersonalCircumstances, From: issued, To: issued, Reason: "x"}); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("exception after completion: %v", err)
	}
}
