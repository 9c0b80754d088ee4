// Package transition holds a young person's plan for the move to adulthood, from Year 9 to 25:
// the four preparing-for-adulthood (PfA) areas, the named adult-services contacts, the Care Act
// 2014 s.58 child's needs assessment, the NHS continuing healthcare (CHC) milestones and the
// expected end of the EHC plan. It also holds the age arithmetic behind the "no young person
// slips through the net" measures: when a young person comes into scope for a transition plan,
// and which birth dates are in scope on a day.
package transition

import (
	"slices"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names transition plans in the audit trail, outbox and timeline.
const RecordType = "transition_plan"

// A plan runs for young people aged 13 to 25. Transition conversations start at 13 and joint
// children's and adult planning runs from 14 to 25 (Hammersmith & Fulham transitions seed); the
// PfA duties apply from Year 9, the school year in which a child turns 14 (SEND Code of Practice
// 2015, chapter 8), and an EHC plan can run to the end of the academic year in which they turn 25.
const (
	MinAge = 13
	MaxAge = 25
)

// Gap thresholds: the age from which a young person with an open referral or an EHC plan must
// have a transition plan. 14 by default (the seed's "from age 14"), down to 13.
const (
	DefaultGapMinAge = 14
	MinGapAge        = 13
	MaxGapAge        = 25
)

// Year9 is the National Curriculum year in which PfA provision must start.
const Year9 = 9

// Adult services a contact may be named for.
const (
	ServiceAdultSocialCare   = "adult_social_care"
	ServiceAdultHealth       = "adult_health"
	ServiceAdultMentalHealth = "adult_mental_health"
	ServiceHousing           = "housing"
	ServiceEmploymentSupport = "employment_support"
	ServiceFurtherEducation  = "further_education"
	ServiceOther             = "other"
)

// Services lists the adult services a contact may be named for.
var Services = []string{ServiceAdultSocialCare, ServiceAdultHealth, ServiceAdultMentalHealth, ServiceHousing,
	ServiceEmploymentSupport, ServiceFurtherEducation, ServiceOther}

// Care Act 2014 s.58 child's needs assessment statuses.
const (
	CareActNotNeeded  = "not_needed"  // not likely to need care and support after 18
	CareActNotYetDue  = "not_yet_due" // not yet of significant benefit
	CareActRequested  = "requested"
	CareActInProgress = "in_progress"
	CareActCompleted  = "completed"
	CareActDeclined   = "declined" // refused by the young person or parent (s.58(3)); the refusal is recorded
)

// CareActStatuses lists the statuses.
var CareActStatuses = []string{CareActNotNeeded, CareActNotYetDue, CareActRequested, CareActInProgress, CareActCompleted, CareActDeclined}

// Why a plan ended.
const (
	EndMovedToAdultServices = "moved_to_adult_services"
	EndEHCPlanCeased        = "ehc_plan_ceased"
	EndLeftArea             = "left_area"
	EndNoLongerNeeded       = "no_longer_needed"
	EndReachedUpperAge      = "reached_upper_age"
	EndReplaced             = "replaced"
	EndOther                = "other"
)

// EndReasons lists why a plan may end.
var EndReasons = []string{EndMovedToAdultServices, EndEHCPlanCeased, EndLeftArea, EndNoLongerNeeded, EndReachedUpperAge, EndReplaced, EndOther}

// MaxContacts caps the adult-services contacts on one plan.
const MaxContacts = 30

// Area is one PfA area: what the young person wants and what will be done.
type Area struct {
	Aspirations string `json:"aspirations,omitempty"`
	Actions     string `json:"actions,omitempty"`
}

// PfA holds the four preparing-for-adulthood areas (SEND Code of Practice 2015, chapter 8). The JSON
// tags are the stored form.
type PfA struct {
	EmploymentEducation Area `json:"employment_education"` // employment and higher education
	IndependentLiving   Area `json:"independent_living"`
	Community           Area `json:"community"` // friends, relationships and community
	Health              Area `json:"health"`    // good health
}

// Contact is a named adult-services contact. The JSON tags are the stored form.
type Contact struct {
	Service        string `json:"service"`
	OrganisationID string `json:"organisation_id,omitempty"`
	ContactName    string `json:"contact_name,omitempty"`
	ContactRole    string `json:"contact_role,omitempty"`
}

// CareActAssessment is the Care Act 2014 s.58 transition assessment.
type CareActAssessment struct {
	Status      string
	RequestedOn *time.Time
	CompletedOn *time.Time
	Notes       string
}

// CHC is what has happened on the NHS continuing healthcare path (National Framework for NHS
// Continuing Healthcare, 2022, Part 2 "Transition"). Nil dates have not happened yet.
type CHC struct {
	IdentifiedOn         *time.Time
	ReferredOn           *time.Time
	EligibilityDecidedOn *time.Time
	Eligible             *bool // known once decided
	InPlaceOn            *time.Time
}

// Ending records how a plan ended.
type Ending struct {
	On     time.Time
	Reason string
	Notes  string
}

// Plan is one young person's transition plan.
type Plan struct {
	ID                   string
	YoungPersonID        string
	DateOfBirth          time.Time // the young person's, read with the plan; not part of the plan
	StartedOn            time.Time
	PfA                  PfA
	Contacts             []Contact
	CareAct              CareActAssessment
	CHC                  CHC
	EHCPlanExpectedEndOn *time.Time
	Notes                string
	Ending               *Ending
	CreatedAt, UpdatedAt time.Time
	Version              int
}

// Ended reports whether the plan has ended.
func (p Plan) Ended() bool { return p.Ending != nil }

// CurrentOn reports whether the plan is in effect on day: started on or before it and not ended
// on or before it (an end takes effect on its own day, like an involvement's).
func (p Plan) CurrentOn(day time.Time) bool {
	day = statutory.Civil(day)
	return !p.StartedOn.After(day) && (p.Ending == nil || p.Ending.On.After(day))
}

// Normalise fills defaults and truncates every date to a civil date.
func (p *Plan) Normalise() {
	p.StartedOn = statutory.Civil(p.StartedOn)
	if p.CareAct.Status == "" {
		p.CareAct.Status = CareActNotYetDue
	}
	for _, d := range []**time.Time{&p.CareAct.RequestedOn, &p.CareAct.CompletedOn, &p.CHC.IdentifiedOn, &p.CHC.ReferredOn,
		&p.CHC.EligibilityDecidedOn, &p.CHC.InPlaceOn, &p.EHCPlanExpectedEndOn} {
		if *d != nil {
			c := statutory.Civil(**d)
			*d = &c
		}
	}
}

// Validate checks the plan for a young person born on p.DateOfBirth as of today. Malformed
// fields are Invalid (400); rules about the young person's age are Unprocessable (422).
func (p *Plan) Validate(today time.Time) error {
	p.Normalise()
	today = statutory.Civil(today)
	var errs []fault.FieldError
	add := func(ptr, detail string) { errs = append(errs, fault.FieldError{Pointer: ptr, Detail: detail}) }
	notFuture := func(ptr string, d *time.Time) {
		if d != nil && d.After(today) {
			add(ptr, "must not be in the future")
		}
	}
	switch {
	case p.StartedOn.IsZero():
		add("/started_on", "is required")
	case p.StartedOn.After(today):
		add("/started_on", "must not be in the future")
	}
	if len(p.Contacts) > MaxContacts {
		add("/adult_services_contacts", "too many contacts")
	}
	for i, c := range p.Contacts {
		ptr := "/adult_services_contacts/" + strconv.Itoa(i)
		if !slices.Contains(Services, c.Service) {
			add(ptr+"/service", "is not a known adult service")
		}
		if c.OrganisationID == "" && c.ContactName == "" {
			add(ptr+"/contact_name", "a contact names a person, an organisation or both")
		}
	}
	ca := p.CareAct
	if !slices.Contains(CareActStatuses, ca.Status) {
		add("/care_act_assessment/status", "is not a known status")
	}
	if (ca.Status == CareActRequested || ca.Status == CareActInProgress || ca.Status == CareActCompleted) && ca.RequestedOn == nil {
		add("/care_act_assessment/requested_on", "is required once the assessment has been requested")
	}
	if ca.Status == CareActCompleted && ca.CompletedOn == nil {
		add("/care_act_assessment/completed_on", "is required for a completed assessment")
	}
	if ca.Status != CareActCompleted && ca.CompletedOn != nil {
		add("/care_act_assessment/completed_on", "only a completed assessment has a completion date")
	}
	notFuture("/care_act_assessment/requested_on", ca.RequestedOn)
	notFuture("/care_act_assessment/completed_on", ca.CompletedOn)
	if ca.RequestedOn != nil && ca.CompletedOn != nil && ca.CompletedOn.Before(*ca.RequestedOn) {
		add("/care_act_assessment/completed_on", "must not be before requested_on")
	}
	c := p.CHC
	steps := []struct {
		ptr string
		on  *time.Time
	}{{"/chc/identified_on", c.IdentifiedOn}, {"/chc/referred_on", c.ReferredOn},
		{"/chc/eligibility_decided_on", c.EligibilityDecidedOn}, {"/chc/in_place_on", c.InPlaceOn}}
	var prev *time.Time
	for _, s := range steps {
		notFuture(s.ptr, s.on)
		if s.on == nil {
			continue
		}
		if prev != nil && s.on.Before(*prev) {
			add(s.ptr, "must not be before the earlier CHC steps")
		}
		prev = s.on
	}
	if c.Eligible != nil && c.EligibilityDecidedOn == nil {
		add("/chc/eligible", "is known only once eligibility_decided_on is recorded")
	}
	if c.EligibilityDecidedOn != nil && c.Eligible == nil {
		add("/chc/eligible", "is required once eligibility has been decided")
	}
	if c.InPlaceOn != nil && (c.Eligible == nil || !*c.Eligible) {
		add("/chc/in_place_on", "a continuing healthcare package is put in place only for a young person found eligible")
	}
	if p.EHCPlanExpectedEndOn != nil && !p.StartedOn.IsZero() && p.EHCPlanExpectedEndOn.Before(p.StartedOn) {
		add("/ehc_plan_expected_end_on", "must not be before started_on")
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if years := age.YearsOn(p.DateOfBirth, p.StartedOn); years < MinAge || years > MaxAge {
		return fault.Field(fault.Unprocessable, "/started_on",
			"a transition plan is for a young person aged 13 to 25 on the day it starts; this young person is "+strconv.Itoa(years))
	}
	if p.EHCPlanExpectedEndOn != nil {
		if last := age.EndOfAcademicYearTurning(p.DateOfBirth, MaxAge); p.EHCPlanExpectedEndOn.After(last) {
			return fault.Field(fault.Unprocessable, "/ehc_plan_expected_end_on",
				"an EHC plan cannot be maintained beyond the end of the academic year in which the young person turns 25 ("+
					last.Format(time.DateOnly)+")")
		}
	}
	return nil
}

// CurrentPlanConflict refuses a second plan while one is current: one plan at a time, so every
// contact and milestone is in one place.
func CurrentPlanConflict() error {
	return &fault.Error{Kind: fault.Conflict, Detail: "This young person already has a current transition plan; end it before starting another.",
		Fields: []fault.FieldError{{Pointer: "/young_person_id", Detail: "already has a current transition plan"}}}
}

// End ends a current plan on on (today when zero) for reason.
func (p *Plan) End(on time.Time, reason, notes string, today time.Time) error {
	if p.Ending != nil {
		return fault.StateConflict("This transition plan has already ended.", "ended")
	}
	today = statutory.Civil(today)
	if on.IsZero() {
		on = today
	}
	on = statutory.Civil(on)
	var errs []fault.FieldError
	if on.Before(p.StartedOn) {
		errs = append(errs, fault.FieldError{Pointer: "/ended_on", Detail: "must not be before the plan's started_on"})
	} else if on.After(today) {
		errs = append(errs, fault.FieldError{Pointer: "/ended_on", Detail: "must not be in the future"})
	}
	if !slices.Contains(EndReasons, reason) {
		errs = append(errs, fault.FieldError{Pointer: "/reason", Detail: "is not a known reason"})
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	p.Ending = &Ending{On: on, Reason: reason, Notes: notes}
	return nil
}
