package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0021 is plain DDL: the deadline warnings the sweeper has sent.
var m0021 = &gormigrate.Migration{ID: "0021_deadline_notices", Migrate: ddl(schema0021, nil)}

// schema0021: one row per deadline warning sent (kind due_soon or missed). The unique key is the
// deadline (record, clock, due day, part) and the kind, so a warning is sent once however many
// sweeps run, on however many replicas at once: the second insert waits for the first's commit
// and then inserts nothing. due_on is a YYYY-MM-DD day like every other date column.
const schema0021 = `
CREATE TABLE deadline_notices (
  id {uuid} PRIMARY KEY,
  notice_key {text} NOT NULL,
  kind {text} NOT NULL CHECK (kind IN ('due_soon', 'missed')),
  clock {text} NOT NULL,
  record_type {text} NOT NULL,
  record_id {uuid} NOT NULL,
  young_person_id {uuid},
  due_on {text} NOT NULL,
  event_id {uuid} NOT NULL,
  sent_at {ts} NOT NULL
);
CREATE UNIQUE INDEX deadline_notices_key ON deadline_notices (notice_key, kind);
CREATE INDEX deadline_notices_record ON deadline_notices (record_id)
`
