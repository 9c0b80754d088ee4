package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0090 is plain DDL: re-assessments of an EHC plan (s.44(2) and (3) of the Children and
// Families Act 2014; Regs 24 to 27).
var m0090 = &gormigrate.Migration{ID: "0090_reassessments", Migrate: ddl(schema0090, nil)}

// schema0090: a re-assessment is requested (who asked, the day received) or decided by the
// authority of its own motion (the day decided); the Reg 25(1) decision and the day it was
// notified, the exception periods (JSON, as on ehc_requests) and the final plan version that
// completed it. The due dates are computed on read, never stored.
const schema0090 = `
CREATE TABLE reassessments (
  id {uuid} PRIMARY KEY,
  plan_id {uuid} NOT NULL REFERENCES ehc_plans (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  route {text} NOT NULL CHECK (route IN ('request', 'own_motion')),
  requested_by {text} CHECK (requested_by IN ('parent', 'young_person', 'school_or_college')),
  received_on {text},
  own_motion_on {text},
  status {text} NOT NULL CHECK (status IN ('requested', 'refused', 'reassessing', 'completed')),
  decision {text} CHECK (decision IN ('agree', 'refuse')),
  decision_reasons {text},
  notified_on {text},
  exceptions {text} NOT NULL,
  completed_on {text},
  completed_plan_version {int},
  notes {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX reassessments_plan ON reassessments (plan_id, id);
CREATE INDEX reassessments_young_person ON reassessments (young_person_id)
`
