package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/imports"
	"github.com/oneplan-send/oneplan/internal/paging"
)

type importJobRepo struct{ conn }

// ImportJobs is the repository that keeps import jobs run through the API.
func (tx *Tx) ImportJobs() imports.Repository { return importJobRepo{tx.conn} }

type importJobRow struct {
	ID                  string
	Kind                string
	Status              string
	DryRun              bool
	ContinueOnError     bool
	FileKey             string
	FileSize            int64
	RejectsKey          *string
	FileName            *string
	FilesDeletedAt      *time.Time
	FilesExpireAt       *time.Time
	RowsRead            int
	RowsCreated         int
	RowsUnchanged       int
	RowsRejected        int
	ErrorCount          int
	Failure             *string
	OrganisationID      string
	ActorRole           string
	ActorKeyID          *string
	ActorSubject        *string
	ActorPractitionerID *string
	Runner              *string
	LeaseUntil          *time.Time
	Attempts            int
	StartedAt           *time.Time
	FinishedAt          *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
	Version             int
}

func (importJobRow) TableName() string { return "import_jobs" }

func toImportJobRow(j imports.Job) importJobRow {
	return importJobRow{ID: j.ID, Kind: j.Kind, Status: string(j.Status), DryRun: j.DryRun, ContinueOnError: j.ContinueOnError,
		FileKey: j.FileKey, FileSize: j.FileSize, RejectsKey: nullable(j.RejectsKey), FileName: nullable(j.FileName), FilesDeletedAt: utcPtr(j.FilesDeletedAt), FilesExpireAt: utcPtr(j.FilesExpireAt), RowsRead: j.Counts.Rows, RowsCreated: j.Counts.Created,
		RowsUnchanged: j.Counts.Unchanged, RowsRejected: j.Counts.Rejected, ErrorCount: j.ErrorCount, Failure: nullable(j.Failure),
		OrganisationID: j.OrganisationID, ActorRole: j.ActorRole, ActorKeyID: nullable(j.ActorKeyID), ActorSubject: nullable(j.ActorSubject),
		ActorPractitionerID: nullable(j.ActorPractitionerID), Runner: nullable(j.Runner), LeaseUntil: utcPtr(j.LeaseUntil), Attempts: j.Attempts,
		StartedAt: utcPtr(j.StartedAt), FinishedAt: utcPtr(j.FinishedAt), CreatedAt: j.CreatedAt.UTC(), UpdatedAt: j.UpdatedAt.UTC(), Version: j.Version}
}

func (r importJobRow) toDomain() imports.Job {
	return imports.Job{ID: r.ID, Kind: r.Kind, Status: imports.Status(r.Status), DryRun: r.DryRun, ContinueOnError: r.ContinueOnError,
		FileKey: r.FileKey, FileSize: r.FileSize, RejectsKey: deref(r.RejectsKey), FileName: deref(r.FileName), FilesDeletedAt: utcPtr(r.FilesDeletedAt),
		FilesExpireAt: utcPtr(r.FilesExpireAt), Counts: imports.Counts{Rows: r.RowsRead, Created: r.RowsCreated, Unchanged: r.RowsUnchanged, Rejected: r.RowsRejected},
		ErrorCount: r.ErrorCount, Failure: deref(r.Failure), OrganisationID: r.OrganisationID, ActorRole: r.ActorRole,
		ActorKeyID: deref(r.ActorKeyID), ActorSubject: deref(r.ActorSubject), ActorPractitionerID: deref(r.ActorPractitionerID),
		Runner: deref(r.Runner), LeaseUntil: utcPtr(r.LeaseUntil), Attempts: r.Attempts, StartedAt: utcPtr(r.StartedAt),
		FinishedAt: utcPtr(r.FinishedAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

func importJobReach(q *gorm.DB, v imports.Reach) *gorm.DB {
	return q.Where("import_jobs.organisation_id = ? AND import_jobs.actor_role = ?", v.OrganisationID, v.Role)
}

// Create inserts j.
func (tx importJobRepo) Create(j imports.Job) error {
	row := toImportJobRow(j)
	return translate(tx.w().Create(&row).Error)
}

func (tx importJobRepo) take(q *gorm.DB) (imports.Job, error) {
	var row importJobRow
	err := q.Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return imports.Job{}, fault.New(fault.NotFound, "No such import job.")
	}
	return row.toDomain(), translate(err)
}

// Get reads one job within reach.
func (tx importJobRepo) Get(id string, v imports.Reach) (imports.Job, error) {
	return tx.take(importJobReach(tx.q().Where("import_jobs.id = ?", id), v))
}

// Load reads one job.
func (tx importJobRepo) Load(id string) (imports.Job, error) {
	return tx.take(tx.q().Where("import_jobs.id = ?", id))
}

// List reads one page within reach, newest first.
func (tx importJobRepo) List(v imports.Reach, p paging.Page) ([]imports.Job, string, error) {
	q := importJobReach(tx.q().Model(&importJobRow{}), v)
	return listPage(q, "import_jobs", p, func(r importJobRow) string { return r.ID }, importJobRow.toDomain)
}

const claimable = "(status = 'queued' OR (status = 'running' AND lease_until < ?))"

// Claimable is the oldest job a runner may claim at now.
func (tx importJobRepo) Claimable(now time.Time) (imports.Job, bool, error) {
	var rows []importJobRow
	if err := tx.q().Where(claimable, now.UTC()).Order("created_at, id").Limit(1).Find(&rows).Error; err != nil {
		return imports.Job{}, false, translate(err)
	}
	if len(rows) == 0 {
		return imports.Job{}, false, nil
	}
	return rows[0].toDomain(), true, nil
}

// Claim takes the job if it is still claimable: of two replicas racing for it, one updates the
// row and the other, re-reading it, finds it no longer claimable.
func (tx importJobRepo) Claim(id, runner string, now, until time.Time) (bool, error) {
	res := tx.w().Exec(`UPDATE import_jobs SET status = 'running', runner = ?, lease_until = ?, attempts = attempts + 1,
		started_at = COALESCE(started_at, ?), updated_at = ?, version = version + 1 WHERE id = ? AND `+claimable,
		runner, until.UTC(), now.UTC(), now.UTC(), id, now.UTC())
	return res.RowsAffected == 1, translate(res.Error)
}

// Renew extends the lease runner holds and writes its progress.
func (tx importJobRepo) Renew(id, runner string, until, now time.Time, p imports.Progress) (bool, error) {
	res := tx.w().Exec(`UPDATE import_jobs SET lease_until = ?, rows_read = ?, rows_created = ?, rows_unchanged = ?, rows_rejected = ?,
		error_count = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'running' AND runner = ?`,
		until.UTC(), p.Counts.Rows, p.Counts.Created, p.Counts.Unchanged, p.Counts.Rejected, p.ErrorCount, now.UTC(), id, runner)
	return res.RowsAffected == 1, translate(res.Error)
}

// Release puts a job runner holds back in the queue.
func (tx importJobRepo) Release(id, runner string, now time.Time) error {
	return translate(tx.w().Exec(`UPDATE import_jobs SET status = 'queued', runner = NULL, lease_until = NULL, attempts = attempts - 1,
		updated_at = ?, version = version + 1 WHERE id = ? AND status = 'running' AND runner = ?`, now.UTC(), id, runner).Error)
}

// Finish writes j's outcome if runner still holds it.
func (tx importJobRepo) Finish(j imports.Job, runner string) (bool, error) {
	res := tx.w().Table("import_jobs").Where("id = ? AND status = 'running' AND runner = ?", j.ID, runner).UpdateColumns(map[string]any{
		"status": string(j.Status), "rejects_key": nullable(j.RejectsKey), "rows_read": j.Counts.Rows, "rows_created": j.Counts.Created,
		"rows_unchanged": j.Counts.Unchanged, "rows_rejected": j.Counts.Rejected, "error_count": j.ErrorCount, "failure": nullable(j.Failure),
		"lease_until": nil, "finished_at": utcPtr(j.FinishedAt), "files_expire_at": utcPtr(j.FilesExpireAt), "updated_at": j.UpdatedAt.UTC(), "version": gorm.Expr("version + 1")})
	return res.RowsAffected == 1, translate(res.Error)
}

// Cancel marks a queued or running job cancelled: its lease ends, so no replica claims it, and
// the runner holding it finds it no longer running.
func (tx importJobRepo) Cancel(id string, now, filesExpireAt time.Time) (bool, error) {
	res := tx.w().Exec(`UPDATE import_jobs SET status = 'cancelled', lease_until = NULL, finished_at = ?, files_expire_at = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND status IN ('queued', 'running')`, now.UTC(), filesExpireAt.UTC(), now.UTC(), id)
	return res.RowsAffected == 1, translate(res.Error)
}

// CancelledCounts writes a cancelled job's counts as its run left them.
func (tx importJobRepo) CancelledCounts(id string, p imports.Progress, now time.Time) error {
	return translate(tx.w().Exec(`UPDATE import_jobs SET rows_read = ?, rows_created = ?, rows_unchanged = ?, rows_rejected = ?, error_count = ?,
		updated_at = ?, version = version + 1 WHERE id = ? AND status = 'cancelled'`,
		p.Counts.Rows, p.Counts.Created, p.Counts.Unchanged, p.Counts.Rejected, p.ErrorCount, now.UTC(), id).Error)
}

// FilesDue lists finished jobs whose files the retention sweep has not deleted and whose expiry
// has come at now, oldest first: the expiry stored as they finished (import_jobs_files_expire),
// or for a job finished before it was stored, retention after it finished (import_jobs_files_due).
// A command-line run's job has no files to delete, but may have a failure to.
func (tx importJobRepo) FilesDue(now time.Time, retention time.Duration, limit int) ([]imports.Job, error) {
	var rows []importJobRow
	err := tx.q().Where(`files_deleted_at IS NULL AND (file_key <> '' OR failure IS NOT NULL) AND status IN ('succeeded', 'failed', 'cancelled')
		AND (files_expire_at <= ? OR (files_expire_at IS NULL AND finished_at <= ?))`, now.UTC(), now.Add(-retention).UTC()).
		Order("COALESCE(files_expire_at, finished_at), id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]imports.Job, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// MarkFilesDeleted records the sweep's deletion, once: of two replicas sweeping the same job, one
// updates the row and the other finds it already marked. The failure goes with the files (it
// may quote a database's refusal of a row); the status says the job failed.
func (tx importJobRepo) MarkFilesDeleted(id string, now time.Time) (bool, error) {
	res := tx.w().Exec(`UPDATE import_jobs SET files_deleted_at = ?, failure = NULL, updated_at = ?, version = version + 1
		WHERE id = ? AND files_deleted_at IS NULL`, now.UTC(), now.UTC(), id)
	return res.RowsAffected == 1, translate(res.Error)
}

type importJobErrorRow struct {
	JobID      string
	Seq        int
	RowNumber  int
	ColumnName *string
	Message    string
}

func (importJobErrorRow) TableName() string { return "import_job_errors" }

// AddErrors appends row errors.
func (tx importJobRepo) AddErrors(jobID string, errs []imports.RowError) error {
	if len(errs) == 0 {
		return nil
	}
	rows := make([]importJobErrorRow, len(errs))
	for i, e := range errs {
		rows[i] = importJobErrorRow{JobID: jobID, Seq: e.Seq, RowNumber: e.Row, ColumnName: nullable(e.Column), Message: e.Message}
	}
	return translate(tx.w().CreateInBatches(rows, 200).Error)
}

// ClearErrors removes a job's row errors.
func (tx importJobRepo) ClearErrors(jobID string) error {
	return translate(tx.w().Where("job_id = ?", jobID).Delete(&importJobErrorRow{}).Error)
}

// RedactErrors empties the messages of a job's row errors (the retention sweep's). The rows and
// columns stay, so the errors still say where the file was wrong.
func (tx importJobRepo) RedactErrors(jobID string) (int, error) {
	res := tx.w().Exec(`UPDATE import_job_errors SET message = '' WHERE job_id = ? AND message <> ''`, jobID)
	return int(res.RowsAffected), translate(res.Error)
}

// Errors lists a job's row errors after seq, in order.
func (tx importJobRepo) Errors(jobID string, after, limit int) ([]imports.RowError, error) {
	var rows []importJobErrorRow
	if err := tx.q().Where("job_id = ? AND seq > ?", jobID, after).Order("seq").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]imports.RowError, len(rows))
	for i, r := range rows {
		out[i] = imports.RowError{Seq: r.Seq, Row: r.RowNumber, Column: deref(r.ColumnName), Message: r.Message}
	}
	return out, nil
}
