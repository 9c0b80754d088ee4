// Package meeting holds the pathway's meetings (allocation, MAM, MAP, TAF, family service plan,
// review), who attended, what was decided, and the actions agreed, with the rules joining them:
// a MAP records its decision, a meeting is not held in the future, only TAF and family service
// plan meetings may predate the referral they are attached to, and the pathway's own meetings
// come in the pathway's order (MayRecord).
package meeting

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// Meeting types.
const (
	Allocation        = "allocation"          // the allocation meeting that names the engagement lead
	MAM               = "mam"                 // multi-agency meeting, with the family
	MAP               = "map"                 // multi-agency panel: high-cost or high-complexity options
	TAF               = "taf"                 // team around the family
	FamilyServicePlan = "family_service_plan" // family service plan meeting
	Review            = "review"              // review of the plan
)

// Types lists every meeting type.
var Types = []string{Allocation, MAM, MAP, TAF, FamilyServicePlan, Review}

// labels name each type in timeline summaries.
var labels = map[string]string{
	Allocation:        "Allocation meeting",
	MAM:               "MAM",
	MAP:               "MAP",
	TAF:               "TAF meeting",
	FamilyServicePlan: "Family service plan meeting",
	Review:            "Review meeting",
}

// Label names a meeting type for people (timeline summaries, report tables).
func Label(meetingType string) string { return labels[meetingType] }

// MayPredateReferral reports whether a meeting of this type may have been held before the
// referral was received: earlier TAF and family service plan meetings count towards the pathway.
func MayPredateReferral(meetingType string) bool {
	return meetingType == TAF || meetingType == FamilyServicePlan
}

// Attendee kinds.
const (
	KindPractitioner     = "practitioner"
	KindOrganisation     = "organisation"
	KindFamilyMember     = "family_member"
	KindChildYoungPerson = "child_young_person"
)

// How an attendee took part.
const (
	HowDidNotTakePart = "did_not_take_part"
)

// Attendee is one person or organisation at a meeting. The JSON tags are the stored form.
type Attendee struct {
	Kind           string `json:"kind"`
	PractitionerID string `json:"practitioner_id,omitempty"`
	OrganisationID string `json:"organisation_id,omitempty"`
	Name           string `json:"name,omitempty"`
	Relationship   string `json:"relationship,omitempty"`
	TookPart       bool   `json:"took_part"`
	How            string `json:"how,omitempty"`
}

// Participated reports whether the attendee actually took part.
func (a Attendee) Participated() bool { return a.TookPart && a.How != HowDidNotTakePart }

// MAP decision outcomes.
const (
	OutcomeApproved                  = "approved"
	OutcomeDeclined                  = "declined"
	OutcomeDeferred                  = "deferred"
	OutcomeRequestEHCNeedsAssessment = "request_ehc_needs_assessment"
)

// MapDecision is what a multi-agency panel decided. The JSON tags are the stored form.
type MapDecision struct {
	Solution string `json:"solution"`
	CostBand string `json:"cost_band"`
	Outcome  string `json:"outcome"`
}

// Meeting is one meeting on a child's pathway, attached to a referral.
type Meeting struct {
	ID             string
	ReferralID     string
	YoungPersonID  string
	Type           string
	HeldOn         time.Time
	BeforeReferral bool // held before the referral was received
	Attendees      []Attendee
	FamilySaid     string
	Decisions      []string
	MapDecision    *MapDecision
	Actions        []Action // agreed at the meeting; created with it, never patched with it
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// Validate checks the meeting's own fields as of today: what the request itself gets wrong.
func (m Meeting) Validate(today time.Time) error {
	var errs []fault.FieldError
	if !slices.Contains(Types, m.Type) {
		errs = append(errs, fault.FieldError{Pointer: "/type", Detail: "is not a meeting type"})
	}
	if m.HeldOn.IsZero() {
		errs = append(errs, fault.FieldError{Pointer: "/held_on", Detail: "is required"})
	} else if m.HeldOn.After(today) {
		errs = append(errs, fault.FieldError{Pointer: "/held_on", Detail: "must not be in the future"})
	}
	if m.Type != MAP && m.MapDecision != nil {
		errs = append(errs, fault.FieldError{Pointer: "/map_decision", Detail: "is recorded for map meetings only"})
	}
	for i, a := range m.Attendees {
		at := "/attendees/" + strconv.Itoa(i)
		switch a.Kind {
		case KindPractitioner:
			if a.PractitionerID == "" {
				errs = append(errs, fault.FieldError{Pointer: at + "/practitioner_id", Detail: "is required for a practitioner"})
			}
		case KindOrganisation:
			if a.OrganisationID == "" {
				errs = append(errs, fault.FieldError{Pointer: at + "/organisation_id", Detail: "is required for an organisation"})
			}
		case KindFamilyMember, KindChildYoungPerson:
			if strings.TrimSpace(a.Name) == "" {
				errs = append(errs, fault.FieldError{Pointer: at + "/name", Detail: "is required for a family member or the child"})
			}
		default:
			errs = append(errs, fault.FieldError{Pointer: at + "/kind", Detail: "is not an attendee kind"})
		}
	}
	for i, d := range m.Decisions {
		if strings.TrimSpace(d) == "" {
			errs = append(errs, fault.FieldError{Pointer: "/decisions/" + strconv.Itoa(i), Detail: "must not be blank"})
		}
	}
	for i, a := range m.Actions {
		at := "/actions/" + strconv.Itoa(i)
		if strings.TrimSpace(a.What) == "" {
			errs = append(errs, fault.FieldError{Pointer: at + "/what", Detail: "must not be blank"})
		}
		if a.DueOn.IsZero() {
			errs = append(errs, fault.FieldError{Pointer: at + "/due_on", Detail: "is required"})
		}
	}
	return fault.Fields(fault.Invalid, errs)
}

// Attach checks the meeting against the referral it belongs to, received on receivedOn, and
// records whether it was held before the referral. A MAP must record its decision.
func (m *Meeting) Attach(receivedOn time.Time) error {
	var errs []fault.FieldError
	m.BeforeReferral = m.HeldOn.Before(receivedOn)
	if m.BeforeReferral && !MayPredateReferral(m.Type) {
		errs = append(errs, fault.FieldError{Pointer: "/held_on",
			Detail: "must not be before the referral was received; only taf and family_service_plan meetings may predate it"})
	}
	if m.Type == MAP && m.MapDecision == nil {
		errs = append(errs, fault.FieldError{Pointer: "/map_decision", Detail: "is required for a map meeting"})
	}
	return fault.Fields(fault.Unprocessable, errs)
}

// MayRecord says whether a meeting of type meetingType, held on heldOn, may be recorded now on
// the referral r, which already has the meetings recorded. It follows the Salford pathway:
// referral, family assessment, an allocation meeting naming the engagement lead, a MAM with the
// family, a MAP only where needed, then the plan and its reviews.
//
//   - No meeting is added to a referral that is closed, redirected or declined (409).
//   - TAF and family service plan meetings may be recorded at any other time, before triage
//     included: they are the team around the family's own meetings and may predate the referral.
//   - An allocation meeting once the family assessment has started (as referral.AllocateLead).
//   - A MAM once an engagement lead is allocated: the lead arranges it and owns its actions.
//   - A MAP, or a review meeting, once a MAM is recorded, and not dated before the first MAM
//     (422 on /held_on; see InOrder).
//
// A refusal because of the referral's stage is a state conflict naming its status, so the
// caller knows which step to record first. Types Validate does not know are left to it.
func MayRecord(meetingType string, heldOn time.Time, r referral.Referral, recorded []Meeting) error {
	if r.Status.Terminal() {
		return fault.StateConflict("Meetings are recorded on a referral that is still open; this referral is "+string(r.Status)+".",
			string(r.Status))
	}
	switch meetingType {
	case Allocation:
		if r.Allocatable() != nil {
			return fault.StateConflict("The allocation meeting names the engagement lead once the family assessment has started; this referral is "+
				string(r.Status)+".", string(r.Status))
		}
	case MAM:
		if r.EngagementLeadID == "" {
			return fault.StateConflict("A MAM is arranged by the engagement lead: allocate the lead (the allocation meeting) before recording the MAM; this referral is "+
				string(r.Status)+".", string(r.Status))
		}
	case MAP, Review:
		if !slices.ContainsFunc(recorded, func(m Meeting) bool { return m.Type == MAM }) {
			what := "A MAP explores high-cost or high-complexity options after"
			if meetingType == Review {
				what = "A review meeting reviews the plan agreed at"
			}
			return fault.StateConflict(what+" a MAM with the family: record the MAM first.", string(r.Status))
		}
	}
	return InOrder(append(slices.Clone(recorded), Meeting{Type: meetingType, HeldOn: heldOn}))
}

// InOrder checks the dates of one referral's meetings against the pathway's order: no MAP or
// review meeting before the first MAM. It is for corrections too: pass the meetings as they would
// be after the change. A refusal is a 422 on /held_on.
func InOrder(meetings []Meeting) error {
	var firstMAM time.Time
	for _, m := range meetings {
		if m.Type == MAM && (firstMAM.IsZero() || m.HeldOn.Before(firstMAM)) {
			firstMAM = m.HeldOn
		}
	}
	for _, m := range meetings {
		if (m.Type == MAP || m.Type == Review) && !firstMAM.IsZero() && m.HeldOn.Before(firstMAM) {
			return fault.Field(fault.Unprocessable, "/held_on", "a "+m.Type+" meeting must not be held before the first MAM (held on "+
				firstMAM.Format(time.DateOnly)+"); the "+m.Type+" is dated "+m.HeldOn.Format(time.DateOnly))
		}
	}
	return nil
}

// ChildTookPart reports whether the child or young person took part; listed reports whether
// they were listed at all.
func (m Meeting) ChildTookPart() (took, listed bool) {
	for _, a := range m.Attendees {
		if a.Kind == KindChildYoungPerson {
			listed = true
			if a.Participated() {
				return true, true
			}
		}
	}
	return false, listed
}

// Summary describes the meeting for the child's timeline, in codes and counts only: no names,
// nothing anyone said, not the solution a panel considered.
func (m Meeting) Summary() string {
	label := labels[m.Type]
	if label == "" {
		label = "Meeting"
	}
	var b strings.Builder
	b.WriteString(label + " held (")
	n := len(m.Attendees)
	b.WriteString(strconv.Itoa(n))
	if n == 1 {
		b.WriteString(" attendee")
	} else {
		b.WriteString(" attendees")
	}
	switch took, listed := m.ChildTookPart(); {
	case took:
		b.WriteString(", child took part")
	case listed:
		b.WriteString(", child did not take part")
	}
	if m.BeforeReferral {
		b.WriteString(", before referral")
	}
	b.WriteString(")")
	if d := m.MapDecision; d != nil {
		b.WriteString("; MAP decision: " + d.Outcome + " (" + d.CostBand + ")")
	}
	return b.String()
}

// Action statuses.
const (
	Open = "open"
	Done = "done"
)

// Action is something agreed at a meeting, owned by a practitioner or described owner.
type Action struct {
	ID                        string
	MeetingID                 string
	ReferralID                string
	YoungPersonID             string
	What                      string
	OwnerPractitionerID       string
	OwnerDescription          string
	DueOn                     time.Time
	Status                    string
	CompletedAt               *time.Time
	CompletedByPractitionerID string
	CompletionNote            string
}

// OverdueOn reports whether the action is open past its due date on today.
func (a Action) OverdueOn(today time.Time) bool {
	return a.Status == Open && a.DueOn.Before(today)
}

// Complete marks the action done at at, by a practitioner (if known), with an optional note.
func (a *Action) Complete(at time.Time, by, note string) error {
	if a.Status == Done {
		return fault.StateConflict("This action is already done.", Done)
	}
	a.Status, a.CompletedAt, a.CompletedByPractitionerID, a.CompletionNote = Done, &at, by, note
	return nil
}
