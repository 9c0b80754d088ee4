// Package reassessment holds re-assessments of an EHC plan (sections 44(2) and 44(3) of the
// Children and Families Act 2014; Regs 24 to 27): a request from the family or a school or college
// and the authority's Reg 25(1) decision on it, or the authority's own decision to re-assess; the
// exception periods of Reg 27(3); and the amended or replacement final plan that ends it. The due
// dates come from statutory.Reassessment on read and are never stored. Standard library only.
package reassessment

import (
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names re-assessments in the audit trail, outbox, timeline and deadlines.
const RecordType = "reassessment"

// MaxExceptions bounds the exception periods one re-assessment holds.
const MaxExceptions = 50

// Status is where a re-assessment stands.
type Status string

// The statuses.
const (
	Requested   Status = "requested"   // a s.44(2) request awaits the Reg 25(1) decision
	Refused     Status = "refused"     // the authority decided not to re-assess
	Reassessing Status = "reassessing" // the 14 weeks of Reg 27(2) run
	Completed   Status = "completed"   // the amended or replacement final plan was issued
)

// Open reports whether the re-assessment is still running.
func (s Status) Open() bool { return s == Requested || s == Reassessing }

// The routes into a re-assessment.
const (
	RouteRequest   = "request"    // asked for under s.44(2)
	RouteOwnMotion = "own_motion" // the authority's own decision under s.44(3)
)

// Who may ask for a re-assessment (s.44(2)): the child's parent, the young person, or the
// governing body, proprietor or principal of the school or post-16 institution they attend.
var requesters = map[string]bool{"parent": true, "young_person": true, "school_or_college": true}

// The Reg 25(1) decisions.
const (
	Agree  = "agree"
	Refuse = "refuse"
)

// Decision is the Reg 25(1) decision on a request and the day the family was notified of it.
type Decision struct {
	Decision   string
	Reasons    string
	NotifiedOn time.Time
}

// Completion is the amended or replacement final plan that ended the re-assessment.
type Completion struct {
	CompletedOn time.Time
	PlanVersion int
}

// Reassessment is one re-assessment of one plan.
type Reassessment struct {
	ID, PlanID, YoungPersonID string
	Route                     string
	RequestedBy               string     // route request: who asked
	ReceivedOn                *time.Time // route request: the day the request was received
	OwnMotionOn               *time.Time // route own_motion: the day the authority decided
	Status                    Status
	Decision                  *Decision
	Exceptions                []statutory.Exception
	Completion                *Completion
	Notes                     string
	CreatedAt, UpdatedAt      time.Time
	Version                   int
}

// Input starts a re-assessment.
type Input struct {
	Route, RequestedBy, Notes string
	ReceivedOn, DecidedOn     time.Time
}

// New starts a re-assessment of plan planID of young person youngPersonID: a request received on
// in.ReceivedOn, or the authority's own decision on in.DecidedOn. Every bad field is named.
func New(planID, youngPersonID string, in Input, today time.Time) (Reassessment, error) {
	r := Reassessment{PlanID: planID, YoungPersonID: youngPersonID, Route: in.Route, Notes: in.Notes}
	var errs []fault.FieldError
	switch in.Route {
	case RouteRequest:
		if !requesters[in.RequestedBy] {
			errs = append(errs, fault.FieldError{Pointer: "/requested_by", Detail: "is required for a request: parent, young_person or school_or_college"})
		}
		errs = statutory.AppendDay(errs, "/received_on", in.ReceivedOn, time.Time{}, "", today)
		if !in.DecidedOn.IsZero() {
			errs = append(errs, fault.FieldError{Pointer: "/decided_on", Detail: "is for own_motion; a request is decided with POST /v1/reassessments/{id}/decision"})
		}
		on := statutory.Civil(in.ReceivedOn)
		r.RequestedBy, r.ReceivedOn, r.Status = in.RequestedBy, &on, Requested
	case RouteOwnMotion:
		if in.RequestedBy != "" {
			errs = append(errs, fault.FieldError{Pointer: "/requested_by", Detail: "is for a request; the authority re-assesses of its own motion"})
		}
		if !in.ReceivedOn.IsZero() {
			errs = append(errs, fault.FieldError{Pointer: "/received_on", Detail: "is for a request; give decided_on"})
		}
		errs = statutory.AppendDay(errs, "/decided_on", in.DecidedOn, time.Time{}, "", today)
		on := statutory.Civil(in.DecidedOn)
		r.OwnMotionOn, r.Status = &on, Reassessing
	default:
		errs = append(errs, fault.FieldError{Pointer: "/route", Detail: "must be request or own_motion"})
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return Reassessment{}, err
	}
	return r, nil
}

// Requested is the day the request was received; zero for own motion.
func (r Reassessment) Requested() time.Time {
	if r.ReceivedOn == nil {
		return time.Time{}
	}
	return *r.ReceivedOn
}

// Started is the day the 14 weeks run from: the Reg 25(1) notification that the authority will
// re-assess, or its own-motion decision. Never the request. Zero while not decided to re-assess.
func (r Reassessment) Started() time.Time {
	switch {
	case r.OwnMotionOn != nil:
		return *r.OwnMotionOn
	case r.Decision != nil && r.Decision.Decision == Agree:
		return r.Decision.NotifiedOn
	}
	return time.Time{}
}

// Deadlines is the re-assessment's timetable from the statutory calendar.
func (r Reassessment) Deadlines() statutory.ReassessmentDeadlines {
	return statutory.Reassessment(r.Requested(), r.Started(), r.Exceptions)
}

// DecisionLate reports whether the Reg 25(1) decision was notified after its 15 days.
func (r Reassessment) DecisionLate() bool {
	return r.Decision != nil && r.ReceivedOn != nil && r.Decision.NotifiedOn.After(r.Deadlines().DecisionDue)
}

// CompletionLate reports whether the final plan was issued after the exception-adjusted limit.
func (r Reassessment) CompletionLate() bool {
	return r.Completion != nil && r.Completion.CompletedOn.After(r.Deadlines().FinalPlanAdjusted)
}

// Decide records the Reg 25(1) decision on a request, notified on notified. Reasons are required
// to refuse. A decision notified after the 15 days is taken (DecisionLate tells).
func (r *Reassessment) Decide(decision, reasons string, notified, today time.Time) error {
	if r.Route != RouteRequest {
		return fault.StateConflict("The authority decided of its own motion to re-assess; there is no request to decide.", string(r.Status))
	}
	if r.Status != Requested {
		return fault.StateConflict("This request has already been decided; it is "+string(r.Status)+".", string(r.Status))
	}
	var errs []fault.FieldError
	if decision != Agree && decision != Refuse {
		errs = append(errs, fault.FieldError{Pointer: "/decision", Detail: "must be agree or refuse"})
	}
	errs = statutory.AppendDay(errs, "/notified_on", notified, r.Requested(), "the day the request was received", today)
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if decision == Refuse && strings.TrimSpace(reasons) == "" {
		return fault.Field(fault.Unprocessable, "/reasons", "a refusal to re-assess must give reasons")
	}
	r.Decision = &Decision{Decision: decision, Reasons: reasons, NotifiedOn: statutory.Civil(notified)}
	r.Status = Reassessing
	if decision == Refuse {
		r.Status = Refused
	}
	return nil
}

// AddException records an exception period on grounds (a) to (d) of Reg 27(3). Only an open
// re-assessment takes them.
func (r *Reassessment) AddException(e statutory.Exception) error {
	if !r.Status.Open() {
		return fault.StateConflict("Exceptions are recorded while the re-assessment is open; this one is "+string(r.Status)+".", string(r.Status))
	}
	e, err := statutory.CheckAuthorityException(e, "Reg 27(3)")
	if err != nil {
		return err
	}
	if len(r.Exceptions) >= MaxExceptions {
		return fault.New(fault.Unprocessable, "This re-assessment already has the most exception periods one may hold.")
	}
	r.Exceptions = append(r.Exceptions, e)
	return nil
}

// PlanVersion is what Complete needs to know of the plan version it names.
type PlanVersion struct {
	Number   int
	Final    bool       // a final or amended final
	IssuedOn *time.Time // the day it was issued
}

// Complete records the amended or replacement final plan, issued on completed, as version v of
// the plan. Only while reassessing; v must be a final issued on or after the day the 14 weeks
// started, and completed must be that version's issue day.
func (r *Reassessment) Complete(completed time.Time, v *PlanVersion, today time.Time) error {
	if r.Status != Reassessing {
		return fault.StateConflict("Only a re-assessment under way can be completed; this one is "+string(r.Status)+".", string(r.Status))
	}
	started := r.Started()
	if err := statutory.DayError("/completed_on", completed, started, "the day the re-assessment started", today); err != nil {
		return err
	}
	completed = statutory.Civil(completed)
	switch {
	case v == nil:
		return fault.Field(fault.Unprocessable, "/plan_version", "is not a version of this plan")
	case !v.Final || v.IssuedOn == nil:
		return fault.Field(fault.Unprocessable, "/plan_version", "must be a final or amended final version of the plan")
	case v.IssuedOn.Before(started):
		return fault.Field(fault.Unprocessable, "/plan_version", "was issued before the re-assessment started")
	case !v.IssuedOn.Equal(completed):
		return fault.Field(fault.Unprocessable, "/completed_on", "must be the day plan version "+strconv.Itoa(v.Number)+" was issued ("+v.IssuedOn.Format("2006-01-02")+")")
	}
	r.Completion, r.Status = &Completion{CompletedOn: completed, PlanVersion: v.Number}, Completed
	return nil
}

// Filter narrows a list.
type Filter struct {
	PlanID, YoungPersonID string
	Status                Status
	// Open: only requested or reassessing.
	Open bool
}
