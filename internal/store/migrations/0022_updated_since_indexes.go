package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0022 is plain DDL: indexes for updated_since on the lists a nightly sync reads most.
var m0022 = &gormigrate.Migration{ID: "0022_updated_since_indexes", Migrate: ddl(schema0022, nil)}

// schema0022: one index per large, changing table on the column its list's updated_since is
// judged on (see store.changedColumn), with id so the newest-first page can be read from the
// index once the range is found. Small or rarely synced tables (organisations, practitioners, API
// keys, survey templates, subscriptions) are scanned. The audit trail is read by record or young
// person, never in bulk by time, so it has none. Documents (created by migration 0060, after this
// one) are listed by their record, whose index narrows the list first.
const schema0022 = `
CREATE INDEX young_people_updated ON young_people (updated_at, id);
CREATE INDEX referrals_updated ON referrals (updated_at, id);
CREATE INDEX involvements_updated ON involvements (updated_at, id);
CREATE INDEX consents_updated ON consents (updated_at, id);
CREATE INDEX family_assessments_updated ON family_assessments (updated_at, id);
CREATE INDEX meetings_updated ON meetings (updated_at, id);
CREATE INDEX ehc_requests_updated ON ehc_requests (updated_at, id);
CREATE INDEX ehc_plans_updated ON ehc_plans (updated_at, id);
CREATE INDEX annual_reviews_updated ON annual_reviews (updated_at, id);
CREATE INDEX disputes_updated ON disputes (updated_at, id);
CREATE INDEX transition_plans_updated ON transition_plans (updated_at, id);
CREATE INDEX survey_responses_created ON survey_responses (created_at, id);
CREATE INDEX outbox_events_occurred ON outbox_events (occurred_at)
`
