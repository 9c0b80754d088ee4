package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0002 is plain DDL: the team around the child, consent, keys bound to a practitioner.
var m0002 = &gormigrate.Migration{ID: "0002_team_consent_access", Migrate: ddl(schema0002, nil)}

// schema0002: the team around the child (involvements drive who may see a record), consent to
// share, keys bound to a practitioner, and token subjects in the audit trail.
const schema0002 = `
CREATE TABLE involvements (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  organisation_id {uuid} NOT NULL REFERENCES organisations (id),
  practitioner_id {uuid} REFERENCES practitioners (id),
  role {text} NOT NULL,
  started_on {text} NOT NULL,
  ended_on {text},
  consent_id {uuid},
  safeguarding_reason {text},
  notes {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX involvements_young_person ON involvements (young_person_id, id);
CREATE INDEX involvements_organisation ON involvements (organisation_id, young_person_id);
CREATE INDEX involvements_practitioner ON involvements (practitioner_id, young_person_id);

CREATE TABLE consents (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  given_by {text} NOT NULL,
  relationship {text} NOT NULL,
  scope {text} NOT NULL,
  organisation_ids {text} NOT NULL,
  organisation_types {text} NOT NULL,
  given_on {text} NOT NULL,
  withdrawn_on {text},
  withdrawn_reason {text},
  notes {text},
  recorded_by_org_id {uuid},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX consents_young_person ON consents (young_person_id, id);

ALTER TABLE api_keys ADD COLUMN practitioner_id {uuid} REFERENCES practitioners (id);
ALTER TABLE audit_events ADD COLUMN actor_subject {text};
ALTER TABLE audit_events ADD COLUMN actor_practitioner_id {uuid}
`
