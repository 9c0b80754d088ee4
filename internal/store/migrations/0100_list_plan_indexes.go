package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0100 is plain DDL: indexes found missing by EXPLAIN on a million-referral database (issue 13).
var m0100 = &gormigrate.Migration{ID: "0100_list_plan_indexes", Migrate: ddl(schema0100, nil)}

// schema0100:
//   - GET /v1/audit-events?organisation_id= read the whole trail backwards (seconds at two million
//     events): (actor_org_id, id) yields one organisation's events newest first.
//   - A partner's need-to-know (the team's children) read each involvement's row to check its
//     dates; with the dates in the index the team is read from the index alone. They replace the
//     two-column indexes they extend.
const schema0100 = `
CREATE INDEX audit_events_actor_org ON audit_events (actor_org_id, id);
CREATE INDEX involvements_organisation_current ON involvements (organisation_id, young_person_id, started_on, ended_on);
CREATE INDEX involvements_practitioner_current ON involvements (practitioner_id, young_person_id, started_on, ended_on);
DROP INDEX involvements_organisation;
DROP INDEX involvements_practitioner
`
