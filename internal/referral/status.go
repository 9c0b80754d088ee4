// Package referral holds the pathway's intake and lifecycle: a referral's status machine, its
// eligibility for the 0-25 pathway, and triage.
package referral

import (
	"fmt"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Status is where a referral stands on the pathway.
type Status string

// Statuses, in pathway order; redirected and declined end a referral at triage.
const (
	Received    Status = "received"
	Accepted    Status = "accepted"
	Assessing   Status = "assessing"
	Allocated   Status = "allocated"
	MAMHeld     Status = "mam_held"
	Panel       Status = "panel"
	PlanInPlace Status = "plan_in_place"
	Reviewing   Status = "reviewing"
	Closed      Status = "closed"
	Redirected  Status = "redirected"
	Declined    Status = "declined"
)

// transitions is the whole pathway (Salford 0-25 pathfinder): referral, family assessment,
// allocation of an engagement lead, multi-agency meeting, optional panel, plan and reviews.
// Any referral not yet closed, redirected or declined can be closed. One still awaiting triage
// can be closed too, but only because the family moved away or withdrew (see Referral.Close):
// those happen before anyone has judged the referral, and triage has no outcome for them.
var transitions = map[Status][]Status{
	Received:    {Accepted, Redirected, Declined, Closed},
	Accepted:    {Assessing, Closed},
	Assessing:   {Allocated, Closed},
	Allocated:   {MAMHeld, Closed},
	MAMHeld:     {Panel, PlanInPlace, Reviewing, Closed},
	Panel:       {MAMHeld, PlanInPlace, Closed},
	PlanInPlace: {Reviewing, Closed},
	Reviewing:   {MAMHeld, PlanInPlace, Closed},
}

// Statuses lists every status.
var Statuses = []Status{Received, Accepted, Assessing, Allocated, MAMHeld, Panel, PlanInPlace, Reviewing, Closed, Redirected, Declined}

// ParseStatus accepts a status name.
func ParseStatus(s string) (Status, error) {
	if !slices.Contains(Statuses, Status(s)) {
		return "", fmt.Errorf("unknown referral status %q", s)
	}
	return Status(s), nil
}

// CanMove reports whether the pathway allows from -> to.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Terminal reports whether no further move is possible.
func (s Status) Terminal() bool { return len(transitions[s]) == 0 }

// Move returns to, or a conflict naming the current status when the move is not allowed.
func Move(from, to Status) (Status, error) {
	if !CanMove(from, to) {
		return from, fault.StateConflict(fmt.Sprintf("A referral that is %s cannot become %s.", from, to), string(from))
	}
	return to, nil
}

// Step is a status's place along the pathway, for counting how far referrals got: the three
// outcomes of triage share a step, and a panel comes after the multi-agency meeting.
func (s Status) Step() int {
	switch s {
	case Received:
		return 0
	case Accepted, Redirected, Declined:
		return 1
	}
	return slices.Index(Statuses, s)
}

// StageReached is the first day a referral reached a stage (a status), and how long it took:
// whole days from receipt, and from the stage before it on the pathway that the referral had
// reached (nil for receipt itself). The funnel report counts and takes medians of these.
type StageReached struct {
	Stage            Status
	On               time.Time
	DaysFromReceived int
	DaysFromPrevious *int
}

// Reach times a referral received on received reaching stage on the day on, given the days it
// first reached its other stages. The day is kept between receipt and today: a meeting recorded on
// the pathway may have been held before the referral arrived. The stage before is the one with
// the highest step below the stage's own (the latest of them on a tie); receipt when there is none.
func Reach(received time.Time, reached map[Status]time.Time, stage Status, on, today time.Time) StageReached {
	if on.Before(received) {
		on = received
	}
	if on.After(today) {
		on = today
	}
	out := StageReached{Stage: stage, On: on, DaysFromReceived: statutory.DaysBetween(received, on)}
	if stage == Received {
		return out
	}
	prevStep, prevOn := Received.Step(), received
	for s, d := range reached {
		if s.Step() >= stage.Step() || s.Step() < prevStep {
			continue
		}
		if s.Step() > prevStep || d.After(prevOn) {
			prevStep, prevOn = s.Step(), d
		}
	}
	gap := statutory.DaysBetween(prevOn, on)
	out.DaysFromPrevious = &gap
	return out
}
