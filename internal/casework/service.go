// Package casework holds OnePlan's use cases. Each command checks the caller's permission, runs
// the domain rules and writes the record, its audit event and its outbox event in one
// transaction; each read of a person's record writes its audit event in the same transaction.
package casework

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store"
)

// Options are the deployment's choices.
type Options struct {
	// Area lists the localities that make up the council's area for pathway eligibility; empty
	// means the whole council.
	Area []string
	// PersonRules are the validation choices for young people's records.
	PersonRules person.Rules
	// RetentionYears is how long after birth a young person's records are kept (default 31).
	RetentionYears int
	// TransitionGapMinAge is the default age from which a young person with an open referral or an
	// EHC plan must have a transition plan (13 to 25; default 14).
	TransitionGapMinAge int
	// Disclosure is the small-number suppression applied to open data and to analysts' reports.
	Disclosure report.Policy
	// OpenData lists the reports published without credentials at /v1/open-data/{report}.
	OpenData []string
	// LACode is the council's 3-digit DfE local authority number, for the SEN2 return.
	LACode string
	// Release names this build in statutory returns.
	Release string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service runs the use cases.
type Service struct {
	store *store.Store
	opts  Options
}

// New returns a Service on st.
func New(st *store.Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetentionYears <= 0 {
		opts.RetentionYears = 31
	}
	if opts.Disclosure.Threshold <= 0 {
		opts.Disclosure.Threshold = report.DefaultThreshold
	}
	if opts.Disclosure.Rounding <= 0 {
		opts.Disclosure.Rounding = 1
	}
	return &Service{store: st, opts: opts}
}

// Meta is what the transport knows about a request, kept in the audit trail.
type Meta struct {
	RequestID string
	IP        string
	Purpose   string
}

type metaKey struct{}

// WithMeta returns ctx carrying m.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

func metaFrom(ctx context.Context) Meta {
	m, _ := ctx.Value(metaKey{}).(Meta)
	return m
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Now is the service's clock, for statuses the transport shows as of now.
func (s *Service) Now() time.Time { return s.now() }

// today is the civil date in England; UTC is close enough at midnight for a date of receipt.
func (s *Service) today() time.Time {
	n := s.now()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// allow returns the caller if it holds perm.
func allow(ctx context.Context, perm auth.Permission) (auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return p, fault.New(fault.Unauthenticated, "Credentials are required.")
	}
	if !p.Can(perm) {
		return p, fault.New(fault.Forbidden, "Your role ("+string(p.Role)+") may not do this.")
	}
	return p, nil
}

// scope is the slice of casework the caller may read, from the reach of their role.
func (s *Service) scope(p auth.Principal) access.Scope {
	switch p.Reach() {
	case auth.ReachCouncil:
		return access.Scope{}
	case auth.ReachInvolvement:
		return access.Scope{Restricted: true, OrganisationID: p.OrganisationID, PractitionerID: p.PractitionerID, On: s.today()}
	case auth.ReachOwn:
		return access.Scope{Restricted: true, YoungPersonIDs: p.YoungPersonIDs, On: s.today()}
	case auth.ReachPanel:
		// A panel member is known by their practitioner id (bound to their key or in their token).
		if p.PractitionerID != "" {
			return access.Scope{Restricted: true, PanelPractitionerID: p.PractitionerID, On: s.today()}
		}
	}
	return access.Scope{Restricted: true, On: s.today()}
}

// event builds an audit event for the caller.
func (s *Service) event(ctx context.Context, p auth.Principal, action, recordType, recordID, youngPersonID string, changed []string) audit.Event {
	m := metaFrom(ctx)
	return audit.Event{ID: newID(), OccurredAt: s.now(), Action: action, RecordType: recordType, RecordID: recordID,
		YoungPersonID: youngPersonID, ActorKeyID: p.KeyID, ActorSubject: p.Subject, ActorPractitionerID: p.PractitionerID,
		ActorOrgID: p.OrganisationID, ActorRole: string(p.Role),
		Purpose: m.Purpose, ChangedFields: changed, RequestID: m.RequestID, IP: m.IP}
}

// notice builds an outbox event. Payloads hold ids and states only.
func (s *Service) notice(eventType, recordType, recordID string, payload map[string]any) outbox.Event {
	if payload == nil {
		payload = map[string]any{}
	}
	payload["id"] = recordID
	return outbox.Event{ID: newID(), OccurredAt: s.now(), Type: eventType, RecordType: recordType, RecordID: recordID, Payload: payload}
}

// record writes the audit and outbox events of a change.
func record(tx *store.Tx, e audit.Event, n outbox.Event) error {
	if err := tx.Audit(e); err != nil {
		return err
	}
	return tx.Publish(n)
}

// checkVersion refuses a change based on a stale read.
func checkVersion(ifMatch *int, current int) error {
	if ifMatch != nil && *ifMatch != current {
		return fault.Stale(current)
	}
	return nil
}

// raced turns a stale write the caller did not guard with If-Match into a conflict: the record
// changed under a concurrent request, which the caller could not have known about.
func raced(err error, ifMatch *int) error {
	if ifMatch == nil && fault.KindOf(err) == fault.PreconditionFailed {
		return fault.New(fault.Conflict, "The record changed while this request was being handled; read it and try again.")
	}
	return err
}

// Ready reports whether the database answers.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Dialect names the database in use.
func (s *Service) Dialect() string { return s.store.Dialect() }

// timeDay is a civil date at UTC midnight.
type timeDay = time.Time

func itoa(i int) string { return strconv.Itoa(i) }
