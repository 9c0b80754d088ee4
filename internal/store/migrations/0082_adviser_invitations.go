package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0082 is plain DDL: invitation links for advisers without an account, one advice request each,
// used once to submit the advice; only the token's hash is kept.
var m0082 = &gormigrate.Migration{ID: "0082_adviser_invitations", Migrate: ddl(schema0082, nil)}

// schema0082: document_ids is the JSON list of the reports attached through the link.
const schema0082 = `
CREATE TABLE adviser_invitations (
  id {uuid} PRIMARY KEY,
  advice_request_id {uuid} NOT NULL REFERENCES ehc_advice(id),
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  token_hash {text} NOT NULL UNIQUE,
  expires_at {ts} NOT NULL,
  used_at {ts},
  revoked_at {ts},
  document_ids {text} NOT NULL,
  created_by_org_id {uuid} REFERENCES organisations(id),
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX adviser_invitations_advice ON adviser_invitations (advice_request_id);
CREATE INDEX adviser_invitations_young_person ON adviser_invitations (young_person_id)
`
