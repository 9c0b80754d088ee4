package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0013 is plain DDL: one child recorded twice is no longer refused but found.
var m0013 = &gormigrate.Migration{ID: "0013_possible_duplicates", Migrate: ddl(schema0013, nil)}

// schema0013: the NHS number and UPN indexes stop being unique (refusing a second record told any
// practitioner that the child was known to the SEND service) and stay for look-ups; the pairs of
// records found to share one, for the SEND team (their ids may name a record since merged away,
// so no foreign keys); and each record merged into another, kept as a snapshot of its row, with
// the record it now lives in.
const schema0013 = `
DROP INDEX young_people_nhs_number;
DROP INDEX young_people_upn;
CREATE INDEX young_people_nhs_number ON young_people (nhs_number);
CREATE INDEX young_people_upn ON young_people (upn);

CREATE TABLE possible_duplicates (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL,
  other_young_person_id {uuid} NOT NULL,
  matched_on {text} NOT NULL,
  found_at {ts} NOT NULL,
  status {text} NOT NULL,
  resolved_at {ts},
  reason {text},
  merged_into {uuid},
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE UNIQUE INDEX possible_duplicates_pair ON possible_duplicates (young_person_id, other_young_person_id, matched_on);
CREATE INDEX possible_duplicates_other ON possible_duplicates (other_young_person_id, id);
CREATE INDEX possible_duplicates_status ON possible_duplicates (status, id);

CREATE TABLE merged_young_people (
  id {uuid} PRIMARY KEY,
  merged_into {uuid} NOT NULL REFERENCES young_people (id),
  merged_at {ts} NOT NULL,
  snapshot {text} NOT NULL
);
CREATE INDEX merged_young_people_into ON merged_young_people (merged_into, id);
`
