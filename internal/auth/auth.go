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
	RoleAdmin        Role = "admin"        // manages organisations, practitioners and keys; reads no casework
	RoleSENDOfficer  Role = "send_officer" // council SEND team: every pathway record in the council
	RolePractitioner Role = "practitioner" // a partner's worker: records their organisation is part of
	RoleAnalyst      Role = "analyst"      // aggregate figures only, never a named record
)

// Roles lists every role, in the order documentation shows them.
var Roles = []Role{RoleAdmin, RoleSENDOfficer, RolePractitioner, RoleAnalyst}

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
	ReadDirectory       Permission = "directory:read"       // organisations and practitioners
	ManageOrganisations Permission = "organisations:manage" // create and change organisations
	ManagePractitioners Permission = "practitioners:manage" // create and change practitioners
	ReadCasework        Permission = "casework:read"        // young people and referrals
	WriteCasework       Permission = "casework:write"       // record young people, make referrals
	TriageReferrals     Permission = "referrals:triage"     // accept, redirect or decline
	ReadAudit           Permission = "audit:read"           // the audit trail
)

// matrix is the single place that says which role holds which permission.
var matrix = map[Role][]Permission{
	RoleAdmin:        {ReadDirectory, ManageOrganisations, ManagePractitioners, ReadAudit},
	RoleSENDOfficer:  {ReadDirectory, ManagePractitioners, ReadCasework, WriteCasework, TriageReferrals},
	RolePractitioner: {ReadDirectory, ReadCasework, WriteCasework},
	RoleAnalyst:      {ReadDirectory},
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

// Principal is the authenticated caller.
type Principal struct {
	KeyID          string
	OrganisationID string
	Role           Role
}

// Can reports whether the principal holds permission.
func (p Principal) Can(perm Permission) bool { return Can(p.Role, perm) }

// SeesWholeCouncil reports whether the caller's casework reads are not limited to their own
// organisation's records.
func (p Principal) SeesWholeCouncil() bool { return p.Role == RoleSENDOfficer }

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
