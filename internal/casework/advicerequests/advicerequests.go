// Package advicerequests lets the adviser the council named on an advice request (Reg 6) see that
// request, and only that one, and submit the advice themselves: text by the plan's headings, the
// reports attached to the assessment, and the plan sections it informs. Submitting marks the
// assessment's advice received, in the same transaction as the advice, its audit event, its
// outbox event and the timeline line.
package advicerequests

import (
	"context"
	"strconv"
	"strings"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
)

// Tx is what the advice use cases need of a transaction.
type Tx interface {
	ehcrequests.Tx
	Documents() document.Repository
}

// Service runs the adviser's use cases.
type Service struct {
	casework.Core
	db casework.DB[Tx]
}

// New returns the advice service.
func New(core casework.Core, db casework.DB[Tx]) *Service { return &Service{Core: core, db: db} }

// View is an advice request with who it is about: the adviser needs the child's name and date
// of birth, and no more of their record.
type View struct {
	advice.Request
	Child person.YoungPerson
}

// Reach is which advice requests p may see: the SEND team all of them; a practitioner or an
// engagement lead those naming them; anyone else none.
func Reach(p auth.Principal) advice.Reach {
	switch {
	case p.SeesWholeCouncil():
		return advice.Reach{All: true}
	case p.Role == auth.RolePractitioner || p.Role == auth.RoleEngagementLead:
		return advice.Reach{PractitionerID: p.PractitionerID}
	}
	return advice.Reach{}
}

func principal(ctx context.Context) auth.Principal { p, _ := auth.FromContext(ctx); return p }

func (s *Service) view(tx Tx, r advice.Request) (View, error) {
	yp, err := tx.People().Get(r.YoungPersonID, access.All)
	return View{Request: r, Child: yp}, err
}

// AdviceRequest reads one advice request within the caller's reach, audited as a read.
func (s *Service) AdviceRequest(ctx context.Context, id string) (_ View, err error) {
	defer casework.Wrap(&err, "read advice request %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, advice.RecordType, id,
		func(tx Tx, _ access.Scope) (View, error) {
			r, err := tx.Advice().Get(id, Reach(principal(ctx)))
			if err != nil {
				return View{}, err
			}
			return s.view(tx, r)
		},
		func(v View) string { return v.YoungPersonID })
}

// AdviceRequests lists the advice requests within the caller's reach, audited as one list.
func (s *Service) AdviceRequests(ctx context.Context, f advice.Filter, pg paging.Page) (_ []View, _ string, err error) {
	defer casework.Wrap(&err, "list advice requests")
	return casework.ListAudited(ctx, s.Core, s.db, advice.RecordType,
		func(tx Tx, _ access.Scope) ([]View, string, error) {
			rs, next, err := tx.Advice().List(f, Reach(principal(ctx)), pg)
			if err != nil {
				return nil, "", err
			}
			out := make([]View, len(rs))
			for i, r := range rs {
				if out[i], err = s.view(tx, r); err != nil {
					return nil, "", err
				}
			}
			return out, next, nil
		},
		func(v View) (string, string) { return v.ID, v.YoungPersonID })
}

func payload(r advice.Request) map[string]any {
	out := map[string]any{"young_person_id": r.YoungPersonID, "ehc_request_id": r.EHCRequestID, "status": string(r.Status),
		"adviser": r.Adviser, "due_on": r.DueOn.Format("2006-01-02"), "late": r.Late, "informs_sections": r.Informs}
	if r.SubmittedOn != nil {
		out["submitted_on"] = r.SubmittedOn.Format("2006-01-02")
	}
	return out
}

// Submit records the advice of the adviser the request names (nobody else: another adviser is
// told it does not exist). The documents must already be attached to the same assessment. The
// assessment's advice is marked received today unless the council already recorded it.
func (s *Service) Submit(ctx context.Context, id string, ifMatch *int, in advice.Submission) (v View, err error) {
	defer casework.Wrap(&err, "submit advice %s", id)
	p, err := casework.Allow(ctx, auth.SubmitAdvice)
	if err != nil {
		return v, err
	}
	if err := in.Check(); err != nil {
		return v, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		r, err := tx.Advice().Get(id, advice.Reach{PractitionerID: p.PractitionerID})
		if err != nil {
			return err
		}
		if err := casework.CheckVersion(ifMatch, r.Version); err != nil {
			return err
		}
		v, err = s.SubmitWithin(ctx, tx, p, r, in)
		return casework.Raced(err, ifMatch)
	})
	return v, err
}

// SubmitWithin records the advice of r, submitted by p (the adviser, or the holder of an adviser
// invitation), in tx: the checks and effects of Submit once r is found.
func (s *Service) SubmitWithin(ctx context.Context, tx Tx, p auth.Principal, r advice.Request, in advice.Submission) (v View, err error) {
	if err := in.Check(); err != nil {
		return v, err
	}
	req, err := tx.EHCRequests().Get(r.EHCRequestID, access.All)
	if err != nil {
		return v, err
	}
	for i, d := range in.DocumentIDs {
		// The adviser cites what they attached for this advice, or what they may read anyway (an
		// adviser in the child's team); any other document is answered as one that does not
		// exist, so a refusal tells nothing of it.
		doc, err := tx.Documents().Get(d, access.All)
		if err == nil && doc.AdviceRequestID != r.ID {
			_, err = tx.Documents().Get(d, s.Scope(p))
		}
		if err != nil || doc.RecordType != document.OnEHCRequest || doc.RecordID != req.ID {
			return v, casework.Referenced(orNotFound(err), "/document_ids/"+strconv.Itoa(i), "is not a document attached to this EHC needs assessment")
		}
	}
	var entry ehc.Advice
	for _, a := range req.Advice {
		if a.ID == r.ID {
			entry = a
		}
	}
	if err := r.Submit(in, req.AdviceMilestone(entry, s.Today()).AdjustedDueOn, s.Today()); err != nil {
		return v, err
	}
	if entry.ReceivedOn == nil && req.Status.Open() {
		if err := req.ReceiveAdvice(r.ID, s.Today(), s.Today()); err != nil {
			return v, err
		}
		if err := ehcrequests.Versioned.SaveNext(s.Core, tx, &req); err != nil {
			return v, err
		}
	}
	r.Version, r.UpdatedAt = r.Version+1, s.Now()
	if err := tx.Advice().Update(r); err != nil {
		return v, err
	}
	if err := casework.Record(tx, s.Event(ctx, p, audit.Submit, advice.RecordType, r.ID, r.YoungPersonID,
		[]string{"status", "sections", "document_ids", "informs_sections"}), s.Notice(outbox.EHCAdviceSubmitted, r.ID, payload(r))); err != nil {
		return v, err
	}
	when := "on time"
	if r.Late {
		when = "late; due " + r.DueOn.Format("2006-01-02")
	}
	if err := s.OnTimeline(tx, r.YoungPersonID, req.ReferralID, *r.SubmittedOn, "ehc_advice.submitted", advice.RecordType, r.ID,
		"Advice submitted by the adviser ("+r.Adviser+", "+when+"); informs plan sections "+strings.ToUpper(strings.Join(r.Informs, ", "))); err != nil {
		return v, err
	}
	return s.view(tx, r)
}

func orNotFound(err error) error {
	if err == nil {
		return fault.New(fault.NotFound, "No such document.")
	}
	return err
}
