// Package disputes records tribunal appeals, mediation and complaints about a request, plan, review
// or referral, with the deadlines for appealing and their outcomes.
package disputes

import (
	"context"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Tx is what the dispute use cases need of a transaction: it reads the records a dispute can be
// about.
type Tx interface {
	plans.Tx
	Disputes() dispute.Repository
}

// Service runs the dispute use cases.
type Service struct {
	casework.Core
	db casework.DB[Tx]
}

// New returns the dispute service.
func New(core casework.Core, db casework.DB[Tx]) *Service { return &Service{Core: core, db: db} }

var versionedDisputes = casework.Versioned[dispute.Dispute, Tx]{Load: casework.LoadVia(Tx.Disputes, dispute.Repository.Get),
	Save:  casework.SaveVia(Tx.Disputes, dispute.Repository.Update),
	Stamp: func(d *dispute.Dispute) (*int, *time.Time) { return &d.Version, &d.UpdatedAt }}

// disputeSubject resolves the record a dispute is about, within the caller's scope, to its young
// person. A subject the caller cannot see is a bad reference in the body, not a missing resource.
// Every subject type goes through this one switch.
func (s *Service) disputeSubject(tx Tx, p auth.Principal, subjectType, id string) (youngPersonID string, err error) {
	scope := s.Scope(p)
	switch subjectType {
	case dispute.SubjectEHCRequest:
		r, lookup := tx.EHCRequests().Get(id, scope)
		youngPersonID, err = r.YoungPersonID, lookup
	case dispute.SubjectReferral:
		r, lookup := tx.Referrals().Get(id, scope)
		youngPersonID, err = r.YoungPersonID, lookup
	case dispute.SubjectEHCPlan:
		pl, lookup := tx.Plans().Get(id, scope)
		youngPersonID, err = pl.YoungPersonID, lookup
	case dispute.SubjectAnnualReview:
		r, lookup := tx.Reviews().Get(id, scope)
		youngPersonID, err = r.YoungPersonID, lookup
	default:
		return "", fault.Field(fault.Unprocessable, "/subject_type", "is not a known subject type")
	}
	if fault.KindOf(err) == fault.NotFound {
		return "", fault.Field(fault.Unprocessable, "/subject_id", "no such "+subjectType)
	}
	return youngPersonID, err
}

// disputeNames reads a kind for timeline summaries.
var disputeNames = map[dispute.Kind]string{dispute.Tribunal: "Tribunal appeal", dispute.Mediation: "Mediation", dispute.Complaint: "Complaint"}

// disputePayload is the outbox payload of a dispute: ids, codes and dates only.
func disputePayload(d dispute.Dispute) map[string]any {
	payload := map[string]any{"young_person_id": d.YoungPersonID, "subject_type": d.SubjectType, "subject_id": d.SubjectID,
		"kind": string(d.Kind), "about": d.About, "received_on": d.ReceivedOn.Format("2006-01-02")}
	for name, t := range map[string]time.Time{"decision_letter_on": d.DecisionLetterOn, "appeal_deadline": d.AppealDeadline(),
		"concluded_on": d.ConcludedOn} {
		if !t.IsZero() {
			payload[name] = t.Format("2006-01-02")
		}
	}
	if d.Outcome != "" {
		payload["outcome"] = d.Outcome // a code from a closed list
	}
	return payload
}

// disputeSummary is the timeline line for a dispute: codes and dates only.
func disputeSummary(d dispute.Dispute, what string) string {
	parts := []string{disputeNames[d.Kind] + " " + what + " (" + d.About}
	if len(d.Sections) > 0 {
		parts[0] += "; sections " + strings.Join(d.Sections, ", ")
	}
	parts[0] += ")"
	if !d.Open() {
		parts = append(parts, "outcome "+d.Outcome)
	}
	if !d.HearingOn.IsZero() {
		parts = append(parts, "hearing "+d.HearingOn.Format("2006-01-02"))
	}
	if due := d.AppealDeadline(); !due.IsZero() {
		parts = append(parts, "appeal deadline "+due.Format("2006-01-02"))
	}
	return strings.Join(parts, "; ")
}

// timelineReferral is the referral a dispute's timeline entries name, when its subject is one.
func timelineReferral(d dispute.Dispute) string {
	if d.SubjectType == dispute.SubjectReferral {
		return d.SubjectID
	}
	return ""
}

// CreateDispute records a tribunal appeal, mediation or complaint. It is the SEND team's or the
// engagement lead's to record; the young person is the subject's.
func (s *Service) CreateDispute(ctx context.Context, in dispute.Dispute) (d dispute.Dispute, err error) {
	defer casework.Wrap(&err, "create dispute")
	p, err := casework.Allow(ctx, auth.RunPathway)
	if err != nil {
		return d, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		youngPersonID, err := s.disputeSubject(tx, p, in.SubjectType, in.SubjectID)
		if err != nil {
			return err
		}
		yp, err := tx.People().Get(youngPersonID, s.Scope(p))
		if err != nil {
			return casework.Referenced(err, "/subject_id", "no such "+in.SubjectType)
		}
		in.YoungPersonID = yp.ID
		if d, err = dispute.New(in, yp.DateOfBirth, s.Today()); err != nil {
			return err
		}
		d.ID, d.CreatedAt, d.UpdatedAt, d.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.Disputes().Create(d); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, dispute.RecordType, d.ID, d.YoungPersonID, nil),
			s.Notice(outbox.DisputeRecorded, d.ID, disputePayload(d))); err != nil {
			return err
		}
		return s.OnTimeline(tx, d.YoungPersonID, timelineReferral(d), d.ReceivedOn, "dispute.recorded", dispute.RecordType, d.ID,
			disputeSummary(d, "received")+"; brought by "+d.BroughtBy)
	})
	return d, err
}

// Dispute reads one dispute the caller may see.
func (s *Service) Dispute(ctx context.Context, id string) (_ dispute.Dispute, err error) {
	defer casework.Wrap(&err, "read dispute %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, dispute.RecordType, id,
		func(tx Tx, sc access.Scope) (dispute.Dispute, error) { return tx.Disputes().Get(id, sc) },
		func(r dispute.Dispute) string { return r.YoungPersonID })
}

// Disputes lists the disputes the caller may see, auditing each hit.
func (s *Service) Disputes(ctx context.Context, f dispute.Filter, pg paging.Page) (_ []dispute.Dispute, _ string, err error) {
	defer casework.Wrap(&err, "list disputes")
	return casework.ListAudited(ctx, s.Core, s.db, dispute.RecordType,
		func(tx Tx, sc access.Scope) ([]dispute.Dispute, string, error) {
			return tx.Disputes().List(f, sc, pg)
		},
		func(r dispute.Dispute) (string, string) { return r.ID, r.YoungPersonID })
}

// UpdateDispute corrects a dispute's notes and dates. mutate turns the current record into the
// changes asked for and names the fields they touch.
func (s *Service) UpdateDispute(ctx context.Context, id string, ifMatch *int,
	mutate func(cur dispute.Dispute) (dispute.Changes, []string, error)) (_ dispute.Dispute, err error) {
	defer casework.Wrap(&err, "update dispute %s", id)
	var changed []string
	return versionedDisputes.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(_ Tx, _ auth.Principal, d *dispute.Dispute) (bool, error) {
			c, names, err := mutate(*d)
			if err != nil || len(names) == 0 {
				return false, err
			}
			changed = names
			return true, d.Change(c, s.Today())
		},
		func(tx Tx, p auth.Principal, d dispute.Dispute) error {
			payload := disputePayload(d)
			payload["changed_fields"] = changed
			if err := casework.Record(tx, s.Event(ctx, p, audit.Update, dispute.RecordType, id, d.YoungPersonID, changed),
				s.Notice(outbox.DisputeUpdated, id, payload)); err != nil {
				return err
			}
			// A new date moves the appeal deadline or lists a hearing: say so on the timeline.
			for _, f := range changed {
				if f != "notes" {
					return s.OnTimeline(tx, d.YoungPersonID, timelineReferral(d), s.Today(), "dispute.updated", dispute.RecordType, id,
						disputeSummary(d, "dates recorded"))
				}
			}
			return nil
		})
}

// ConcludeDispute records how a dispute ended.
func (s *Service) ConcludeDispute(ctx context.Context, id string, ifMatch *int, outcome string, on time.Time, notes string) (_ dispute.Dispute, err error) {
	defer casework.Wrap(&err, "conclude dispute %s", id)
	return versionedDisputes.Change(ctx, s.Core, s.db, auth.RunPathway, id, ifMatch,
		func(_ Tx, _ auth.Principal, d *dispute.Dispute) (bool, error) {
			return true, d.Conclude(outcome, on, notes, s.Today())
		},
		func(tx Tx, p auth.Principal, d dispute.Dispute) error {
			if err := casework.Record(tx, s.Event(ctx, p, audit.Close, dispute.RecordType, id, d.YoungPersonID, []string{"outcome", "concluded_on", "conclusion_notes"}),
				s.Notice(outbox.DisputeConcluded, id, disputePayload(d))); err != nil {
				return err
			}
			return s.OnTimeline(tx, d.YoungPersonID, timelineReferral(d), d.ConcludedOn, "dispute.concluded", dispute.RecordType, id,
				disputeSummary(d, "concluded"))
		})
}
