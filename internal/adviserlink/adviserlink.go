// Package adviserlink holds invitation links for advisers without an account: the council makes
// one for an advice request (Reg 6) addressed to an adviser in its directory, and whoever holds
// its token may read what they need to write the advice, attach their reports and submit the
// advice, once, before the link expires or the council revokes it. Only the token's hash is kept.
package adviserlink

import (
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/linktoken"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names adviser invitations in the audit trail and the outbox.
const RecordType = "adviser_invitation"

// Statuses, for reading.
const (
	Pending = "pending"
	Used    = "used"
	Expired = "expired"
	Revoked = "revoked"
)

// tokens are adviser invitation tokens: "oai_" and 43 characters of base64url (package linktoken).
const tokens linktoken.Kind = "oai_"

// Expiry bounds in days from today: the advice is due within 6 weeks, so a link may last that
// long, and no longer.
const (
	minDays = 1
	maxDays = 42
	// DefaultDays is used when the caller gives no last day.
	DefaultDays = 28
)

// MaxDocuments is how many reports one link may attach.
const MaxDocuments = 20

// Invitation lets its holder give the advice of one advice request, once.
type Invitation struct {
	ID, AdviceRequestID, YoungPersonID string
	TokenHash                          string // SHA-256 hex of the token; the token itself is never kept
	ExpiresAt                          time.Time
	UsedAt, RevokedAt                  *time.Time
	DocumentIDs                        []string // the reports attached through the link
	CreatedByOrg                       string
	CreatedAt, UpdatedAt               time.Time
	Version                            int
}

// Repository keeps invitations. The store implements it.
type Repository interface {
	CreateInvitation(i Invitation) error
	InvitationByToken(hash string) (Invitation, error)
	// Invitation loads one invitation whose child is within scope.
	Invitation(id string, s access.Scope) (Invitation, error)
	UpdateInvitation(i Invitation) error
}

// NewToken makes an unguessable token and its hash.
func NewToken() (token, hash string) { return tokens.New() }

// HashToken is the stored form of a presented token.
func HashToken(token string) string { return linktoken.Hash(token) }

// LooksLikeToken reports whether s has a token's shape, so junk never reaches the database.
func LooksLikeToken(s string) bool { return tokens.LooksLike(s) }

// New checks and builds an invitation for an advice request, returning it with the token to send
// (shown once). lastDay is the last day it can be used (zero: DefaultDays from today), from
// tomorrow to 42 days on; it expires at the start of the next day (UTC).
func New(adviceRequestID, youngPersonID string, lastDay, now time.Time) (Invitation, string, error) {
	today := statutory.Civil(now)
	last := today.AddDate(0, 0, DefaultDays)
	if !lastDay.IsZero() {
		last = statutory.Civil(lastDay)
	}
	if last.Before(today.AddDate(0, 0, minDays)) || last.After(today.AddDate(0, 0, maxDays)) {
		return Invitation{}, "", fault.Field(fault.Unprocessable, "/expires_on", "must be between 1 and 42 days from today")
	}
	token, hash := NewToken()
	return Invitation{AdviceRequestID: adviceRequestID, YoungPersonID: youngPersonID, TokenHash: hash,
		ExpiresAt: last.AddDate(0, 0, 1), CreatedAt: now, UpdatedAt: now, Version: 1}, token, nil
}

// Status is where the invitation stands at now.
func (i Invitation) Status(now time.Time) string {
	switch {
	case i.UsedAt != nil:
		return Used
	case i.RevokedAt != nil:
		return Revoked
	case !now.Before(i.ExpiresAt):
		return Expired
	}
	return Pending
}

// Usable checks that the invitation may be used at now: until the advice is submitted (409
// after), and neither revoked nor expired (410).
func (i Invitation) Usable(now time.Time) error {
	switch i.Status(now) {
	case Used:
		return fault.New(fault.Conflict, "The advice has already been submitted through this link; thank you.")
	case Revoked:
		return fault.New(fault.Gone, "The council has withdrawn this link; ask them for a new one if you still need it.")
	case Expired:
		return fault.New(fault.Gone, "This link has expired; ask the council for a new one.")
	}
	return nil
}

// Attach records a report attached through the invitation at at.
func (i *Invitation) Attach(documentID string, at time.Time) error {
	if err := i.Usable(at); err != nil {
		return err
	}
	if len(i.DocumentIDs) >= MaxDocuments {
		return fault.New(fault.Unprocessable, "At most 20 reports can be attached through one link.")
	}
	i.DocumentIDs = append(slices.Clone(i.DocumentIDs), documentID)
	i.UpdatedAt = at
	i.Version++
	return nil
}

// Attached reports whether documentID was attached through the invitation.
func (i Invitation) Attached(documentID string) bool {
	return slices.Contains(i.DocumentIDs, documentID)
}

// MarkUsed records that the advice was submitted through the invitation at at.
func (i *Invitation) MarkUsed(at time.Time) error {
	if err := i.Usable(at); err != nil {
		return err
	}
	i.UsedAt, i.UpdatedAt = &at, at
	i.Version++
	return nil
}

// Revoke withdraws an invitation not yet used (409 once used or already revoked).
func (i *Invitation) Revoke(at time.Time) error {
	switch i.Status(at) {
	case Used:
		return fault.StateConflict("The advice has already been submitted through this link.", Used)
	case Revoked:
		return fault.StateConflict("This link is already revoked.", Revoked)
	}
	i.RevokedAt, i.UpdatedAt = &at, at
	i.Version++
	return nil
}
