// Package documents attaches files (advice, reports, letters, minutes) to a child's records: each
// is checked from its bytes, kept in blob storage, and read, listed and removed under exactly the
// need-to-know and audit of the record it belongs to.
package documents

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/disputes"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/idempotency"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Tx is what the document use cases need of a transaction: the records a document can belong to.
type Tx interface {
	disputes.Tx
	Documents() document.Repository
	Advice() advice.Repository
}

// Service runs the document use cases.
type Service struct {
	casework.Core
	db      casework.DB[Tx]
	blobs   document.Blobs
	scanner document.Scanner
	limits  document.Limits
}

// New returns the document service; a nil scanner accepts every file, zero limits are the defaults.
func New(core casework.Core, db casework.DB[Tx], blobs document.Blobs, scanner document.Scanner, limits document.Limits) *Service {
	if scanner == nil {
		scanner = document.NoScan{}
	}
	if limits.MaxBytes <= 0 {
		limits = document.DefaultLimits
	}
	return &Service{Core: core, db: db, blobs: blobs, scanner: scanner, limits: limits}
}

// Limits are the upload limits in force (the HTTP layer reads at most MaxBytes+1 bytes).
func (s *Service) Limits() document.Limits { return s.limits }

// parent resolves the record a document belongs to, within the caller's scope, to its young person
// and the referral its timeline entry names. A record the caller cannot see is a bad reference.
func parent(tx Tx, sc access.Scope, recordType, id string) (youngPersonID, referralID string, err error) {
	switch recordType {
	case document.OnReferral:
		r, lookup := tx.Referrals().Get(id, sc)
		youngPersonID, referralID, err = r.YoungPersonID, r.ID, lookup
	case document.OnEHCRequest:
		r, lookup := tx.EHCRequests().Get(id, sc)
		youngPersonID, err = r.YoungPersonID, lookup
	case document.OnEHCPlan:
		p, lookup := tx.Plans().Get(id, sc)
		youngPersonID, err = p.YoungPersonID, lookup
	case document.OnAnnualReview:
		r, lookup := tx.Reviews().Get(id, sc)
		youngPersonID, err = r.YoungPersonID, lookup
	case document.OnMeeting:
		m, lookup := tx.Meetings().Get(id, sc)
		youngPersonID, referralID, err = m.YoungPersonID, m.ReferralID, lookup
	case document.OnDispute:
		d, lookup := tx.Disputes().Get(id, sc)
		youngPersonID, err = d.YoungPersonID, lookup
	default:
		return "", "", fault.Field(fault.Invalid, "/query/record_type", "is not a record that takes documents")
	}
	return youngPersonID, referralID, casework.Referenced(err, "/query/record_id", "no such "+recordType)
}

// adviserOf names the advice request of the EHC needs assessment m attaches to on which p is the
// adviser still awaited (Reg 6), or "": they may attach their reports to it, though the child's
// record is otherwise outside their need-to-know.
func adviserOf(tx Tx, p auth.Principal, m document.Meta) string {
	if m.RecordType != document.OnEHCRequest || p.PractitionerID == "" || !p.Can(auth.SubmitAdvice) {
		return ""
	}
	rs, err := tx.Advice().OfEHCRequest(m.RecordID)
	if err != nil {
		return ""
	}
	for _, r := range rs {
		if r.PractitionerID == p.PractitionerID && r.Status == advice.Requested {
			return r.ID
		}
	}
	return ""
}

func payload(d document.Document) map[string]any {
	return map[string]any{"young_person_id": d.YoungPersonID, "record_type": d.RecordType, "record_id": d.RecordID,
		"kind": d.Kind, "media_type": d.MediaType, "size_bytes": d.SizeBytes, "sha256": d.SHA256}
}

// Upload checks content (its type from its bytes, its size, a Word document's unpacked size, the
// scanner) and attaches it to the record m names. The bytes are stored before the record commits
// and removed again if it does not; a crash between the two leaves an unreferenced blob, never a
// record without its bytes.
func (s *Service) Upload(ctx context.Context, m document.Meta, content []byte) (d document.Document, err error) {
	defer casework.Wrap(&err, "upload document")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return d, err
	}
	st, err := s.Stage(ctx, m, content)
	if err != nil {
		return d, err
	}
	// With an Idempotency-Key, the key is claimed now that the file has been read (and hashed as
	// it streamed, as an import file is): a retry of an earlier upload keeps nothing of its own.
	if ctx, err = idempotency.ClaimStreamed(ctx); err != nil {
		s.Unstage(ctx, st)
		return d, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		by := document.ByProfessional
		if p.Can(auth.RunPathway) {
			by = document.ByCouncil
		}
		adviceID := adviserOf(tx, p, m)
		youngPersonID, referralID, err := parent(tx, s.Scope(p), m.RecordType, m.RecordID)
		if err != nil && adviceID != "" {
			// The adviser named on an advice request attaches their reports to that assessment.
			by = document.ByAdviser
			youngPersonID, referralID, err = parent(tx, access.All, m.RecordType, m.RecordID)
		}
		if err != nil {
			return err
		}
		if err := document.MayAttach(m.Kind, by); err != nil {
			return forbidden(err)
		}
		if !slices.Contains(document.AdviserKinds, m.Kind) {
			adviceID = ""
		}
		d, err = s.Keep(ctx, tx, p, st.ForAdvice(adviceID), youngPersonID, referralID)
		return err
	})
	if err != nil {
		s.Unstage(ctx, st)
	}
	return d, err
}

// DraftsReader is what telling advisers' unsubmitted reports needs of a transaction.
type DraftsReader interface {
	Advice() advice.Repository
}

// drafts tells an adviser's unsubmitted report: a document attached for an advice request still
// waiting for the adviser. Until they submit, it is their draft, which the family may not read;
// any other document, a council letter or a report whose advice is in, is not. Each advice
// request is read once however many of its documents are asked about (a page of them).
type drafts struct {
	tx      DraftsReader
	waiting map[string]bool // advice request id -> still waiting for the adviser
}

func newDrafts(tx DraftsReader) *drafts { return &drafts{tx: tx, waiting: map[string]bool{}} }

func (ds *drafts) is(d document.Document) (bool, error) {
	if d.AdviceRequestID == "" {
		return false, nil
	}
	waiting, ok := ds.waiting[d.AdviceRequestID]
	if !ok {
		r, err := ds.tx.Advice().Get(d.AdviceRequestID, advice.Reach{All: true})
		if fault.KindOf(err) == fault.NotFound {
			r.Status = advice.Submitted // gone with its assessment's erasure: nothing left to wait for
		} else if err != nil {
			return false, err
		}
		waiting = r.Status == advice.Requested
		ds.waiting[d.AdviceRequestID] = waiting
	}
	return waiting, nil
}

// ShownToFamily keeps the documents of ds the child's family may read: those shown to them
// (FamilyVisible), less advisers' unsubmitted reports. The family's reads and their subject
// access export both ask it, so the two cannot drift apart.
func ShownToFamily(tx DraftsReader, ds []document.Document) ([]document.Document, error) {
	shown, drafts := make([]document.Document, 0, len(ds)), newDrafts(tx)
	for _, d := range ds {
		if !d.FamilyVisible {
			continue
		}
		draft, err := drafts.is(d)
		if err != nil {
			return nil, err
		}
		if !draft {
			shown = append(shown, d)
		}
	}
	return shown, nil
}

// Staged is an upload checked and its bytes stored, waiting for its record.
type Staged struct {
	meta   document.Meta
	in     document.Inspected
	id     string
	advice string // the advice request an adviser attaches it for, if any
}

// ForAdvice is st attached by an adviser for the advice request adviceRequestID: their draft
// until that advice is submitted.
func (st Staged) ForAdvice(adviceRequestID string) Staged {
	st.advice = adviceRequestID
	return st
}

// Stage checks an upload (m, then the bytes: type, size, a Word document's unpacked size, the
// scanner) and stores its bytes. Keep records it; Unstage removes the bytes if that fails.
func (s *Service) Stage(ctx context.Context, m document.Meta, content []byte) (Staged, error) {
	if err := m.Check(); err != nil {
		return Staged{}, err
	}
	in, err := document.Inspect(content, m.Declared, s.limits)
	if err != nil {
		return Staged{}, err
	}
	if err := s.scanner.Scan(ctx, in.MediaType, content); err != nil {
		return Staged{}, err
	}
	st := Staged{meta: m, in: in, id: casework.NewID()}
	if err := s.blobs.Put(ctx, "documents/"+st.id, in.MediaType, content); err != nil {
		return Staged{}, unavailable(err)
	}
	return st, nil
}

// Unstage removes the bytes of a staged upload whose record did not commit.
func (s *Service) Unstage(ctx context.Context, st Staged) {
	if st.id != "" {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), "documents/"+st.id)
	}
}

// Keeper is what recording a document needs of a transaction.
type Keeper interface {
	casework.Recorder
	Documents() document.Repository
}

// Keep records a staged upload on its record (the caller has checked p may attach it there), in
// tx with its audit event, its outbox event and its timeline line.
func (s *Service) Keep(ctx context.Context, tx Keeper, p auth.Principal, st Staged, youngPersonID, referralID string) (document.Document, error) {
	d := document.New(st.meta, st.in, youngPersonID, p.OrganisationID, s.Now())
	d.ID, d.StorageKey, d.AdviceRequestID = st.id, "documents/"+st.id, st.advice
	if err := tx.Documents().Create(d); err != nil {
		return d, err
	}
	if err := casework.Record(tx, s.Event(ctx, p, audit.Create, document.RecordType, d.ID, d.YoungPersonID, nil),
		s.Notice(outbox.DocumentAdded, d.ID, payload(d))); err != nil {
		return d, err
	}
	return d, s.OnTimeline(tx, d.YoungPersonID, referralID, s.Today(), "document.added", document.RecordType, d.ID,
		"Document added ("+d.Kind+", "+d.MediaType+") to "+d.RecordType)
}

// familyOnly reports whether the caller sees only the documents shown to the family.
func familyOnly(ctx context.Context) bool {
	p, _ := auth.FromContext(ctx)
	return p.Role == auth.RoleFamily
}

// get reads a document within scope; a family is told a document not shown to them, or an
// adviser's unsubmitted report, does not exist.
func get(tx Tx, id string, sc access.Scope, family bool) (document.Document, error) {
	d, err := tx.Documents().Get(id, sc)
	if err != nil || !family {
		return d, err
	}
	shown, err := ShownToFamily(tx, []document.Document{d})
	if err != nil {
		return document.Document{}, err
	}
	if len(shown) == 0 {
		return document.Document{}, fault.New(fault.NotFound, "No such document.")
	}
	return d, nil
}

// Document reads one document's record within the caller's scope, audited as a read. A family
// sees only the documents shown to them, never an adviser's unsubmitted report.
func (s *Service) Document(ctx context.Context, id string) (_ document.Document, err error) {
	defer casework.Wrap(&err, "read document %s", id)
	family := familyOnly(ctx)
	return casework.ReadAudited(ctx, s.Core, s.db, document.RecordType, id,
		func(tx Tx, sc access.Scope) (document.Document, error) { return get(tx, id, sc, family) },
		func(d document.Document) string { return d.YoungPersonID })
}

// SetFamilyVisible shows a document to the child's family or hides it from them: the SEND team's
// or the engagement lead's to do. change computes the new visibility from the current one and
// names the fields changed.
func (s *Service) SetFamilyVisible(ctx context.Context, id string, ifMatch *int, change func(cur bool) (bool, []string, error)) (d document.Document, err error) {
	defer casework.Wrap(&err, "change document %s", id)
	p, err := casework.Allow(ctx, auth.RunPathway)
	if err != nil {
		return d, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if d, err = tx.Documents().Get(id, s.Scope(p)); err != nil {
			return err
		}
		if err := casework.CheckVersion(ifMatch, d.Version); err != nil {
			return err
		}
		visible, changed, err := change(d.FamilyVisible)
		if err != nil || len(changed) == 0 {
			return err
		}
		d.FamilyVisible = visible
		d.Version++
		if err := tx.Documents().Update(d); err != nil {
			return casework.Raced(err, ifMatch)
		}
		out := payload(d)
		out["family_visible"] = d.FamilyVisible
		return casework.Record(tx, s.Event(ctx, p, audit.Update, document.RecordType, d.ID, d.YoungPersonID, changed),
			s.Notice(outbox.DocumentVisibilityChanged, d.ID, out))
	})
	return d, err
}

// Content reads a document and opens its bytes, audited as a read of the document.
func (s *Service) Content(ctx context.Context, id string) (d document.Document, r io.ReadCloser, err error) {
	if d, err = s.Document(ctx, id); err != nil {
		return d, nil, err
	}
	r, err = s.blobs.Open(ctx, d.StorageKey)
	if err != nil {
		return d, nil, unavailable(err)
	}
	return d, r, nil
}

// Documents lists one record's documents the caller may see, newest first, auditing the page. A
// family's page leaves out advisers' unsubmitted reports.
func (s *Service) Documents(ctx context.Context, recordType, recordID string, pg paging.Page) (_ []document.Document, _ string, err error) {
	defer casework.Wrap(&err, "list documents")
	family := familyOnly(ctx)
	return casework.ListAudited(ctx, s.Core, s.db, document.RecordType,
		func(tx Tx, sc access.Scope) ([]document.Document, string, error) {
			ds, next, err := tx.Documents().List(recordType, recordID, sc, family, pg)
			if err != nil || !family {
				return ds, next, err
			}
			shown, err := ShownToFamily(tx, ds)
			return shown, next, err
		},
		func(d document.Document) (string, string) { return d.ID, d.YoungPersonID })
}

// Remove takes a document off a child's record (a wrong file, a misfiled letter): the SEND team's
// or the engagement lead's to do. The record goes with the commit, the bytes after it.
func (s *Service) Remove(ctx context.Context, id string) (err error) {
	defer casework.Wrap(&err, "remove document %s", id)
	p, err := casework.Allow(ctx, auth.RunPathway)
	if err != nil {
		return err
	}
	var d document.Document
	err = s.db.InTx(ctx, func(tx Tx) error {
		if d, err = tx.Documents().Get(id, s.Scope(p)); err != nil {
			return err
		}
		if err := tx.Documents().Delete(id); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Delete, document.RecordType, id, d.YoungPersonID, nil),
			s.Notice(outbox.DocumentRemoved, id, payload(d)))
	})
	if err != nil {
		return err
	}
	// A failure here leaves bytes no record points to: harmless, and swept by the operator's
	// storage lifecycle rules; the record's removal has committed.
	_ = s.blobs.Delete(context.WithoutCancel(ctx), d.StorageKey)
	return nil
}

// forbidden names the permission a refused kind needs: the council's, pathway:run.
func forbidden(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Kind == fault.Forbidden {
		fe.Permission = string(auth.RunPathway)
	}
	return err
}

// unavailable is a failure of the blob store: the caller may retry.
func unavailable(err error) error {
	return &fault.Error{Kind: fault.Unavailable, Detail: "The document store cannot be reached; try again shortly.", RetryAfter: 5 * time.Second, Cause: err}
}
