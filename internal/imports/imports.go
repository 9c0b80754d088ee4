// Package imports holds import jobs run through the API (POST /v1/imports): a job's status, its
// counts as it runs, its row errors, and the lease a replica holds on it while it runs it.
// Standard library only.
package imports

import (
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneplan-send/oneplan/internal/paging"
)

// Status is where a job is.
type Status string

// Statuses.
const (
	Queued    Status = "queued"    // waiting for a replica to claim it
	Running   Status = "running"   // a replica holds its lease and is running it
	Succeeded Status = "succeeded" // the file was checked (and, unless a dry run, written)
	Failed    Status = "failed"    // refused (nothing written unless continuing on error) or stopped
	Cancelled Status = "cancelled" // cancelled while queued or running (POST /v1/imports/{id}/cancel)
)

// Counts are a job's numbers: rows read, created, already present (left unchanged), refused.
type Counts struct{ Rows, Created, Unchanged, Rejected int }

// Job is one import.
type Job struct {
	ID              string
	Kind            string // the layout, e.g. young-people
	Status          Status
	DryRun          bool
	ContinueOnError bool
	FileKey         string // the upload in the blob store
	FileSize        int64
	RejectsKey      string // the refused rows in the blob store, when there are any
	// FileName is the name of the file imported, when it was given (personal: it may name a
	// child; read only with the job, never logged nor put in events).
	FileName string
	// FilesDeletedAt is when the retention sweep deleted the job's files.
	FilesDeletedAt *time.Time
	// FilesExpireAt is when the job's files expire, set as it finishes from the retention in
	// force then (so a later change to the setting leaves it); nil while it has not finished,
	// and on a job finished before it was kept (see FilesExpiry).
	FilesExpireAt *time.Time
	Counts        Counts
	ErrorCount    int
	// Failure is why it failed, when it did. It may quote a database's refusal (which can hold a
	// value from the file), so it goes with the job's files (RedactFailure).
	Failure string
	// Who asked: the import acts as them.
	OrganisationID      string
	ActorRole           string
	ActorKeyID          string
	ActorSubject        string
	ActorPractitionerID string
	// The lease of the replica running it.
	Runner     string
	LeaseUntil *time.Time
	Attempts   int
	StartedAt  *time.Time
	FinishedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// Done reports whether the job has finished.
func (j Job) Done() bool { return j.Status == Succeeded || j.Status == Failed || j.Status == Cancelled }

// DefaultRetention is how long a finished job's rejects file is kept when the deployment does
// not say (ONEPLAN_IMPORT_FILES_RETENTION).
const DefaultRetention = 30 * 24 * time.Hour

// MaxFileName is the longest file name kept, in characters.
const MaxFileName = 200

// ValidFileName reports whether name may be kept as a job's file name: a bare name (no path) of
// 1 to MaxFileName characters, without quotes or line breaks.
func ValidFileName(name string) bool {
	return name != "" && utf8.ValidString(name) && utf8.RuneCountInString(name) <= MaxFileName &&
		path.Base(name) == name && name != "." && name != ".." && !strings.ContainsAny(name, "/\\\"\r\n\x00")
}

// BaseName is the file name kept for a file read from a path (the command line's): its last
// element, cut to MaxFileName characters; "" when it has none fit to keep.
func BaseName(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	name := path.Base(p)
	if r := []rune(name); len(r) > MaxFileName {
		name = string(r[:MaxFileName])
	}
	if !ValidFileName(name) {
		return ""
	}
	return name
}

// FilesExpiry is when a finished job's files expire: the time set as it finished or, for a job
// finished before that was kept, retention (the setting in force now) after it finished; nil
// while the job has not finished.
func (j Job) FilesExpiry(retention time.Duration) *time.Time {
	if j.FinishedAt == nil || !j.Done() {
		return nil
	}
	if j.FilesExpireAt != nil {
		t := *j.FilesExpireAt
		return &t
	}
	t := j.FinishedAt.Add(retention)
	return &t
}

// RejectsExpireAt is when a finished job's rejects file is deleted (FilesExpiry); nil while the
// job has not finished or has no rejects file.
func (j Job) RejectsExpireAt(retention time.Duration) *time.Time {
	if j.RejectsKey == "" {
		return nil
	}
	return j.FilesExpiry(retention)
}

// FilesExpired reports whether the job's files are gone at now under the retention rule: deleted
// by the sweep, or past their expiry and about to be.
func (j Job) FilesExpired(now time.Time, retention time.Duration) bool {
	if j.FilesDeletedAt != nil {
		return true
	}
	exp := j.FilesExpiry(retention)
	return exp != nil && !now.Before(*exp)
}

// FileKeys are the blob store keys a job's files may be under: its upload, and its rejects file
// (also where a run cut short may have begun one).
func (j Job) FileKeys() []string {
	var out []string
	if j.FileKey != "" {
		out = append(out, j.FileKey, RejectsKeyOf(j.ID))
	}
	if j.RejectsKey != "" && j.RejectsKey != RejectsKeyOf(j.ID) {
		out = append(out, j.RejectsKey)
	}
	return out
}

// UploadKeyOf is where job id's upload is kept in the blob store.
func UploadKeyOf(id string) string { return "imports/" + id + "/upload.csv" }

// RejectsKeyOf is where job id's rejects file is kept in the blob store.
func RejectsKeyOf(id string) string { return "imports/" + id + "/rejects.csv" }

// RowError is one problem found in a job's file.
type RowError struct {
	Seq     int // its number within the job, in the order found
	Row     int
	Column  string
	Message string
	// Redacted says Message was deleted under the retention rule (see Redact).
	Redacted bool
}

// RedactedMessage stands in for a row error's message once the job's files have expired.
const RedactedMessage = "This message was deleted with the job's files under the import files retention rule."

// Redact deletes the messages of a job's row errors once its files have expired (FilesExpired),
// keeping their rows and columns: a message may quote a value from the file (a database's
// refusal can), so it is kept no longer than the rejects file holding the row.
func (j Job) Redact(errs []RowError, now time.Time, retention time.Duration) {
	if !j.FilesExpired(now, retention) {
		return
	}
	for i := range errs {
		errs[i].Message, errs[i].Redacted = RedactedMessage, true
	}
}

// RedactedFailure stands in for a failed job's failure once its files have expired.
const RedactedFailure = "Why this job failed was deleted with the job's files under the import files retention rule."

// RedactFailure deletes a failed job's failure once its files have expired (FilesExpired), as
// Redact does its row errors' messages: it may quote a database's refusal of a row. After the
// sweep the failure is gone from the database too; the status stays.
func (j *Job) RedactFailure(now time.Time, retention time.Duration) {
	if (j.Failure != "" || j.Status == Failed) && j.FilesExpired(now, retention) {
		j.Failure = RedactedFailure
	}
}

// Reach is which jobs a caller may see: those asked for by their organisation in their role.
type Reach struct {
	OrganisationID string
	Role           string
}

// Progress is what a running job's runner writes as it goes.
type Progress struct {
	Counts     Counts
	ErrorCount int
}

// Repository keeps import jobs.
type Repository interface {
	Create(j Job) error
	Get(id string, v Reach) (Job, error)
	// Load reads a job whoever asked for it (the runner).
	Load(id string) (Job, error)
	List(v Reach, p paging.Page) ([]Job, string, error)
	// Claimable is the oldest job queued, or running with its lease lapsed before now.
	Claimable(now time.Time) (Job, bool, error)
	// Claim takes the job for runner until until, if it is still claimable at now.
	Claim(id, runner string, now, until time.Time) (bool, error)
	// Renew extends runner's lease and writes the progress; false when runner no longer holds it.
	Renew(id, runner string, until, now time.Time, p Progress) (bool, error)
	// Release hands a job runner holds back to the queue (its process is stopping), not counting
	// the start.
	Release(id, runner string, now time.Time) error
	// Finish writes the outcome of runner's run; false when runner no longer holds the job.
	Finish(j Job, runner string) (bool, error)
	// Cancel marks a queued or running job cancelled at now, its files expiring at
	// filesExpireAt; false when it had finished.
	Cancel(id string, now, filesExpireAt time.Time) (bool, error)
	// CancelledCounts writes the counts and error count of a cancelled job as its run left them,
	// once it has stopped (the batches a job continuing on error committed stay).
	CancelledCounts(id string, p Progress, now time.Time) error
	// FilesDue lists finished jobs whose files are not yet deleted and have expired at now
	// (FilesExpiry: their stored expiry, else retention after they finished), oldest first, at
	// most limit: those with files, and those (a command-line run's) with a failure to delete.
	FilesDue(now time.Time, retention time.Duration, limit int) ([]Job, error)
	// MarkFilesDeleted records that a job's files were deleted at now, deleting its failure with
	// them; false when another replica's sweep already did.
	MarkFilesDeleted(id string, now time.Time) (bool, error)
	// AddErrors appends row errors; ClearErrors removes a job's (before a run starts again).
	AddErrors(jobID string, errs []RowError) error
	ClearErrors(jobID string) error
	// RedactErrors deletes the messages of a job's row errors, keeping their rows and columns
	// (the retention sweep); it reports how many it changed.
	RedactErrors(jobID string) (int, error)
	// Errors lists a job's row errors after seq, in order, at most limit.
	Errors(jobID string, after, limit int) ([]RowError, error)
}
