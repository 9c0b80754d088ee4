package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0040 is plain DDL: the identifiers other systems (a CRM, the EMS, Capita One, an NHS trust)
// give to OnePlan's records, so an import or a nightly sync matches records by its own ids.
var m0040 = &gormigrate.Migration{ID: "0040_external_ids", Migrate: ddl(schema0040, nil)}

// schema0040: one row per record and external identifier. An identifier names at most one
// record of a type in a system; a record may hold several (one per system, or more).
const schema0040 = `
CREATE TABLE external_ids (
  record_type {text} NOT NULL CHECK (record_type IN ('young_person', 'referral', 'ehc_plan', 'organisation')),
  record_id {uuid} NOT NULL,
  system {text} NOT NULL CHECK (system <> ''),
  value {text} NOT NULL CHECK (value <> ''),
  created_at {ts} NOT NULL,
  PRIMARY KEY (record_type, system, value)
);
CREATE INDEX external_ids_record ON external_ids (record_type, record_id)
`
