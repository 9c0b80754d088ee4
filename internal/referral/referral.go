package referral

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Referral is the pathway's intake record.
type Referral struct {
	ID                     string
	Reference              string
	Status                 Status
	YoungPersonID          string
	ReferrerPractitionerID string
	ReferrerOrganisationID string
	Reasons                []string
	MainReason             string
	ServicesInvolved       []string
	SafeguardingConcern    bool
	// SafeguardingRaised records a concern found after the referral was received (see
	// RaiseSafeguardingConcern); nil when there is none or it came with the referral.
	SafeguardingRaised *SafeguardingRaised
	Consent            *Consent
	Summary            string
	ReceivedOn         time.Time
	// Locality is the child's locality when the referral was received: the pathway counts a
	// referral where it was made, whatever moves follow.
	Locality         string
	Route            string
	Eligibility      Eligibility
	Triage           *Triage
	EngagementLeadID string
	Closure          *Closure
	// ExternalIDs are other systems' ids for the referral (kept in external_ids).
	ExternalIDs []externalid.ID
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// ForFamily is the referral as the child's family reads it: without a safeguarding concern (the
// flag, always false to them, and a concern raised since, with its reason and whether a social
// worker must take over) and without the referrer's summary, free text that may tell one. The
// family may be the subject of the concern; the council tells them what it can itself.
func (r Referral) ForFamily() Referral {
	r.SafeguardingConcern, r.SafeguardingRaised, r.Summary = false, nil, ""
	return r
}

// FamilyHides reports whether a timeline entry of kind is withheld from the child's family, as
// the safeguarding concern it records is (ForFamily).
func FamilyHides(kind string) bool { return kind == TimelineSafeguardingRaised }

// TimelineSafeguardingRaised is the timeline entry of a safeguarding concern raised on a referral.
const TimelineSafeguardingRaised = "referral.safeguarding_concern_raised"

// Consent to share information, as given at referral. The JSON tags are the stored form.
type Consent struct {
	GivenBy      string    `json:"given_by"`
	Relationship string    `json:"relationship"`
	GivenOn      time.Time `json:"given_on"`
}

// Reason is one reason a referral can give, with the words the Salford pathfinder reported it in.
type Reason struct{ Code, Label string }

// Reasons lists the referral reasons in the order the pathfinder's activity overview gave them,
// social care (reported as a main reason) last.
var Reasons = []Reason{
	{"adhd", "ADHD"}, {"asd_asc", "ASD / ASC"}, {"attachment", "Attachment"}, {"behaviour", "Behaviour"},
	{"complex_health_needs", "Complex health needs"}, {"complex_needs", "Complex needs"}, {"development", "Development"},
	{"hearing_deaf", "Hearing / Deaf"}, {"physical_mobility", "Physical / mobility"}, {"semh", "SEMH"}, {"sen", "SEN"},
	{"speech_language", "Speech & language"}, {"transitional_support", "Transitional support"}, {"visual_impairment", "Visual impairment"},
	{"social_care", "Social care"},
}

// Routes after acceptance.
const (
	RouteFamilyAssessment       = "family_assessment"
	RouteSafeguardingAssessment = "safeguarding_assessment"
)

// FormatReference renders the human reference of the n-th referral received in year.
func FormatReference(year int, n int64) string { return fmt.Sprintf("REF-%04d-%06d", year, n) }

// Normalise fills the defaults a received referral must have and checks the cross-field rules.
func (r *Referral) Normalise(today time.Time) error {
	var errs []fault.FieldError
	if r.MainReason == "" && len(r.Reasons) > 0 {
		r.MainReason = r.Reasons[0]
	}
	if r.MainReason != "" && !slices.Contains(r.Reasons, r.MainReason) {
		errs = append(errs, fault.FieldError{Pointer: "/main_reason", Detail: "must be one of the reasons"})
	}
	if r.ReceivedOn.After(today) {
		errs = append(errs, fault.FieldError{Pointer: "/received_on", Detail: "must not be in the future"})
	}
	if r.Consent != nil && r.Consent.GivenOn.After(today) {
		errs = append(errs, fault.FieldError{Pointer: "/consent/given_on", Detail: "must not be in the future"})
	}
	return fault.Fields(fault.Invalid, errs)
}

// Eligibility for the 0-25 pathway: aged 0 to 25, supported by two or more services, and living
// in or attending a setting in the area.
type Eligibility struct {
	Eligible          bool      `json:"eligible"`
	AgeInRange        bool      `json:"age_in_range"`
	Age               int       `json:"age"`
	TwoOrMoreServices bool      `json:"two_or_more_services"`
	ServicesCount     int       `json:"services_count"`
	InArea            bool      `json:"in_area"`
	AssessedOn        time.Time `json:"assessed_on"`
	Unmet             []string  `json:"unmet,omitempty"`
}

// CheckReceived refuses a referral received before the child it is about was born: such a date
// is a mistake (it made an eligibility of age -1, and counted in the reports and SEN2 for a year
// before the child existed), not a referral to judge.
func CheckReceived(received, dob time.Time) error {
	if !dob.IsZero() && statutory.Civil(received).Before(statutory.Civil(dob)) {
		return fault.Field(fault.Unprocessable, "/received_on", "must not be before the young person's date of birth")
	}
	return nil
}

// AssessEligibility applies the pathway's criteria on the day of receipt.
func AssessEligibility(dob, on time.Time, services int, inArea bool) Eligibility {
	e := Eligibility{
		AgeInRange:        age.InRange0to25(dob, on),
		Age:               age.YearsOn(dob, on),
		ServicesCount:     services,
		TwoOrMoreServices: services >= 2,
		InArea:            inArea,
		AssessedOn:        on,
	}
	if !e.AgeInRange {
		e.Unmet = append(e.Unmet, "not aged 0 to 25 on the day of receipt")
	}
	if !e.TwoOrMoreServices {
		e.Unmet = append(e.Unmet, "fewer than two services involved")
	}
	if !e.InArea {
		e.Unmet = append(e.Unmet, "neither lives in nor attends a setting in the area")
	}
	e.Eligible = len(e.Unmet) == 0
	return e
}

// InArea reports whether either locality is one of the area's. An empty area means the whole
// council, so everyone is in it.
func InArea(area []string, localities ...string) bool {
	if len(area) == 0 {
		return true
	}
	for _, l := range localities {
		for _, a := range area {
			if l != "" && strings.EqualFold(strings.TrimSpace(l), strings.TrimSpace(a)) {
				return true
			}
		}
	}
	return false
}

// Triage decisions.
const (
	DecisionAccept   = "accept"
	DecisionRedirect = "redirect"
	DecisionDecline  = "decline"
)

// Triage is the front door's decision on a received referral.
type Triage struct {
	Decision       string    `json:"decision"`
	Route          string    `json:"route,omitempty"`
	Reason         string    `json:"reason"`
	RedirectTo     string    `json:"redirect_to,omitempty"`
	OverrideReason string    `json:"override_reason,omitempty"`
	TriagedAt      time.Time `json:"triaged_at"`
	TriagedBy      string    `json:"triaged_by,omitempty"`
}

// ApplyTriage records the decision t on r, enforcing the pathway's rules.
func (r *Referral) ApplyTriage(t Triage) error {
	var to Status
	switch t.Decision {
	case DecisionAccept:
		to = Accepted
	case DecisionRedirect:
		to = Redirected
	case DecisionDecline:
		to = Declined
	default:
		return fault.Field(fault.Invalid, "/decision", "must be accept, redirect or decline")
	}
	next, err := Move(r.Status, to)
	if err != nil {
		return err
	}
	switch t.Decision {
	case DecisionAccept:
		want := RouteFamilyAssessment
		if r.SafeguardingConcern {
			want = RouteSafeguardingAssessment
		}
		if t.Route == "" {
			t.Route = want
		}
		if t.Route != want {
			detail := "a referral without a recorded safeguarding concern goes to family_assessment; record the concern first"
			if r.SafeguardingConcern {
				detail = "a referral with a safeguarding concern goes to safeguarding_assessment"
			}
			return fault.Field(fault.Unprocessable, "/route", detail)
		}
		if !r.Eligibility.Eligible && t.OverrideReason == "" {
			return fault.Field(fault.Unprocessable, "/override_reason",
				"the referral is not eligible ("+strings.Join(r.Eligibility.Unmet, "; ")+"); accepting it needs an override reason")
		}
		if t.RedirectTo != "" {
			return fault.Field(fault.Invalid, "/redirect_to", "only a redirect names a service to redirect to")
		}
	case DecisionRedirect:
		if t.RedirectTo == "" {
			return fault.Field(fault.Invalid, "/redirect_to", "is required when redirecting")
		}
		if err := onlyWhenAccepting(t); err != nil {
			return err
		}
	case DecisionDecline:
		if t.RedirectTo != "" {
			return fault.Field(fault.Invalid, "/redirect_to", "only a redirect names a service to redirect to")
		}
		if err := onlyWhenAccepting(t); err != nil {
			return err
		}
	}
	r.Status = next
	r.Route = t.Route
	r.Triage = &t
	return nil
}

// onlyWhenAccepting refuses the fields that make sense only for an acceptance.
func onlyWhenAccepting(t Triage) error {
	var errs []fault.FieldError
	if t.Route != "" {
		errs = append(errs, fault.FieldError{Pointer: "/route", Detail: "applies only when accepting"})
	}
	if t.OverrideReason != "" {
		errs = append(errs, fault.FieldError{Pointer: "/override_reason", Detail: "applies only when accepting"})
	}
	return fault.Fields(fault.Invalid, errs)
}

// Closing outcomes.
var Outcomes = []string{"needs_met", "ehc_needs_assessment_requested", "moved_to_adult_services", "moved_away", "family_withdrew", "other"}

// OutcomesBeforeTriage are the outcomes that may close a referral still awaiting triage: events
// in the family's life, not judgements about the referral. Any other ending of a received
// referral is triage's to make (decline or redirect, with a reason).
var OutcomesBeforeTriage = []string{"moved_away", "family_withdrew"}

// Closure records how a referral's pathway ended. The JSON tags are the stored form.
type Closure struct {
	Outcome  string    `json:"outcome"`
	Reason   string    `json:"reason"`
	ClosedAt time.Time `json:"closed_at"`
}

// Close ends the pathway with an outcome. A referral still awaiting triage closes only with one
// of OutcomesBeforeTriage.
func (r *Referral) Close(outcome, reason string, at time.Time) error {
	if !slices.Contains(Outcomes, outcome) {
		return fault.Field(fault.Invalid, "/outcome", "must be one of "+strings.Join(Outcomes, ", "))
	}
	if r.Status == Received && !slices.Contains(OutcomesBeforeTriage, outcome) {
		return fault.StateConflict("A referral awaiting triage can be closed only because the family moved away or withdrew ("+
			strings.Join(OutcomesBeforeTriage, ", ")+"); triage it to decline or redirect it otherwise.", string(r.Status))
	}
	next, err := Move(r.Status, Closed)
	if err != nil {
		return err
	}
	r.Status, r.Closure = next, &Closure{Outcome: outcome, Reason: reason, ClosedAt: at}
	return nil
}

// Transition makes one of the pathway's moves that no other record makes. Triage and closing
// have their own calls, which record what they decide.
func (r *Referral) Transition(to Status) error {
	switch to {
	case Accepted, Redirected, Declined:
		return fault.StateConflict("Use triage to accept, redirect or decline a referral.", string(r.Status))
	case Closed:
		return fault.StateConflict("Use close to close a referral with its outcome.", string(r.Status))
	}
	next, err := Move(r.Status, to)
	if err != nil {
		return err
	}
	r.Status = next
	return nil
}

// AllocateLead names the engagement lead chosen at the allocation meeting: once the family
// assessment has started and while the pathway runs. Where a safeguarding concern is recorded the
// lead must be a social worker. The first allocation moves an assessing referral to allocated.
func (r *Referral) AllocateLead(practitionerID string, isSocialWorker bool) error {
	if err := r.Allocatable(); err != nil {
		return err
	}
	if r.SafeguardingConcern && !isSocialWorker {
		return fault.Field(fault.Unprocessable, "/practitioner_id", "a safeguarding concern is recorded, so the engagement lead must be a social worker")
	}
	if practitionerID == r.EngagementLeadID {
		return fault.StateConflict("This practitioner is already the engagement lead.", string(r.Status))
	}
	r.EngagementLeadID = practitionerID
	if r.Status == Assessing {
		r.Status = Allocated
	}
	return nil
}

// SafeguardingRaised is a safeguarding concern found after the referral was received, for
// example during the family assessment. The JSON tags are the stored form.
type SafeguardingRaised struct {
	Reason   string    `json:"reason"`
	RaisedOn time.Time `json:"raised_on"`
	// RouteBefore is the route the referral was on when the concern was raised; "" before triage.
	RouteBefore string `json:"route_before,omitempty"`
	// LeadToReplace is the engagement lead in post when the concern was raised, when they are not
	// a social worker (ConcernOutcome.ReplaceLead); "" otherwise. See LeadMustBeSocialWorker.
	LeadToReplace string `json:"lead_to_replace,omitempty"`
}

// ConcernOutcome is what raising a safeguarding concern changed and what it asks of the caller.
type ConcernOutcome struct {
	// RouteChanged: the referral moved from the family assessment to the safeguarding
	// assessment (CAFA) route.
	RouteChanged bool
	// ReplaceLead: the current engagement lead is not a social worker, and a safeguarding case is
	// led by one (see AllocateLead): allocate a social worker as engagement lead. The current lead
	// stays until then, so the case is never without one.
	ReplaceLead bool
}

// RaiseSafeguardingConcern records a safeguarding concern found on on, after the referral was
// received, at any stage until it is closed, redirected or declined. It sets the concern, and
// moves a triaged referral to the safeguarding assessment route; one still awaiting triage gets
// that route at triage, which follows the concern. leadIsSocialWorker says whether the current
// engagement lead (if any) is a social worker; the outcome reports whether the lead must be
// replaced.
//
// The intake details of a triaged referral stay closed to PATCH (CheckEditable): this is the one
// way to record a concern later, so the day, the reason and the route it replaced are kept.
func (r *Referral) RaiseSafeguardingConcern(reason string, on, today time.Time, leadIsSocialWorker bool) (ConcernOutcome, error) {
	if r.Status.Terminal() {
		return ConcernOutcome{}, fault.StateConflict("A safeguarding concern is raised on a referral still open; this referral is "+
			string(r.Status)+". Make a new referral.", string(r.Status))
	}
	if r.SafeguardingConcern {
		return ConcernOutcome{}, fault.StateConflict("A safeguarding concern is already recorded on this referral.", string(r.Status))
	}
	var errs []fault.FieldError
	if strings.TrimSpace(reason) == "" {
		errs = append(errs, fault.FieldError{Pointer: "/reason", Detail: "is required"})
	}
	errs = statutory.AppendDay(errs, "/raised_on", on, r.ReceivedOn, "the day the referral was received", today)
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return ConcernOutcome{}, err
	}
	out := ConcernOutcome{ReplaceLead: r.EngagementLeadID != "" && !leadIsSocialWorker}
	r.SafeguardingRaised = &SafeguardingRaised{Reason: reason, RaisedOn: statutory.Civil(on), RouteBefore: r.Route}
	if out.ReplaceLead {
		r.SafeguardingRaised.LeadToReplace = r.EngagementLeadID
	}
	r.SafeguardingConcern = true
	if r.Status != Received && r.Route != RouteSafeguardingAssessment {
		r.Route, out.RouteChanged = RouteSafeguardingAssessment, true
	}
	return out, nil
}

// LeadMustBeSocialWorker reports whether the referral waits for a social worker to take over as
// engagement lead: a safeguarding concern was raised while a lead who is not a social worker was
// in post, that lead is still the current one, and the pathway is still running. Allocating a
// social worker (AllocateLead insists on one) ends the wait.
func (r Referral) LeadMustBeSocialWorker() bool {
	return r.SafeguardingRaised != nil && r.SafeguardingRaised.LeadToReplace != "" &&
		r.SafeguardingRaised.LeadToReplace == r.EngagementLeadID && !r.Status.Terminal()
}

// Allocatable reports whether an engagement lead may be allocated now.
func (r Referral) Allocatable() error {
	switch r.Status {
	case Assessing, Allocated, MAMHeld, Panel, PlanInPlace, Reviewing:
		return nil
	}
	return fault.StateConflict("An engagement lead is allocated once the family assessment has started; this referral is "+string(r.Status)+".", string(r.Status))
}

// Open reports whether the pathway is still running (triaged in and not closed).
func (r *Referral) Open() bool {
	return r.Status != Received && !r.Status.Terminal()
}

// CheckEditable refuses changes to the referral's intake details once it has been triaged.
func (r *Referral) CheckEditable() error {
	if r.Status != Received {
		return fault.StateConflict(fmt.Sprintf("A referral that is %s can no longer be changed.", r.Status), string(r.Status))
	}
	return nil
}

// Corrected is r with the intake details of next (reasons, main reason, services involved,
// safeguarding concern, consent, summary): the only part of a referral a correction before triage
// may change; everything else is carried over. changed names the fields the caller changed: new
// reasons without a new main reason clear it, so it defaults to the first of the new reasons.
func (r Referral) Corrected(next Referral, changed []string) Referral {
	r.Reasons, r.MainReason, r.ServicesInvolved = next.Reasons, next.MainReason, next.ServicesInvolved
	r.SafeguardingConcern, r.Consent, r.Summary = next.SafeguardingConcern, next.Consent, next.Summary
	r.ExternalIDs = next.ExternalIDs
	if slices.Contains(changed, "reasons") && !slices.Contains(changed, "main_reason") {
		r.MainReason = ""
	}
	return r
}
