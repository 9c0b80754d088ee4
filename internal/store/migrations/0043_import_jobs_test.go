package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0043ImportJobs: a job names an organisation that exists and a known status; its
// errors name a job that exists and are numbered once each within it.
func TestMigration0043ImportJobs(t *testing.T) {
	checkMigration(t, "0043_import_jobs", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "import_jobs", columns(t, db, "import_jobs"), "id", "kind", "status", "dry_run", "continue_on_error", "file_key", "file_size",
			"rejects_key", "rows_read", "rows_created", "rows_unchanged", "rows_rejected", "error_count", "failure", "organisation_id",
			"actor_role", "actor_key_id", "actor_subject", "actor_practitioner_id", "runner", "lease_until", "attempts", "started_at",
			"finished_at", "created_at", "updated_at", "version")
		has(t, "import_job_errors", columns(t, db, "import_job_errors"), "job_id", "seq", "row_number", "column_name", "message")
		has(t, "indexes", indexes(t, db), "import_jobs_claim", "import_jobs_updated")
		addOrganisation(t, db, uuid(1), "")
		insert := `INSERT INTO import_jobs (id, kind, status, dry_run, continue_on_error, file_key, file_size, rows_read, rows_created,
			rows_unchanged, rows_rejected, error_count, organisation_id, actor_role, attempts, created_at, updated_at, version)
			VALUES (?, 'young-people', ?, false, false, 'imports/x', 10, 0, 0, 0, 0, 0, ?, 'send_officer', 0, ?, ?, 1)`
		exec(t, db, insert, uuid(10), "queued", uuid(1), created, created)
		refuses(t, db, "an unknown status", insert, uuid(11), "lost", uuid(1), created, created)
		refuses(t, db, "an organisation not in the directory", insert, uuid(12), "queued", uuid(99), created, created)
		errInsert := `INSERT INTO import_job_errors (job_id, seq, row_number, column_name, message) VALUES (?, ?, 2, 'given_name', 'is required')`
		exec(t, db, errInsert, uuid(10), 1)
		refuses(t, db, "an error numbered twice", errInsert, uuid(10), 1)
		refuses(t, db, "an error of no job", errInsert, uuid(98), 1)
	})
}
