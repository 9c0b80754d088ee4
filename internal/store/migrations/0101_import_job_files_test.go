package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0101ImportJobFiles: a job made before the migration keeps its row, with no file
// name and its files not yet deleted (so the retention sweep finds it); afterwards a job keeps
// its file name and the time its files were deleted, and the sweep's index exists.
func TestMigration0101ImportJobFiles(t *testing.T) {
	insert := `INSERT INTO import_jobs (id, kind, status, dry_run, continue_on_error, file_key, file_size, rows_read, rows_created,
		rows_unchanged, rows_rejected, error_count, organisation_id, actor_role, attempts, finished_at, created_at, updated_at, version)
		VALUES (?, 'young-people', 'succeeded', false, true, 'imports/x', 10, 0, 0, 0, 0, 0, ?, 'send_officer', 1, ?, ?, ?, 1)`
	checkMigration(t, "0101_import_job_files", func(t *testing.T, db *gorm.DB) {
		lacks(t, "import_jobs", columns(t, db, "import_jobs"), "file_name", "files_deleted_at")
		addOrganisation(t, db, uuid(1), "")
		exec(t, db, insert, uuid(10), uuid(1), created, created, created)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "import_jobs", columns(t, db, "import_jobs"), "file_name", "files_deleted_at")
		has(t, "indexes", indexes(t, db), "import_jobs_files_due")
		due := `SELECT id FROM import_jobs WHERE files_deleted_at IS NULL AND file_name IS NULL`
		if got := column(queryRows(t, db, due)); len(got) != 1 {
			t.Fatalf("the job made before: %v", got)
		}
		exec(t, db, `UPDATE import_jobs SET file_name = ?, files_deleted_at = ? WHERE id = ?`, "caseload.csv", created, uuid(10))
		if got := column(queryRows(t, db, `SELECT file_name FROM import_jobs WHERE files_deleted_at IS NOT NULL`)); len(got) != 1 || got[0] != "caseload.csv" {
			t.Fatalf("file name kept: %v", got)
		}
	})
}
