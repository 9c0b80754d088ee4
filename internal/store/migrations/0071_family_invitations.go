package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0071 is plain DDL: invitation links for families without an account, one child and one
// purpose each, used once; only the token's hash is kept.
var m0071 = &gormigrate.Migration{ID: "0071_family_invitations", Migrate: ddl(schema0071, nil)}

const schema0071 = `
CREATE TABLE family_invitations (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  purpose {text} NOT NULL CHECK (purpose IN ('request_assessment', 'give_views')),
  plan_id {uuid} REFERENCES ehc_plans(id),
  token_hash {text} NOT NULL UNIQUE,
  expires_at {ts} NOT NULL,
  used_at {ts},
  used_record_id {uuid},
  created_by_org_id {uuid} REFERENCES organisations(id),
  created_at {ts} NOT NULL,
  version {int} NOT NULL,
  CHECK ((purpose = 'give_views') = (plan_id IS NOT NULL))
);
CREATE INDEX family_invitations_young_person ON family_invitations (young_person_id)
`
