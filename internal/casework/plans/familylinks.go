package plans

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/familylink"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/nextsteps"
	"github.com/oneplan-send/oneplan/internal/outbox"
)

// FamilyInvitationInput is what the council gives to invite a family without an account.
type FamilyInvitationInput struct {
	YoungPersonID, Purpose, PlanID string
	ExpiresOn                      time.Time // the last day it can be used; zero: the default
}

func invitationPayload(i familylink.Invitation) map[string]any {
	out := map[string]any{"young_person_id": i.YoungPersonID, "purpose": i.Purpose, "expires_at": i.ExpiresAt.Format(time.RFC3339)}
	if i.PlanID != "" {
		out["ehc_plan_id"] = i.PlanID
	}
	if i.UsedRecordID != "" {
		out["used_record_id"] = i.UsedRecordID
	}
	return out
}

// CreateFamilyInvitation makes an invitation link for a child the caller may write about, for one
// purpose, and returns it with its token (shown once; only the hash is kept).
func (s *Service) CreateFamilyInvitation(ctx context.Context, in FamilyInvitationInput) (inv familylink.Invitation, token string, err error) {
	defer casework.Wrap(&err, "create family invitation")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return inv, "", err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		yp, err := tx.People().Get(in.YoungPersonID, s.Scope(p))
		if err != nil {
			return casework.Referenced(err, "/young_person_id", "no such young person")
		}
		if inv, token, err = familylink.New(yp.ID, in.Purpose, in.PlanID, in.ExpiresOn, s.Now()); err != nil {
			return err
		}
		if in.PlanID != "" {
			pl, err := tx.Plans().Get(in.PlanID, s.Scope(p))
			if err != nil {
				return casework.Referenced(err, "/ehc_plan_id", "no such EHC plan")
			}
			if pl.YoungPersonID != yp.ID {
				return fault.Field(fault.Unprocessable, "/ehc_plan_id", "is another young person's plan")
			}
		}
		inv.ID, inv.CreatedByOrg = casework.NewID(), p.OrganisationID
		if err := tx.FamilyInvitations().CreateInvitation(inv); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Create, familylink.RecordType, inv.ID, inv.YoungPersonID, nil),
			s.Notice(outbox.FamilyInvitationCreated, inv.ID, invitationPayload(inv)))
	})
	return inv, token, err
}

// FamilyLink is what a family invitation shows its holder: nothing personal.
type FamilyLink struct {
	Invitation familylink.Invitation
	// CommentsDueOn is the last day of the comment period on the plan's served draft (give_views).
	CommentsDueOn *time.Time
}

// invitationByToken finds the invitation of a presented token, usable for purpose ("" any).
func (s *Service) invitationByToken(tx Tx, token, purpose string) (familylink.Invitation, error) {
	if !familylink.LooksLikeToken(token) {
		return familylink.Invitation{}, fault.New(fault.NotFound, "No such link: check it was copied whole.")
	}
	inv, err := tx.FamilyInvitations().InvitationByToken(familylink.HashToken(token))
	if err != nil {
		return inv, err
	}
	return inv, inv.Usable(purpose, s.Now())
}

// OpenFamilyLink reads an invitation by its token, with no other credentials.
func (s *Service) OpenFamilyLink(ctx context.Context, token string) (l FamilyLink, err error) {
	defer casework.Wrap(&err, "open family link")
	err = s.db.Read(ctx, func(tx Tx) error {
		if l.Invitation, err = s.invitationByToken(tx, token, ""); err != nil {
			return err
		}
		if l.Invitation.PlanID == "" {
			return nil
		}
		pl, err := tx.Plans().Get(l.Invitation.PlanID, s.Scope(linkHolder(l.Invitation)))
		if err != nil {
			return err
		}
		if v := pl.Latest(); pl.Status == ehcplan.Draft && v.CommentsDueOn != nil {
			l.CommentsDueOn = v.CommentsDueOn
		}
		return nil
	})
	return l, err
}

// linkHolder is who acts through an invitation: a family, for that child only, named in the audit
// trail by the invitation.
func linkHolder(i familylink.Invitation) auth.Principal {
	return auth.Principal{Role: auth.RoleFamily, Subject: "family-invitation:" + i.ID, YoungPersonIDs: []string{i.YoungPersonID}}
}

// useLink runs act for the holder of a usable invitation for purpose, and marks the invitation
// used, in one transaction: a refused act leaves it unused, and of two uses at once one wins.
func (s *Service) useLink(ctx context.Context, token, purpose string, act func(tx Tx, p auth.Principal, inv familylink.Invitation) (string, error)) error {
	err := s.db.InTx(ctx, func(tx Tx) error {
		inv, err := s.invitationByToken(tx, token, purpose)
		if err != nil {
			return err
		}
		p := linkHolder(inv)
		recordID, err := act(tx, p, inv)
		if err != nil {
			return err
		}
		if err := inv.MarkUsed(purpose, recordID, s.Now()); err != nil {
			return err
		}
		if err := tx.FamilyInvitations().UpdateInvitation(inv); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Update, familylink.RecordType, inv.ID, inv.YoungPersonID, []string{"used_at"}),
			s.Notice(outbox.FamilyInvitationUsed, inv.ID, invitationPayload(inv)))
	})
	if fault.KindOf(err) == fault.PreconditionFailed {
		// Another use of the same link won the race.
		return fault.New(fault.Conflict, "This link has already been used; thank you.")
	}
	return err
}

// RequestAssessmentByLink makes the family's request for an EHC needs assessment (s.36) through a
// request_assessment invitation: received today, for the invitation's child. It returns the
// request and what happens next in plain words.
func (s *Service) RequestAssessmentByLink(ctx context.Context, token, requestedBy, notes string) (r ehc.Request, next string, err error) {
	defer casework.Wrap(&err, "request assessment by family link")
	f := ehc.FamilyRequest{RequestedBy: requestedBy, ReceivedOn: s.Today()}
	if err := f.CheckFamily(s.Today()); err != nil {
		return r, "", err
	}
	err = s.useLink(ctx, token, familylink.RequestAssessment, func(tx Tx, p auth.Principal, inv familylink.Invitation) (string, error) {
		var err error
		r, err = s.requests.Receive(ctx, tx, p, ehcrequests.EHCRequestInput{YoungPersonID: inv.YoungPersonID, RequestedBy: requestedBy,
			Notes: notes, ReceivedOn: s.Today()})
		return r.ID, err
	})
	if err != nil {
		return r, "", err
	}
	out, _ := nextsteps.ForRequest(r, s.Today())
	return r, out.WhatIsHappening, nil
}

// GiveViewsByLink records the family's views on the invitation's plan through a give_views
// invitation, by the rules of GiveFamilyViews.
func (s *Service) GiveViewsByLink(ctx context.Context, token string, in FamilyViewsInput) (v ehcplan.FamilyViews, err error) {
	defer casework.Wrap(&err, "give views by family link")
	err = s.useLink(ctx, token, familylink.GiveViews, func(tx Tx, p auth.Principal, inv familylink.Invitation) (string, error) {
		var err error
		v, err = s.giveViews(ctx, tx, p, inv.PlanID, in, ehcplan.GivenByFamily)
		return v.ID, err
	})
	return v, err
}
