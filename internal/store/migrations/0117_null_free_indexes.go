package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0117 is plain DDL: six more indexes over columns that a new record often leaves NULL lose
// their NULL entries, as the outbox's did in 0116 (issues 13 and 18).
var m0117 = &gormigrate.Migration{ID: "0117_null_free_indexes", Migrate: ddl(schema0117, nil)}

// schema0117: no statement looks a NULL up in any of these; each reads by equality or a range
// (a practitioner's team, involvements ending in a window, a caseworker's referrals as lead, a
// UPN search or duplicate check, a setting's children, a key's audit trail), which implies NOT
// NULL, so each can still use its index (TestMigration0117NullFreeIndexes). Most new rows leave
// these columns empty: an organisation's membership of a team names no practitioner and has not
// ended, a referral has no engagement lead until triage, a young person recorded without a
// setting or a UPN (post-16, or not known yet), and the command line's audit events have no API
// key. Each such row entered every one of these indexes; an import's involvements went through
// six index insertions a row, now four. Rebuilt in the migration's transaction, as 0116's were.
const schema0117 = `
DROP INDEX involvements_practitioner_current;
CREATE INDEX involvements_practitioner_current ON involvements (practitioner_id, young_person_id, started_on, ended_on) WHERE practitioner_id IS NOT NULL;
DROP INDEX involvements_ended;
CREATE INDEX involvements_ended ON involvements (ended_on) WHERE ended_on IS NOT NULL;
DROP INDEX referrals_engagement_lead;
CREATE INDEX referrals_engagement_lead ON referrals (engagement_lead_id, young_person_id) WHERE engagement_lead_id IS NOT NULL;
DROP INDEX young_people_upn;
CREATE INDEX young_people_upn ON young_people (upn) WHERE upn IS NOT NULL;
DROP INDEX young_people_setting;
CREATE INDEX young_people_setting ON young_people (education_setting_id, id) WHERE education_setting_id IS NOT NULL;
DROP INDEX audit_events_actor_key;
CREATE INDEX audit_events_actor_key ON audit_events (actor_key_id, id) WHERE actor_key_id IS NOT NULL
`
