package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0060 is plain DDL: documents attached to a child's records. The bytes are in blob storage
// under storage_key; the row says whose they are, what they are and their checksum.
var m0060 = &gormigrate.Migration{ID: "0060_documents", Migrate: ddl(schema0060, nil)}

// schema0060: a document belongs to one record (record_type, record_id) of one young person,
// whose need-to-know decides who may read it and whose erasure removes it.
const schema0060 = `
CREATE TABLE documents (
  id {uuid} PRIMARY KEY,
  record_type {text} NOT NULL CHECK (record_type IN ('referral', 'ehc_request', 'ehc_plan', 'annual_review', 'meeting', 'dispute')),
  record_id {uuid} NOT NULL,
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  kind {text} NOT NULL,
  title {text} NOT NULL,
  file_name {text} NOT NULL,
  media_type {text} NOT NULL,
  size_bytes {int} NOT NULL CHECK (size_bytes > 0),
  sha256 {text} NOT NULL,
  storage_key {text} NOT NULL UNIQUE,
  uploaded_by_org_id {uuid} REFERENCES organisations(id),
  created_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX documents_record ON documents (record_type, record_id, id);
CREATE INDEX documents_young_person ON documents (young_person_id)
`
