package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0007 is plain DDL: appeals, mediation and complaints.
var m0007 = &gormigrate.Migration{ID: "0007_disputes", Migrate: ddl(schema0007, nil)}

// schema0007: tribunal appeals, mediation and complaints. The subject is polymorphic
// (subject_type names the table), so subject_id has no foreign key; the young person is copied
// from the subject for scoping, listing and erasure. Sections are a JSON array.
const schema0007 = `
CREATE TABLE disputes (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  kind {text} NOT NULL,
  subject_type {text} NOT NULL,
  subject_id {uuid} NOT NULL,
  about {text} NOT NULL,
  sections {text} NOT NULL,
  brought_by {text} NOT NULL,
  received_on {text} NOT NULL,
  decision_letter_on {text},
  certificate_issued_on {text},
  hearing_on {text},
  notes {text},
  outcome {text},
  concluded_on {text},
  conclusion_notes {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX disputes_young_person ON disputes (young_person_id, id);
CREATE INDEX disputes_subject ON disputes (subject_id, id);
CREATE INDEX disputes_kind ON disputes (kind, id)
`
