package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0043 is plain DDL: import jobs run through the API (POST /v1/imports), their row errors, and
// the lease a replica holds on a job while it runs it.
var m0043 = &gormigrate.Migration{ID: "0043_import_jobs", Migrate: ddl(schema0043, nil)}

// schema0043: a job names its layout (kind), its choices, the uploaded file and the rejects file
// in the blob store, its counts (updated as it runs), and who asked (the import acts as them).
// A replica claims a queued job, or a running one whose lease has lapsed (its runner died), by
// setting runner and lease_until in one conditional UPDATE, and renews the lease while it runs.
// Row errors are numbered within their job (seq), in the order found.
const schema0043 = `
CREATE TABLE import_jobs (
  id {uuid} PRIMARY KEY,
  kind {text} NOT NULL,
  status {text} NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  dry_run {bool} NOT NULL,
  continue_on_error {bool} NOT NULL,
  file_key {text} NOT NULL,
  file_size {int} NOT NULL,
  rejects_key {text},
  rows_read {int} NOT NULL,
  rows_created {int} NOT NULL,
  rows_unchanged {int} NOT NULL,
  rows_rejected {int} NOT NULL,
  error_count {int} NOT NULL,
  failure {text},
  organisation_id {uuid} NOT NULL REFERENCES organisations (id),
  actor_role {text} NOT NULL,
  actor_key_id {text},
  actor_subject {text},
  actor_practitioner_id {text},
  runner {text},
  lease_until {ts},
  attempts {int} NOT NULL,
  started_at {ts},
  finished_at {ts},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX import_jobs_claim ON import_jobs (status, lease_until);
CREATE INDEX import_jobs_updated ON import_jobs (updated_at, id);
CREATE TABLE import_job_errors (
  job_id {uuid} NOT NULL REFERENCES import_jobs (id),
  seq {int} NOT NULL,
  row_number {int} NOT NULL,
  column_name {text},
  message {text} NOT NULL,
  PRIMARY KEY (job_id, seq)
)
`
