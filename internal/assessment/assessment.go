// Package assessment holds the pathway's family assessment: the early-help Family Assessment,
// or Salford's social-work Children and Families Assessment (CAFA) when a safeguarding concern is
// recorded. One assessment is started per referral; it is drafted, submitted to the early-help
// team, and reviewed. A Family Assessment Review never overwrites the earlier version: it marks
// it reviewed and starts a new draft linked to it, carrying its content forward.
package assessment

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// Status is where an assessment stands.
type Status string

// Statuses, in order.
const (
	Draft     Status = "draft"
	Submitted Status = "submitted"
	Reviewed  Status = "reviewed"
)

// Statuses lists every status.
var Statuses = []Status{Draft, Submitted, Reviewed}

// transitions is the whole status machine: a draft is submitted, a submitted assessment is
// reviewed (which starts the next version as a new draft), and a reviewed one never changes.
var transitions = map[Status][]Status{
	Draft:     {Submitted},
	Submitted: {Reviewed},
}

// CanMove reports whether the status machine allows from -> to.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Move returns to, or a conflict naming the current status when the move is not allowed.
func Move(from, to Status) (Status, error) {
	if !CanMove(from, to) {
		return from, fault.StateConflict(fmt.Sprintf("An assessment that is %s cannot become %s.", from, to), string(from))
	}
	return to, nil
}

// Kinds of assessment: the referral's route.
const (
	KindFamily       = referral.RouteFamilyAssessment       // early help, CAF-type
	KindSafeguarding = referral.RouteSafeguardingAssessment // CAFA, social work
)

// KindFor is the kind of assessment a referral calls for: its route, and a safeguarding
// assessment whenever a safeguarding concern is recorded, even one recorded after triage.
func KindFor(r referral.Referral) string {
	if r.Route == KindSafeguarding || r.SafeguardingConcern {
		return KindSafeguarding
	}
	return KindFamily
}

// startable lists the referral statuses in which an assessment may be started: accepted at
// triage and still open.
var startable = []referral.Status{referral.Accepted, referral.Assessing, referral.Allocated, referral.MAMHeld,
	referral.Panel, referral.PlanInPlace, referral.Reviewing}

// MayStart refuses to start an assessment of a referral that has not been accepted or is closed,
// naming its status.
func MayStart(s referral.Status) error {
	if !slices.Contains(startable, s) {
		return fault.StateConflict("A family assessment starts once the referral has been accepted and while it is open; this referral is "+
			string(s)+".", string(s))
	}
	return nil
}

// FamilyViews is the family's own account. The JSON tags are the stored form.
type FamilyViews struct {
	WhoWeAre            string `json:"who_we_are,omitempty"`
	WhatMatters         string `json:"what_matters,omitempty"`
	WhatWeWantToAchieve string `json:"what_we_want_to_achieve,omitempty"`
}

// Sections are the assessment's dimensions, each free text. The JSON tags are the stored form.
type Sections struct {
	DevelopmentalNeeds   string       `json:"developmental_needs,omitempty"`
	ParentingCapacity    string       `json:"parenting_capacity,omitempty"`
	FamilyAndEnvironment string       `json:"family_and_environment,omitempty"`
	Education            string       `json:"education,omitempty"`
	Health               string       `json:"health,omitempty"`
	SocialCare           string       `json:"social_care,omitempty"`
	ChildVoice           string       `json:"child_voice,omitempty"`
	FamilyViews          *FamilyViews `json:"family_views,omitempty"`
}

// Tidy drops an empty family_views, so "nothing said" has one form.
func (s Sections) Tidy() Sections {
	if s.FamilyViews != nil && *s.FamilyViews == (FamilyViews{}) {
		s.FamilyViews = nil
	}
	return s
}

// Clone returns a copy sharing nothing with s.
func (s Sections) Clone() Sections {
	if s.FamilyViews != nil {
		v := *s.FamilyViews
		s.FamilyViews = &v
	}
	return s
}

// Equal reports whether two sets of sections say the same.
func (s Sections) Equal(o Sections) bool {
	a, b := s.Tidy(), o.Tidy()
	if (a.FamilyViews == nil) != (b.FamilyViews == nil) {
		return false
	}
	if a.FamilyViews != nil && *a.FamilyViews != *b.FamilyViews {
		return false
	}
	a.FamilyViews, b.FamilyViews = nil, nil
	return a == b
}

// Assessment is one version of a referral's family assessment.
type Assessment struct {
	ID                     string
	ReferralID             string
	YoungPersonID          string
	Kind                   string
	Status                 Status
	Number                 int    // 1 for the first assessment, 2 for its first review, and so on
	PreviousID             string // the version this one reviews
	AssessorPractitionerID string
	Sections               Sections
	SubmittedAt            *time.Time
	ReviewedAt             *time.Time
	CreatedAt              time.Time
	UpdatedAt              time.Time
	Version                int
}

// Start returns the first draft assessment of r.
func Start(r referral.Referral, assessorID string, sections Sections) (Assessment, error) {
	if err := MayStart(r.Status); err != nil {
		return Assessment{}, err
	}
	return Assessment{ReferralID: r.ID, YoungPersonID: r.YoungPersonID, Kind: KindFor(r), Status: Draft, Number: 1,
		AssessorPractitionerID: assessorID, Sections: sections.Tidy()}, nil
}

// Label names the assessment in timeline summaries: its kind and number, no content.
func (a Assessment) Label() string {
	kind := "Family assessment"
	if a.Kind == KindSafeguarding {
		kind = "Safeguarding assessment (CAFA)"
	}
	return kind + " " + strconv.Itoa(a.Number)
}

// Editable refuses changes to an assessment that is no longer a draft.
func (a Assessment) Editable() error {
	if a.Status != Draft {
		return fault.StateConflict("Only a draft assessment can be changed; this one is "+string(a.Status)+
			". Start a review of a submitted assessment to make a new version.", string(a.Status))
	}
	return nil
}

// Submit sends a draft to the early-help team at at.
func (a *Assessment) Submit(at time.Time) error {
	next, err := Move(a.Status, Submitted)
	if err != nil {
		return err
	}
	a.Status, a.SubmittedAt = next, &at
	return nil
}

// Review marks a submitted assessment reviewed at at and returns the next version: a draft
// numbered one more, linked to this one, carrying its kind, assessor and sections forward. The
// caller gives the new version its id and timestamps.
func (a *Assessment) Review(at time.Time) (Assessment, error) {
	next, err := Move(a.Status, Reviewed)
	if err != nil {
		return Assessment{}, err
	}
	a.Status, a.ReviewedAt = next, &at
	return Assessment{ReferralID: a.ReferralID, YoungPersonID: a.YoungPersonID, Kind: a.Kind, Status: Draft, Number: a.Number + 1,
		PreviousID: a.ID, AssessorPractitionerID: a.AssessorPractitionerID, Sections: a.Sections.Clone()}, nil
}
