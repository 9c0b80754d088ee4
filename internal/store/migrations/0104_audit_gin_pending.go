package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0104 bounds the pending lists of the audit trail's two GIN indexes (PostgreSQL only; SQLite has
// none). Every list page's audit event adds about a hundred entries to them; with the default
// 4 MB pending list, the one insert that crossed the limit merged it into the index itself
// (82-212 ms measured), which was a list page's p99. At 256 kB each merge is about a sixteenth
// of that and the work is spread over the pages instead of landing on one.
var m0104 = &gormigrate.Migration{ID: "0104_audit_gin_pending", Migrate: ddl("", extras0104)}

var extras0104 = map[string][]string{
	dialectPostgres: {
		`ALTER INDEX audit_events_young_people SET (gin_pending_list_limit = 256)`,
		`ALTER INDEX audit_events_records SET (gin_pending_list_limit = 256)`,
	},
}
