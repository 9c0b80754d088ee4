package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0118 stores the ids a list event names as uuid[] instead of jsonb, under one GIN index
// instead of two (PostgreSQL only; SQLite keeps its JSON text). Issue 13: writing the two jsonb
// lists (built as text, compressed, indexed twice) was about a fifth of PostgreSQL's work for a
// list page; a uuid[] of fifty ids is built from the page's own uuids without text and stays
// under the size that TOAST compresses, and one index takes a page's ids in one entry set.
var m0118 = &gormigrate.Migration{ID: "0118_audit_listed_ids", Migrate: ddl("", extras0118)}

// extras0118: the rewrite converts every stored list in order (WITH ORDINALITY), through a
// function of its own that is dropped after. Rewriting the table fires no row trigger, so the
// trail's append-only triggers stay as they are; writes to the trail wait for the rewrite
// (seconds at a million events), as 0116's index rebuilds made the outbox's wait.
//
// audit_events_listed indexes both lists as one array: record ids and young people's ids are
// uuids of different records, so the query finds the events through it and then checks the list
// it means (auditRepo.Events). It leaves out every event that is not a list, as the two indexes
// before it did.
var extras0118 = map[string][]string{
	dialectPostgres: {
		`CREATE FUNCTION oneplan_0118_ids(jsonb) RETURNS uuid[] LANGUAGE sql IMMUTABLE STRICT
			AS 'SELECT array_agg(e::uuid ORDER BY n) FROM jsonb_array_elements_text($1) WITH ORDINALITY AS t(e, n)'`,
		`DROP INDEX audit_events_young_people`,
		`DROP INDEX audit_events_records`,
		`ALTER TABLE audit_events ALTER COLUMN record_ids TYPE uuid[] USING oneplan_0118_ids(record_ids),
			ALTER COLUMN young_person_ids TYPE uuid[] USING oneplan_0118_ids(young_person_ids)`,
		`DROP FUNCTION oneplan_0118_ids(jsonb)`,
		`CREATE INDEX audit_events_listed ON audit_events USING gin ((record_ids || young_person_ids))
			WITH (gin_pending_list_limit = 256) WHERE record_ids IS NOT NULL OR young_person_ids IS NOT NULL`,
	},
}
