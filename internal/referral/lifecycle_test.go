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
		if err != nil && (fault.KindOf(err) != fault.Conflict || r.Status != from) {
			t.Errorf("close from %s: want a state conflict, got %v", from, err)
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

// TestCloseBeforeTriage: a received referral closes when the family moved away or withdrew, which
// happens before triage; any other ending is triage's decline or redirect.
func TestCloseBeforeTriage(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		outcome string
		ok      bool
	}{
		{"moved_away", true},
		{"family_withdrew", true},
		{"needs_met", false},
		{"ehc_needs_assessment_requested", false},
		{"moved_to_adult_services", false},
		{"other", false},
	} {
		t.Run(c.outcome, func(t *testing.T) {
			r := Referral{Status: Received}
			err := r.Close(c.outcome, "Family told the front door.", at)
			if c.ok {
				if err != nil || r.Status != Closed || r.Closure == nil || r.Closure.Outcome != c.outcome {
					t.Fatalf("got %v, %+v", err, r)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Conflict || fe.CurrentStatus != string(Received) || r.Status != Received || r.Closure != nil {
				t.Fatalf("got %v, %+v", err, r)
			}
		})
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

// TestRaiseSafeguardingConcern: a concern found after triage (during the family assessment, or
// later) moves the referral to the safeguarding route and asks for a social worker as lead.
func TestRaiseSafeguardingConcern(t *testing.T) {
	received, today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	on := time.Date(2026, 3, 18, 0, 0, 0, 0, time.UTC)
	open := func(s Status, route, lead string) Referral {
		return Referral{Status: s, Route: route, EngagementLeadID: lead, ReceivedOn: received}
	}
	for _, c := range []struct {
		name         string
		r            Referral
		socialWorker bool
		kind         fault.Kind // 0: accepted
		route        string
		routeChanged bool
		replaceLead  bool
	}{
		{"awaiting triage: the route comes at triage", open(Received, "", ""), false, 0, "", false, false},
		{"accepted, before the assessment", open(Accepted, RouteFamilyAssessment, ""), false, 0, RouteSafeguardingAssessment, true, false},
		{"during the family assessment, no lead yet", open(Assessing, RouteFamilyAssessment, ""), false, 0, RouteSafeguardingAssessment, true, false},
		{"lead allocated is not a social worker: replace", open(Allocated, RouteFamilyAssessment, "p1"), false, 0, RouteSafeguardingAssessment, true, true},
		{"lead allocated is a social worker: keep", open(Allocated, RouteFamilyAssessment, "p1"), true, 0, RouteSafeguardingAssessment, true, false},
		{"after the MAM", open(MAMHeld, RouteFamilyAssessment, "p1"), false, 0, RouteSafeguardingAssessment, true, true},
		{"at review", open(Reviewing, RouteFamilyAssessment, "p1"), false, 0, RouteSafeguardingAssessment, true, true},
		{"route already safeguarding: no change", open(PlanInPlace, RouteSafeguardingAssessment, "p1"), true, 0, RouteSafeguardingAssessment, false, false},
		{"closed", open(Closed, RouteFamilyAssessment, "p1"), false, fault.Conflict, RouteFamilyAssessment, false, false},
		{"declined", open(Declined, "", ""), false, fault.Conflict, "", false, false},
		{"a concern is already recorded", Referral{Status: Assessing, Route: RouteSafeguardingAssessment, SafeguardingConcern: true, ReceivedOn: received},
			false, fault.Conflict, RouteSafeguardingAssessment, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			before := r.SafeguardingConcern
			out, err := r.RaiseSafeguardingConcern("Disclosure to the family support worker.", on, today, c.socialWorker)
			if fault.KindOf(err) != c.kind {
				t.Fatalf("err = %v, want kind %v", err, c.kind)
			}
			if r.Route != c.route || out.RouteChanged != c.routeChanged || out.ReplaceLead != c.replaceLead {
				t.Fatalf("route %q, outcome %+v", r.Route, out)
			}
			if err != nil {
				var fe *fault.Error
				if !errors.As(err, &fe) || fe.CurrentStatus != string(c.r.Status) || r.SafeguardingConcern != before || r.SafeguardingRaised != nil {
					t.Fatalf("a refusal changed the referral or did not name its status: %v %+v", err, r)
				}
				return
			}
			if !r.SafeguardingConcern || r.SafeguardingRaised == nil || !r.SafeguardingRaised.RaisedOn.Equal(on) ||
				r.SafeguardingRaised.RouteBefore != c.r.Route || r.Status != c.r.Status || r.EngagementLeadID != c.r.EngagementLeadID {
				t.Fatalf("recorded %+v %+v", r, r.SafeguardingRaised)
			}
			// The lead to replace is kept, so a later read still says a social worker must take over.
			if wantLead := map[bool]string{true: c.r.EngagementLeadID}[c.replaceLead]; r.SafeguardingRaised.LeadToReplace != wantLead ||
				r.LeadMustBeSocialWorker() != c.replaceLead {
				t.Fatalf("lead to replace %q, must be a social worker %v; want %q, %v", r.SafeguardingRaised.LeadToReplace,
					r.LeadMustBeSocialWorker(), wantLead, c.replaceLead)
			}
		})
	}
	// The day and reason are checked like any recorded day.
	for _, c := range []struct {
		name, reason string
		on           time.Time
		pointer      string
	}{
		{"no reason", "  ", on, "/reason"},
		{"before the referral", "x", received.AddDate(0, 0, -1), "/raised_on"},
		{"in the future", "x", today.AddDate(0, 0, 1), "/raised_on"},
		{"no day", "x", time.Time{}, "/raised_on"},
	} {
		r := open(Assessing, RouteFamilyAssessment, "")
		_, err := r.RaiseSafeguardingConcern(c.reason, c.on, today, false)
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Invalid || fe.Fields[0].Pointer != c.pointer || r.SafeguardingConcern {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Once raised, the next allocation must be a social worker, and triage of a referral raised
	// before it takes the safeguarding route.
	r := open(Allocated, RouteFamilyAssessment, "p1")
	if _, err := r.RaiseSafeguardingConcern("x", on, today, false); err != nil {
		t.Fatal(err)
	}
	if err := r.AllocateLead("p2", false); fault.KindOf(err) != fault.Unprocessable {
		t.Fatalf("a non-social worker as lead after the concern: %v", err)
	}
	if !r.LeadMustBeSocialWorker() {
		t.Fatal("with p1 still the lead, a social worker must take over")
	}
	if err := r.AllocateLead("p3", true); err != nil || r.EngagementLeadID != "p3" {
		t.Fatalf("a social worker as lead: %v", err)
	}
	if r.LeadMustBeSocialWorker() {
		t.Fatal("a social worker has taken over: nothing waits")
	}
	pre := open(Received, "", "")
	pre.Eligibility.Eligible = true
	if _, err := pre.RaiseSafeguardingConcern("x", on, today, false); err != nil {
		t.Fatal(err)
	}
	if err := pre.ApplyTriage(Triage{Decision: DecisionAccept, Reason: "ok"}); err != nil || pre.Route != RouteSafeguardingAssessment {
		t.Fatalf("triage after the concern: %v %q", err, pre.Route)
	}
}
