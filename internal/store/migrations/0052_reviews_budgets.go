package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0052 is plain DDL (issue 17): care (education) and treatment reviews of young people on the
// dynamic support register, and personal budgets with the payments made against them.
var m0052 = &gormigrate.Migration{ID: "0052_reviews_budgets", Migrate: ddl(schema0052, nil)}

// schema0052: a review belongs to a register entry (and so to its young person); it is held once
// (held_on with its outcome). A personal budget's parts by funding stream are a JSON list on the
// budget; payments are rows of their own, so spend is a sum.
const schema0052 = `
CREATE TABLE care_treatment_reviews (
  id {uuid} PRIMARY KEY,
  entry_id {uuid} NOT NULL REFERENCES support_register_entries(id),
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  kind {text} NOT NULL CHECK (kind IN ('ctr', 'cetr')),
  setting {text} NOT NULL CHECK (setting IN ('community', 'inpatient')),
  scheduled_on {text} NOT NULL,
  held_on {text},
  panel {text},
  family_views {text},
  young_person_views {text},
  key_questions {text},
  findings {text},
  outcome {text},
  recommendations {text} NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL,
  CHECK ((held_on IS NULL) = (outcome IS NULL))
);
CREATE INDEX care_treatment_reviews_entry ON care_treatment_reviews (entry_id, id);
CREATE INDEX care_treatment_reviews_young_person ON care_treatment_reviews (young_person_id);
CREATE TABLE personal_budgets (
  id {uuid} PRIMARY KEY,
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  ehc_plan_id {uuid} REFERENCES ehc_plans(id),
  requested_on {text} NOT NULL,
  requested_by {text} NOT NULL CHECK (requested_by IN ('parent', 'young_person')),
  status {text} NOT NULL CHECK (status IN ('requested', 'agreed', 'refused', 'ended')),
  decided_on {text},
  refusal_reasons {text},
  review_requested_on {text},
  review_outcome {text},
  parts {text} NOT NULL,
  review_due_on {text},
  ended_on {text},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL,
  CHECK (status <> 'refused' OR refusal_reasons IS NOT NULL)
);
CREATE INDEX personal_budgets_young_person ON personal_budgets (young_person_id, id);
CREATE INDEX personal_budgets_plan ON personal_budgets (ehc_plan_id);
CREATE TABLE personal_budget_payments (
  id {uuid} PRIMARY KEY,
  budget_id {uuid} NOT NULL REFERENCES personal_budgets(id),
  young_person_id {uuid} NOT NULL REFERENCES young_people(id),
  stream {text} NOT NULL CHECK (stream IN ('education', 'social_care', 'health')),
  paid_on {text} NOT NULL,
  amount_pence {int} NOT NULL CHECK (amount_pence > 0),
  note {text},
  recorded_at {ts} NOT NULL
);
CREATE INDEX personal_budget_payments_budget ON personal_budget_payments (budget_id, paid_on)
`
