// Package sharing holds who is involved with a child (the team around the child) and what the
// family has agreed may be shared, and the rule joining them: an organisation joins the team
// only with consent in force that covers it, or for safeguarding, with the reason recorded.
package sharing

import (
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Involvement roles.
const (
	RoleRecordedBy       = "recorded_by"       // the organisation that recorded the young person
	RoleEducationSetting = "education_setting" // the school, nursery or college attended
	RoleReferrer         = "referrer"          // the organisation that referred
	RoleTeamMember       = "team_member"       // a service in the team around the child
	RoleLeadProfessional = "lead_professional" // the practitioner coordinating the team
	RoleEngagementLead   = "engagement_lead"   // the pathway's named engagement lead
)

// Involvement is one organisation (and optionally one practitioner) in the team around a child.
type Involvement struct {
	ID                 string
	YoungPersonID      string
	OrganisationID     string
	PractitionerID     string
	Role               string
	StartedOn          time.Time
	EndedOn            *time.Time // the day it ended: from then on it grants nothing
	ConsentID          string     // the consent relied on, if any
	SafeguardingReason string     // why it was shared without consent, if so
	Notes              string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// CurrentOn reports whether the involvement is in effect on day. Like a withdrawal of consent,
// an end takes effect on its own day, so a child who moves school today is no longer visible
// to the old school today.
func (i Involvement) CurrentOn(day time.Time) bool {
	return !i.StartedOn.After(day) && (i.EndedOn == nil || i.EndedOn.After(day))
}

// Validate checks the involvement's own fields.
func (i Involvement) Validate() error {
	if i.EndedOn != nil && i.EndedOn.Before(i.StartedOn) {
		return fault.Field(fault.Invalid, "/ended_on", "must not be before started_on")
	}
	return nil
}

// Consent scopes.
const (
	ScopeAllInvolved       = "all_involved"       // any organisation in the team around the child
	ScopeOrganisations     = "organisations"      // only the named organisations
	ScopeOrganisationTypes = "organisation_types" // only organisations of the named types
)

// Consent is a record that a parent, carer or young person agreed to share information.
type Consent struct {
	ID                string
	YoungPersonID     string
	GivenBy           string
	Relationship      string
	Scope             string
	OrganisationIDs   []string
	OrganisationTypes []string
	GivenOn           time.Time
	WithdrawnOn       *time.Time
	WithdrawnReason   string
	Notes             string
	RecordedByOrgID   string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
}

// Validate checks the consent's own fields as of today.
func (c Consent) Validate(today time.Time) error {
	var errs []fault.FieldError
	if c.GivenOn.After(today) {
		errs = append(errs, fault.FieldError{Pointer: "/given_on", Detail: "must not be in the future"})
	}
	switch c.Scope {
	case ScopeOrganisations:
		if len(c.OrganisationIDs) == 0 {
			errs = append(errs, fault.FieldError{Pointer: "/organisation_ids", Detail: "name at least one organisation for this scope"})
		}
	case ScopeOrganisationTypes:
		if len(c.OrganisationTypes) == 0 {
			errs = append(errs, fault.FieldError{Pointer: "/organisation_types", Detail: "name at least one organisation type for this scope"})
		}
	}
	if c.WithdrawnOn != nil && c.WithdrawnOn.Before(c.GivenOn) {
		errs = append(errs, fault.FieldError{Pointer: "/withdrawn_on", Detail: "must not be before given_on"})
	}
	return fault.Fields(fault.Invalid, errs)
}

// InForceOn reports whether the consent applies on day.
func (c Consent) InForceOn(day time.Time) bool {
	return !c.GivenOn.After(day) && (c.WithdrawnOn == nil || c.WithdrawnOn.After(day))
}

// Covers reports whether the consent reaches an organisation of the given id and type.
func (c Consent) Covers(orgID, orgType string) bool {
	switch c.Scope {
	case ScopeAllInvolved:
		return true
	case ScopeOrganisations:
		return slices.Contains(c.OrganisationIDs, orgID)
	case ScopeOrganisationTypes:
		return slices.Contains(c.OrganisationTypes, orgType)
	}
	return false
}

// Withdraw records the withdrawal of consent on day.
func (c *Consent) Withdraw(day time.Time, reason string) error {
	if c.WithdrawnOn != nil {
		return fault.StateConflict("This consent has already been withdrawn.", "withdrawn")
	}
	if day.Before(c.GivenOn) {
		return fault.Field(fault.Invalid, "/withdrawn_on", "must not be before given_on")
	}
	c.WithdrawnOn, c.WithdrawnReason = &day, reason
	return nil
}

// Authorise decides the lawful basis for involving an organisation on day: a consent in force
// that covers it (returned), or a safeguarding reason. Without either it refuses, naming the fields.
func Authorise(consents []Consent, orgID, orgType string, day time.Time, safeguardingReason string) (Consent, error) {
	for _, c := range consents {
		if c.InForceOn(day) && c.Covers(orgID, orgType) {
			return c, nil
		}
	}
	if safeguardingReason != "" {
		return Consent{}, nil
	}
	return Consent{}, &fault.Error{Kind: fault.Unprocessable,
		Detail: "No consent in force covers this organisation. Record the family's consent first, or give a safeguarding_reason: sharing without consent is lawful to safeguard a child, and the reason is kept.",
		Fields: []fault.FieldError{{Pointer: "/safeguarding_reason", Detail: "required when no consent in force covers the organisation"}}}
}
