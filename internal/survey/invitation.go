package survey

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/linktoken"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// tokens are survey invitation tokens: "osi_" and 43 characters of base64url (package linktoken).
const tokens linktoken.Kind = "osi_"

// Invitation expiry bounds: long enough to reach a family by post, short enough that an old
// link lying about is dead.
const (
	minInvitationDays = 1
	maxInvitationDays = 90
)

// Invitation lets a parent or young person answer once without an account. Whoever holds the
// token may answer, so only its hash is stored.
type Invitation struct {
	ID, TemplateID  string
	TemplateVersion int
	Audience, Point string
	// What the invitation is about: exactly one of the referral or the plan.
	ReferralID, EHCPlanID, YoungPersonID string
	TokenHash                            string // SHA-256 hex of the token; the token itself is never stored
	ExpiresAt                            time.Time
	AnsweredAt                           *time.Time
	ResponseID                           string
	CreatedByOrgID                       string
	CreatedAt                            time.Time
	Version                              int
}

// NewToken makes an unguessable token and its hash.
func NewToken() (token, hash string) { return tokens.New() }

// HashToken is the stored form of a presented token.
func HashToken(token string) string { return linktoken.Hash(token) }

// LooksLikeToken reports whether s has a token's shape, so junk never reaches the database.
func LooksLikeToken(s string) bool { return tokens.LooksLike(s) }

// NewInvitation checks and builds an invitation to answer t's current question set, returning
// it and the token to send (shown once; only its hash is kept). lastDay is the last calendar day
// it can be answered (read as a date), from tomorrow to 90 days on; it expires at the start of
// the next day (UTC). The caller fills the ID, the young person and the inviting organisation.
func NewInvitation(t Template, point, referralID, ehcPlanID string, lastDay, now time.Time) (Invitation, string, error) {
	// Invitations reach people without an account; professionals answer signed in.
	if t.Audience != ParentCarer && t.Audience != ChildYoungPerson {
		return Invitation{}, "", fault.Field(fault.Unprocessable, "/template_id", "invitations are for parent and carer or child and young person surveys")
	}
	var errs []fault.FieldError
	add := func(pointer, detail string) { errs = append(errs, fault.FieldError{Pointer: pointer, Detail: detail}) }
	if !slices.Contains(Points, point) {
		add("/point", "must be one of: "+strings.Join(Points, ", "))
	}
	// An anonymous invitation would let anyone with the link add to a child's record unseen;
	// one about both could not say which it answers.
	switch {
	case referralID == "" && ehcPlanID == "":
		add("/referral_id", "give the referral or the EHC plan the invitation is about")
	case referralID != "" && ehcPlanID != "":
		add("/referral_id", "give the referral or the EHC plan the invitation is about, not both")
	}
	// Bounds in whole days: an instant bound would refuse the 90th day whenever the invitation
	// is made after midnight, since that day runs to its end.
	last, today := statutory.Civil(lastDay), statutory.Civil(now)
	if last.Before(today.AddDate(0, 0, minInvitationDays)) || last.After(today.AddDate(0, 0, maxInvitationDays)) {
		add("/expires_on", "must be between 1 and 90 days from today")
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return Invitation{}, "", err
	}
	token, hash := NewToken()
	return Invitation{
		TemplateID: t.ID, TemplateVersion: t.Current().Number, Audience: t.Audience, Point: point,
		ReferralID: referralID, EHCPlanID: ehcPlanID,
		TokenHash: hash, ExpiresAt: last.AddDate(0, 0, 1), CreatedAt: now, Version: 1,
	}, token, nil
}

// answered reports whether the invitation has been used.
func (i Invitation) answered() bool { return i.AnsweredAt != nil || i.ResponseID != "" }

// Usable reports whether the invitation may still be answered at now. An answered invitation
// says so even once expired: thanking the family is kinder than telling them it lapsed.
func (i Invitation) Usable(now time.Time) error {
	if i.answered() {
		return fault.New(fault.Conflict, "This invitation has already been answered; thank you.")
	}
	if !now.Before(i.ExpiresAt) {
		return fault.New(fault.Gone, "This invitation has expired; ask the person who sent it for a new one.")
	}
	return nil
}

// MarkAnswered records the response given through the invitation, bumping Version. It checks
// Usable again at at, so an invitation is never answered twice even by a careless caller.
func (i *Invitation) MarkAnswered(responseID string, at time.Time) error {
	if responseID == "" {
		return errors.New("survey: marking an invitation answered needs the response id")
	}
	if err := i.Usable(at); err != nil {
		return err
	}
	i.AnsweredAt = &at
	i.ResponseID = responseID
	i.Version++
	return nil
}

// Invitation statuses, for lists.
const (
	InvitationPending  = "pending"
	InvitationAnswered = "answered"
	InvitationExpired  = "expired"
)

// Status is where the invitation stands at now, by the same rules as Usable. The store's status
// filter repeats them in SQL so that the filter runs in the database.
func (i Invitation) Status(now time.Time) string {
	switch {
	case i.answered():
		return InvitationAnswered
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}
