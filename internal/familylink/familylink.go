// Package familylink holds invitation links for families without an account: the council makes
// one for a child and one purpose (to request an EHC needs assessment, or to give views on a served
// draft plan), and whoever holds its token may do that one thing, once, before it expires. Only
// the token's hash is kept.
package familylink

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/linktoken"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names family invitations in the audit trail.
const RecordType = "family_invitation"

// What an invitation lets its holder do.
const (
	RequestAssessment = "request_assessment" // request an EHC needs assessment for the child (s.36)
	GiveViews         = "give_views"         // give views on the child's served draft plan (s.38-39)
)

// Statuses, for reading.
const (
	Pending = "pending"
	Used    = "used"
	Expired = "expired"
)

// tokens are family invitation tokens: "ofi_" and 43 characters of base64url (package linktoken).
const tokens linktoken.Kind = "ofi_"

// Expiry bounds in days from today: long enough to reach a family by post, short enough that an
// old letter does not stay a key to the record.
const (
	minDays = 1
	maxDays = 30
	// DefaultDays is used when the caller gives no last day.
	DefaultDays = 14
)

// Invitation lets its holder act once for one child, for one purpose.
type Invitation struct {
	ID, YoungPersonID, Purpose string
	PlanID                     string // GiveViews: the plan whose draft the views are about
	TokenHash                  string // SHA-256 hex of the token; the token itself is never kept
	ExpiresAt                  time.Time
	UsedAt                     *time.Time
	UsedRecordID               string // the request made or the views given through it
	CreatedByOrg               string
	CreatedAt                  time.Time
	Version                    int
}

// Repository keeps invitations. The store implements it.
type Repository interface {
	CreateInvitation(i Invitation) error
	InvitationByToken(hash string) (Invitation, error)
	Invitation(id string, s access.Scope) (Invitation, error)
	UpdateInvitation(i Invitation) error
}

// NewToken makes an unguessable token and its hash.
func NewToken() (token, hash string) { return tokens.New() }

// HashToken is the stored form of a presented token.
func HashToken(token string) string { return linktoken.Hash(token) }

// LooksLikeToken reports whether s has a token's shape, so junk never reaches the database.
func LooksLikeToken(s string) bool { return tokens.LooksLike(s) }

// New checks and builds an invitation, returning it with the token to send (shown once).
// lastDay is the last day it can be used (zero: DefaultDays from today), from tomorrow to 30 days
// on; it expires at the start of the next day (UTC). A give-views invitation names its plan.
func New(youngPersonID, purpose, planID string, lastDay, now time.Time) (Invitation, string, error) {
	var errs []fault.FieldError
	add := func(pointer, detail string) { errs = append(errs, fault.FieldError{Pointer: pointer, Detail: detail}) }
	switch purpose {
	case RequestAssessment:
		if planID != "" {
			add("/ehc_plan_id", "only for an invitation to give views on a draft plan")
		}
	case GiveViews:
		if planID == "" {
			add("/ehc_plan_id", "is required for an invitation to give views on a draft plan")
		}
	default:
		add("/purpose", "must be request_assessment or give_views")
	}
	today := statutory.Civil(now)
	last := today.AddDate(0, 0, DefaultDays)
	if !lastDay.IsZero() {
		last = statutory.Civil(lastDay)
	}
	if last.Before(today.AddDate(0, 0, minDays)) || last.After(today.AddDate(0, 0, maxDays)) {
		add("/expires_on", "must be between 1 and 30 days from today")
	}
	if err := fault.Fields(fault.Unprocessable, errs); err != nil {
		return Invitation{}, "", err
	}
	token, hash := NewToken()
	return Invitation{YoungPersonID: youngPersonID, Purpose: purpose, PlanID: planID, TokenHash: hash,
		ExpiresAt: last.AddDate(0, 0, 1), CreatedAt: now, Version: 1}, token, nil
}

// Status is where the invitation stands at now.
func (i Invitation) Status(now time.Time) string {
	switch {
	case i.UsedAt != nil:
		return Used
	case !now.Before(i.ExpiresAt):
		return Expired
	}
	return Pending
}

// Usable checks that the invitation may be used for purpose at now: once (409 after), before it
// expires (410 after), and only for what it was made for (409).
func (i Invitation) Usable(purpose string, now time.Time) error {
	switch i.Status(now) {
	case Used:
		return fault.New(fault.Conflict, "This link has already been used; thank you. Ask the council for a new one if you need to do more.")
	case Expired:
		return fault.New(fault.Gone, "This link has expired; ask the council for a new one.")
	}
	if purpose != "" && purpose != i.Purpose {
		return fault.StateConflict("This link is for something else ("+i.Purpose+").", i.Purpose)
	}
	return nil
}

// MarkUsed records what was done through the invitation at at, checking Usable again.
func (i *Invitation) MarkUsed(purpose, recordID string, at time.Time) error {
	if err := i.Usable(purpose, at); err != nil {
		return err
	}
	i.UsedAt, i.UsedRecordID = &at, recordID
	i.Version++
	return nil
}
