package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/clock"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/timeline"
)

// Core is what every area's service shares: the clock, need-to-know scope, and building the audit,
// outbox and timeline events that go with each change.
type Core struct {
	Clock clock.Clock
}

// Now is the current instant.
func (c Core) Now() time.Time { return c.Clock.Now() }

// Today is the current civil date.
func (c Core) Today() time.Time { return c.Clock.Today() }

// Scope is the slice of casework p may read today.
func (c Core) Scope(p auth.Principal) access.Scope { return access.For(p, c.Today()) }

// Event builds the audit event of an action by p on a record.
func (c Core) Event(ctx context.Context, p auth.Principal, action, recordType, recordID, youngPersonID string, changed []string) audit.Event {
	m := metaFrom(ctx)
	return audit.Event{ID: NewID(), OccurredAt: c.Now(), Action: action, RecordType: recordType, RecordID: recordID,
		YoungPersonID: youngPersonID, ActorKeyID: p.KeyID, ActorSubject: p.Subject, ActorPractitionerID: p.PractitionerID,
		ActorOrgID: p.OrganisationID, ActorRole: string(p.Role),
		Purpose: m.Purpose, ChangedFields: changed, RequestID: m.RequestID, IP: m.IP}
}

// Notice builds an outbox event of type t about a record. Payloads hold ids, codes, statuses and
// dates only: a subscriber reads the record itself through the API.
func (c Core) Notice(t outbox.Type, recordID string, payload map[string]any) outbox.Event {
	if payload == nil {
		payload = map[string]any{}
	}
	payload["id"] = recordID
	return outbox.Event{ID: NewID(), OccurredAt: c.Now(), Type: t.Name, RecordType: t.RecordType, RecordID: recordID, Payload: payload}
}

// Line builds a timeline entry. summary holds codes, statuses and references only: the timeline
// is shown to everyone who can see the child.
func (c Core) Line(youngPersonID, referralID string, occurredOn time.Time, kind, recordType, recordID, summary string) timeline.Event {
	return timeline.Event{ID: NewID(), YoungPersonID: youngPersonID, ReferralID: referralID, OccurredOn: occurredOn,
		RecordedAt: c.Now(), Kind: kind, RecordType: recordType, RecordID: recordID, Summary: summary}
}

// Recorder is what every transaction can write besides an area's own records: the audit trail,
// the outbox and children's timelines.
type Recorder interface {
	Audit(events ...audit.Event) error
	Publish(events ...outbox.Event) error
	AddTimeline(events ...timeline.Event) error
}

// DB runs a service's work over its view T of the store: InTx in one transaction, Read without
// one (for reads that write nothing, not even an audit event).
type DB[T any] interface {
	InTx(ctx context.Context, fn func(tx T) error) error
	Read(ctx context.Context, fn func(tx T) error) error
}

// Record writes the audit and outbox events of a change.
func Record(tx Recorder, e audit.Event, n outbox.Event) error {
	if err := tx.Audit(e); err != nil {
		return err
	}
	if n.YoungPersonID == "" {
		n.YoungPersonID = e.YoungPersonID
	}
	return tx.Publish(n)
}

// NewID is a new record id: a UUIDv7, so ids sort by creation time (lists page on them).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Allow returns the caller if it holds perm.
func Allow(ctx context.Context, perm auth.Permission) (auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return p, fault.New(fault.Unauthenticated, "Credentials are required.")
	}
	if !p.Can(perm) {
		return p, &fault.Error{Kind: fault.Forbidden, Detail: "Your role (" + string(p.Role) + ") may not do this: it needs the " +
			string(perm) + " permission.", Permission: string(perm)}
	}
	return p, nil
}

// CheckVersion refuses a change based on a stale read.
func CheckVersion(ifMatch *int, current int) error {
	if ifMatch != nil && *ifMatch != current {
		return fault.Stale(current)
	}
	return nil
}

// Raced turns a stale write the caller did not guard with If-Match into a conflict: the record
// changed under a concurrent request, which the caller could not have known about.
func Raced(err error, ifMatch *int) error {
	if ifMatch == nil && fault.KindOf(err) == fault.PreconditionFailed {
		return fault.New(fault.Conflict, "The record changed while this request was being handled; read it and try again.")
	}
	return err
}

// Mutation is how a caller changes a loaded record: it returns the changed record and the names
// of the fields it changed.
type Mutation[T any] func(current T) (T, []string, error)

// Versioned says how to load, stamp and save one kind of record under optimistic locking, in a
// service's transaction view Tx. Every versioned write goes through Change.
type Versioned[T any, Tx any] struct {
	Load  func(tx Tx, id string, sc access.Scope) (T, error)
	Save  func(tx Tx, v T) error
	Stamp func(v *T) (version *int, updatedAt *time.Time)
}

// Change loads the record id if the caller holds perm and may see it, checks If-Match, applies
// the change and saves it as the next version, then lets after write its audit, outbox and
// timeline events: all in one transaction. apply reports false when nothing changed, and then
// nothing is written.
func (k Versioned[T, Tx]) Change(ctx context.Context, c Core, db DB[Tx], perm auth.Permission, id string, ifMatch *int,
	apply func(tx Tx, p auth.Principal, v *T) (bool, error), after func(tx Tx, p auth.Principal, v T) error) (v T, err error) {
	p, err := Allow(ctx, perm)
	if err != nil {
		return v, err
	}
	err = db.InTx(ctx, func(tx Tx) error {
		if v, err = k.Load(tx, id, c.Scope(p)); err != nil {
			return err
		}
		version, updatedAt := k.Stamp(&v)
		if err := CheckVersion(ifMatch, *version); err != nil {
			return err
		}
		changed, err := apply(tx, p, &v)
		if err != nil || !changed {
			return err
		}
		*updatedAt, *version = c.Now(), *version+1
		if err := k.Save(tx, v); err != nil {
			return err
		}
		return after(tx, p, v)
	})
	// The store may find the version gone only when the unit's writes are sent, at its end.
	return v, Raced(err, ifMatch)
}

// Patch applies a caller's Mutation through Change. before, if set, refuses a record that may no
// longer change; a mutation that changes nothing writes nothing; merge turns the caller's version
// into the record to save (keeping what the caller may not change, checking references); after
// writes the events, knowing the record as it was and the fields changed.
func (k Versioned[T, Tx]) Patch(ctx context.Context, c Core, db DB[Tx], perm auth.Permission, id string, ifMatch *int, mutate Mutation[T],
	before func(cur T) error, merge func(tx Tx, p auth.Principal, cur T, next *T) error,
	after func(tx Tx, p auth.Principal, cur, next T, changed []string) error) (T, error) {
	var (
		cur     T
		changed []string
	)
	return k.Change(ctx, c, db, perm, id, ifMatch,
		func(tx Tx, p auth.Principal, v *T) (bool, error) {
			cur = *v
			if before != nil {
				if err := before(cur); err != nil {
					return false, err
				}
			}
			next, names, err := mutate(cur)
			if err != nil || len(names) == 0 {
				return false, err
			}
			if err := merge(tx, p, cur, &next); err != nil {
				return false, err
			}
			nv, nu := k.Stamp(&next)
			cv, cu := k.Stamp(&cur)
			*nv, *nu = *cv, *cu
			changed, *v = names, next
			return true, nil
		},
		func(tx Tx, p auth.Principal, v T) error { return after(tx, p, cur, v, changed) })
}

// ReadAudited loads one record the caller may read and audits the read: every read of a person's
// record leaves a trace, written (and committed) before the record is returned. No transaction is
// needed: the read changes nothing, and if the audit event cannot be written the record is not
// returned.
func ReadAudited[T any, Tx Recorder](ctx context.Context, c Core, db DB[Tx], recordType, id string,
	load func(tx Tx, sc access.Scope) (T, error), youngPersonOf func(T) string) (out T, err error) {
	return ReadAuditedAs(ctx, c, db, auth.ReadCasework, recordType, id, load, youngPersonOf)
}

// ReadAuditedAs is ReadAudited for records guarded by another permission (the support register's).
func ReadAuditedAs[T any, Tx Recorder](ctx context.Context, c Core, db DB[Tx], perm auth.Permission, recordType, id string,
	load func(tx Tx, sc access.Scope) (T, error), youngPersonOf func(T) string) (out T, err error) {
	p, err := Allow(ctx, perm)
	if err != nil {
		return out, err
	}
	err = db.Read(ctx, func(tx Tx) error {
		e := c.Event(ctx, p, audit.Read, recordType, id, "", nil)
		// A store that can write the event in the same statement as the read does (one round trip).
		written := func() bool { return false }
		if r, ok := any(tx).(interface{ AuditReading(audit.Event) func() bool }); ok {
			written = r.AuditReading(e)
		}
		out, err = load(tx, c.Scope(p))
		if done := written(); err != nil || done {
			return err
		}
		e.YoungPersonID = youngPersonOf(out)
		return tx.Audit(e)
	})
	return out, err
}

// ListAudited lists one page the caller may read and audits it: one event naming every record on
// the page and every young person whose record it was (so the child's access log finds it),
// written before the page is returned, as for ReadAudited.
func ListAudited[T any, Tx Recorder](ctx context.Context, c Core, db DB[Tx], recordType string,
	list func(tx Tx, sc access.Scope) ([]T, string, error), idsOf func(T) (id, youngPersonID string)) (out []T, next string, err error) {
	return ListAuditedAs(ctx, c, db, auth.ReadCasework, recordType, list, idsOf)
}

// ListAuditedAs is ListAudited for records guarded by another permission (the support register's).
func ListAuditedAs[T any, Tx Recorder](ctx context.Context, c Core, db DB[Tx], perm auth.Permission, recordType string,
	list func(tx Tx, sc access.Scope) ([]T, string, error), idsOf func(T) (id, youngPersonID string)) (out []T, next string, err error) {
	p, err := Allow(ctx, perm)
	if err != nil {
		return nil, "", err
	}
	err = db.Read(ctx, func(tx Tx) error {
		e := c.Event(ctx, p, audit.List, recordType, "", "", nil)
		// A store that can write the event in the same statement as the page does (one round trip).
		written := func() bool { return false }
		if r, ok := any(tx).(interface{ AuditListing(audit.Event) func() bool }); ok {
			written = r.AuditListing(e)
		}
		out, next, err = list(tx, c.Scope(p))
		if done := written(); err != nil || done || len(out) == 0 {
			return err
		}
		seen := map[string]bool{}
		for _, r := range out {
			id, yp := idsOf(r)
			e.RecordIDs = append(e.RecordIDs, id)
			if yp != "" && !seen[yp] {
				seen[yp] = true
				e.YoungPersonIDs = append(e.YoungPersonIDs, yp)
			}
		}
		// Each once, in id order: as the store writes them when it writes the event itself.
		slices.Sort(e.YoungPersonIDs)
		return tx.Audit(e)
	})
	return out, next, err
}

// OnTimeline adds an entry to a child's timeline inside the caller's transaction.
func (c Core) OnTimeline(tx Recorder, youngPersonID, referralID string, occurredOn time.Time, kind, recordType, recordID, summary string) error {
	return tx.AddTimeline(c.Line(youngPersonID, referralID, occurredOn, kind, recordType, recordID, summary))
}

// LoadVia and SaveVia make a Versioned's Load and Save from a repository accessor of the service's
// transaction view and the repository's Get and Update: LoadVia(Tx.Referrals, referral.Repository.Get).
func LoadVia[Tx, R, T any](repo func(Tx) R, get func(R, string, access.Scope) (T, error)) func(Tx, string, access.Scope) (T, error) {
	return func(tx Tx, id string, sc access.Scope) (T, error) { return get(repo(tx), id, sc) }
}

// SaveVia: see LoadVia.
func SaveVia[Tx, R, T any](repo func(Tx) R, update func(R, T) error) func(Tx, T) error {
	return func(tx Tx, v T) error { return update(repo(tx), v) }
}

// SaveNext saves v, already loaded in tx, as its next version: for a record changed as a
// consequence of another (a referral moved on by a meeting, a request closed by its plan's issue).
func (k Versioned[T, Tx]) SaveNext(c Core, tx Tx, v *T) error {
	version, updatedAt := k.Stamp(v)
	*updatedAt, *version = c.Now(), *version+1
	return k.Save(tx, *v)
}

// MetaFrom is the request metadata ctx carries.
func MetaFrom(ctx context.Context) Meta { return metaFrom(ctx) }

// AgainIfTaken runs write, a create's or a PATCH's transaction that first looks for records
// holding its identifiers, and runs it once more when a unique index refused it: another request
// took one between this one's look and its insert, and the second look finds it and answers as a
// look after the other would have (a conditional create's 200 with the record, or the 409 naming
// the field and the holder the caller may see). A refused transaction wrote nothing, so a PATCH's
// If-Match still holds on the second run.
func AgainIfTaken(write func() error) error {
	return againIf(write, func(err error) bool { return errors.Is(err, fault.ErrDuplicate) })
}

// AgainIfConflict is AgainIfTaken for a write whose race with another meets a rule of its own
// before any unique index (a second draft of one child's plan meets the one-plan rule): it runs
// once more after any Conflict, and a genuine one costs a transaction more and answers the same.
func AgainIfConflict(write func() error) error {
	return againIf(write, func(err error) bool { return fault.KindOf(err) == fault.Conflict })
}

// againIf runs write, and once more when its error satisfies retry.
func againIf(write func() error, retry func(error) bool) error {
	err := write()
	if retry(err) {
		err = write()
	}
	return err
}

// AgainIfTakenFor is AgainIfTaken for a write that answers the record it wrote.
func AgainIfTakenFor[T any](write func() (T, error)) (T, error) {
	var out T
	err := AgainIfTaken(func() (err error) {
		out, err = write()
		return err
	})
	return out, err
}

// Wrap adds what a use case was doing to an error leaving it ("triage referral <id>: ..."); the
// caller still sees only the fault's own detail. The log sees only format (package redact), never
// the arguments or the wrapped error's text.
func Wrap(err *error, format string, args ...any) {
	if *err != nil {
		*err = &opError{op: format, err: fmt.Errorf(format+": %w", append(args, *err)...)}
	}
}

// opError is a wrapped error that also keeps its wrapper's fixed description for the log.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.err.Error() }

// Unwrap skips the fmt wrapper: it adds nothing but the text.
func (e *opError) Unwrap() error { return errors.Unwrap(e.err) }

// LogOp is what was being done, without the arguments (redact.Op).
func (e *opError) LogOp() string { return e.op }

// Referenced turns a missing record that a request body refers to into 422 naming the field:
// the URL's resource exists, so 404 would mislead, and a record the caller may not see reads as
// missing (no existence leak). Any other error, and nil, pass through.
func Referenced(err error, pointer, detail string) error {
	if fault.KindOf(err) == fault.NotFound {
		return fault.Field(fault.Unprocessable, pointer, detail)
	}
	return err
}
