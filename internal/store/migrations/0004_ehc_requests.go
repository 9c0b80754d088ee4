package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0004 is plain DDL: requests for an EHC needs assessment.
var m0004 = &gormigrate.Migration{ID: "0004_ehc_requests", Migrate: ddl(schema0004, nil)}

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
