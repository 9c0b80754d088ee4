package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0108 is plain DDL: when an import job's files expire under the retention rule, set as it
// finishes (issue 18).
var m0108 = &gormigrate.Migration{ID: "0108_import_job_files_expiry", Migrate: ddl(schema0108, nil)}

// schema0108:
//   - files_expire_at: when the job's files (its rejects file), its row errors' messages and its
//     failure expire: ONEPLAN_IMPORT_FILES_RETENTION after it finished, under the setting in force
//     then, so changing the setting moves no finished job's expiry. NULL while the job runs, and
//     on jobs finished before this migration: theirs is still worked out from the setting in
//     force (the migration cannot know the deployment's setting to fill it in).
//   - import_jobs_files_expire: the sweep reads the jobs whose stored expiry has come, oldest
//     first, without reading the others (import_jobs_files_due serves the older jobs).
const schema0108 = `
ALTER TABLE import_jobs ADD COLUMN files_expire_at {ts};
CREATE INDEX import_jobs_files_expire ON import_jobs (files_expire_at, id) WHERE files_deleted_at IS NULL
`
