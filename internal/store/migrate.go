package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Migrations are append-only: never edit one that has shipped, add the next. Each is plain DDL
// written once for both databases; typeNames below is the only place the dialects differ.
var migrations = []*gormigrate.Migration{
	{ID: "0001_foundation", Migrate: ddl(schema0001, appendOnlyGuards)},
	{ID: "0002_team_consent_access", Migrate: ddl(schema0002, nil)},
	{ID: "0003_pathway", Migrate: ddl(schema0003, nil)},
	{ID: "0004_ehc_requests", Migrate: ddl(schema0004, nil)},
	{ID: "0005_ehc_plans", Migrate: then(ddl(schema0005, nil), backfillRawDueDates)},
	{ID: "0006_transitions", Migrate: ddl(schema0006, nil)},
	{ID: "0007_disputes", Migrate: ddl(schema0007, nil)},
	{ID: "0008_ehc_request_meeting", Migrate: ddl(schema0008, nil)},
	{ID: "0009_plan_derived_columns", Migrate: ddl(schema0009, nil)},
	{ID: "0010_surveys_reports_sen2", Migrate: then(ddl(schema0010, nil), backfillReferralReasons, backfillReferralStages)},
}

// typeNames maps the column types used in the DDL to each dialect's.
var typeNames = map[string]map[string]string{
	Postgres: {"{uuid}": "uuid", "{ts}": "timestamptz", "{text}": "text", "{bool}": "boolean", "{int}": "bigint"},
	SQLite:   {"{uuid}": "text", "{ts}": "datetime", "{text}": "text", "{bool}": "boolean", "{int}": "integer"},
}

// ddl runs a dialect-neutral script statement by statement, then the dialect's extras.
func ddl(script string, extras map[string][]string) gormigrate.MigrateFunc {
	return func(db *gorm.DB) error {
		dialect := db.Name()
		if dialect != Postgres {
			dialect = SQLite
		}
		// Substitute into a copy: the closure outlives one database (tests open several).
		sql := script
		for name, typ := range typeNames[dialect] {
			sql = strings.ReplaceAll(sql, name, typ)
		}
		for _, stmt := range strings.Split(sql, ";\n") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if err := db.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%s: %w", firstLine(stmt), err)
			}
		}
		for _, stmt := range extras[dialect] {
			if err := db.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%s: %w", firstLine(stmt), err)
			}
		}
		return nil
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// appendOnlyGuards make the audit trail impossible to change or delete through any path, the
// API's or a stray UPDATE. Erasure (retention) will write tombstones, not delete.
var appendOnlyGuards = map[string][]string{
	SQLite: {
		`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
		`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
	},
	Postgres: {
		`CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$`,
		`CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
		`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
	},
}

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

// schema0003: the pathway after referral. Timeline events are written with each change so that
// a child's whole pathway reads as one keyset-paged list.
const schema0003 = `
ALTER TABLE referrals ADD COLUMN engagement_lead_id {uuid} REFERENCES practitioners (id);
ALTER TABLE referrals ADD COLUMN closure {text};

CREATE TABLE allocations (
  id {uuid} PRIMARY KEY,
  referral_id {uuid} NOT NULL REFERENCES referrals (id),
  practitioner_id {uuid} NOT NULL REFERENCES practitioners (id),
  organisation_id {uuid} NOT NULL REFERENCES organisations (id),
  reason {text} NOT NULL,
  meeting_id {uuid},
  started_at {ts} NOT NULL,
  ended_at {ts}
);
CREATE INDEX allocations_referral ON allocations (referral_id, id);
CREATE UNIQUE INDEX allocations_one_active ON allocations (referral_id) WHERE ended_at IS NULL;

CREATE TABLE family_assessments (
  id {uuid} PRIMARY KEY,
  referral_id {uuid} NOT NULL REFERENCES referrals (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  kind {text} NOT NULL,
  status {text} NOT NULL,
  assessment_number {int} NOT NULL,
  previous_id {uuid} REFERENCES family_assessments (id),
  assessor_practitioner_id {uuid} REFERENCES practitioners (id),
  sections {text} NOT NULL,
  submitted_at {ts},
  reviewed_at {ts},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX family_assessments_referral ON family_assessments (referral_id, id);
CREATE INDEX family_assessments_young_person ON family_assessments (young_person_id, id);
CREATE UNIQUE INDEX family_assessments_number ON family_assessments (referral_id, assessment_number);

CREATE TABLE meetings (
  id {uuid} PRIMARY KEY,
  referral_id {uuid} NOT NULL REFERENCES referrals (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  type {text} NOT NULL,
  held_on {text} NOT NULL,
  attendees {text} NOT NULL,
  family_said {text},
  decisions {text} NOT NULL,
  map_decision {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX meetings_referral ON meetings (referral_id, id);
CREATE INDEX meetings_young_person ON meetings (young_person_id, id);
CREATE INDEX meetings_type ON meetings (type, held_on);

CREATE TABLE meeting_actions (
  id {uuid} PRIMARY KEY,
  meeting_id {uuid} NOT NULL REFERENCES meetings (id),
  referral_id {uuid} NOT NULL REFERENCES referrals (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  what {text} NOT NULL,
  owner_practitioner_id {uuid} REFERENCES practitioners (id),
  owner_description {text},
  due_on {text} NOT NULL,
  status {text} NOT NULL,
  completed_at {ts},
  completed_by_practitioner_id {uuid} REFERENCES practitioners (id),
  completion_note {text}
);
CREATE INDEX meeting_actions_meeting ON meeting_actions (meeting_id, id);
CREATE INDEX meeting_actions_owner ON meeting_actions (owner_practitioner_id, status, due_on);
CREATE INDEX meeting_actions_open ON meeting_actions (status, due_on);

CREATE TABLE pathway_feedback (
  id {uuid} PRIMARY KEY,
  referral_id {uuid} NOT NULL REFERENCES referrals (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  meeting_id {uuid} REFERENCES meetings (id),
  source {text} NOT NULL,
  practitioner_id {uuid} REFERENCES practitioners (id),
  professional_role {text},
  working_well {text},
  not_working {text},
  next_steps {text},
  outcome_ratings {text} NOT NULL,
  created_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX pathway_feedback_referral ON pathway_feedback (referral_id, id);
CREATE INDEX pathway_feedback_meeting ON pathway_feedback (meeting_id, id);

CREATE TABLE timeline_events (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  referral_id {uuid},
  occurred_on {text} NOT NULL,
  recorded_at {ts} NOT NULL,
  kind {text} NOT NULL,
  record_type {text} NOT NULL,
  record_id {uuid} NOT NULL,
  summary {text} NOT NULL
);
CREATE INDEX timeline_events_young_person ON timeline_events (young_person_id, occurred_on, id);

INSERT INTO timeline_events (id, young_person_id, referral_id, occurred_on, recorded_at, kind, record_type, record_id, summary)
  SELECT id, young_person_id, id, received_on, created_at, 'referral.received', 'referral', id, 'Referral ' || reference || ' received'
  FROM referrals
`

// Migrate brings the schema up to date, recording each migration applied.
func (s *Store) Migrate(ctx context.Context) error {
	m := gormigrate.New(s.db.WithContext(ctx), &gormigrate.Options{
		TableName:                 "schema_migrations",
		IDColumnName:              "id",
		IDColumnSize:              255,
		UseTransaction:            true,
		ValidateUnknownMigrations: true,
	}, migrations)
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// AppliedMigrations lists the migrations recorded in the database, oldest first.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Table("schema_migrations").Order("id").Pluck("id", &ids).Error
	return ids, err
}

// schema0004: requests for an EHC needs assessment on the statutory clock. Exceptions are a JSON
// array on the row; the exception-adjusted statutory due dates are kept alongside (rewritten with
// every change) so that the overdue filter runs in the database.
const schema0004 = `
CREATE TABLE ehc_requests (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  referral_id {uuid} REFERENCES referrals (id),
  received_on {text} NOT NULL,
  requested_by {text} NOT NULL,
  notes {text},
  status {text} NOT NULL,
  request_outcome {text} NOT NULL,
  request_outcome_on {text},
  assessment_outcome {text},
  assessment_outcome_on {text},
  decision {text},
  decided_on {text},
  appeal_rights_notified {bool},
  decision_reason {text},
  exceptions {text} NOT NULL,
  withdrawn_on {text},
  withdrawal_reason {text},
  decision_due_on {text} NOT NULL,
  no_plan_notice_due_on {text} NOT NULL,
  final_plan_due_on {text} NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX ehc_requests_young_person ON ehc_requests (young_person_id, id);
CREATE INDEX ehc_requests_status ON ehc_requests (status, id)
`

// schema0005: advice, the decision whether to issue, EHC plans with versioned sections, annual
// reviews, and the clock notices the sweeper has already sent. Raw (unadjusted) due dates join
// the adjusted ones on the request so that timeliness with and without exceptions is one query.
const schema0005 = `
ALTER TABLE ehc_requests ADD COLUMN advice {text} NOT NULL DEFAULT '[]';
ALTER TABLE ehc_requests ADD COLUMN issue_decision {text};
ALTER TABLE ehc_requests ADD COLUMN issue_decided_on {text};
ALTER TABLE ehc_requests ADD COLUMN issue_appeal_rights_notified {bool};
ALTER TABLE ehc_requests ADD COLUMN issue_decision_reason {text};
ALTER TABLE ehc_requests ADD COLUMN draft_served_on {text};
ALTER TABLE ehc_requests ADD COLUMN plan_issued_on {text};
ALTER TABLE ehc_requests ADD COLUMN decision_raw_due_on {text};
ALTER TABLE ehc_requests ADD COLUMN final_plan_raw_due_on {text};
ALTER TABLE ehc_requests ADD COLUMN week20 {bool} NOT NULL DEFAULT false;

CREATE TABLE ehc_plans (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  ehc_request_id {uuid} REFERENCES ehc_requests (id),
  status {text} NOT NULL,
  latest_version {int} NOT NULL,
  in_force_version {int},
  first_issued_on {text},
  last_issued_on {text},
  amendment_notice_on {text},
  amendment_final_due_on {text},
  review_due_on {text},
  last_reviewed_on {text},
  phase_transfer {text},
  phase_transfer_due_on {text},
  cease_reason {text},
  cease_decided_on {text},
  ceases_on {text},
  cease_notes {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE UNIQUE INDEX ehc_plans_request ON ehc_plans (ehc_request_id);
CREATE UNIQUE INDEX ehc_plans_one_current ON ehc_plans (young_person_id) WHERE status <> 'ceased';
CREATE INDEX ehc_plans_young_person ON ehc_plans (young_person_id, id);
CREATE INDEX ehc_plans_status ON ehc_plans (status, id);

CREATE TABLE ehc_plan_versions (
  plan_id {uuid} NOT NULL REFERENCES ehc_plans (id),
  number {int} NOT NULL,
  kind {text} NOT NULL,
  state {text} NOT NULL,
  sections {text} NOT NULL,
  served_on {text},
  comments_due_on {text},
  final_due_on {text},
  issued_on {text},
  reason {text},
  annual_review_id {uuid},
  created_at {ts} NOT NULL,
  PRIMARY KEY (plan_id, number)
);

CREATE TABLE annual_reviews (
  id {uuid} PRIMARY KEY,
  plan_id {uuid} NOT NULL REFERENCES ehc_plans (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  sequence {int} NOT NULL,
  status {text} NOT NULL,
  due_on {text} NOT NULL,
  meeting_on {text},
  papers_sent_on {text},
  attendees {text} NOT NULL DEFAULT '[]',
  child_views {text},
  parent_views {text},
  pfa_focus {text} NOT NULL DEFAULT '[]',
  recommendation {text},
  report_sent_on {text},
  report_due_on {text},
  decision {text},
  decided_on {text},
  decision_due_on {text},
  appeal_rights_notified {bool},
  decision_reason {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL,
  UNIQUE (plan_id, sequence)
);
CREATE INDEX annual_reviews_young_person ON annual_reviews (young_person_id, id);
CREATE INDEX annual_reviews_status ON annual_reviews (status, due_on);

CREATE TABLE clock_notices (
  key {text} PRIMARY KEY,
  created_at {ts} NOT NULL
)
`

// then runs migrations one after the other.
func then(steps ...gormigrate.MigrateFunc) gormigrate.MigrateFunc {
	return func(db *gorm.DB) error {
		for _, step := range steps {
			if err := step(db); err != nil {
				return err
			}
		}
		return nil
	}
}

// backfillRawDueDates fills 0005's raw due dates for requests recorded before it: they depend on
// the received date alone. It reads and writes only the columns it names, so later migrations
// can add columns freely.
func backfillRawDueDates(db *gorm.DB) error {
	var rows []struct {
		ID         string
		ReceivedOn string
		Exceptions string
	}
	if err := db.Table("ehc_requests").Select("id, received_on, exceptions").Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		received := toDate(r.ReceivedOn)
		var exs []statutory.Exception
		for _, e := range fromJSON[[]ehcException](&r.Exceptions) {
			exs = append(exs, statutory.Exception{Ground: statutory.Ground(e.Ground), From: toDate(e.From), To: toDate(e.To)})
		}
		week20 := statutory.Week20Applies(received, exs)
		if err := db.Table("ehc_requests").Where("id = ?", r.ID).Updates(map[string]any{
			"decision_raw_due_on":   fromDate(statutory.DecisionToAssessDue(received)),
			"final_plan_raw_due_on": fromDate(statutory.FinalPlanDue(received)),
			"week20":                week20,
		}).Error; err != nil {
			return err
		}
	}
	return nil
}

// schema0006: transition plans (preparing for adulthood, 13 to 25). PfA areas and adult-services
// contacts are JSON on the row; the Care Act and CHC steps are columns, so reports can filter on
// them. At most one plan per young person is not ended. The date-of-birth and ended-on indexes
// serve the gaps and upcoming lists, which turn ages into date-of-birth ranges.
const schema0006 = `
CREATE TABLE transition_plans (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  started_on {text} NOT NULL,
  pfa {text} NOT NULL,
  adult_services_contacts {text} NOT NULL,
  care_act_status {text} NOT NULL,
  care_act_requested_on {text},
  care_act_completed_on {text},
  care_act_notes {text},
  chc_identified_on {text},
  chc_referred_on {text},
  chc_eligibility_decided_on {text},
  chc_eligible {bool},
  chc_in_place_on {text},
  ehc_plan_expected_end_on {text},
  notes {text},
  ended_on {text},
  end_reason {text},
  end_notes {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE UNIQUE INDEX transition_plans_one_current ON transition_plans (young_person_id) WHERE ended_on IS NULL;
CREATE INDEX transition_plans_young_person ON transition_plans (young_person_id, id);
CREATE INDEX transition_plans_expected_end ON transition_plans (ehc_plan_expected_end_on);
CREATE INDEX young_people_date_of_birth ON young_people (date_of_birth, id);
CREATE INDEX involvements_ended ON involvements (ended_on)
`

// schema0007: tribunal appeals, mediation and complaints. The subject is polymorphic
// (subject_type names the table), so subject_id has no foreign key; the young person is copied
// from the subject for scoping, listing and erasure. Sections are a JSON array.
const schema0007 = `
CREATE TABLE disputes (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  kind {text} NOT NULL,
  subject_type {text} NOT NULL,
  subject_id {uuid} NOT NULL,
  about {text} NOT NULL,
  sections {text} NOT NULL,
  brought_by {text} NOT NULL,
  received_on {text} NOT NULL,
  decision_letter_on {text},
  certificate_issued_on {text},
  hearing_on {text},
  notes {text},
  outcome {text},
  concluded_on {text},
  conclusion_notes {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX disputes_young_person ON disputes (young_person_id, id);
CREATE INDEX disputes_subject ON disputes (subject_id, id);
CREATE INDEX disputes_kind ON disputes (kind, id)
`

// schema0008: a request that came from a multi-agency panel names the panel meeting.
const schema0008 = `
ALTER TABLE ehc_requests ADD COLUMN meeting_id {uuid} REFERENCES meetings (id)
`

// schema0009: drops plan columns that only repeated what the versions say (which version is
// latest or in force, the pending amendment's dates); nothing queried them.
const schema0009 = `
ALTER TABLE ehc_plans DROP COLUMN latest_version;
ALTER TABLE ehc_plans DROP COLUMN in_force_version;
ALTER TABLE ehc_plans DROP COLUMN amendment_notice_on;
ALTER TABLE ehc_plans DROP COLUMN amendment_final_due_on
`

// schema0010: outcome surveys (templates with versioned questions, responses, an answer table for
// grouped reports, invitations); what reports group referrals by, kept so that each report reads
// one covering index for its period (the child's locality when referred; one row per reason
// given; the day each pathway stage was first reached, with the days it took); indexes on the
// dates reports filter by; and the items the SEN2 return needs that were not yet recorded. The
// two built-in survey instruments are frozen here as data; a test holds them equal to
// BuiltIns.
const schema0010 = `
ALTER TABLE young_people ADD COLUMN sex {text};
ALTER TABLE young_people ADD COLUMN ethnicity {text};
ALTER TABLE young_people ADD COLUMN uln {text};
ALTER TABLE young_people ADD COLUMN upn_unknown {text};
ALTER TABLE ehc_requests ADD COLUMN in_youth_custody {bool} NOT NULL DEFAULT false;
ALTER TABLE ehc_plans ADD COLUMN transferred_from_la {text};
ALTER TABLE referrals ADD COLUMN locality {text};
ALTER TABLE referrals ADD COLUMN locality_key {text};
UPDATE referrals SET locality = (SELECT yp.locality FROM young_people yp WHERE yp.id = referrals.young_person_id),
  locality_key = (SELECT yp.locality_key FROM young_people yp WHERE yp.id = referrals.young_person_id);
CREATE INDEX referrals_report ON referrals (received_on, main_reason, route, referrer_organisation_id, locality_key, locality);

CREATE TABLE referral_reasons (
  referral_id {uuid} NOT NULL REFERENCES referrals (id),
  reason {text} NOT NULL,
  main {bool} NOT NULL,
  young_person_id {uuid} NOT NULL,
  received_on {text} NOT NULL,
  locality_key {text},
  PRIMARY KEY (referral_id, reason)
);
CREATE INDEX referral_reasons_report ON referral_reasons (received_on, reason, locality_key);

CREATE TABLE referral_stages (
  referral_id {uuid} NOT NULL REFERENCES referrals (id),
  stage {text} NOT NULL,
  reached_on {text} NOT NULL,
  young_person_id {uuid} NOT NULL,
  received_on {text} NOT NULL,
  locality_key {text},
  days_from_received {int} NOT NULL,
  days_from_previous {int},
  PRIMARY KEY (referral_id, stage)
);
CREATE INDEX referral_stages_report ON referral_stages (received_on, stage, days_from_received, days_from_previous, locality_key);
CREATE INDEX ehc_requests_received ON ehc_requests (received_on);
CREATE INDEX ehc_requests_decided ON ehc_requests (decided_on);
CREATE INDEX ehc_requests_plan_issued ON ehc_requests (plan_issued_on);
CREATE INDEX annual_reviews_decided ON annual_reviews (decided_on);
CREATE INDEX disputes_received ON disputes (received_on, kind);
CREATE INDEX meetings_held ON meetings (held_on, type);

CREATE TABLE survey_templates (
  id {uuid} PRIMARY KEY,
  code {text} NOT NULL,
  name {text} NOT NULL,
  description {text},
  audience {text} NOT NULL,
  built_in {bool} NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE UNIQUE INDEX survey_templates_code ON survey_templates (code);

CREATE TABLE survey_template_versions (
  template_id {uuid} NOT NULL REFERENCES survey_templates (id),
  number {int} NOT NULL,
  questions {text} NOT NULL,
  created_at {ts} NOT NULL,
  PRIMARY KEY (template_id, number)
);

CREATE TABLE survey_responses (
  id {uuid} PRIMARY KEY,
  template_id {uuid} NOT NULL REFERENCES survey_templates (id),
  template_version {int} NOT NULL,
  audience {text} NOT NULL,
  professional_role {text},
  point {text} NOT NULL,
  referral_id {uuid} REFERENCES referrals (id),
  ehc_plan_id {uuid} REFERENCES ehc_plans (id),
  young_person_id {uuid} REFERENCES young_people (id),
  submitted_on {text} NOT NULL,
  via {text} NOT NULL,
  invitation_id {uuid},
  respondent_org_id {uuid},
  practitioner_id {uuid},
  answers {text} NOT NULL,
  created_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX survey_responses_young_person ON survey_responses (young_person_id, id);
CREATE INDEX survey_responses_referral ON survey_responses (referral_id, id);
CREATE INDEX survey_responses_plan ON survey_responses (ehc_plan_id, id);
CREATE INDEX survey_responses_template ON survey_responses (template_id, id);

CREATE TABLE survey_answers (
  response_id {uuid} NOT NULL REFERENCES survey_responses (id),
  question_id {text} NOT NULL,
  template_id {uuid} NOT NULL,
  audience {text} NOT NULL,
  professional_role {text},
  point {text} NOT NULL,
  submitted_on {text} NOT NULL,
  young_person_id {uuid},
  question_type {text} NOT NULL,
  score {int},
  choice {text},
  PRIMARY KEY (response_id, question_id)
);
CREATE INDEX survey_answers_submitted ON survey_answers (submitted_on, template_id);

CREATE TABLE survey_invitations (
  id {uuid} PRIMARY KEY,
  token_hash {text} NOT NULL,
  template_id {uuid} NOT NULL REFERENCES survey_templates (id),
  template_version {int} NOT NULL,
  audience {text} NOT NULL,
  point {text} NOT NULL,
  referral_id {uuid} REFERENCES referrals (id),
  ehc_plan_id {uuid} REFERENCES ehc_plans (id),
  young_person_id {uuid} NOT NULL REFERENCES young_people (id),
  expires_at {ts} NOT NULL,
  answered_at {ts},
  response_id {uuid},
  created_by_org_id {uuid},
  created_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE UNIQUE INDEX survey_invitations_token ON survey_invitations (token_hash);
CREATE INDEX survey_invitations_young_person ON survey_invitations (young_person_id, id);
CREATE INDEX survey_invitations_referral ON survey_invitations (referral_id, id);
CREATE INDEX survey_invitations_plan ON survey_invitations (ehc_plan_id, id);

INSERT INTO survey_templates (id, code, name, description, audience, built_in, created_at, updated_at, version) VALUES
  ('0190a5e0-0000-7000-8000-000000000001', 'parent_carer_experience', 'Parent and carer experience',
   'The Salford 0-25 pathfinder''s survey of parents'' and carers'' experience of the pathway.', 'parent_carer', true,
   '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1),
  ('0190a5e0-0000-7000-8000-000000000002', 'professional_experience', 'Professional experience',
   'The Salford 0-25 pathfinder''s survey of professionals'' experience of the pathway.', 'professional', true,
   '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1);
INSERT INTO survey_template_versions (template_id, number, questions, created_at) VALUES
  ('0190a5e0-0000-7000-8000-000000000001', 1, '[{"id":"listened_to","text":"I felt listened to","type":"likert_5","required":true},{"id":"involved_in_decisions","text":"I was involved in decisions about my child","type":"likert_5","required":true},{"id":"understood","text":"I felt that people understood my child and our family","type":"likert_5","required":true},{"id":"confidence_and_trust","text":"I have confidence and trust in the people working with us","type":"likert_5","required":true},{"id":"comments","text":"What has worked well, and what could be better?","type":"text","required":false}]', '2026-01-01T00:00:00Z'),
  ('0190a5e0-0000-7000-8000-000000000002', 1, '[{"id":"information_sharing","text":"Information was shared well between agencies","type":"likert_5","required":true},{"id":"accessing_information","text":"I could access the information I needed","type":"likert_5","required":true},{"id":"mam_successful","text":"The multi-agency meeting was successful","type":"likert_5","required":true},{"id":"success_for_parents","text":"The pathway was a success for the parents","type":"likert_5","required":true},{"id":"success_for_professionals","text":"The pathway was a success for professionals","type":"likert_5","required":true},{"id":"comments","text":"What has worked well, and what could be better?","type":"text","required":false}]', '2026-01-01T00:00:00Z')
`

// backfillReferralReasons writes one referral_reasons row per reason of each referral recorded
// before 0010 (reasons were only a JSON array), reading and writing only the columns it names.
func backfillReferralReasons(db *gorm.DB) error {
	var rows []struct {
		ID, Reasons, MainReason, YoungPersonID, ReceivedOn string
		LocalityKey                                        *string
	}
	if err := db.Table("referrals").Select("id, reasons, main_reason, young_person_id, received_on, locality_key").Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		for _, reason := range fromJSON[[]string](&r.Reasons) {
			if err := db.Exec(`INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`, r.ID, reason, reason == r.MainReason, r.YoungPersonID, r.ReceivedOn, r.LocalityKey).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// backfillReferralStages dates the stages of referrals recorded before 0010 from what the
// timeline holds: the day received, and the first day of each later status (triage wrote its own
// kind, whose outcome the referral's status tells), each timed by referral.Reach.
func backfillReferralStages(db *gorm.DB) error {
	var refs []struct {
		ID, Status, YoungPersonID, ReceivedOn string
		LocalityKey                           *string
	}
	if err := db.Table("referrals").Select("id, status, young_person_id, received_on, locality_key").Find(&refs).Error; err != nil {
		return err
	}
	var events []struct{ ReferralID, Kind, First string }
	err := db.Table("timeline_events").Select("referral_id, kind, MIN(occurred_on) AS first").
		Where("referral_id IS NOT NULL AND kind LIKE ?", "referral.%").Group("referral_id, kind").Find(&events).Error
	if err != nil {
		return err
	}
	seen := map[string]map[referral.Status]time.Time{}
	statusOf := map[string]referral.Status{}
	for _, r := range refs {
		statusOf[r.ID] = referral.Status(r.Status)
		seen[r.ID] = map[referral.Status]time.Time{referral.Received: toDate(r.ReceivedOn)}
	}
	for _, e := range events {
		reached, ok := seen[e.ReferralID]
		if !ok {
			continue
		}
		st := referral.Status(strings.TrimPrefix(e.Kind, "referral."))
		if e.Kind == "referral.triaged" {
			st = referral.Accepted
			if s := statusOf[e.ReferralID]; s == referral.Redirected || s == referral.Declined {
				st = s
			}
		}
		if _, err := referral.ParseStatus(string(st)); err != nil || st == referral.Received {
			continue
		}
		if d, ok := reached[st]; !ok || toDate(e.First).Before(d) {
			reached[st] = toDate(e.First)
		}
	}
	for _, r := range refs {
		reached := seen[r.ID]
		for st, on := range reached {
			sr := referral.Reach(toDate(r.ReceivedOn), reached, st, on, time.Now().UTC())
			if err := db.Exec(`INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key,
				days_from_received, days_from_previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				r.ID, string(st), fromDate(on), r.YoungPersonID, r.ReceivedOn, r.LocalityKey, sr.DaysFromReceived, sr.DaysFromPrevious).Error; err != nil {
				return err
			}
		}
	}
	return nil
}
