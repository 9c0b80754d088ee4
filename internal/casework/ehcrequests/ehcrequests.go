// Package ehcrequests runs requests for EHC needs assessments on the statutory clock: the decision
// whether to assess, advice, exceptions, the decision whether to issue a plan, and withdrawal.
package ehcrequests

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Tx is what the request use cases need of a transaction.
type Tx interface {
	referrals.Tx
	Meetings() meeting.Repository
	EHCRequests() ehc.Repository
	Advice() advice.Repository
}

// Service runs the request use cases.
type Service struct {
	casework.Core
	db        casework.DB[Tx]
	referrals *referrals.Service
}

// New returns the request service.
func New(core casework.Core, db casework.DB[Tx], referrals *referrals.Service) *Service {
	return &Service{Core: core, db: db, referrals: referrals}
}

// Versioned is how a request is changed under optimistic locking, here and by its plan.
var Versioned = casework.Versioned[ehc.Request, Tx]{Load: casework.LoadVia(Tx.EHCRequests, ehc.Repository.Get),
	Save:  casework.SaveVia(Tx.EHCRequests, ehc.Repository.Update),
	Stamp: func(r *ehc.Request) (*int, *time.Time) { return &r.Version, &r.UpdatedAt }}

// EHCRequestInput is what a caller gives to record a request for an EHC needs assessment.
type EHCRequestInput struct {
	YoungPersonID, ReferralID, MeetingID, RequestedBy, Notes string
	ReceivedOn                                               time.Time
	InYouthCustody                                           bool
}

// Payload is the outbox payload of a request: ids, statuses and SEN2 codes only.
func Payload(r ehc.Request) map[string]any {
	payload := map[string]any{"young_person_id": r.YoungPersonID, "status": string(r.Status), "requested_by": r.RequestedBy,
		"received_on": r.ReceivedOn.Format("2006-01-02"), "request_outcome": r.RequestOutcome}
	if r.ReferralID != "" {
		payload["referral_id"] = r.ReferralID
	}
	if r.MeetingID != "" {
		payload["meeting_id"] = r.MeetingID
	}
	if r.AssessmentOutcome != "" {
		payload["assessment_outcome"] = r.AssessmentOutcome
	}
	return payload
}

// CreateEHCRequest records a request for an EHC needs assessment, which starts the statutory clock.
func (s *Service) CreateEHCRequest(ctx context.Context, in EHCRequestInput) (r ehc.Request, err error) {
	defer casework.Wrap(&err, "create EHC request")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		// A family may make their own request (s.36), for a child their credentials name.
		fp, ferr := casework.Allow(ctx, auth.RequestAssessment)
		if ferr != nil {
			return r, err
		}
		f := ehc.FamilyRequest{RequestedBy: in.RequestedBy, ReceivedOn: in.ReceivedOn, ReferralID: in.ReferralID, Meeting: in.MeetingID}
		if err := f.CheckFamily(s.Today()); err != nil {
			return r, err
		}
		p, in.ReceivedOn = fp, s.Today()
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		r, err = s.Receive(ctx, tx, p, in)
		return err
	})
	return r, err
}

// Receive records a request within the caller's transaction, for p (whose permission the caller
// has checked): the request, its audit and outbox events and its timeline line. A family
// invitation link uses it to make the family's request in the same transaction that uses the link.
func (s *Service) Receive(ctx context.Context, tx Tx, p auth.Principal, in EHCRequestInput) (r ehc.Request, err error) {
	err = func() error {
		yp, err := tx.People().Get(in.YoungPersonID, s.Scope(p))
		if err != nil {
			return casework.Referenced(err, "/young_person_id", "no such young person")
		}
		if r, err = ehc.New(yp.ID, yp.DateOfBirth, in.ReceivedOn, in.RequestedBy, in.ReferralID, in.Notes, s.Today()); err != nil {
			return err
		}
		if in.ReferralID != "" {
			ref, err := s.referrals.ForWrite(tx, p, in.ReferralID)
			if err != nil {
				return err
			}
			if ref.YoungPersonID != yp.ID {
				return fault.Field(fault.Unprocessable, "/referral_id", "is another young person's referral")
			}
		}
		if in.MeetingID != "" {
			m, err := tx.Meetings().Get(in.MeetingID, s.Scope(p))
			if err != nil {
				return casework.Referenced(err, "/meeting_id", "no such meeting")
			}
			if m.YoungPersonID != yp.ID || m.Type != meeting.MAP || m.MapDecision == nil || m.MapDecision.Outcome != meeting.OutcomeRequestEHCNeedsAssessment {
				return fault.Field(fault.Unprocessable, "/meeting_id",
					"must be a multi-agency panel about this young person that decided to request an EHC needs assessment")
			}
			r.MeetingID = m.ID
		}
		r.InYouthCustody = in.InYouthCustody
		r.ID, r.CreatedAt, r.UpdatedAt, r.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.EHCRequests().Create(r); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, ehc.RecordType, r.ID, r.YoungPersonID, nil),
			s.Notice(outbox.EHCRequestReceived, r.ID, Payload(r))); err != nil {
			return err
		}
		due := r.DueDates()
		return s.OnTimeline(tx, r.YoungPersonID, r.ReferralID, r.ReceivedOn, "ehc_request.received", ehc.RecordType, r.ID,
			"EHC needs assessment requested by "+r.RequestedBy+" (SEN2 request outcome A); decision due "+
				due.DecisionToAssess.Format("2006-01-02")+", final plan due "+due.FinalPlan.Format("2006-01-02"))
	}()
	return r, err
}

// EHCRequest reads one request the caller may see.
func (s *Service) EHCRequest(ctx context.Context, id string) (_ ehc.Request, err error) {
	defer casework.Wrap(&err, "read EHC request %s", id)
	r, err := casework.ReadAudited(ctx, s.Core, s.db, ehc.RecordType, id,
		func(tx Tx, sc access.Scope) (ehc.Request, error) { return tx.EHCRequests().Get(id, sc) },
		func(r ehc.Request) string { return r.YoungPersonID })
	if err == nil && isFamily(ctx) {
		r = r.ForFamily()
	}
	return r, err
}

// isFamily reports whether the caller is a family, who read requests without professionals' notes.
func isFamily(ctx context.Context) bool {
	p, _ := auth.FromContext(ctx)
	return p.Role == auth.RoleFamily
}

// EHCRequests lists the requests the caller may see, auditing each hit. The overdue filter is
// judged on the service's today.
func (s *Service) EHCRequests(ctx context.Context, f ehc.Filter, pg paging.Page) (_ []ehc.Request, _ string, err error) {
	defer casework.Wrap(&err, "list EHC requests")
	f.Today = s.Today()
	rs, next, err := casework.ListAudited(ctx, s.Core, s.db, ehc.RecordType,
		func(tx Tx, sc access.Scope) ([]ehc.Request, string, error) {
			return tx.EHCRequests().List(f, sc, pg)
		},
		func(r ehc.Request) (string, string) { return r.ID, r.YoungPersonID })
	if err == nil && isFamily(ctx) {
		for i := range rs {
			rs[i] = rs[i].ForFamily()
		}
	}
	return rs, next, err
}

// changeEHCRequest loads a visible request, checks If-Match, applies change and writes the request
// with its audit, outbox and timeline events in one transaction.
func (s *Service) changeEHCRequest(ctx context.Context, perm auth.Permission, id string, ifMatch *int, change func(tx Tx, r *ehc.Request) error,
	action string, changed []string, eventType outbox.Type, timelineKind func(r ehc.Request) (kind, summary string, on time.Time)) (ehc.Request, error) {
	return Versioned.Change(ctx, s.Core, s.db, perm, id, ifMatch,
		func(tx Tx, _ auth.Principal, r *ehc.Request) (bool, error) { return true, change(tx, r) },
		func(tx Tx, p auth.Principal, r ehc.Request) error {
			if err := casework.Record(tx, s.Event(ctx, p, action, ehc.RecordType, r.ID, r.YoungPersonID, changed),
				s.Notice(eventType, r.ID, Payload(r))); err != nil {
				return err
			}
			// The timeline is dated when things happened, which the caller records, not when they were typed in.
			kind, summary, on := timelineKind(r)
			return s.OnTimeline(tx, r.YoungPersonID, r.ReferralID, on, kind, ehc.RecordType, r.ID, summary)
		})
}

// DecideEHCRequest records the decision whether to carry out the assessment (Reg 5). It is the
// SEND team's or the engagement lead's call.
func (s *Service) DecideEHCRequest(ctx context.Context, id string, ifMatch *int, d ehc.Decision) (_ ehc.Request, err error) {
	defer casework.Wrap(&err, "decide EHC request %s", id)
	return s.changeEHCRequest(ctx, auth.RunPathway, id, ifMatch, func(_ Tx, r *ehc.Request) error { return r.Decide(d, s.Today()) },
		audit.Transition, []string{"status", "decision", "request_outcome"}, outbox.EHCRequestDecided,
		func(r ehc.Request) (string, string, time.Time) {
			return "ehc_request.decided", "EHC needs assessment decision: " + r.Decision.Decision + " on " + r.Decision.DecidedOn.Format("2006-01-02") +
					" (SEN2 request outcome " + r.RequestOutcome + "; decision " + string(r.Deadlines(s.Today()).DecisionToAssess.Status) + ")",
				r.Decision.DecidedOn
		})
}

// AddEHCException records an exception period on an open request, which adjusts its deadlines.
func (s *Service) AddEHCException(ctx context.Context, id string, ifMatch *int, e statutory.Exception) (_ ehc.Request, err error) {
	defer casework.Wrap(&err, "add EHC exception %s", id)
	return s.changeEHCRequest(ctx, auth.WriteCasework, id, ifMatch, func(_ Tx, r *ehc.Request) error { return r.AddException(e) },
		audit.Update, []string{"exceptions"}, outbox.EHCRequestExceptionRecorded,
		func(r ehc.Request) (string, string, time.Time) {
			due := r.DueDates()
			return "ehc_request.exception_recorded", "Exception ground (" + ehc.LetterOf(e.Ground) + ") recorded; adjusted final plan due " +
				due.FinalPlan.Format("2006-01-02"), statutory.Civil(e.From)
		})
}

// WithdrawEHCRequest records that an open request was withdrawn.
func (s *Service) WithdrawEHCRequest(ctx context.Context, id string, ifMatch *int, on time.Time, reason string) (_ ehc.Request, err error) {
	defer casework.Wrap(&err, "withdraw EHC request %s", id)
	if on.IsZero() {
		on = s.Today()
	}
	return s.changeEHCRequest(ctx, auth.WriteCasework, id, ifMatch, func(_ Tx, r *ehc.Request) error { return r.Withdraw(on, reason, s.Today()) },
		audit.Withdraw, []string{"status", "withdrawal", "request_outcome", "assessment_outcome"}, outbox.EHCRequestWithdrawn,
		func(r ehc.Request) (string, string, time.Time) {
			codes := "SEN2 request outcome " + r.RequestOutcome
			if r.AssessmentOutcome != "" {
				codes += ", assessment outcome " + r.AssessmentOutcome
			}
			return "ehc_request.withdrawn", "EHC needs assessment request withdrawn (" + codes + ")", r.Withdrawal.On
		})
}

// RequestEHCAdvice records a request for advice from one adviser, with its own 6-week clock.
func (s *Service) RequestEHCAdvice(ctx context.Context, id string, ifMatch *int, a ehc.Advice) (_ ehc.Request, err error) {
	defer casework.Wrap(&err, "request EHC advice %s", id)
	a.ID = casework.NewID()
	return s.changeEHCRequest(ctx, auth.WriteCasework, id, ifMatch, func(tx Tx, r *ehc.Request) error {
		yp, err := tx.People().Get(r.YoungPersonID, access.Scope{})
		if err != nil {
			return err
		}
		if err := r.RequestAdvice(a, yp.DateOfBirth, s.Today()); err != nil || a.PractitionerID == "" {
			return err
		}
		return s.addressAdvice(tx, *r, a)
	}, audit.Update, []string{"advice"}, outbox.EHCRequestAdviceRequested,
		func(r ehc.Request) (string, string, time.Time) {
			last := r.Advice[len(r.Advice)-1]
			m := r.AdviceMilestone(last, s.Today())
			return "ehc_request.advice_requested", "Advice requested (" + last.Adviser + "); due " + m.AdjustedDueOn.Format("2006-01-02"), last.RequestedOn
		})
}

// ReceiveEHCAdvice records the day advice arrived.
func (s *Service) ReceiveEHCAdvice(ctx context.Context, id, adviceID string, ifMatch *int, on time.Time) (_ ehc.Request, err error) {
	defer casework.Wrap(&err, "receive EHC advice")
	var adviser string
	return s.changeEHCRequest(ctx, auth.WriteCasework, id, ifMatch, func(_ Tx, r *ehc.Request) error {
		if err := r.ReceiveAdvice(adviceID, on, s.Today()); err != nil {
			return err
		}
		for _, a := range r.Advice {
			if a.ID == adviceID {
				adviser = a.Adviser
			}
		}
		return nil
	}, audit.Update, []string{"advice"}, outbox.EHCRequestAdviceReceived,
		func(r ehc.Request) (string, string, time.Time) {
			for _, a := range r.Advice {
				if a.ID == adviceID {
					return "ehc_request.advice_received", "Advice received (" + adviser + "; " + string(r.AdviceMilestone(a, s.Today()).Status) + ")", *a.ReceivedOn
				}
			}
			return "ehc_request.advice_received", "Advice received", s.Today()
		})
}

// DecideEHCIssue records the decision, after the assessment, whether to issue a plan.
func (s *Service) DecideEHCIssue(ctx context.Context, id string, ifMatch *int, d ehc.IssueDecision) (_ ehc.Request, err error) {
	defer casework.Wrap(&err, "decide EHC issue %s", id)
	return s.changeEHCRequest(ctx, auth.RunPathway, id, ifMatch, func(_ Tx, r *ehc.Request) error { return r.DecideIssue(d, s.Today()) },
		audit.Transition, []string{"status", "issue_decision", "assessment_outcome"}, outbox.EHCRequestIssueDecided,
		func(r ehc.Request) (string, string, time.Time) {
			return "ehc_request.issue_decided", "Decision whether to issue an EHC plan: " + r.IssueDecision.Decision + " on " +
				r.IssueDecision.DecidedOn.Format("2006-01-02"), r.IssueDecision.DecidedOn
		})
}

// addressAdvice opens the named adviser's own view of an advice request: the practitioner must
// be active in the directory; they then see this request and submit the advice themselves.
func (s *Service) addressAdvice(tx Tx, r ehc.Request, a ehc.Advice) error {
	pr, err := tx.Directory().Practitioner(a.PractitionerID)
	if err != nil || !pr.Active {
		return casework.Referenced(orNotFound(err), "/adviser_practitioner_id", "no such active practitioner")
	}
	return tx.Advice().Create(advice.Request{ID: a.ID, EHCRequestID: r.ID, YoungPersonID: r.YoungPersonID, PractitionerID: pr.ID,
		Adviser: a.Adviser, Provider: a.Provider, RequestedOn: a.RequestedOn, DueOn: r.AdviceMilestone(r.Advice[len(r.Advice)-1], s.Today()).AdjustedDueOn,
		Status: advice.Requested, CreatedAt: s.Now(), UpdatedAt: s.Now(), Version: 1})
}

func orNotFound(err error) error {
	if err == nil {
		return fault.New(fault.NotFound, "No such practitioner.")
	}
	return err
}
