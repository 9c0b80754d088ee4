// Package sharing holds who is involved with a child (the team around the child) and what the
// family has agreed may be shared, and the rules joining them: an organisation joins the team
// only with consent in force that covers it, for safeguarding with the reason recorded, or under
// a statutory duty that is named; and when consent is withdrawn, what rested only on it ends
// (OnConsentWithdrawn).
package sharing

import (
	"slices"
	"strings"
	"time"
	"unicode"

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
	// LawfulBasis is a basis other than consent and safeguarding recorded for the involvement,
	// with the duty relied on in StatutoryDuty; "" when there is none.
	LawfulBasis   LawfulBasis
	StatutoryDuty string // e.g. "CFA 2014 s.42: secure the special educational provision in the EHC plan"
	// ReviewNeeded says why a practitioner must decide whether the involvement continues, after
	// the consent it rested on was withdrawn (a Withdrawal's Review); "" when nothing waits.
	ReviewNeeded string
	Notes        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

// ForFamily is the involvement as the child's family reads it: that the organisation (and
// practitioner) is involved, in what role and from when to when, but not the basis it holds the
// record on, a review pending or the professionals' notes. The safeguarding reason is withheld
// because the family may be the subject of the concern; the consent, lawful basis and duty go
// with it, since which of them is missing would tell an involvement for safeguarding apart.
func (i Involvement) ForFamily() Involvement {
	i.ConsentID, i.SafeguardingReason, i.LawfulBasis, i.StatutoryDuty, i.ReviewNeeded, i.Notes = "", "", "", "", "", ""
	return i
}

// CurrentOn reports whether the involvement is in effect on day. Like a withdrawal of consent,
// an end takes effect on its own day, so a child who moves school today is no longer visible
// to the old school today.
func (i Involvement) CurrentOn(day time.Time) bool {
	return !i.StartedOn.After(day) && (i.EndedOn == nil || i.EndedOn.After(day))
}

// ReviewSettled reports whether an involvement flagged for review (ReviewNeeded) no longer
// needs it: it has ended, or it now records a basis of its own, a safeguarding reason or a lawful
// basis with its statutory duty. Anything else (a note, a new practitioner) leaves it waiting.
func (i Involvement) ReviewSettled() bool {
	return i.EndedOn != nil || !Blank(i.SafeguardingReason) || (i.LawfulBasis.Valid() && !Blank(i.StatutoryDuty))
}

// LawfulBasis is the UK GDPR Article 6(1) basis, other than consent, on which an organisation
// holds the child's record. Children's SEND records are special category data, so Article 9 needs
// a condition too: for these bases Article 9(2)(g) with the Data Protection Act 2018, Schedule 1,
// paragraph 6 (statutory and government purposes).
type LawfulBasis string

// The bases OnePlan records besides consent. Safeguarding is recorded as SafeguardingReason.
const (
	// LegalObligation is Article 6(1)(c): the organisation must process the record to comply
	// with a legal duty, e.g. a school named in an EHC plan admitting the child (CFA 2014 s.43),
	// or a health body asked for advice in an EHC needs assessment (Reg 6, s.31 of the Act).
	LegalObligation LawfulBasis = "legal_obligation"
	// PublicTask is Article 6(1)(e): the processing is necessary for a task in the public
	// interest or in the exercise of official authority set out in law, e.g. the authority's
	// functions under Part 3 of the CFA 2014 or the Children Act 1989.
	PublicTask LawfulBasis = "public_task"
)

// Valid reports whether b is one of the recorded bases ("" is not).
func (b LawfulBasis) Valid() bool { return b == LegalObligation || b == PublicTask }

// Blank reports whether s shows a reader nothing: only spaces and invisible format characters
// (a zero-width space, say). A reason for sharing without consent, or the duty relied on, that
// says nothing is no reason: it must not open a child's record to an organisation.
func Blank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) }) < 0
}

// Validate checks the involvement's own fields: an end not before the start, a safeguarding
// reason that says something when given, and a lawful basis known and named with its duty
// (neither one without the other).
func (i Involvement) Validate() error {
	var errs []fault.FieldError
	if i.EndedOn != nil && i.EndedOn.Before(i.StartedOn) {
		errs = append(errs, fault.FieldError{Pointer: "/ended_on", Detail: "must not be before started_on"})
	}
	if i.SafeguardingReason != "" && Blank(i.SafeguardingReason) {
		errs = append(errs, fault.FieldError{Pointer: "/safeguarding_reason", Detail: "must say why (it is blank)"})
	}
	switch {
	case i.LawfulBasis != "" && !i.LawfulBasis.Valid():
		errs = append(errs, fault.FieldError{Pointer: "/lawful_basis", Detail: "must be legal_obligation or public_task"})
	case i.LawfulBasis != "" && Blank(i.StatutoryDuty):
		errs = append(errs, fault.FieldError{Pointer: "/statutory_duty", Detail: "name the duty the lawful basis rests on"})
	case i.LawfulBasis == "" && i.StatutoryDuty != "":
		errs = append(errs, fault.FieldError{Pointer: "/lawful_basis", Detail: "is required when a statutory duty is named"})
	}
	return fault.Fields(fault.Invalid, errs)
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
	if c.GivenBy != "" && Blank(c.GivenBy) {
		errs = append(errs, fault.FieldError{Pointer: "/given_by", Detail: "must name who gave consent (it is blank)"})
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
	if !Blank(safeguardingReason) {
		return Consent{}, nil
	}
	return Consent{}, &fault.Error{Kind: fault.Unprocessable,
		Detail: "No consent in force covers this organisation. Record the family's consent first, or give a safeguarding_reason: sharing without consent is lawful to safeguard a child, and the reason is kept.",
		Fields: []fault.FieldError{{Pointer: "/safeguarding_reason", Detail: "required when no consent in force covers the organisation"}}}
}

// AuthoriseInvolvement is Authorise with every basis OnePlan records: a consent in force on day
// that covers the organisation (returned), else the involvement's SafeguardingReason, else its
// LawfulBasis with the StatutoryDuty named. Without any it refuses, naming the fields.
func AuthoriseInvolvement(consents []Consent, i Involvement, orgType string, day time.Time) (Consent, error) {
	for _, c := range consents {
		if c.InForceOn(day) && c.Covers(i.OrganisationID, orgType) {
			return c, nil
		}
	}
	if !Blank(i.SafeguardingReason) || (i.LawfulBasis.Valid() && !Blank(i.StatutoryDuty)) {
		return Consent{}, nil
	}
	return Consent{}, &fault.Error{Kind: fault.Unprocessable,
		Detail: "No consent in force covers this organisation. Record the family's consent first, give a safeguarding_reason, or name the lawful_basis and statutory_duty the organisation holds the record under.",
		Fields: []fault.FieldError{
			{Pointer: "/safeguarding_reason", Detail: "required when no consent in force covers the organisation and no lawful basis is named"},
			{Pointer: "/lawful_basis", Detail: "required when no consent in force covers the organisation and no safeguarding reason is given"},
		}}
}

// OwnRole reports whether role is one OnePlan records itself, without a consent: the recording
// organisation, the child's setting and the referrer.
func OwnRole(role string) bool {
	return role == RoleRecordedBy || role == RoleEducationSetting || role == RoleReferrer
}

// AuthoriseChange checks a change to an involvement made on today (cur as stored, next as it would
// be saved) and returns next with the consent it now rests on. A role OnePlan records itself is
// neither given nor taken away by a change, and such an involvement once ended is not reopened
// by one (the setting is set, or a referral made, instead). An involvement that grants access
// after the change, and did not before it or now rests on another safeguarding reason or lawful
// basis, needs a basis today as a new one does (AuthoriseInvolvement): ending an involvement
// cannot be undone by clearing its end date while no consent is in force.
func AuthoriseChange(cur, next Involvement, consents []Consent, orgType string, today time.Time) (Involvement, error) {
	if next.Role != cur.Role && (OwnRole(cur.Role) || OwnRole(next.Role)) {
		return next, fault.Field(fault.Invalid, "/role", "recorded_by, education_setting and referrer are recorded by OnePlan itself, and are neither given nor changed here")
	}
	grants := func(i Involvement) bool { return i.EndedOn == nil || i.EndedOn.After(today) }
	if !grants(next) {
		return next, nil
	}
	reopened := !grants(cur)
	if OwnRole(cur.Role) {
		if reopened {
			return next, fault.Field(fault.Unprocessable, "/ended_on", "an involvement OnePlan recorded for the organisation's own role stays ended: set the child's setting, or make a referral, instead")
		}
		return next, nil
	}
	if !reopened && next.SafeguardingReason == cur.SafeguardingReason && next.LawfulBasis == cur.LawfulBasis && next.StatutoryDuty == cur.StatutoryDuty {
		return next, nil
	}
	c, err := AuthoriseInvolvement(consents, next, orgType, today)
	if err != nil {
		return next, err
	}
	next.ConsentID = c.ID
	return next, nil
}

// Withdrawal is what the withdrawal of one consent does to the team around the child.
type Withdrawal struct {
	// Day is the day the consent was withdrawn: the day what rested only on it ends.
	Day time.Time
	// Ended rested only on the withdrawn consent: each is returned with EndedOn set to Day (or to
	// its own start, for one that had not started by then), to be saved.
	Ended []Involvement
	// Review rested on the withdrawn consent, but a practitioner must decide before it ends:
	// another consent in force also covers the organisation, or a safeguarding concern is
	// recorded for the child. It keeps its access until then.
	Review []Flagged
	// Continue rested on the withdrawn consent but also records another lawful basis (a
	// safeguarding reason, or a statutory duty), so it continues on that basis.
	Continue []Flagged
	// Unaffected never rested on the withdrawn consent: another consent, a safeguarding reason,
	// or the organisation's own role (the child's setting, the referrer, the recording
	// organisation, which OnePlan records without a consent).
	Unaffected []Flagged
}

// Flagged is an involvement with why it is where it is, in words fit for the family's letter and
// the audit trail (no personal data).
type Flagged struct {
	Involvement Involvement
	Why         string
}

// OnConsentWithdrawn applies the withdrawal of withdrawn (whose WithdrawnOn is set) to the child's
// involvements that have not ended by the withdrawal day. consents are the child's consents (the
// withdrawn one may be among them); orgTypes gives each organisation's type, for consents scoped
// by type; safeguardingConcern says whether a safeguarding concern is recorded on an open referral
// of the child.
//
// UK GDPR Article 7(3): withdrawal does not make earlier sharing unlawful, but nothing may rest on
// the consent from the day it is withdrawn. An involvement rests on it when its ConsentID is the
// withdrawn consent's. Such an involvement continues only on another recorded basis (its
// SafeguardingReason, or its LawfulBasis under Article 6(1)(c) or (e) with the duty named), goes
// to review when another consent in force covers the organisation or a safeguarding concern is
// recorded for the child, and otherwise ends on the withdrawal day (an end takes effect on its
// own day, see CurrentOn).
func OnConsentWithdrawn(withdrawn Consent, consents []Consent, involvements []Involvement, orgTypes map[string]string,
	safeguardingConcern bool) (Withdrawal, error) {
	if withdrawn.WithdrawnOn == nil {
		return Withdrawal{}, fault.StateConflict("This consent has not been withdrawn.", "in_force")
	}
	day := *withdrawn.WithdrawnOn
	w := Withdrawal{Day: day}
	for _, i := range involvements {
		if i.YoungPersonID != withdrawn.YoungPersonID || (i.EndedOn != nil && !i.EndedOn.After(day)) {
			continue
		}
		if i.ConsentID != withdrawn.ID {
			w.Unaffected = append(w.Unaffected, Flagged{i, unaffectedWhy(i)})
			continue
		}
		switch {
		case !Blank(i.SafeguardingReason):
			w.Continue = append(w.Continue, Flagged{i, "continues on the safeguarding reason recorded for it"})
		case i.LawfulBasis.Valid() && !Blank(i.StatutoryDuty):
			w.Continue = append(w.Continue, Flagged{i, "continues on the statutory duty recorded for it (" + string(i.LawfulBasis) + ")"})
		case otherConsentCovers(withdrawn.ID, consents, i.OrganisationID, orgTypes[i.OrganisationID], day):
			w.Review = append(w.Review, Flagged{i, "another consent in force covers this organisation: confirm with the family that sharing should continue under it"})
		case safeguardingConcern:
			w.Review = append(w.Review, Flagged{i, "a safeguarding concern is recorded for the child: decide whether to continue for safeguarding and record the reason, or end it"})
		default:
			end := day
			if i.StartedOn.After(day) {
				end = i.StartedOn
			}
			i.EndedOn = &end
			w.Ended = append(w.Ended, i)
		}
	}
	return w, nil
}

func otherConsentCovers(withdrawnID string, consents []Consent, orgID, orgType string, day time.Time) bool {
	for _, c := range consents {
		if c.ID != withdrawnID && c.InForceOn(day) && c.Covers(orgID, orgType) {
			return true
		}
	}
	return false
}

func unaffectedWhy(i Involvement) string {
	switch {
	case i.ConsentID != "":
		return "rests on another consent"
	case i.SafeguardingReason != "":
		return "rests on a safeguarding reason"
	case i.LawfulBasis.Valid():
		return "rests on a statutory duty (" + string(i.LawfulBasis) + ")"
	case OwnRole(i.Role):
		return "the organisation's own role (" + i.Role + "), recorded without consent"
	}
	return "no consent recorded for it"
}
