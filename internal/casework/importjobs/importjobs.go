// Package importjobs runs import files uploaded through the API (POST /v1/imports) as jobs: the
// file is kept in the blob store, the job in the database, and any replica may run it. A replica
// claims a job with a lease in the database and renews it while it runs; a job whose replica
// died (its lease lapsed) is claimed again by another, up to MaxAttempts, then marked failed. A
// rerun is safe: every layout's rows are matched on their key, so rows a dead run committed are
// left as they are. The run itself is the command-line import's (package importjob).
package importjobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"gocloud.dev/gcerrors"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/idempotency"
	"github.com/oneplan-send/oneplan/internal/importfile"
	"github.com/oneplan-send/oneplan/internal/importjob"
	"github.com/oneplan-send/oneplan/internal/imports"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Tx is what the import job use cases need of a transaction.
type Tx interface {
	casework.Recorder
	ImportJobs() imports.Repository
}

// Blobs keeps uploaded files and rejects files.
type Blobs interface {
	Writer(ctx context.Context, key, mediaType string) (io.WriteCloser, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Options tune the jobs.
type Options struct {
	// MaxBytes caps an uploaded file (default 50 MB).
	MaxBytes int64
	// Lease is how long a claim holds without renewal (default 30 s); it is renewed, with the
	// counts so far, every Lease/3.
	Lease time.Duration
	// MaxAttempts is how many times a job is started before a lapsed one is marked failed (default 3).
	MaxAttempts int
	// Poll is how often an idle worker looks for jobs queued on other replicas (default 2 s).
	Poll time.Duration
	// Manual leaves jobs queued until RunPending is called: no worker runs (tests).
	Manual bool
	// FilesRetention is how long a finished job's rejects file is kept (default 30 days,
	// ONEPLAN_IMPORT_FILES_RETENTION); SweepFiles deletes it then. A job's expiry is set as it
	// finishes, so a change to it applies to jobs finishing from then on.
	FilesRetention time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 50 << 20
	}
	if o.Lease <= 0 {
		o.Lease = 30 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.FilesRetention <= 0 {
		o.FilesRetention = imports.DefaultRetention
	}
	return o
}

// Service runs the import job use cases.
type Service struct {
	casework.Core
	db     casework.DB[Tx]
	blobs  Blobs
	opts   Options
	kinds  func() (map[string]importjob.Kind, error)
	runner string        // this process's name on the leases it holds
	wake   chan struct{} // a job was queued here

	mu      sync.Mutex
	running map[string]runningJob // the jobs this process runs
}

// runningJob is a job this process runs: how to stop it at once when it is cancelled here, and
// its counts as they are, which a read of the job answers with rather than those its lease last
// wrote (on SQLite, whose one writer is the import's own transaction, the lease writes nothing
// until the rows are written).
type runningJob struct {
	stop context.CancelCauseFunc
	pr   *progress
	done chan struct{} // closed once the run has stopped
	kept func() bool   // whether what the run wrote so far stays (continuing on error, not a dry run)
}

// recordStopped writes, in tx, what a run stopped by its cancellation left to job id: the rows
// read and, continuing on error, what its committed batches made (all or nothing, nothing was
// kept), with the row errors not yet written.
func (r runningJob) recordStopped(tx Tx, id string, now time.Time) error {
	c, errs, n := r.pr.take()
	if !r.kept() {
		c = importjob.Counts{Rows: c.Rows}
	}
	if err := tx.ImportJobs().AddErrors(id, errs); err != nil {
		return err
	}
	return tx.ImportJobs().CancelledCounts(id, imports.Progress{Counts: toCounts(c), ErrorCount: n}, now)
}

// New returns the import job service; kinds builds the layouts' kinds (on each run, so they
// judge rows on the day they run).
func New(core casework.Core, db casework.DB[Tx], blobs Blobs, kinds func() (map[string]importjob.Kind, error), opts Options) *Service {
	return &Service{Core: core, db: db, blobs: blobs, opts: opts.withDefaults(), kinds: kinds, runner: casework.NewID(),
		wake: make(chan struct{}, 1), running: map[string]runningJob{}}
}

// MaxBytes is the largest file taken.
func (s *Service) MaxBytes() int64 { return s.opts.MaxBytes }

// FilesRetention is how long a finished job's rejects file is kept.
func (s *Service) FilesRetention() time.Duration { return s.opts.FilesRetention }

// Audit record type of a job.
const recordType = "import_job"

func reach(p auth.Principal) imports.Reach {
	return imports.Reach{OrganisationID: p.OrganisationID, Role: string(p.Role)}
}

func payload(j imports.Job) map[string]any {
	out := map[string]any{"organisation_id": j.OrganisationID, "kind": j.Kind, "status": string(j.Status), "dry_run": j.DryRun,
		"continue_on_error": j.ContinueOnError, "attempt": j.Attempts}
	if j.Done() {
		out["rows_read"], out["rows_created"], out["rows_unchanged"], out["rows_rejected"] = j.Counts.Rows, j.Counts.Created,
			j.Counts.Unchanged, j.Counts.Rejected
	}
	return out
}

// Request is what the caller asks for with the file.
type Request struct {
	Kind            string
	DryRun          bool
	ContinueOnError bool
	// FileName is the file's name as the caller knows it (may be empty).
	FileName string
}

// Submit keeps the file in the blob store and queues a job for it. The caller needs imports:run
// and the role the layout is imported as (the administrator for organisations, the SEND team
// for the others): the job acts as the caller.
func (s *Service) Submit(ctx context.Context, req Request, file io.Reader) (j imports.Job, err error) {
	defer casework.Wrap(&err, "submit import")
	p, err := casework.Allow(ctx, auth.RunImports)
	if err != nil {
		return j, err
	}
	kinds, err := s.kinds()
	if err != nil {
		return j, err
	}
	kind, ok := kinds[req.Kind]
	if !ok {
		return j, fault.Field(fault.Invalid, "/query/kind", "is not an import layout")
	}
	if req.FileName != "" && !imports.ValidFileName(req.FileName) {
		return j, fault.Field(fault.Invalid, "/query/file_name", fmt.Sprintf("must be a bare file name of at most %d characters, without quotes or path separators", imports.MaxFileName))
	}
	if kind.Role != p.Role {
		return j, &fault.Error{Kind: fault.Forbidden, Detail: "The " + req.Kind + " import is run by the " + string(kind.Role) +
			" role; yours is " + string(p.Role) + "."}
	}
	now := s.Now()
	j = imports.Job{ID: casework.NewID(), Kind: req.Kind, Status: imports.Queued, DryRun: req.DryRun, ContinueOnError: req.ContinueOnError,
		OrganisationID: p.OrganisationID, ActorRole: string(p.Role), ActorKeyID: p.KeyID, ActorSubject: p.Subject,
		ActorPractitionerID: p.PractitionerID, FileName: req.FileName, CreatedAt: now, UpdatedAt: now, Version: 1}
	j.FileKey = imports.UploadKeyOf(j.ID)
	if j.FileSize, err = s.keep(ctx, j.FileKey, file); err != nil {
		return j, err
	}
	// With an Idempotency-Key, the key is claimed now that the file has been read (and hashed):
	// a retry of an earlier upload keeps nothing of its own.
	if ctx, err = idempotency.ClaimStreamed(ctx); err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), j.FileKey)
		return j, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := tx.ImportJobs().Create(j); err != nil {
			return err
		}
		return tx.Audit(s.Event(ctx, p, "create", recordType, j.ID, "", nil))
	})
	if err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), j.FileKey)
		return j, err
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return j, nil
}

// keep streams the file to key, refusing one over the limit.
func (s *Service) keep(ctx context.Context, key string, file io.Reader) (int64, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.blobs.Writer(wctx, key, "text/csv")
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, io.LimitReader(file, s.opts.MaxBytes+1))
	if err == nil && n > s.opts.MaxBytes {
		err = fault.New(fault.TooLarge, fmt.Sprintf("An import file is at most %d bytes.", s.opts.MaxBytes))
	}
	if err == nil && n == 0 {
		err = fault.New(fault.Invalid, "The file is empty: the first row must be the header.")
	}
	if err != nil {
		cancel() // abandons the write
		_ = w.Close()
		return 0, err
	}
	return n, w.Close()
}

// Job reads one job the caller may see: one their organisation asked for in their role.
func (s *Service) Job(ctx context.Context, id string) (j imports.Job, err error) {
	defer casework.Wrap(&err, "read import job %s", id)
	p, err := casework.Allow(ctx, auth.RunImports)
	if err != nil {
		return j, err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		j, err = tx.ImportJobs().Get(id, reach(p))
		return err
	})
	// Answered without its failure from the expiry on, whether or not the sweep has run.
	j.RedactFailure(s.Now(), s.opts.FilesRetention)
	s.live(&j)
	return j, err
}

// live gives a job this process is running its counts as they are now.
func (s *Service) live(j *imports.Job) {
	if j.Status != imports.Running {
		return // finished (or not started): what the database holds is final
	}
	s.mu.Lock()
	r, ok := s.running[j.ID]
	s.mu.Unlock()
	if !ok {
		return
	}
	c, n := r.pr.now()
	j.Counts, j.ErrorCount = toCounts(c), n
}

// Jobs lists the jobs the caller may see, newest first.
func (s *Service) Jobs(ctx context.Context, page paging.Page) (out []imports.Job, next string, err error) {
	defer casework.Wrap(&err, "list import jobs")
	p, err := casework.Allow(ctx, auth.RunImports)
	if err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		out, next, err = tx.ImportJobs().List(reach(p), page)
		return err
	})
	for i := range out {
		out[i].RedactFailure(s.Now(), s.opts.FilesRetention)
		s.live(&out[i])
	}
	return out, next, err
}

// Errors lists one page of a job's row errors, in the order found; the cursor is the last
// error's number.
func (s *Service) Errors(ctx context.Context, id, cursor string, limit int) (out []imports.RowError, next string, err error) {
	defer casework.Wrap(&err, "list import job %s errors", id)
	after := 0
	if cursor != "" {
		if after, err = strconv.Atoi(cursor); err != nil || after < 0 {
			return nil, "", fault.Field(fault.Invalid, "/query/cursor", "is not a cursor this API issued")
		}
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	j, err := s.Job(ctx, id)
	if err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		out, err = tx.ImportJobs().Errors(id, after, limit+1)
		return err
	})
	if len(out) > limit {
		out = out[:limit]
		next = strconv.Itoa(out[limit-1].Seq)
	}
	// Answered without their messages from the expiry on, whether or not the sweep has run.
	j.Redact(out, s.Now(), s.opts.FilesRetention)
	return out, next, err
}

// Rejects opens a job's rejects file: the refused rows as read, with a problems column. It is
// gone (410) once the job's files have expired, whether or not the sweep has deleted it yet. The
// file holds children's details, so every download is audited (export on the job,
// changed_fields [rejects], the caller as actor): the file is opened first, then the event
// committed, and only then is the file handed back to be sent, so every download sent is audited
// and one that failed to open is not.
func (s *Service) Rejects(ctx context.Context, id string) (_ io.ReadCloser, err error) {
	defer casework.Wrap(&err, "download import job %s rejects", id)
	p, err := casework.Allow(ctx, auth.RunImports)
	if err != nil {
		return nil, err
	}
	var j imports.Job
	err = s.db.Read(ctx, func(tx Tx) error {
		if j, err = tx.ImportJobs().Get(id, reach(p)); err != nil {
			return err
		}
		if j.RejectsKey == "" {
			return fault.New(fault.NotFound, "This job has no rejects file: it refused no rows, or it did not continue on error.")
		}
		if j.FilesExpired(s.Now(), s.opts.FilesRetention) {
			return fault.New(fault.Gone, "This job's rejects file was deleted "+retained(s.keptFor(j))+" after the job finished, as every "+
				"import's is (it holds children's details); the job's row errors are still listed at its errors_path.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r, err := s.blobs.Open(ctx, j.RejectsKey)
	if gcerrors.Code(err) == gcerrors.NotFound {
		// Deleted under the job as it was read (the sweep, once expired): gone, as the expiry says.
		return nil, fault.New(fault.Gone, "This job's rejects file has been deleted; the job's row errors are still listed at its errors_path.")
	}
	if err != nil {
		return nil, err
	}
	if err := s.db.Read(ctx, func(tx Tx) error {
		return tx.Audit(s.Event(ctx, p, audit.Export, recordType, j.ID, "", []string{"rejects"}))
	}); err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

// Work runs jobs until ctx ends: those queued here at once, those queued on other replicas (or
// left by a replica that died) within Poll. report, when given, hears of each failure to claim
// or finish a job (a job's own failure is the job's, recorded on it).
func (s *Service) Work(ctx context.Context, report func(error)) {
	if s.opts.Manual {
		return
	}
	t := time.NewTicker(s.opts.Poll)
	defer t.Stop()
	for {
		for {
			ran, err := s.RunNext(ctx)
			if err != nil && ctx.Err() == nil && report != nil {
				report(err)
			}
			if err != nil || !ran {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// RunPending runs every job claimable now, one after the other, and returns when none is left:
// the worker, synchronously (tests, tools).
func (s *Service) RunPending(ctx context.Context) error {
	for {
		ran, err := s.RunNext(ctx)
		if err != nil || !ran {
			return err
		}
	}
}

// RunNext claims the oldest claimable job and runs it; false when there was none.
func (s *Service) RunNext(ctx context.Context) (bool, error) {
	var j imports.Job
	var claimed bool
	err := s.db.InTx(ctx, func(tx Tx) error {
		var ok bool
		var err error
		if j, ok, err = tx.ImportJobs().Claimable(s.Now()); err != nil || !ok {
			return err
		}
		now := s.Now()
		if claimed, err = tx.ImportJobs().Claim(j.ID, s.runner, now, now.Add(s.opts.Lease)); err != nil || !claimed {
			return err
		}
		if j, err = tx.ImportJobs().Load(j.ID); err != nil {
			return err
		}
		if j.Attempts > s.opts.MaxAttempts {
			return nil // marked failed below
		}
		return casework.Record(tx, s.Event(ctx, jobPrincipal(j), "transition", recordType, j.ID, "", []string{"status"}),
			s.Notice(outbox.ImportJobStarted, j.ID, payload(j)))
	})
	if err != nil || !claimed {
		return claimed, err
	}
	if j.Attempts > s.opts.MaxAttempts {
		return true, s.finish(ctx, j, importjob.Counts{}, 0, "", fmt.Errorf("the replica running this job stopped %d times", j.Attempts-1))
	}
	return true, s.run(ctx, j)
}

func jobPrincipal(j imports.Job) auth.Principal {
	return auth.Principal{KeyID: j.ActorKeyID, Subject: j.ActorSubject, OrganisationID: j.OrganisationID, Role: auth.Role(j.ActorRole),
		PractitionerID: j.ActorPractitionerID}
}

// progress is a running job's counts and its row errors not yet written, shared between the run
// and the heartbeat.
type progress struct {
	mu      sync.Mutex
	counts  importjob.Counts
	pending []imports.RowError
	errors  int
}

// KeptErrors is how many row errors a job keeps (GET /v1/imports/{id}/errors), the first found;
// its error_count counts every one. A large file refused row after row (a date column in the
// wrong form) would otherwise be held and stored whole: a 50 MB upload of 480,000 such rows took
// the server from 103 to 410 MB resident and wrote 480,000 error rows. The first thousands show what to
// put right; the rejects file (continuing on error) and `oneplan import` give every one.
const KeptErrors = 10_000

func (pr *progress) problem(p importfile.Problem) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.errors++
	if pr.errors <= KeptErrors {
		pr.pending = append(pr.pending, imports.RowError{Seq: pr.errors, Row: p.Row, Column: p.Column, Message: p.Message})
	}
}

func (pr *progress) set(c importjob.Counts) {
	pr.mu.Lock()
	pr.counts = c
	pr.mu.Unlock()
}

// now returns the counts and how many errors were found.
func (pr *progress) now() (importjob.Counts, int) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.counts, pr.errors
}

// take returns the counts and the errors not yet written.
func (pr *progress) take() (importjob.Counts, []imports.RowError, int) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	out := pr.pending
	pr.pending = nil
	return pr.counts, out, pr.errors
}

func toCounts(c importjob.Counts) imports.Counts {
	return imports.Counts{Rows: c.Rows, Created: c.Created, Unchanged: c.Unchanged, Rejected: c.Refused}
}

// errLeaseLost stops a run whose lease another replica took over.
var errLeaseLost = errors.New("import job: lease lost")

// run runs a claimed job as the caller who asked for it, renewing its lease (with the counts so
// far and the row errors found) until it ends.
func (s *Service) run(ctx context.Context, j imports.Job) error {
	kinds, err := s.kinds()
	if err != nil {
		return err
	}
	kind, ok := kinds[j.Kind]
	if !ok {
		return s.finish(ctx, j, importjob.Counts{}, 0, "", fmt.Errorf("no import layout %q", j.Kind))
	}
	if err := s.db.InTx(ctx, func(tx Tx) error { return tx.ImportJobs().ClearErrors(j.ID) }); err != nil {
		return err
	}
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	pr := &progress{}
	rj := runningJob{stop: stop, pr: pr, done: make(chan struct{}), kept: func() bool { return j.ContinueOnError && !j.DryRun }}
	s.mu.Lock()
	s.running[j.ID] = rj
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, j.ID)
		s.mu.Unlock()
		close(rj.done)
	}()
	beat := func() error {
		c, errs, n := pr.take()
		return s.db.InTx(context.WithoutCancel(ctx), func(tx Tx) error {
			if err := tx.ImportJobs().AddErrors(j.ID, errs); err != nil {
				return err
			}
			now := s.Now()
			held, err := tx.ImportJobs().Renew(j.ID, s.runner, now.Add(s.opts.Lease), now, imports.Progress{Counts: toCounts(c), ErrorCount: n})
			if err == nil && !held {
				err = errLeaseLost
			}
			return err
		})
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		t := time.NewTicker(s.opts.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := beat(); errors.Is(err, errLeaseLost) {
					stop(err)
					return
				}
			}
		}
	})
	rejectsKey := imports.RejectsKeyOf(j.ID)
	p := jobPrincipal(j)
	wctx := auth.WithPrincipal(runCtx, p)
	// Every audit event of the run names the job, as the command-line import's do.
	wctx = casework.WithMeta(wctx, casework.Meta{RequestID: "import-" + j.ID, Purpose: "import"})
	layout := importfile.Layouts[j.Kind]
	runner := &importjob.Runner{Kind: kind, Layout: layout, Name: "the uploaded file", DryRun: j.DryRun, ContinueOnError: j.ContinueOnError,
		Open:     func() (io.ReadCloser, error) { return s.blobs.Open(runCtx, j.FileKey) },
		Rejects:  func() (io.WriteCloser, error) { return s.blobs.Writer(runCtx, rejectsKey, "text/csv") },
		Problem:  pr.problem,
		Checked:  pr.set,
		Progress: pr.set,
		// Between batches: a job cancelled here stops at once (its context), one cancelled through
		// another replica when its status says so.
		Stop: func() error {
			if cause := context.Cause(runCtx); cause != nil {
				return cause
			}
			return s.held(runCtx, j.ID)
		},
	}
	// All or nothing, the job's outcome is written in the rows' own transaction, only while this
	// replica still holds the job: a job cancelled (or taken over) before then keeps none of them.
	finished := false
	runner.Final = func(tx casework.Recorder, c importjob.Counts) error {
		jtx, ok := tx.(Tx)
		if !ok {
			return errors.New("import job: the import's transaction cannot record the job")
		}
		_, errs, n := pr.take()
		if err := jtx.ImportJobs().AddErrors(j.ID, errs); err != nil {
			return err
		}
		held, err := s.finishIn(ctx, jtx, j, c, n, "", nil)
		if err == nil && !held {
			err = s.held(context.WithoutCancel(ctx), j.ID)
			if err == nil {
				err = errLeaseLost
			}
		}
		finished = err == nil
		return err
	}
	c, runErr := runner.Run(wctx)
	close(done)
	wg.Wait()
	if finished && runErr == nil {
		return s.blobs.Delete(context.WithoutCancel(ctx), j.FileKey)
	}
	cause := context.Cause(runCtx)
	stopped := errors.Is(cause, errLeaseLost) || errors.Is(runErr, errLeaseLost) || errors.Is(cause, errCancelled) || errors.Is(runErr, errCancelled)
	if stopped || runErr != nil {
		switch h := s.held(context.WithoutCancel(ctx), j.ID); {
		case errors.Is(h, errCancelled):
			// The canceller wrote the job's outcome and its event; what this run wrote all or
			// nothing was rolled back (continuing on error, the batches committed stay). A
			// canceller on another replica wrote the counts last recorded: the job's record
			// gets the run's own now.
			_ = s.blobs.Delete(context.WithoutCancel(ctx), rejectsKey)
			return s.db.InTx(context.WithoutCancel(ctx), func(tx Tx) error { return rj.recordStopped(tx, j.ID, s.Now()) })
		case stopped || errors.Is(h, errLeaseLost):
			return nil // another replica runs it now
		}
	}
	if ctx.Err() != nil {
		// This process is stopping: the job goes back to the queue for another replica (what
		// the run wrote was rolled back, or is matched on its keys when run again).
		return s.db.InTx(context.WithoutCancel(ctx), func(tx Tx) error { return tx.ImportJobs().Release(j.ID, s.runner, s.Now()) })
	}
	// The last errors found are written with the outcome.
	_, errs, n := pr.take()
	if err := s.db.InTx(ctx, func(tx Tx) error { return tx.ImportJobs().AddErrors(j.ID, errs) }); err != nil {
		return err
	}
	if c.Refused == 0 || !j.ContinueOnError || j.DryRun {
		rejectsKey = ""
	}
	return s.finish(ctx, j, c, n, rejectsKey, runErr)
}

// finish writes a job's outcome with its summary audit event and its import_job.finished event.
func (s *Service) finish(ctx context.Context, j imports.Job, c importjob.Counts, errorCount int, rejectsKey string, runErr error) error {
	var held bool
	err := s.db.InTx(context.WithoutCancel(ctx), func(tx Tx) error {
		var err error
		held, err = s.finishIn(ctx, tx, j, c, errorCount, rejectsKey, runErr)
		return err
	})
	if err == nil && held {
		// The upload holds children's details: it is not kept once its job is done (the rejects
		// file, when there is one, stays to be downloaded).
		err = s.blobs.Delete(context.WithoutCancel(ctx), j.FileKey)
	}
	return err
}

// finishIn writes a job's outcome in tx, if this replica still holds it (false when not).
func (s *Service) finishIn(ctx context.Context, tx Tx, j imports.Job, c importjob.Counts, errorCount int, rejectsKey string, runErr error) (bool, error) {
	now := s.Now()
	j.Status, j.Failure = imports.Succeeded, ""
	if runErr != nil {
		j.Status, j.Failure = imports.Failed, runErr.Error()
	}
	j.Counts, j.ErrorCount, j.RejectsKey = toCounts(c), errorCount, rejectsKey
	expire := now.Add(s.opts.FilesRetention)
	j.FinishedAt, j.FilesExpireAt, j.LeaseUntil, j.UpdatedAt = &now, &expire, nil, now
	held, err := tx.ImportJobs().Finish(j, s.runner)
	if err != nil || !held {
		return held, err
	}
	// The summary: one event for the whole job (its outcome and counts are the job's), with the
	// request id every record's event of the run carries.
	e := s.Event(casework.WithMeta(ctx, casework.Meta{RequestID: "import-" + j.ID, Purpose: "import"}), jobPrincipal(j),
		"complete", recordType, j.ID, "", []string{"status", "counts"})
	return true, casework.Record(tx, e, s.Notice(outbox.ImportJobFinished, j.ID, payload(j)))
}

// CommandRun is what a command-line import (oneplan import) ran: the job id its records' audit
// events name, the layout, the choices, the counts and, when it failed, why.
type CommandRun struct {
	ID   string
	Kind string
	// FileName is the name of the file read (imports.BaseName of its path: never the path).
	FileName        string
	DryRun          bool
	ContinueOnError bool
	FileSize        int64
	Counts          importjob.Counts
	Failure         string
}

// RecordRun records a command-line import's run as a finished job of the caller's (the import's
// principal): the job (readable as GET /v1/imports/{id}), its summary audit event (complete, with
// the request id every record's event of the run carries) and import_job.finished. In tx, when
// given (the rows' own transaction, so the summary commits with them or not at all), else in a
// transaction of its own (a dry run, a refused file, a run continuing on error). The file's name
// (never its path) is kept on the job, read only with it: it may name a child, so it is in
// neither the audit event nor the outbox event.
func (s *Service) RecordRun(ctx context.Context, tx casework.Recorder, run CommandRun) (err error) {
	defer casework.Wrap(&err, "record import %s", run.ID)
	p, err := casework.Allow(ctx, auth.RunImports)
	if err != nil {
		return err
	}
	now := s.Now()
	expire := now.Add(s.opts.FilesRetention)
	j := imports.Job{ID: run.ID, Kind: run.Kind, Status: imports.Succeeded, DryRun: run.DryRun, ContinueOnError: run.ContinueOnError,
		FileSize: run.FileSize, FileName: imports.BaseName(run.FileName), Counts: toCounts(run.Counts), Failure: run.Failure, OrganisationID: p.OrganisationID,
		ActorRole: string(p.Role), ActorKeyID: p.KeyID, ActorSubject: p.Subject, ActorPractitionerID: p.PractitionerID,
		Attempts: 1, StartedAt: &now, FinishedAt: &now, FilesExpireAt: &expire, CreatedAt: now, UpdatedAt: now, Version: 1}
	if run.Failure != "" {
		j.Status = imports.Failed
	}
	record := func(tx Tx) error {
		if err := tx.ImportJobs().Create(j); err != nil {
			return err
		}
		e := s.Event(casework.WithMeta(ctx, casework.Meta{RequestID: "import-" + j.ID, Purpose: "import"}), p,
			"complete", recordType, j.ID, "", []string{"status", "counts"})
		return casework.Record(tx, e, s.Notice(outbox.ImportJobFinished, j.ID, payload(j)))
	}
	if tx == nil {
		return s.db.InTx(ctx, record)
	}
	jtx, ok := tx.(Tx)
	if !ok {
		return errors.New("the import's transaction cannot record its job")
	}
	return record(jtx)
}

// stopWait bounds how long a cancellation waits for the run it stopped here: it stops between
// batches of rows, well within this.
const stopWait = 20 * time.Second

// errCancelled stops a run whose job was cancelled.
var errCancelled = errors.New("import job: cancelled")

// held is nil while this replica holds job id running, errCancelled once it was cancelled, and
// errLeaseLost when another replica took it over (or it finished).
func (s *Service) held(ctx context.Context, id string) error {
	var j imports.Job
	err := s.db.Read(ctx, func(tx Tx) error {
		var err error
		j, err = tx.ImportJobs().Load(id)
		return err
	})
	switch {
	case err != nil:
		return err
	case j.Status == imports.Cancelled:
		return errCancelled
	case j.Status != imports.Running || j.Runner != s.runner:
		return errLeaseLost
	}
	return nil
}

// Cancel cancels a queued or running job the caller may see (as GET /v1/imports/{id}): it ends
// cancelled, with its own audit event and import_job.cancelled. A running job stops between
// batches of rows, on whichever replica runs it: all or nothing, what it wrote is rolled back;
// continuing on error, the batches it committed stay. A job that has finished is a conflict.
func (s *Service) Cancel(ctx context.Context, id string) (j imports.Job, err error) {
	defer casework.Wrap(&err, "cancel import job %s", id)
	p, err := casework.Allow(ctx, auth.RunImports)
	if err != nil {
		return j, err
	}
	if j, err = s.Job(ctx, id); err != nil {
		return j, err
	}
	if j.Done() {
		return j, finishedConflict(j)
	}
	// Run here: stopped at once, and waited for (between batches), so that its transaction
	// (SQLite's write lock with it) is let go before the cancellation is written, and the
	// cancellation says what the run left: continuing on error, the batches it committed stay.
	s.mu.Lock()
	r, here := s.running[id]
	s.mu.Unlock()
	if here {
		r.stop(errCancelled)
		// Not the request's context: a run stopped must be marked cancelled, or its lease would
		// lapse and it would run again. One that does not stop in time writes its counts itself
		// once it finds itself cancelled.
		select {
		case <-r.done:
		case <-time.After(stopWait):
			here = false
		}
	}
	// Written even if the caller has gone: a run stopped here and not marked cancelled would be
	// claimed again once its lease lapsed.
	err = s.db.InTx(context.WithoutCancel(ctx), func(tx Tx) error {
		now := s.Now()
		ok, err := tx.ImportJobs().Cancel(id, now, now.Add(s.opts.FilesRetention))
		if err != nil {
			return err
		}
		if ok && here {
			if err := r.recordStopped(tx, id, now); err != nil {
				return err
			}
		}
		if j, err = tx.ImportJobs().Load(id); err != nil {
			return err
		}
		if !ok {
			return finishedConflict(j)
		}
		return casework.Record(tx, s.Event(ctx, p, "transition", recordType, id, "", []string{"status"}),
			s.Notice(outbox.ImportJobCancelled, id, payload(j)))
	})
	if err != nil {
		return j, err
	}
	// The upload is not kept (a replica still reading it stops, finding the job cancelled), nor a
	// rejects file a run had begun (the replica running it deletes it too when it stops; the
	// retention sweep catches one either misses).
	_ = s.blobs.Delete(context.WithoutCancel(ctx), j.FileKey)
	_ = s.blobs.Delete(context.WithoutCancel(ctx), imports.RejectsKeyOf(j.ID))
	return j, nil
}

// keptFor is how long job j's files were kept after it finished: the retention in force when it
// finished, when its expiry was stored then.
func (s *Service) keptFor(j imports.Job) time.Duration {
	if exp := j.FilesExpiry(s.opts.FilesRetention); exp != nil && j.FinishedAt != nil {
		return exp.Sub(*j.FinishedAt)
	}
	return s.opts.FilesRetention
}

// retained says how long files are kept: in days when it is whole days.
func retained(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "1 day"
	case d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}

// retention is the actor of the retention sweep's audit events: the deployment itself.
var retention = auth.Principal{Role: "system", Subject: "import-files-retention"}

// SweepFiles deletes the files of jobs whose expiry has come (their rejects files, and any upload
// a failed delete left behind) and their row errors' messages, and returns how many jobs it swept.
// A job's expiry is the one set as it finished (FilesRetention then), or for a job finished before
// expiries were stored, FilesRetention now after it finished. Any replica may run it at any time: the files are deleted first
// (deleting one already gone is no error), then the job is marked in one conditional UPDATE, in
// the transaction that empties its row errors' messages and writes, when it had a rejects file
// or row errors, its audit event (delete on the import_job, changed_fields naming files and/or
// errors); of two replicas sweeping one job, only the one whose UPDATE marks it does the rest. A
// replica stopping between the two leaves the job unmarked, and the next sweep finishes it.
func (s *Service) SweepFiles(ctx context.Context) (deleted int, err error) {
	defer casework.Wrap(&err, "delete expired import files")
	for {
		var due []imports.Job
		if err := s.db.Read(ctx, func(tx Tx) error {
			due, err = tx.ImportJobs().FilesDue(s.Now(), s.opts.FilesRetention, 100)
			return err
		}); err != nil {
			return deleted, err
		}
		for _, j := range due {
			for _, key := range j.FileKeys() {
				if err := s.blobs.Delete(ctx, key); err != nil {
					return deleted, err
				}
			}
			var marked bool
			err := s.db.InTx(ctx, func(tx Tx) error {
				var err error
				if marked, err = tx.ImportJobs().MarkFilesDeleted(j.ID, s.Now()); err != nil || !marked {
					return err
				}
				// The row errors' messages go with the files (one may quote a value from the file), as
				// the failure does (MarkFilesDeleted).
				redacted, err := tx.ImportJobs().RedactErrors(j.ID)
				if err != nil {
					return err
				}
				var deleted []string
				if j.RejectsKey != "" {
					deleted = append(deleted, "files")
				}
				if redacted > 0 {
					deleted = append(deleted, "errors")
				}
				if j.Failure != "" {
					deleted = append(deleted, "failure")
				}
				if len(deleted) == 0 {
					return nil // a job with none had only its upload, deleted as it ended (its own event)
				}
				ctx := casework.WithMeta(ctx, casework.Meta{RequestID: "import-" + j.ID, Purpose: "retention"})
				return tx.Audit(s.Event(ctx, retention, "delete", recordType, j.ID, "", deleted))
			})
			if err != nil {
				return deleted, err
			}
			if marked {
				deleted++
			}
		}
		if len(due) < 100 {
			return deleted, nil
		}
	}
}

// RunFileSweeper sweeps expired import files every interval until ctx ends, telling report each
// outcome (how many jobs' files were deleted: never which files).
func (s *Service) RunFileSweeper(ctx context.Context, interval time.Duration, report func(int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.SweepFiles(ctx)
		if ctx.Err() != nil {
			return
		}
		report(n, err)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func finishedConflict(j imports.Job) error {
	return fault.StateConflict("This import job has already finished: only a queued or running job can be cancelled.", string(j.Status))
}
