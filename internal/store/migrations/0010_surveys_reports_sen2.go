package migrations

import (
	"slices"
	"strings"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0010 is DDL (with the referrals' locality copied in SQL and the built-in surveys seeded), then
// two backfills for the referrals recorded before it: one referral_reasons row per reason, and
// the day each pathway stage was first reached.
var m0010 = &gormigrate.Migration{ID: "0010_surveys_reports_sen2",
	Migrate: then(ddl(schema0010, nil), m0010BackfillReferralReasons, m0010BackfillReferralStages)}

// schema0010: outcome surveys (templates with versioned questions, responses, an answer table for
// grouped reports, invitations); what reports group referrals by, kept so that each report reads
// one covering index for its period (the child's locality when referred; one row per reason
// given; the day each pathway stage was first reached, with the days it took); indexes on the
// dates reports filter by; and the items the SEN2 return needs that were not yet recorded. The
// two built-in survey instruments are frozen here as data; a test holds them equal to
// survey.BuiltIns.
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

// m0010Referral is the part of a referrals row that the backfills read, as it stood at 0010.
type m0010Referral struct {
	ID, Status, Reasons, MainReason, YoungPersonID, ReceivedOn string
	LocalityKey                                                *string
}

// m0010FirstEvent is the first day of one kind of timeline event about one referral.
type m0010FirstEvent struct{ ReferralID, Kind, First string }

func m0010Referrals(db *gorm.DB) ([]m0010Referral, error) {
	var refs []m0010Referral
	err := db.Table("referrals").Select("id, status, reasons, main_reason, young_person_id, received_on, locality_key").Find(&refs).Error
	return refs, err
}

// m0010BackfillReferralReasons writes one referral_reasons row per reason of each referral
// recorded before 0010 (reasons were only a JSON array), reading and writing only the columns it
// names.
func m0010BackfillReferralReasons(db *gorm.DB) error {
	refs, err := m0010Referrals(db)
	if err != nil {
		return err
	}
	for _, r := range refs {
		for _, reason := range decodeJSON[[]string](&r.Reasons) {
			if err := db.Exec(`INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`, r.ID, reason, reason == r.MainReason, r.YoungPersonID, r.ReceivedOn, r.LocalityKey).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// m0010BackfillReferralStages dates the stages of referrals recorded before 0010 from what the
// timeline holds: the day received, and the first day of each later status (triage wrote its own
// kind, whose outcome the referral's status tells), each timed by m0010Reach. The day written is
// the one found; only the days counted are kept between receipt and today.
func m0010BackfillReferralStages(db *gorm.DB) error {
	refs, err := m0010Referrals(db)
	if err != nil {
		return err
	}
	var events []m0010FirstEvent
	err = db.Table("timeline_events").Select("referral_id, kind, MIN(occurred_on) AS first").
		Where("referral_id IS NOT NULL AND kind LIKE ?", "referral.%").Group("referral_id, kind").Find(&events).Error
	if err != nil {
		return err
	}
	seen := map[string]map[m0010Status]time.Time{}
	statusOf := map[string]m0010Status{}
	for _, r := range refs {
		statusOf[r.ID] = m0010Status(r.Status)
		seen[r.ID] = map[m0010Status]time.Time{m0010Received: parseDate(r.ReceivedOn)}
	}
	for _, e := range events {
		reached, ok := seen[e.ReferralID]
		if !ok {
			continue
		}
		st := m0010Status(strings.TrimPrefix(e.Kind, "referral."))
		if e.Kind == "referral.triaged" {
			st = m0010Accepted
			if s := statusOf[e.ReferralID]; s == m0010Redirected || s == m0010Declined {
				st = s
			}
		}
		if !slices.Contains(m0010Statuses, st) || st == m0010Received {
			continue
		}
		if d, ok := reached[st]; !ok || parseDate(e.First).Before(d) {
			reached[st] = parseDate(e.First)
		}
	}
	today := time.Now().UTC()
	for _, r := range refs {
		reached := seen[r.ID]
		for st, on := range reached {
			fromReceived, fromPrevious := m0010Reach(parseDate(r.ReceivedOn), reached, st, on, today)
			if err := db.Exec(`INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key,
				days_from_received, days_from_previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				r.ID, string(st), dateText(on), r.YoungPersonID, r.ReceivedOn, r.LocalityKey, fromReceived, fromPrevious).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// The referral rules below are a private copy of package referral's and package statutory's as
// they stood when 0010 shipped (the statuses, their steps along the pathway, Reach and the day
// count under it). They are frozen on purpose: never change them, even when the pathway changes,
// because this migration must write on any database what it wrote when it shipped. Rows that need
// the new rule get a new migration.

// m0010Status is a referral status as spelled at 0010.
type m0010Status string

const (
	m0010Received    m0010Status = "received"
	m0010Accepted    m0010Status = "accepted"
	m0010Assessing   m0010Status = "assessing"
	m0010Allocated   m0010Status = "allocated"
	m0010MAMHeld     m0010Status = "mam_held"
	m0010Panel       m0010Status = "panel"
	m0010PlanInPlace m0010Status = "plan_in_place"
	m0010Reviewing   m0010Status = "reviewing"
	m0010Closed      m0010Status = "closed"
	m0010Redirected  m0010Status = "redirected"
	m0010Declined    m0010Status = "declined"
)

// m0010Statuses are every status at 0010, in pathway order.
var m0010Statuses = []m0010Status{m0010Received, m0010Accepted, m0010Assessing, m0010Allocated, m0010MAMHeld, m0010Panel,
	m0010PlanInPlace, m0010Reviewing, m0010Closed, m0010Redirected, m0010Declined}

// step is a status's place along the pathway: the three outcomes of triage share a step.
func (s m0010Status) step() int {
	switch s {
	case m0010Received:
		return 0
	case m0010Accepted, m0010Redirected, m0010Declined:
		return 1
	}
	return slices.Index(m0010Statuses, s)
}

// m0010Reach times a referral received on received reaching stage on the day on, given the days
// it first reached its other stages: whole days from receipt, and from the stage before it that
// the referral had reached (nil for receipt itself). The day is kept between receipt and today.
// The stage before is the one with the highest step below the stage's own (the latest of them on
// a tie); receipt when there is none.
func m0010Reach(received time.Time, reached map[m0010Status]time.Time, stage m0010Status, on, today time.Time) (fromReceived int, fromPrevious *int) {
	if on.Before(received) {
		on = received
	}
	if on.After(today) {
		on = today
	}
	fromReceived = m0010DaysBetween(received, on)
	if stage == m0010Received {
		return fromReceived, nil
	}
	prevStep, prevOn := m0010Received.step(), received
	for s, d := range reached {
		if s.step() >= stage.step() || s.step() < prevStep {
			continue
		}
		if s.step() > prevStep || d.After(prevOn) {
			prevStep, prevOn = s.step(), d
		}
	}
	gap := m0010DaysBetween(prevOn, on)
	return fromReceived, &gap
}

// m0010DaysBetween is the number of calendar days from a to b (negative when b is before a).
func m0010DaysBetween(a, b time.Time) int {
	return int(m0010Civil(b).Sub(m0010Civil(a)).Hours() / 24)
}

// m0010Civil is t's calendar date as midnight UTC; the zero time stays zero.
func m0010Civil(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
