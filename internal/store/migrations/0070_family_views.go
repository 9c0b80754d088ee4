package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0070 is plain DDL: the family's views on a served draft EHC plan and the setting they would
// like named (s.38-39, Reg 13(1)).
var m0070 = &gormigrate.Migration{ID: "0070_family_views", Migrate: ddl(schema0070, nil)}

// schema0070: views belong to one plan (and so one child) and name the draft version served.
const schema0070 = `
CREATE TABLE ehc_plan_family_views (
  id {uuid} PRIMARY KEY,
  plan_id {uuid} NOT NULL REFERENCES ehc_plans(id),
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  draft_version {int} NOT NULL CHECK (draft_version > 0),
  views {text} NOT NULL CHECK (views <> ''),
  setting_name {text},
  setting_urn {text},
  setting_type {text},
  wants_meeting {bool} NOT NULL,
  given_by {text} NOT NULL CHECK (given_by IN ('family', 'officer')),
  given_on {text} NOT NULL,
  comments_due_on {text} NOT NULL,
  created_at {ts} NOT NULL
);
CREATE INDEX ehc_plan_family_views_plan ON ehc_plan_family_views (plan_id, id);
CREATE INDEX ehc_plan_family_views_young_person ON ehc_plan_family_views (young_person_id);
CREATE INDEX ehc_plan_family_views_meeting ON ehc_plan_family_views (wants_meeting, id)
`
