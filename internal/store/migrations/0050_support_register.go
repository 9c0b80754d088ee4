package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0050 is plain DDL: the dynamic support register (issue 17). An entry is one young person's
// place on the register; its ratings are kept, never overwritten, in support_register_ratings.
var m0050 = &gormigrate.Migration{ID: "0050_support_register", Migrate: ddl(schema0050, nil)}

// schema0050: the entry carries its current rating (copied from the latest history row) and the
// C(E)TR due date computed on every write, so the list filters by rating and overdue reviews
// without reading the history. One open entry per young person.
const schema0050 = `
CREATE TABLE support_register_entries (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  conditions {text} NOT NULL,
  consent {text} NOT NULL CHECK (consent IN ('given', 'not_given')),
  lawful_basis {text},
  keyworker {text},
  keyworker_org_id {uuid} REFERENCES organisations(id),
  actions {text} NOT NULL,
  rating {text} NOT NULL CHECK (rating IN ('red', 'amber', 'green', 'blue')),
  rated_since {text} NOT NULL,
  last_ctr_on {text},
  ctr_due_on {text},
  closed_on {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL,
  CHECK (consent = 'given' OR lawful_basis IS NOT NULL)
);
CREATE UNIQUE INDEX support_register_open_young_person ON support_register_entries (young_person_id) WHERE closed_on IS NULL;
CREATE INDEX support_register_rating ON support_register_entries (rating, id);
CREATE INDEX support_register_due ON support_register_entries (ctr_due_on) WHERE ctr_due_on IS NOT NULL;
CREATE TABLE support_register_ratings (
  id {uuid} PRIMARY KEY,
  entry_id {uuid} NOT NULL REFERENCES support_register_entries(id),
  seq {int} NOT NULL,
  rating {text} NOT NULL CHECK (rating IN ('red', 'amber', 'green', 'blue')),
  reasons {text} NOT NULL,
  evidence {text},
  decided_on {text} NOT NULL,
  decided_by_actor {text} NOT NULL,
  decided_by_org_id {uuid},
  decided_by_role {text} NOT NULL,
  admitted_on {text},
  admission_planned {bool} NOT NULL,
  recorded_at {ts} NOT NULL,
  UNIQUE (entry_id, seq),
  CHECK (rating = 'blue' OR (admitted_on IS NULL AND NOT admission_planned))
)
`
