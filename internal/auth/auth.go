// Package auth holds who may do what: roles, the permissions each role has, the caller's identity
// (Principal) and the API key format. The permission matrix lives here and nowhere else.
package auth

import (
	"context"
	"fmt"
	"slices"
)

// Role is what a caller does in the pathway. Keys and tokens carry exactly one.
type Role string

// Roles.
const (
	RoleAdmin          Role = "admin"           // manages organisations, practitioners and keys; reads no casework
	RoleSENDOfficer    Role = "send_officer"    // council SEND team: every pathway record in the council
	RolePractitioner   Role = "practitioner"    // a partner's worker: records of children their organisation is involved with
	RoleEngagementLead Role = "engagement_lead" // a named lead: as practitioner, plus children they lead for themselves
	RolePanelMember    Role = "panel_member"    // multi-agency panel: only records put before a panel they sit on
	RoleAnalyst        Role = "analyst"         // aggregate figures only, never a named record
	RoleFamily         Role = "family"          // a parent/carer or young person: only their own records
)

// Roles lists every role, in the order documentation shows them.
var Roles = []Role{RoleAdmin, RoleSENDOfficer, RolePractitioner, RoleEngagementLead, RolePanelMember, RoleAnalyst, RoleFamily}

// ParseRole accepts a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles, r) {
		return "", fmt.Errorf("unknown role %q (want one of %v)", s, Roles)
	}
	return r, nil
}

// Permission is one kind of thing a caller can ask to do.
type Permission string

// Permissions.
const (
	ReadDirectory       Permission = "directory:read"           // organisations and practitioners
	ManageOrganisations Permission = "organisations:manage"     // create and change organisations
	ManagePractitioners Permission = "practitioners:manage"     // create and change practitioners
	ManageKeys          Permission = "keys:manage"              // list, create, rotate and revoke API keys
	ReadCasework        Permission = "casework:read"            // young people, referrals, involvements, consents
	WriteCasework       Permission = "casework:write"           // record young people, make referrals, involve, record consent
	TriageReferrals     Permission = "referrals:triage"         // accept, redirect or decline
	RunPathway          Permission = "pathway:run"              // allocate the engagement lead, move and close referrals
	GiveFeedback        Permission = "feedback:give"            // record pathway feedback
	ReadAccessLog       Permission = "access-log:read"          // who has looked at a child's record
	ExportRecords       Permission = "records:export"           // subject access export of everything held
	ReadAudit           Permission = "audit:read"               // the whole audit trail
	ManageRetention     Permission = "retention:manage"         // list records past retention and erase them
	ReadReports         Permission = "reports:read"             // aggregate figures about the council's caseload, disclosure-controlled
	ReadExactReports    Permission = "reports:exact"            // the same figures as counted, small numbers and all
	ExportReturns       Permission = "returns:export"           // statutory returns holding personal data (SEN2)
	ReadSurveys         Permission = "surveys:read"             // survey templates and their questions (not responses)
	ManageSurveys       Permission = "surveys:manage"           // add templates and new versions of their questions
	MergeRecords        Permission = "records:merge"            // the possible duplicates list; dismiss a pair or merge two records of one child
	ManageWebhooks      Permission = "webhooks:manage"          // webhook subscriptions, their secrets, deliveries and replays
	ReadEvents          Permission = "events:read"              // the event catalogue and the pull feed (within the caller's need-to-know)
	RequestAssessment   Permission = "ehc-requests:request"     // a family asks for an EHC needs assessment for their own child (s.36 CFA 2014)
	RequestBudget       Permission = "personal-budgets:request" // a family asks for a personal budget for their own child (reg. 5, SEN (Personal Budgets) Regulations 2014)
	// KeepSupportRegister: the dynamic support register and its ratings (issue 17). Only the
	// multi-agency group that keeps it holds it: the council's SEND team and the panel members,
	// never every practitioner involved with the child.
	KeepSupportRegister Permission = "support-register:keep"
	SubmitAdvice        Permission = "advice:submit"         // the adviser named on an advice request submits the advice (Reg 6)
	RespondConsultation Permission = "consultations:respond" // a setting's staff answer a consultation addressed to their setting (s.39 CFA 2014)
	// RunImports: load a file of records through the API (POST /v1/imports, issue 18); each
	// layout also needs the role the command-line import acts as for it.
	RunImports Permission = "imports:run"
)

// GiveFamilyViews is the permission for the family's views on a served draft plan and a preferred setting (s.38-39),
// given by the family for their own child or recorded for them by the SEND team or engagement lead.
const GiveFamilyViews Permission = "ehc-plans:family-views"

// matrix is the single place that says which role holds which permission. Which records a
// permission reaches is Reach's business.
var matrix = map[Role][]Permission{
	// Admins connect other systems (webhooks) but read no casework: their feed holds the
	// directory's events only.
	RoleAdmin: {ReadDirectory, ManageOrganisations, ManagePractitioners, ManageKeys, ReadAudit, ManageRetention, ReadSurveys, ManageWebhooks, ReadEvents,
		RunImports},
	RoleSENDOfficer: {ReadDirectory, ManagePractitioners, ReadCasework, WriteCasework, TriageReferrals, RunPathway, GiveFeedback, ReadAccessLog, ExportRecords,
		ReadReports, ReadExactReports, ExportReturns, ReadSurveys, ManageSurveys, MergeRecords, ReadEvents,
		KeepSupportRegister, GiveFamilyViews, RunImports},
	RolePractitioner:   {ReadDirectory, ReadCasework, WriteCasework, GiveFeedback, ReadSurveys, ReadEvents, SubmitAdvice, RespondConsultation},
	RoleEngagementLead: {ReadDirectory, ReadCasework, WriteCasework, RunPathway, GiveFeedback, ReadSurveys, ReadEvents, GiveFamilyViews, SubmitAdvice, RespondConsultation},
	RolePanelMember:    {ReadDirectory, ReadCasework, ReadSurveys, ReadEvents, KeepSupportRegister},
	// Analysts see aggregate figures only, and only ever with disclosure control applied.
	RoleAnalyst: {ReadDirectory, ReadReports, ReadSurveys},
	RoleFamily:  {ReadCasework, GiveFeedback, ReadAccessLog, ExportRecords, ReadSurveys, RequestAssessment, GiveFamilyViews, RequestBudget},
}

// Can reports whether role holds permission.
func Can(role Role, p Permission) bool { return slices.Contains(matrix[role], p) }

// Matrix returns a copy of the permission matrix, for documentation and tests.
func Matrix() map[Role][]Permission {
	out := make(map[Role][]Permission, len(matrix))
	for r, ps := range matrix {
		out[r] = slices.Clone(ps)
	}
	return out
}

// Principal is the authenticated caller: an API key or a signed-in user.
type Principal struct {
	KeyID          string // the API key, when the caller used one
	Subject        string // the identity provider's subject, when the caller used a token
	OrganisationID string
	Role           Role
	PractitionerID string   // the practitioner acting, when known
	YoungPersonIDs []string // for the family role: whose records are theirs
}

// Can reports whether the principal holds permission.
func (p Principal) Can(perm Permission) bool { return Can(p.Role, perm) }

// Reach is how far a caller's casework permissions extend over children's records.
type Reach int

// Reaches.
const (
	ReachNone        Reach = iota // no named records
	ReachCouncil                  // every record in the council
	ReachInvolvement              // children their organisation (or they) are currently involved with
	ReachPanel                    // children put before a panel they sit on
	ReachOwn                      // the family's own children
)

// Reach returns how far the principal's casework permissions extend.
func (p Principal) Reach() Reach {
	switch p.Role {
	case RoleSENDOfficer:
		return ReachCouncil
	case RolePractitioner, RoleEngagementLead:
		return ReachInvolvement
	case RolePanelMember:
		return ReachPanel
	case RoleFamily:
		return ReachOwn
	}
	return ReachNone
}

// SeesWholeCouncil reports whether the caller's casework reaches every record.
func (p Principal) SeesWholeCouncil() bool { return p.Reach() == ReachCouncil }

// Actor names the caller in the audit trail: the key id, or the token's subject.
func (p Principal) Actor() string {
	if p.KeyID != "" {
		return p.KeyID
	}
	return p.Subject
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal in ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
