package casework

import (
	"context"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// AccessLog answers "who has looked at this child's record": for the SEND team, and for the
// family about their own children.
func (s *Service) AccessLog(ctx context.Context, youngPersonID string, pg paging.Page) (out []audit.Event, next string, err error) {
	p, err := allow(ctx, auth.ReadAccessLog)
	if err != nil {
		return nil, "", err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := s.visibleYoungPerson(tx, p, youngPersonID); err != nil {
			return err
		}
		if out, next, err = tx.AuditTrail().Events(audit.Filter{YoungPersonID: youngPersonID}, pg); err != nil {
			return err
		}
		if p.Role == auth.RoleFamily {
			out = redactStaff(out)
		}
		return tx.Audit(s.event(ctx, p, audit.Read, audit.YoungPerson, youngPersonID, youngPersonID, []string{"access_log"}))
	})
	return out, next, err
}

// Export is everything held about one young person.
type Export struct {
	ExportedAt   time.Time
	YoungPerson  person.YoungPerson
	Referrals    []referral.Referral
	Allocations  []referral.Allocation
	Assessments  []assessment.Assessment
	Meetings     []meeting.Meeting
	Feedback     []feedback.Feedback
	EHCRequests  []ehc.Request
	EHCPlans     []ehcplan.Plan
	Reviews      []annualreview.Review
	Disputes     []dispute.Dispute
	Transitions  []transition.Plan
	Surveys      []survey.Response
	Involvements []sharing.Involvement
	Consents     []sharing.Consent
	AccessLog    []audit.Event
}

// ExportYoungPerson gathers everything held about one young person, for a subject access
// request, and records the export.
func (s *Service) ExportYoungPerson(ctx context.Context, id string) (x Export, err error) {
	p, err := allow(ctx, auth.ExportRecords)
	if err != nil {
		return x, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if x.YoungPerson, err = tx.People().Get(id, s.scope(p)); err != nil {
			return err
		}
		all := access.Scope{}
		if x.Referrals, err = drain(func(pg paging.Page) ([]referral.Referral, string, error) {
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
		if x.Assessments, err = drain(func(pg paging.Page) ([]assessment.Assessment, string, error) {
			return tx.Assessments().List(assessment.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		if x.Meetings, err = drain(func(pg paging.Page) ([]meeting.Meeting, string, error) {
			return tx.Meetings().List(meeting.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		for _, r := range x.Referrals {
			fs, err := drain(func(pg paging.Page) ([]feedback.Feedback, string, error) {
				return tx.Feedback().List(feedback.Filter{ReferralID: r.ID}, all, pg)
			})
			if err != nil {
				return err
			}
			x.Feedback = append(x.Feedback, fs...)
		}
		if x.EHCRequests, err = drain(func(pg paging.Page) ([]ehc.Request, string, error) {
			return tx.EHCRequests().List(ehc.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		if x.EHCPlans, err = drain(func(pg paging.Page) ([]ehcplan.Plan, string, error) {
			return tx.Plans().List(ehcplan.Filter{YoungPersonID: id, Today: s.today()}, all, pg)
		}); err != nil {
			return err
		}
		if x.Reviews, err = drain(func(pg paging.Page) ([]annualreview.Review, string, error) {
			return tx.Reviews().List(annualreview.Filter{YoungPersonID: id, Today: s.today()}, all, pg)
		}); err != nil {
			return err
		}
		if x.Disputes, err = drain(func(pg paging.Page) ([]dispute.Dispute, string, error) {
			return tx.Disputes().List(dispute.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		if x.Transitions, err = drain(func(pg paging.Page) ([]transition.Plan, string, error) {
			return tx.Transitions().List(transition.Filter{YoungPersonID: id}, all, pg)
		}); err != nil {
			return err
		}
		surveys := survey.ResponseFilter{YoungPersonID: id}
		if p.Role == auth.RoleFamily {
			surveys.Audiences = survey.FamilyAudiences // professionals' answers are theirs, as in the lists
		}
		if x.Surveys, err = drain(func(pg paging.Page) ([]survey.Response, string, error) {
			return tx.Surveys().Responses(surveys, all, pg)
		}); err != nil {
			return err
		}
		if x.Involvements, err = drain(func(pg paging.Page) ([]sharing.Involvement, string, error) {
			return tx.Sharing().Involvements(id, nil, pg)
		}); err != nil {
			return err
		}
		if x.Consents, err = tx.Sharing().Consents(id); err != nil {
			return err
		}
		if x.AccessLog, err = drain(func(pg paging.Page) ([]audit.Event, string, error) {
			return tx.AuditTrail().Events(audit.Filter{YoungPersonID: id}, pg)
		}); err != nil {
			return err
		}
		x.AccessLog = redactStaff(x.AccessLog)
		x.ExportedAt = s.now()
		return record(tx, s.event(ctx, p, audit.Export, audit.YoungPerson, id, id, nil),
			s.notice("young_person.exported", audit.YoungPerson, id, nil))
	})
	return x, err
}

// redactStaff removes staff members' own personal data (IP address, identity-provider subject,
// key and request ids) from audit events shown to a family or put in a subject access export:
// it is third-party data there. Who (role, organisation, practitioner), what, when and why stay.
func redactStaff(events []audit.Event) []audit.Event {
	out := make([]audit.Event, len(events))
	for i, e := range events {
		e.IP, e.ActorSubject, e.ActorKeyID, e.RequestID = "", "", "", ""
		out[i] = e
	}
	return out
}

// drain reads every page of a list.
func drain[T any](page func(paging.Page) ([]T, string, error)) ([]T, error) {
	var out []T
	pg := paging.Page{Limit: 200}
	for {
		items, next, err := page(pg)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		pg.Cursor = next
	}
}

// APIKeys lists keys (never the keys themselves).
func (s *Service) APIKeys(ctx context.Context, f auth.KeyFilter, pg paging.Page) (out []auth.APIKey, next string, err error) {
	if _, err := allow(ctx, auth.ManageKeys); err != nil {
		return nil, "", err
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		out, next, err = tx.Keys().List(f, pg)
		return err
	})
	return out, next, err
}

// APIKey reads one key's details.
func (s *Service) APIKey(ctx context.Context, id string) (k auth.APIKey, err error) {
	if _, err := allow(ctx, auth.ManageKeys); err != nil {
		return k, err
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		k, err = tx.Keys().Get(id)
		return err
	})
	return k, err
}

// CreateAPIKey issues a key through the API; the key is returned once.
func (s *Service) CreateAPIKey(ctx context.Context, k auth.APIKey) (string, auth.APIKey, error) {
	p, err := allow(ctx, auth.ManageKeys)
	if err != nil {
		return "", k, err
	}
	var key string
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		key, k, err = s.issueKey(ctx, tx, p, k, "")
		return err
	})
	return key, k, err
}

// issueKey stores a new key (or the given one) inside a transaction.
func (s *Service) issueKey(ctx context.Context, tx *store.Tx, p auth.Principal, k auth.APIKey, key string) (string, auth.APIKey, error) {
	if !slices.Contains(auth.Roles, k.Role) {
		return "", k, fault.Field(fault.Invalid, "/role", "is not a role")
	}
	if err := organisationExists(tx, k.OrganisationID, "/organisation_id"); err != nil {
		return "", k, err
	}
	if k.PractitionerID != "" {
		pr, err := tx.Directory().Practitioner(k.PractitionerID)
		if err != nil || pr.OrganisationID != k.OrganisationID {
			return "", k, fault.Field(fault.Unprocessable, "/practitioner_id", "no such practitioner in that organisation")
		}
	}
	k.ID, k.CreatedAt, k.RevokedAt = newID(), s.now(), nil
	var err error
	if key == "" {
		if key, k.Prefix, k.Hash, err = auth.NewKey(); err != nil {
			return "", k, err
		}
	} else {
		if k.Prefix, err = auth.ParseKey(key); err != nil {
			return "", k, fault.New(fault.Invalid, "the key must look like op_<8 characters>_<32 characters>; generate one with `oneplan apikey generate`")
		}
		k.Hash = auth.HashKey(key)
	}
	if err := tx.Keys().Create(k); err != nil {
		return "", k, err
	}
	return key, k, record(tx, s.event(ctx, p, audit.Create, audit.APIKey, k.ID, "", nil),
		s.notice("api_key.created", audit.APIKey, k.ID, map[string]any{"role": string(k.Role), "organisation_id": k.OrganisationID}))
}

// RevokeAPIKey revokes a key; requests with it fail from the next one on.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) (k auth.APIKey, err error) {
	p, err := allow(ctx, auth.ManageKeys)
	if err != nil {
		return k, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Keys().Revoke(id, s.now()); err != nil {
			return err
		}
		if k, err = tx.Keys().Get(id); err != nil {
			return err
		}
		return record(tx, s.event(ctx, p, audit.Revoke, audit.APIKey, id, "", nil), s.notice("api_key.revoked", audit.APIKey, id, nil))
	})
	return k, err
}

// RotateAPIKey replaces a key with a new one for the same organisation, role and practitioner,
// revoking the old one in the same transaction.
func (s *Service) RotateAPIKey(ctx context.Context, id string) (key string, k auth.APIKey, err error) {
	p, err := allow(ctx, auth.ManageKeys)
	if err != nil {
		return "", k, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		old, err := tx.Keys().Get(id)
		if err != nil {
			return err
		}
		if err := tx.Keys().Revoke(id, s.now()); err != nil {
			return err
		}
		if err := record(tx, s.event(ctx, p, audit.Revoke, audit.APIKey, id, "", nil), s.notice("api_key.revoked", audit.APIKey, id, nil)); err != nil {
			return err
		}
		key, k, err = s.issueKey(ctx, tx, p, auth.APIKey{Name: old.Name, OrganisationID: old.OrganisationID, Role: old.Role, PractitionerID: old.PractitionerID}, "")
		return err
	})
	return key, k, err
}

// RetentionItem is a young person's record past its retention date.
type RetentionItem struct {
	YoungPersonID string
	RetainUntil   time.Time
}

// retainUntil is the last day a record must be kept.
func (s *Service) retainUntil(dob time.Time) time.Time {
	return dob.AddDate(s.opts.RetentionYears, 0, 0)
}

// RetentionDue lists the records past retention: ids and dates only.
func (s *Service) RetentionDue(ctx context.Context, pg paging.Page) (out []RetentionItem, next string, err error) {
	if _, err := allow(ctx, auth.ManageRetention); err != nil {
		return nil, "", err
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		people, n, err := tx.People().RetentionDue(s.today().AddDate(-s.opts.RetentionYears, 0, 0), pg)
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
func (s *Service) EraseYoungPerson(ctx context.Context, id string) error {
	p, err := allow(ctx, auth.ManageRetention)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		yp, err := tx.People().Get(id, access.Scope{})
		if err != nil {
			return err
		}
		if until := s.retainUntil(yp.DateOfBirth); until.After(s.today()) {
			return fault.StateConflict("This record must be kept until "+until.Format("2006-01-02")+".", "retained")
		}
		if err := tx.People().Erase(id); err != nil {
			return err
		}
		return record(tx, s.event(ctx, p, audit.Delete, audit.YoungPerson, id, id, []string{"erased"}),
			s.notice("young_person.erased", audit.YoungPerson, id, nil))
	})
}
