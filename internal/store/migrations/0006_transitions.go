package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0006 is plain DDL: transition plans.
var m0006 = &gormigrate.Migration{ID: "0006_transitions", Migrate: ddl(schema0006, nil)}

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
