package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0005 is DDL, then a backfill of the raw due dates and the Week20 flag it adds, for the
// requests recorded before it.
var m0005 = &gormigrate.Migration{ID: "0005_ehc_plans", Migrate: then(ddl(schema0005, nil), m0005BackfillRawDueDates)}

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

// m0005Request is the part of an ehc_requests row that the backfill reads, as it stood at 0005.
type m0005Request struct {
	ID         string
	ReceivedOn string
	Exceptions string
}

// m0005Exception is an exception period as stored in ehc_requests.exceptions at 0005.
type m0005Exception struct {
	Ground string `json:"ground"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// m0005BackfillRawDueDates fills 0005's raw due dates for requests recorded before it: they
// depend on the received date alone. It reads and writes only the columns it names, so later
// migrations can add columns freely.
func m0005BackfillRawDueDates(db *gorm.DB) error {
	var rows []m0005Request
	if err := db.Table("ehc_requests").Select("id, received_on, exceptions").Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		received := parseDate(r.ReceivedOn)
		if err := db.Table("ehc_requests").Where("id = ?", r.ID).Updates(map[string]any{
			"decision_raw_due_on":   dateText(m0005DecisionToAssessDue(received)),
			"final_plan_raw_due_on": dateText(m0005FinalPlanDue(received)),
			"week20":                m0005Week20Applies(received, decodeJSON[[]m0005Exception](&r.Exceptions)),
		}).Error; err != nil {
			return err
		}
	}
	return nil
}

// The statutory rules below are a private copy of package statutory's as they stood when 0005
// shipped (DecisionToAssessDue, FinalPlanDue, Week20Applies and the date arithmetic under them).
// They are frozen on purpose: never change them, even when the law or the live rules change,
// because this migration must write on any database what it wrote when it shipped. Rows that
// need the new rule get a new migration.

// m0005DecisionToAssessDue: received + 6 weeks (SEND Regulations 2014, Reg 5(1)).
func m0005DecisionToAssessDue(received time.Time) time.Time { return m0005AddDays(received, 7*6) }

// m0005FinalPlanDue: received + 20 weeks (Reg 13(2)).
func m0005FinalPlanDue(received time.Time) time.Time { return m0005AddDays(received, 7*20) }

// m0005Week20Applies is SEN2's Week20 flag: at least one exception period on a ground that
// excuses the authority (grounds (a) to (d)), with both dates set and in order, has a day from
// received up to the day before the raw final plan date.
func m0005Week20Applies(received time.Time, exceptions []m0005Exception) bool {
	start, due := m0005Civil(received), m0005FinalPlanDue(received)
	for _, e := range exceptions {
		switch e.Ground {
		case "school_closure", "early_years_closure", "personal_circumstances", "absent_from_area":
		default:
			continue
		}
		from, to := parseDate(e.From), parseDate(e.To)
		if from.IsZero() || to.IsZero() {
			continue
		}
		from, to = m0005Civil(from), m0005Civil(to)
		if to.Before(from) {
			continue
		}
		if from.Before(due) && !to.Before(start) {
			return true
		}
	}
	return false
}

// m0005Civil is t's calendar date as midnight UTC; the zero time stays zero.
func m0005Civil(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// m0005AddDays is the civil date n calendar days after d.
func m0005AddDays(d time.Time, n int) time.Time {
	y, m, day := m0005Civil(d).Date()
	return time.Date(y, m, day+n, 0, 0, 0, 0, time.UTC)
}
