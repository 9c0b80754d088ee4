// Package privacy answers for the data protection duties: who has looked at a child's record,
// everything held about a child (subject access), the audit trail, and erasure after retention.
package privacy

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/advicerequests"
	"github.com/oneplan-send/oneplan/internal/casework/consultations"
	"github.com/oneplan-send/oneplan/internal/casework/documents"
	"github.com/oneplan-send/oneplan/internal/casework/team"
	"github.com/oneplan-send/oneplan/internal/consultation"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/reassessment"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/tcare"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Tx is what the data protection use cases need of a transaction: a read of every area, for the
// subject access export.
type Tx interface {
	team.Tx
	Assessments() assessment.Repository
	Meetings() meeting.Repository
	Feedback() feedback.Repository
	EHCRequests() ehc.Repository
	Plans() ehcplan.Repository
	Reviews() annualreview.Repository
	Disputes() dispute.Repository
	TransformingCare() tcare.Repository
	Documents() document.Repository
	Advice() advice.Repository
	Consultations() consultation.Repository
	Reassessments() reassessment.Repository
	Transitions() transition.Repository
	Surveys() survey.Repository
	AuditTrail() audit.Trail
}

// Service runs the data protection use cases.
type Service struct {
	casework.Core
	db             casework.DB[Tx]
	team           *team.Service
	retentionYears int
	blobs          document.Blobs
}

// New returns the data protection service; records are kept retentionYears after birth (default 31).
// Documents' bytes are erased from blobs.
func New(core casework.Core, db casework.DB[Tx], team *team.Service, retentionYears int, blobs document.Blobs) *Service {
	if retentionYears <= 0 {
		retentionYears = 31
	}
	return &Service{Core: core, db: db, team: team, retentionYears: retentionYears, blobs: blobs}
}

// AccessLog answers "who has looked at this child's record": for the SEND team, and for the
// family about their own children.
func (s *Service) AccessLog(ctx context.Context, youngPersonID string, pg paging.Page) (out []audit.Event, next string, err error) {
	defer casework.Wrap(&err, "list access log")
	p, err := casework.Allow(ctx, auth.ReadAccessLog)
	if err != nil {
		return nil, "", err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := s.team.VisibleYoungPerson(tx, p, youngPersonID); err != nil {
			return err
		}
		if out, next, err = tx.AuditTrail().Events(audit.Filter{YoungPersonID: youngPersonID}, pg); err != nil {
			return err
		}
		out = onlyAbout(youngPersonID, out)
		if p.Role == auth.RoleFamily {
			out = withoutSafeguarding(redactStaff(out))
		}
		return tx.Audit(s.Event(ctx, p, audit.Read, audit.YoungPerson, youngPersonID, youngPersonID, []string{"access_log"}))
	})
	return out, next, err
}

// Export is everything held about one young person.
type Export struct {
	ExportedAt  time.Time
	YoungPerson person.YoungPerson
	Merged      []person.Merged // other records of the child merged into this one, as they were
	Referrals   []referral.Referral
	Allocations []referral.Allocation
	Assessments []assessment.Assessment
	Meetings    []meeting.Meeting
	Feedback    []feedback.Feedback
	EHCRequests []ehc.Request
	EHCPlans    []ehcplan.Plan
	Reviews     []annualreview.Review
	Disputes    []dispute.Dispute
	// Transforming Care (issue 17).
	Register      []tcare.Entry
	CTRs          []tcare.Review
	Placements    []tcare.Placement
	Budgets       []tcare.Budget
	Documents     []document.Document // the records of the files; their bytes are read one by one
	FamilyViews   []ehcplan.FamilyViews
	Transitions   []transition.Plan
	Surveys       []survey.Response
	Involvements  []sharing.Involvement
	Consents      []sharing.Consent
	AccessLog     []audit.Event
	Advice        []advice.Request            // advice requests addressed to named advisers, with the advice
	Consultations []consultation.Consultation // consultations with settings about the child's plan
	Reassessments []reassessment.Reassessment // re-assessments of the child's plan (s.44)
}

// ExportYoungPerson gathers everything held about one young person, for a subject access
// request, and records the export.
func (s *Service) ExportYoungPerson(ctx context.Context, id string) (x Export, err error) {
	defer casework.Wrap(&err, "export young person %s", id)
	p, err := casework.Allow(ctx, auth.ExportRecords)
	if err != nil {
		return x, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if x.YoungPerson, err = tx.People().Get(id, s.Scope(p)); err != nil {
			return err
		}
		// A merged record's own records moved here; its details and its audit trail (read with
		// this record's below) are this child's too.
		if x.Merged, err = tx.People().MergedFrom(id); err != nil {
			return err
		}
		all := access.Scope{}
		if x.Referrals, err = paging.Drain(func(pg paging.Page) ([]referral.Referral, string, error) {
			return tx.Referrals().List(referral.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		for _, r := range x.Referrals {
			as, err := tx.Referrals().Allocations(r.ID)
			if err != nil {
				return err
			}
			x.Allocations = append(x.Allocations, as...)
		}
		if x.Assessments, err = paging.Drain(func(pg paging.Page) ([]assessment.Assessment, string, error) {
			return tx.Assessments().List(assessment.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		if x.Meetings, err = paging.Drain(func(pg paging.Page) ([]meeting.Meeting, string, error) {
			return tx.Meetings().List(meeting.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		for _, r := range x.Referrals {
			fs, err := paging.Drain(func(pg paging.Page) ([]feedback.Feedback, string, error) {
				return tx.Feedback().List(feedback.Filter{ReferralID: r.ID}, all, pg)
			})
			if err != nil {
				return err
			}
			x.Feedback = append(x.Feedback, fs...)
		}
		if x.EHCRequests, err = paging.Drain(func(pg paging.Page) ([]ehc.Request, string, error) {
			return tx.EHCRequests().List(ehc.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		if x.EHCPlans, err = paging.Drain(func(pg paging.Page) ([]ehcplan.Plan, string, error) {
			return tx.Plans().List(ehcplan.Filter{YoungPersonID: id, Today: s.Today()}, all, pg)
		}); err != nil {
			return err
		}
		if x.Reviews, err = paging.Drain(func(pg paging.Page) ([]annualreview.Review, string, error) {
			return tx.Reviews().List(annualreview.Filter{YoungPersonID: id, Today: s.Today()}, all, pg)
		}); err != nil {
			return err
		}
		if x.Disputes, err = paging.Drain(func(pg paging.Page) ([]dispute.Dispute, string, error) {
			return tx.Disputes().List(dispute.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		if x.Documents, err = tx.Documents().OfYoungPerson(id); err != nil {
			return err
		}
		if err := exportTransformingCare(tx.TransformingCare(), id, all, &x); err != nil {
			return err
		}
		if x.FamilyViews, err = paging.Drain(func(pg paging.Page) ([]ehcplan.FamilyViews, string, error) {
			return tx.Plans().FamilyViews(ehcplan.FamilyViewsFilter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		for _, r := range x.EHCRequests {
			as, err := tx.Advice().OfEHCRequest(r.ID)
			if err != nil {
				return err
			}
			x.Advice = append(x.Advice, as...)
		}
		for _, pl := range x.EHCPlans {
			cs, err := tx.Consultations().OfPlan(pl.ID)
			if err != nil {
				return err
			}
			x.Consultations = append(x.Consultations, cs...)
		}
		if x.Reassessments, err = paging.Drain(func(pg paging.Page) ([]reassessment.Reassessment, string, error) {
			return tx.Reassessments().List(reassessment.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		if x.Transitions, err = paging.Drain(func(pg paging.Page) ([]transition.Plan, string, error) {
			return tx.Transitions().List(transition.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		surveys := survey.ResponseFilter{YoungPersonID: id}
		if p.Role == auth.RoleFamily {
			surveys.Audiences = survey.FamilyAudiences // professionals' answers are theirs, as in the lists
		}
		if x.Surveys, err = paging.Drain(func(pg paging.Page) ([]survey.Response, string, error) {
			return tx.Surveys().Responses(surveys, all, pg)
		}); err != nil {
			return err
		}
		if x.Involvements, err = paging.Drain(func(pg paging.Page) ([]sharing.Involvement, string, error) {
			return tx.Sharing().Involvements(id, nil, pg)
		}); err != nil {
			return err
		}
		if x.Consents, err = tx.Sharing().Consents(id); err != nil {
			return err
		}
		if x.AccessLog, err = paging.Drain(func(pg paging.Page) ([]audit.Event, string, error) {
			return tx.AuditTrail().Events(audit.Filter{YoungPersonID: id}, pg)
		}); err != nil {
			return err
		}
		x.AccessLog = redactStaff(onlyAbout(id, x.AccessLog))
		if p.Role == auth.RoleFamily {
			if err := forFamily(tx, p, &x); err != nil {
				return err
			}
		}
		x.ExportedAt = s.Now()
		return casework.Record(tx, s.Event(ctx, p, audit.Export, audit.YoungPerson, id, id, nil),
			s.Notice(outbox.YoungPersonExported, id, nil))
	})
	return x, err
}

// forFamily cuts a family's export down to what the family's own reads show, by the same rules
// those reads apply: documents shown to them (never an adviser's unsubmitted report), requests
// without professionals' notes, budgets without the council's notes on payments, and nothing of
// the records their role does not read (advice requests, consultations with settings, the
// support register and C(E)TRs). The SEND team's export, for a subject access request answered
// by the council, keeps everything.
func forFamily(tx Tx, p auth.Principal, x *Export) (err error) {
	if x.Documents, err = documents.ShownToFamily(tx, x.Documents); err != nil {
		return err
	}
	for i := range x.Referrals {
		x.Referrals[i] = x.Referrals[i].ForFamily()
	}
	for i := range x.Involvements {
		x.Involvements[i] = x.Involvements[i].ForFamily()
	}
	x.AccessLog = withoutSafeguarding(x.AccessLog)
	for i := range x.EHCRequests {
		x.EHCRequests[i] = x.EHCRequests[i].ForFamily()
	}
	for i := range x.Budgets {
		x.Budgets[i] = x.Budgets[i].ForFamily()
	}
	reach, consulted := advicerequests.Reach(p), consultations.Reach(p)
	x.Advice = slices.DeleteFunc(x.Advice, func(r advice.Request) bool { return !reach.Visible(r) })
	x.Consultations = slices.DeleteFunc(x.Consultations, func(c consultation.Consultation) bool { return !consulted.Visible(c) })
	if !p.Can(auth.KeepSupportRegister) {
		x.Register, x.CTRs = nil, nil
	}
	return nil
}

// withoutSafeguarding keeps a safeguarding concern out of the access log a family reads: the
// purposes recorded on decisions about the team (they name the basis shared on, safeguarding
// among them) and the names of safeguarding fields changed. That the record was read or changed,
// by whom and when, stays.
func withoutSafeguarding(events []audit.Event) []audit.Event {
	for i, e := range events {
		if e.RecordType == audit.Involvement {
			e.Purpose = ""
		}
		e.ChangedFields = slices.DeleteFunc(slices.Clone(e.ChangedFields), func(f string) bool { return strings.HasPrefix(f, "safeguarding_") })
		events[i] = e
	}
	return events
}

// onlyAbout shows the lists in a child's access log as about that child alone: a list names every
// record it returned and whose, and the other children on the page are none of this child's (or
// their family's) business.
func onlyAbout(youngPersonID string, events []audit.Event) []audit.Event {
	out := make([]audit.Event, len(events))
	for i, e := range events {
		if len(e.YoungPersonIDs) > 0 {
			e.YoungPersonID, e.YoungPersonIDs, e.RecordIDs = youngPersonID, nil, nil
		}
		out[i] = e
	}
	return out
}

// redactStaff removes staff members' own personal data (IP address, identity-provider subject,
// key and request ids, but for the request id naming an import job) from audit events shown to a family or put in a subject access export:
// it is third-party data there. Who (role, organisation, practitioner), what, when and why stay.
func redactStaff(events []audit.Event) []audit.Event {
	out := make([]audit.Event, len(events))
	for i, e := range events {
		rid := ""
		if e.Purpose == "import" && strings.HasPrefix(e.RequestID, "import-") {
			// An import's request id names its job, not a member of staff: it shows the record
			// came from an import, and which (issue 18).
			rid = e.RequestID
		}
		e.IP, e.ActorSubject, e.ActorKeyID, e.RequestID = "", "", "", rid
		out[i] = e
	}
	return out
}

// RetentionItem is a young person's record past its retention date.
type RetentionItem struct {
	YoungPersonID string
	RetainUntil   time.Time
}

// retainUntil is the last day a record must be kept.
func (s *Service) retainUntil(dob time.Time) time.Time {
	return dob.AddDate(s.retentionYears, 0, 0)
}

// RetentionDue lists the records past retention: ids and dates only.
func (s *Service) RetentionDue(ctx context.Context, pg paging.Page) (out []RetentionItem, next string, err error) {
	defer casework.Wrap(&err, "list retention due")
	if _, err := casework.Allow(ctx, auth.ManageRetention); err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		people, n, err := tx.People().RetentionDue(s.Today().AddDate(-s.retentionYears, 0, 0), pg)
		for _, yp := range people {
			out = append(out, RetentionItem{YoungPersonID: yp.ID, RetainUntil: s.retainUntil(yp.DateOfBirth)})
		}
		next = n
		return err
	})
	return out, next, err
}

// EraseYoungPerson erases a young person's records once past retention, leaving an audit
// tombstone that holds ids only.
func (s *Service) EraseYoungPerson(ctx context.Context, id string) (err error) {
	defer casework.Wrap(&err, "erase young person %s", id)
	p, err := casework.Allow(ctx, auth.ManageRetention)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx Tx) error {
		yp, err := tx.People().Get(id, access.Scope{})
		if err != nil {
			return err
		}
		if until := s.retainUntil(yp.DateOfBirth); until.After(s.Today()) {
			return fault.StateConflict("This record must be kept until "+until.Format("2006-01-02")+".", "retained")
		}
		// Files first: if one cannot be removed nothing is erased and the erasure can be retried;
		// if the records then fail to go, a retry finds the files already gone, which is its aim.
		docs, err := tx.Documents().OfYoungPerson(id)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if err := s.blobs.Delete(ctx, d.StorageKey); err != nil {
				return &fault.Error{Kind: fault.Unavailable, Detail: "The document store cannot be reached; nothing was erased. Try again shortly.",
					RetryAfter: 5 * time.Second, Cause: err}
			}
		}
		if err := tx.People().Erase(id); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Delete, audit.YoungPerson, id, id, []string{"erased"}),
			s.Notice(outbox.YoungPersonErased, id, nil))
	})
}

// AuditEvents lists the audit trail.
func (s *Service) AuditEvents(ctx context.Context, f audit.Filter, pg paging.Page) (out []audit.Event, next string, err error) {
	defer casework.Wrap(&err, "list audit events")
	if _, err := casework.Allow(ctx, auth.ReadAudit); err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		out, next, err = tx.AuditTrail().Events(f, pg)
		return err
	})
	return out, next, err
}

// exportTransformingCare gathers the young person's register entries, C(E)TRs, placements and
// personal budgets (issue 17).
func exportTransformingCare(repo tcare.Repository, id string, all access.Scope, x *Export) (err error) {
	if x.Register, err = paging.Drain(func(pg paging.Page) ([]tcare.Entry, string, error) {
		return repo.Entries(tcare.Filter{YoungPersonID: id}, pg)
	}); err != nil {
		return err
	}
	if x.CTRs, err = paging.Drain(func(pg paging.Page) ([]tcare.Review, string, error) {
		return repo.Reviews(tcare.ReviewFilter{YoungPersonID: id}, pg)
	}); err != nil {
		return err
	}
	if x.Placements, err = paging.Drain(func(pg paging.Page) ([]tcare.Placement, string, error) {
		return repo.Placements(tcare.PlacementFilter{YoungPersonID: id}, all, pg)
	}); err != nil {
		return err
	}
	x.Budgets, err = paging.Drain(func(pg paging.Page) ([]tcare.Budget, string, error) {
		return repo.Budgets(tcare.BudgetFilter{YoungPersonID: id}, all, pg)
	})
	return err
}
