package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0081 is plain DDL: consultations with settings about naming them in an EHC plan (s.39 of the
// Children and Families Act 2014).
var m0081 = &gormigrate.Migration{ID: "0081_setting_consultations", Migrate: ddl(schema0081, nil)}

// schema0081: the council consults one setting (an organisation) about one plan; the setting's
// staff find theirs by organisation_id and record whether they can meet the child's needs.
const schema0081 = `
CREATE TABLE setting_consultations (
  id {uuid} PRIMARY KEY,
  plan_id {uuid} NOT NULL REFERENCES ehc_plans (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  organisation_id {uuid} NOT NULL REFERENCES organisations (id),
  requested_by {text} NOT NULL,
  sent_on {text} NOT NULL,
  due_on {text} NOT NULL,
  status {text} NOT NULL CHECK (status IN ('sent', 'responded')),
  response {text} CHECK (response IN ('can_meet_needs', 'cannot_meet_needs')),
  reasons {text},
  responded_on {text},
  late {bool} NOT NULL,
  notes {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX setting_consultations_organisation ON setting_consultations (organisation_id, id);
CREATE INDEX setting_consultations_plan ON setting_consultations (plan_id, id);
CREATE INDEX setting_consultations_young_person ON setting_consultations (young_person_id)
`
