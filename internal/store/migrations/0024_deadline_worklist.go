package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0024 is plain DDL: the deadline worklist kept as a table (issue 14).
var m0024 = &gormigrate.Migration{ID: "0024_deadline_worklist", Migrate: ddl(schema0024, map[string][]string{
	// The key compares byte by byte, as Go compares it, so the keyset order is the service's.
	dialectPostgres: {`ALTER TABLE deadline_worklist ALTER COLUMN deadline_key TYPE text COLLATE "C"`},
})}

// schema0024: one row per open deadline (the sweeper writes it whole; a write marks its young
// people stale in deadline_worklist_stale, and their rows are recomputed before the next page).
// A page of GET /v1/deadlines is one keyset query on (due_on, deadline_key): the whole worklist,
// a caseworker's (owner_id) or one child's (young_person_id), each with its own index in that
// order. due_on is a YYYY-MM-DD day like every other date column; part is empty when a record has
// one deadline of the clock.
const schema0024 = `
CREATE TABLE deadline_worklist (
  deadline_key {text} PRIMARY KEY,
  clock {text} NOT NULL,
  record_type {text} NOT NULL,
  record_id {uuid} NOT NULL,
  young_person_id {uuid},
  due_on {text} NOT NULL,
  part {text} NOT NULL DEFAULT '',
  owner_id {uuid},
  changed_at {ts}
);
CREATE INDEX deadline_worklist_due ON deadline_worklist (due_on, deadline_key);
CREATE INDEX deadline_worklist_owner ON deadline_worklist (owner_id, due_on, deadline_key);
CREATE INDEX deadline_worklist_young_person ON deadline_worklist (young_person_id, due_on, deadline_key);
CREATE TABLE deadline_worklist_stale (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL,
  marked_at {ts} NOT NULL
);
CREATE INDEX deadline_worklist_stale_marked ON deadline_worklist_stale (marked_at, id)
`
