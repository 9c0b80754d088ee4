package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0080 is plain DDL: advice requests addressed to a named practitioner, and the advice they
// submit (Reg 6).
var m0080 = &gormigrate.Migration{ID: "0080_ehc_advice", Migrate: ddl(schema0080, nil)}

// schema0080: one row per advice request that names its adviser, with the same id as the advice
// entry on the EHC request's row. The adviser finds theirs by practitioner_id; the advice's text
// by section, its documents and the plan sections it informs are JSON.
const schema0080 = `
CREATE TABLE ehc_advice (
  id {uuid} PRIMARY KEY,
  ehc_request_id {uuid} NOT NULL REFERENCES ehc_requests (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  practitioner_id {uuid} NOT NULL REFERENCES practitioners (id),
  adviser {text} NOT NULL,
  provider {text},
  requested_on {text} NOT NULL,
  due_on {text} NOT NULL,
  status {text} NOT NULL CHECK (status IN ('requested', 'submitted')),
  sections {text} NOT NULL,
  document_ids {text} NOT NULL,
  informs {text} NOT NULL,
  submitted_on {text},
  late {bool} NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX ehc_advice_practitioner ON ehc_advice (practitioner_id, id);
CREATE INDEX ehc_advice_request ON ehc_advice (ehc_request_id, id);
CREATE INDEX ehc_advice_young_person ON ehc_advice (young_person_id)
`
