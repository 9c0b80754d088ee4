package referral

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

func TestClose(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, from := range Statuses {
		r := Referral{Status: from}
		err := r.Close("needs_met", "Outcomes achieved.", at)
		open := from != Received && !from.Terminal()
		if open != (err == nil) {
			t.Errorf("close from %s: err = %v", from, err)
		}
		if err == nil && (r.Status != Closed || r.Closure == nil || r.Closure.Outcome != "needs_met" || !r.Closure.ClosedAt.Equal(at)) {
			t.Errorf("close from %s left %+v", from, r)
		}
		if err != nil && (r.Status != from || r.Closure != nil) {
			t.Errorf("a refused close changed the referral from %s", from)
		}
	}
	r := Referral{Status: Reviewing}
	var fe *fault.Error
	if err := r.Close("bored", "x", at); !errors.As(err, &fe) || fe.Kind != fault.Invalid || fe.Fields[0].Pointer != "/outcome" {
		t.Fatalf("unknown outcome: %v", err)
	}
	for _, o := range Outcomes {
		r := Referral{Status: MAMHeld}
		if err := r.Close(o, "x", at); err != nil {
			t.Errorf("outcome %s: %v", o, err)
		}
	}
}

func TestTransitionLeavesTriageAndClosingToTheirOwnCalls(t *testing.T) {
	for _, to := range []Status{Accepted, Redirected, Declined, Closed} {
		r := Referral{Status: Received}
		if err := r.Transition(to); !errors.Is(err, fault.ErrConflict) || r.Status != Received {
			t.Errorf("transition to %s: %v", to, err)
		}
	}
	cases := []struct {
		from, to Status
		ok       bool
	}{
		{MAMHeld, PlanInPlace, true}, {PlanInPlace, Reviewing, true}, {Reviewing, MAMHeld, true}, {Panel, PlanInPlace, true},
		{Accepted, Assessing, true}, {Received, Assessing, false}, {Accepted, PlanInPlace, false}, {Closed, Reviewing, false},
	}
	for _, c := range cases {
		r := Referral{Status: c.from}
		err := r.Transition(c.to)
		if (err == nil) != c.ok {
			t.Errorf("%s -> %s: %v", c.from, c.to, err)
		}
		var fe *fault.Error
		if err != nil && (!errors.As(err, &fe) || fe.CurrentStatus != string(c.from)) {
			t.Errorf("%s -> %s: the conflict must name the current status: %v", c.from, c.to, err)
		}
	}
	if (&Referral{Status: Received}).Open() || !(&Referral{Status: PlanInPlace}).Open() || (&Referral{Status: Closed}).Open() {
		t.Error("Open: received and terminal referrals are not open")
	}
}

// TestAllocateLead: who may be named engagement lead, and when.
func TestAllocateLead(t *testing.T) {
	for _, c := range []struct {
		name         string
		r            Referral
		lead         string
		socialWorker bool
		kind         fault.Kind
		status       Status
	}{
		{"first lead moves assessing to allocated", Referral{Status: Assessing}, "p1", false, 0, Allocated},
		{"re-allocation keeps the status", Referral{Status: MAMHeld, EngagementLeadID: "p1"}, "p2", false, 0, MAMHeld},
		{"not before the assessment", Referral{Status: Accepted}, "p1", false, fault.Conflict, Accepted},
		{"not once closed", Referral{Status: Closed}, "p1", false, fault.Conflict, Closed},
		{"the same lead again", Referral{Status: Allocated, EngagementLeadID: "p1"}, "p1", false, fault.Conflict, Allocated},
		{"safeguarding needs a social worker", Referral{Status: Assessing, SafeguardingConcern: true}, "p1", false, fault.Unprocessable, Assessing},
		{"a social worker for safeguarding", Referral{Status: Assessing, SafeguardingConcern: true}, "p1", true, 0, Allocated},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			err := r.AllocateLead(c.lead, c.socialWorker)
			if fault.KindOf(err) != c.kind || r.Status != c.status {
				t.Fatalf("got %v, status %s", err, r.Status)
			}
			if err == nil && r.EngagementLeadID != c.lead {
				t.Fatalf("lead %q", r.EngagementLeadID)
			}
		})
	}
}
