package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0112 is plain DDL: an index found missing by timing every list filter on a million-referral
// database (issue 13).
var m0112 = &gormigrate.Migration{ID: "0112_audit_action_index", Migrate: ddl(schema0112, nil)}

// schema0112:
//   - GET /v1/audit-events?action= walked the trail down from the newest event, testing each: the
//     newest events are mostly reads and lists, so a page of updates passed 57,000 of them (0.5 s
//     at 680,000 events); (action, id) yields one action's events newest first (3 ms). It costs
//     one more index entry per event written.
const schema0112 = `
CREATE INDEX audit_events_action ON audit_events (action, id)
`
