package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0015: a list is audited by one event naming every record it returned and whose they are,
// instead of one event per record listed.
var m0015 = &gormigrate.Migration{ID: "0015_audit_list_events", Migrate: ddl("", extras0015)}

// extras0015 differ by dialect only in the type of the id lists: jsonb with a GIN index on
// PostgreSQL, so "who looked at this child" finds the lists that showed the child through the
// index (and "who looked at this record" likewise); JSON text on SQLite, searched with json_each.
var extras0015 = map[string][]string{
	dialectPostgres: {
		`ALTER TABLE audit_events ADD COLUMN record_ids jsonb`,
		`ALTER TABLE audit_events ADD COLUMN young_person_ids jsonb`,
		`CREATE INDEX audit_events_young_people ON audit_events USING gin (young_person_ids jsonb_path_ops) WHERE young_person_ids IS NOT NULL`,
		`CREATE INDEX audit_events_records ON audit_events USING gin (record_ids jsonb_path_ops) WHERE record_ids IS NOT NULL`,
	},
	dialectSQLite: {
		`ALTER TABLE audit_events ADD COLUMN record_ids text`,
		`ALTER TABLE audit_events ADD COLUMN young_person_ids text`,
	},
}
