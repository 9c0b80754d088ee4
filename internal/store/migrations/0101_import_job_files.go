package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0101 is plain DDL: an import job's file name, and when its files were deleted under the
// retention rule (issue 18).
var m0101 = &gormigrate.Migration{ID: "0101_import_job_files", Migrate: ddl(schema0101, nil)}

// schema0101:
//   - file_name: the name of the file imported (the upload's file_name, or the file the command
//     read, without its path). It may name a child: it is read only with the job.
//   - files_deleted_at: when the retention sweep deleted the job's files (its rejects file, and
//     an upload a failed delete left behind); NULL until then. Any replica may sweep: the one
//     whose conditional UPDATE sets it writes the audit event.
//   - import_jobs_files_due: the sweep reads finished jobs whose files are not yet deleted, oldest
//     first, without reading the others.
const schema0101 = `
ALTER TABLE import_jobs ADD COLUMN file_name {text};
ALTER TABLE import_jobs ADD COLUMN files_deleted_at {ts};
CREATE INDEX import_jobs_files_due ON import_jobs (finished_at, id) WHERE files_deleted_at IS NULL
`
