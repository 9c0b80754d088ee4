package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0105 is plain DDL: the (time, id) indexes that a list bounded above in time reads its page's
// ids from (issue 13; see the store's timeRangePage).
var m0105 = &gormigrate.Migration{ID: "0105_list_time_indexes", Migrate: ddl(schema0105, nil)}

// schema0105:
//   - GET /v1/audit-events?occurred_before= walked the whole trail down from the newest event to
//     reach the old ones (seconds at a million events); (occurred_at, id) holds every event of a
//     range with its id, so the page's ids are read from the index alone. Events are written in
//     time order, so each new entry goes at the index's right-hand edge.
//   - GET /v1/referrals?received_on lte (FHIR's authored=le) likewise: the report index that leads
//     with the day received has no id, so each match's row was read to learn it.
const schema0105 = `
CREATE INDEX audit_events_occurred ON audit_events (occurred_at, id);
CREATE INDEX referrals_received ON referrals (received_on, id)
`
