package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0003 is DDL and one statement of SQL that puts every referral already recorded on the new
// timeline as received.
var m0003 = &gormigrate.Migration{ID: "0003_pathway", Migrate: ddl(schema0003, nil)}

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
