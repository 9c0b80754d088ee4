package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0108ImportJobFilesExpiry: a job finished before the migration keeps its row with no
// stored expiry (so its expiry is still worked out from the setting in force); afterwards a job
// keeps the expiry set when it finished, and the sweep's index exists.
func TestMigration0108ImportJobFilesExpiry(t *testing.T) {
	insert := `INSERT INTO import_jobs (id, kind, status, dry_run, continue_on_error, file_key, file_size, rows_read, rows_created,
		rows_unchanged, rows_rejected, error_count, organisation_id, actor_role, attempts, finished_at, created_at, updated_at, version)
		VALUES (?, 'young-people', 'succeeded', false, true, 'imports/x', 10, 0, 0, 0, 0, 0, ?, 'send_officer', 1, ?, ?, ?, 1)`
	checkMigration(t, "0108_import_job_files_expiry", func(t *testing.T, db *gorm.DB) {
		lacks(t, "import_jobs", columns(t, db, "import_jobs"), "files_expire_at")
		lacks(t, "indexes", indexes(t, db), "import_jobs_files_expire")
		addOrganisation(t, db, uuid(1), "")
		exec(t, db, insert, uuid(10), uuid(1), created, created, created)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "import_jobs", columns(t, db, "import_jobs"), "files_expire_at")
		has(t, "indexes", indexes(t, db), "import_jobs_files_expire")
		if got := column(queryRows(t, db, `SELECT id FROM import_jobs WHERE files_expire_at IS NULL`)); len(got) != 1 {
			t.Fatalf("the job finished before: %v", got)
		}
		exec(t, db, `UPDATE import_jobs SET files_expire_at = ? WHERE id = ?`, created, uuid(10))
		if got := column(queryRows(t, db, `SELECT id FROM import_jobs WHERE files_expire_at IS NOT NULL AND files_deleted_at IS NULL`)); len(got) != 1 {
			t.Fatalf("expiry kept: %v", got)
		}
	})
}
