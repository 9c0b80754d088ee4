package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0001 is plain DDL: the directory, young people, referrals, keys, the audit trail, the outbox
// and idempotency keys, with the audit trail's append-only triggers.
var m0001 = &gormigrate.Migration{ID: "0001_foundation", Migrate: ddl(schema0001, appendOnlyGuards0001)}

// appendOnlyGuards0001 make the audit trail impossible to change or delete through any path, the
// API's or a stray UPDATE. Erasure (retention) will write tombstones, not delete.
var appendOnlyGuards0001 = map[string][]string{
	dialectSQLite: {
		`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
		`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
	},
	dialectPostgres: {
		`CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$`,
		`CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
		`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
	},
}

// schema0001: the foundation.
const schema0001 = `
CREATE TABLE organisations (
  id {uuid} PRIMARY KEY,
  name {text} NOT NULL,
  search_name {text} NOT NULL,
  type {text} NOT NULL,
  locality {text},
  locality_key {text},
  urn {text},
  ukprn {text},
  ods_code {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX organisations_type ON organisations (type, id);
CREATE INDEX organisations_locality ON organisations (locality_key, id);
CREATE UNIQUE INDEX organisations_urn ON organisations (urn);
CREATE UNIQUE INDEX organisations_ukprn ON organisations (ukprn);
CREATE UNIQUE INDEX organisations_ods_code ON organisations (ods_code);

CREATE TABLE practitioners (
  id {uuid} PRIMARY KEY,
  organisation_id {uuid} NOT NULL REFERENCES organisations (id),
  name {text} NOT NULL,
  search_name {text} NOT NULL,
  email {text} NOT NULL,
  role {text} NOT NULL,
  phone {text},
  active {bool} NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE UNIQUE INDEX practitioners_email ON practitioners (email);
CREATE INDEX practitioners_organisation ON practitioners (organisation_id, id);
CREATE INDEX practitioners_role ON practitioners (role, id);

CREATE TABLE young_people (
  id {uuid} PRIMARY KEY,
  given_name {text} NOT NULL,
  family_name {text} NOT NULL,
  preferred_name {text},
  search_name {text} NOT NULL,
  date_of_birth {text} NOT NULL,
  nhs_number {text},
  upn {text},
  gender {text},
  locality {text},
  locality_key {text},
  postcode {text},
  primary_sen_need {text},
  education_setting_id {uuid} REFERENCES organisations (id),
  contacts {text} NOT NULL,
  communication {text},
  recorded_by_org_id {uuid} NOT NULL REFERENCES organisations (id),
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE UNIQUE INDEX young_people_nhs_number ON young_people (nhs_number);
CREATE UNIQUE INDEX young_people_upn ON young_people (upn);
CREATE INDEX young_people_locality ON young_people (locality_key, id);
CREATE INDEX young_people_setting ON young_people (education_setting_id, id);
CREATE INDEX young_people_recorded_by ON young_people (recorded_by_org_id, id);
CREATE INDEX young_people_need ON young_people (primary_sen_need, id);

CREATE TABLE referrals (
  id {uuid} PRIMARY KEY,
  reference {text} NOT NULL,
  status {text} NOT NULL,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  referrer_practitioner_id {uuid} NOT NULL REFERENCES practitioners (id),
  referrer_organisation_id {uuid} NOT NULL REFERENCES organisations (id),
  reasons {text} NOT NULL,
  main_reason {text} NOT NULL,
  services_involved {text} NOT NULL,
  services_count {int} NOT NULL,
  safeguarding_concern {bool} NOT NULL,
  consent {text},
  summary {text},
  received_on {text} NOT NULL,
  route {text},
  eligible {bool} NOT NULL,
  eligibility {text} NOT NULL,
  triage {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE UNIQUE INDEX referrals_reference ON referrals (reference);
CREATE INDEX referrals_status ON referrals (status, id);
CREATE INDEX referrals_young_person ON referrals (young_person_id, id);
CREATE INDEX referrals_organisation ON referrals (referrer_organisation_id, id);
CREATE INDEX referrals_main_reason ON referrals (main_reason, id);
CREATE INDEX referrals_created ON referrals (created_at, id);

CREATE TABLE reference_counters (
  scope {text} PRIMARY KEY,
  value {int} NOT NULL
);

CREATE TABLE api_keys (
  id {uuid} PRIMARY KEY,
  prefix {text} NOT NULL,
  hash {text} NOT NULL,
  name {text} NOT NULL,
  organisation_id {uuid} NOT NULL REFERENCES organisations (id),
  role {text} NOT NULL,
  created_at {ts} NOT NULL,
  revoked_at {ts}
);
CREATE UNIQUE INDEX api_keys_prefix ON api_keys (prefix);
CREATE INDEX api_keys_role ON api_keys (role);

CREATE TABLE audit_events (
  id {uuid} PRIMARY KEY,
  occurred_at {ts} NOT NULL,
  action {text} NOT NULL,
  record_type {text} NOT NULL,
  record_id {uuid},
  young_person_id {uuid},
  actor_key_id {uuid},
  actor_org_id {uuid},
  actor_role {text} NOT NULL,
  purpose {text},
  changed_fields {text},
  request_id {text},
  ip {text}
);
CREATE INDEX audit_events_record ON audit_events (record_id, id);
CREATE INDEX audit_events_young_person ON audit_events (young_person_id, id);
CREATE INDEX audit_events_actor_key ON audit_events (actor_key_id, id);
CREATE INDEX audit_events_request ON audit_events (request_id);

CREATE TABLE outbox_events (
  id {uuid} PRIMARY KEY,
  occurred_at {ts} NOT NULL,
  event_type {text} NOT NULL,
  record_type {text} NOT NULL,
  record_id {uuid} NOT NULL,
  payload {text} NOT NULL,
  published_at {ts}
);
CREATE INDEX outbox_events_unpublished ON outbox_events (published_at, id);

CREATE TABLE idempotency_keys (
  api_key_id {uuid} NOT NULL,
  idem_key {text} NOT NULL,
  method {text} NOT NULL,
  path {text} NOT NULL,
  request_hash {text} NOT NULL,
  state {text} NOT NULL,
  status_code {int},
  content_type {text},
  location {text},
  etag {text},
  body {text},
  created_at {ts} NOT NULL,
  PRIMARY KEY (api_key_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)
`
