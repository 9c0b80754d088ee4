package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0051 is plain DDL: a child's placements over time (issue 17), with weeks a year following
// from the type, distance from home, the annual cost and the share each funder pays.
var m0051 = &gormigrate.Migration{ID: "0051_placements", Migrate: ddl(schema0051, nil)}

const schema0051 = `
CREATE TABLE placements (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  type {text} NOT NULL CHECK (type IN ('mainstream', 'special', 'independent', 'residential_38', 'residential_52', 'inpatient', 'other')),
  setting_name {text} NOT NULL,
  setting_org_id {uuid} REFERENCES organisations(id),
  ehc_plan_id {uuid} REFERENCES ehc_plans(id),
  start_on {text} NOT NULL,
  end_on {text},
  distance_m {int} CHECK (distance_m >= 0),
  annual_cost_pence {int} CHECK (annual_cost_pence >= 0),
  education_pct {int} NOT NULL CHECK (education_pct BETWEEN 0 AND 100),
  social_care_pct {int} NOT NULL CHECK (social_care_pct BETWEEN 0 AND 100),
  health_pct {int} NOT NULL CHECK (health_pct BETWEEN 0 AND 100),
  notes {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL,
  CHECK (end_on IS NULL OR end_on >= start_on)
);
CREATE INDEX placements_young_person ON placements (young_person_id, id);
CREATE INDEX placements_type ON placements (type, start_on)
`
