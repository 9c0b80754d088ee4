// Package adviserlinks lets an adviser without an account give the advice the council asked for
// (Reg 6) through an invitation link: the council issues a link for one advice request, and its
// holder, with no other credentials, reads what they need to write the advice (nothing personal),
// attaches their reports and submits the advice, once. The council may revoke the link. Every
// act through the link is audited with the link as the actor.
package adviserlinks

import (
	"context"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/adviserlink"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/advicerequests"
	"github.com/oneplan-send/oneplan/internal/casework/documents"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
)

// Tx is what the adviser link use cases need of a transaction.
type Tx interface {
	advicerequests.Tx
	AdviserInvitations() adviserlink.Repository
}

// Service runs the adviser link use cases.
type Service struct {
	casework.Core
	db     casework.DB[Tx]
	advice *advicerequests.Service
	docs   *documents.Service
}

// New returns the adviser link service.
func New(core casework.Core, db casework.DB[Tx], adv *advicerequests.Service, docs *documents.Service) *Service {
	return &Service{Core: core, db: db, advice: adv, docs: docs}
}

func payload(i adviserlink.Invitation) map[string]any {
	return map[string]any{"young_person_id": i.YoungPersonID, "advice_request_id": i.AdviceRequestID,
		"expires_at": i.ExpiresAt.Format(time.RFC3339), "documents": len(i.DocumentIDs)}
}

// holder is who acts through an invitation, named in the audit trail by the invitation; it sees
// nothing by scope (every read through the link is by the invitation's ids).
func holder(i adviserlink.Invitation) auth.Principal {
	return auth.Principal{Role: auth.RolePractitioner, Subject: "adviser-invitation:" + i.ID}
}

// Issue makes an invitation link for an advice request still waiting for its advice, whose
// assessment is within the caller's need-to-know, and returns it with its token (shown once).
func (s *Service) Issue(ctx context.Context, adviceRequestID string, expiresOn time.Time) (inv adviserlink.Invitation, token string, err error) {
	defer casework.Wrap(&err, "issue adviser invitation for %s", adviceRequestID)
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return inv, "", err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		r, err := tx.Advice().Get(adviceRequestID, advice.Reach{All: true})
		if err != nil {
			return err
		}
		req, err := tx.EHCRequests().Get(r.EHCRequestID, s.Scope(p))
		if err != nil {
			return fault.New(fault.NotFound, "No such advice request.")
		}
		if r.Status != advice.Requested {
			return fault.StateConflict("This advice has already been submitted.", string(r.Status))
		}
		if inv, token, err = adviserlink.New(r.ID, r.YoungPersonID, expiresOn, s.Now()); err != nil {
			return err
		}
		inv.ID, inv.CreatedByOrg = casework.NewID(), p.OrganisationID
		if err := tx.AdviserInvitations().CreateInvitation(inv); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, adviserlink.RecordType, inv.ID, inv.YoungPersonID, nil),
			s.Notice(outbox.AdviserInvitationCreated, inv.ID, payload(inv))); err != nil {
			return err
		}
		return s.OnTimeline(tx, inv.YoungPersonID, req.ReferralID, s.Today(), "adviser_invitation.created", adviserlink.RecordType, inv.ID,
			"Invitation link issued for the "+r.Adviser+" advice; usable until "+inv.ExpiresAt.AddDate(0, 0, -1).Format("2006-01-02"))
	})
	return inv, token, err
}

// Revoke withdraws an invitation not yet used, for a child within the caller's need-to-know.
func (s *Service) Revoke(ctx context.Context, id string) (inv adviserlink.Invitation, err error) {
	defer casework.Wrap(&err, "revoke adviser invitation %s", id)
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return inv, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if inv, err = tx.AdviserInvitations().Invitation(id, s.Scope(p)); err != nil {
			return err
		}
		if err := inv.Revoke(s.Now()); err != nil {
			return err
		}
		if err := tx.AdviserInvitations().UpdateInvitation(inv); err != nil {
			return casework.Raced(err, nil)
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Revoke, adviserlink.RecordType, inv.ID, inv.YoungPersonID, []string{"revoked_at"}),
			s.Notice(outbox.AdviserInvitationRevoked, inv.ID, payload(inv))); err != nil {
			return err
		}
		return s.OnTimeline(tx, inv.YoungPersonID, "", s.Today(), "adviser_invitation.revoked", adviserlink.RecordType, inv.ID,
			"Adviser invitation link revoked")
	})
	return inv, err
}

// Link is what an adviser invitation shows its holder: what was asked and by when, and the
// reports attached so far. Nothing personal: the council tells the adviser who the advice is
// about when it sends the link.
type Link struct {
	Invitation adviserlink.Invitation
	Request    advice.Request // only Adviser, RequestedOn and DueOn are shown
	Documents  []document.Document
}

// byToken finds the usable invitation of a presented token.
func (s *Service) byToken(tx Tx, token string) (adviserlink.Invitation, error) {
	if !adviserlink.LooksLikeToken(token) {
		return adviserlink.Invitation{}, fault.New(fault.NotFound, "No such link: check it was copied whole.")
	}
	inv, err := tx.AdviserInvitations().InvitationByToken(adviserlink.HashToken(token))
	if err != nil {
		return inv, err
	}
	return inv, inv.Usable(s.Now())
}

// dueOn is the advice's due date as of today (exceptions may have moved it).
func (s *Service) dueOn(tx Tx, r advice.Request) (time.Time, error) {
	req, err := tx.EHCRequests().Get(r.EHCRequestID, access.All)
	if err != nil {
		return time.Time{}, err
	}
	for _, a := range req.Advice {
		if a.ID == r.ID {
			return req.AdviceMilestone(a, s.Today()).AdjustedDueOn, nil
		}
	}
	return r.DueOn, nil
}

// Open reads an invitation by its token, with no other credentials; the read of the advice
// request is audited with the link as the actor.
func (s *Service) Open(ctx context.Context, token string) (l Link, err error) {
	defer casework.Wrap(&err, "open adviser link")
	err = s.db.InTx(ctx, func(tx Tx) error {
		if l.Invitation, err = s.byToken(tx, token); err != nil {
			return err
		}
		if l.Request, err = tx.Advice().Get(l.Invitation.AdviceRequestID, advice.Reach{All: true}); err != nil {
			return err
		}
		if l.Request.DueOn, err = s.dueOn(tx, l.Request); err != nil {
			return err
		}
		for _, id := range l.Invitation.DocumentIDs {
			d, err := tx.Documents().Get(id, access.All)
			if fault.KindOf(err) == fault.NotFound {
				continue // removed by the council since
			} else if err != nil {
				return err
			}
			l.Documents = append(l.Documents, d)
		}
		return tx.Audit(s.Event(ctx, holder(l.Invitation), audit.Read, advice.RecordType, l.Request.ID, l.Request.YoungPersonID, nil))
	})
	return l, err
}

// Attach stores a report from the link's holder on the advice request's assessment (kind
// advice or report), to be named in the submission. The bytes are checked as every upload is.
func (s *Service) Attach(ctx context.Context, token string, m document.Meta, content []byte) (d document.Document, err error) {
	defer casework.Wrap(&err, "attach document by adviser link")
	if err := document.MayAttach(m.Kind, document.ByAdviser); err != nil {
		return d, err
	}
	// A bad or spent link is told so before its bytes are looked at or stored.
	if err := s.db.Read(ctx, func(tx Tx) error { _, err := s.byToken(tx, token); return err }); err != nil {
		return d, err
	}
	var st documents.Staged
	err = s.db.InTx(ctx, func(tx Tx) error {
		inv, err := s.byToken(tx, token)
		if err != nil {
			return err
		}
		r, err := tx.Advice().Get(inv.AdviceRequestID, advice.Reach{All: true})
		if err != nil {
			return err
		}
		if r.Status != advice.Requested {
			return fault.StateConflict("This advice has already been submitted.", string(r.Status))
		}
		req, err := tx.EHCRequests().Get(r.EHCRequestID, access.All)
		if err != nil {
			return err
		}
		m.RecordType, m.RecordID = document.OnEHCRequest, req.ID
		if st == (documents.Staged{}) {
			if st, err = s.docs.Stage(ctx, m, content); err != nil {
				return err
			}
		}
		p := holder(inv)
		if d, err = s.docs.Keep(ctx, tx, p, st.ForAdvice(r.ID), req.YoungPersonID, req.ReferralID); err != nil {
			return err
		}
		if err := inv.Attach(d.ID, s.Now()); err != nil {
			return err
		}
		if err := tx.AdviserInvitations().UpdateInvitation(inv); err != nil {
			return err
		}
		return tx.Audit(s.Event(ctx, p, audit.Update, adviserlink.RecordType, inv.ID, inv.YoungPersonID, []string{"document_ids"}))
	})
	if err != nil {
		s.docs.Unstage(ctx, st)
		if fault.KindOf(err) == fault.PreconditionFailed {
			return d, fault.New(fault.Conflict, "The link was used at the same moment; try again.")
		}
	}
	return d, err
}

// Submit records the advice through the link, once: by the rules of the adviser's own
// submission, naming only reports attached through this link, and marks the link used, in one
// transaction. A refused submission leaves the link unused.
func (s *Service) Submit(ctx context.Context, token string, in advice.Submission) (v advicerequests.View, err error) {
	defer casework.Wrap(&err, "submit advice by adviser link")
	err = s.db.InTx(ctx, func(tx Tx) error {
		inv, err := s.byToken(tx, token)
		if err != nil {
			return err
		}
		for i, d := range in.DocumentIDs {
			if !inv.Attached(d) {
				return fault.Field(fault.Unprocessable, "/document_ids/"+strconv.Itoa(i), "is not a report attached through this link")
			}
		}
		r, err := tx.Advice().Get(inv.AdviceRequestID, advice.Reach{All: true})
		if err != nil {
			return err
		}
		p := holder(inv)
		if v, err = s.advice.SubmitWithin(ctx, tx, p, r, in); err != nil {
			return err
		}
		if err := inv.MarkUsed(s.Now()); err != nil {
			return err
		}
		if err := tx.AdviserInvitations().UpdateInvitation(inv); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Update, adviserlink.RecordType, inv.ID, inv.YoungPersonID, []string{"used_at"}),
			s.Notice(outbox.AdviserInvitationUsed, inv.ID, payload(inv)))
	})
	if fault.KindOf(err) == fault.PreconditionFailed {
		// Another use of the same link won the race.
		return v, fault.New(fault.Conflict, "The advice has already been submitted through this link; thank you.")
	}
	return v, err
}
