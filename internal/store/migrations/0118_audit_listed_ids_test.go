package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0118AuditListedIDs: on PostgreSQL the list events' jsonb id lists become uuid[]
// in the same order, an event without them stays without, the trail stays append-only, and the
// access log's statement for a child (written as auditRepo.Events writes it) reads the one new
// index; SQLite's JSON text is left as it was.
func TestMigration0118AuditListedIDs(t *testing.T) {
	ids := `["` + uuid(12) + `", "` + uuid(11) + `", "` + uuid(13) + `"]`
	people := `["` + uuid(22) + `", "` + uuid(21) + `"]`
	checkMigration(t, "0118_audit_listed_ids", func(t *testing.T, db *gorm.DB) {
		exec(t, db, `INSERT INTO audit_events (id, occurred_at, action, record_type, actor_role, record_ids, young_person_ids)
			VALUES (?, '2026-01-01T00:00:00Z', 'list', 'referral', 'send_officer', ?, ?)`, uuid(1), ids, people)
		exec(t, db, `INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, young_person_id, actor_role)
			VALUES (?, '2026-01-01T00:00:01Z', 'read', 'referral', ?, ?, 'send_officer')`, uuid(2), uuid(11), uuid(21))
	}, func(t *testing.T, db *gorm.DB) {
		if !isPostgres(db) {
			wantValue(t, db, ids, `SELECT record_ids FROM audit_events WHERE id = ?`, uuid(1))
			return
		}
		wantValue(t, db, "{"+uuid(12)+","+uuid(11)+","+uuid(13)+"}", `SELECT record_ids::text FROM audit_events WHERE id = ?`, uuid(1))
		wantValue(t, db, "{"+uuid(22)+","+uuid(21)+"}", `SELECT young_person_ids::text FROM audit_events WHERE id = ?`, uuid(1))
		wantValue(t, db, "1", `SELECT COUNT(*) FROM audit_events WHERE id = ? AND record_ids IS NULL AND young_person_ids IS NULL`, uuid(2))
		refuses(t, db, "an update of the trail", `UPDATE audit_events SET action = 'x' WHERE id = ?`, uuid(1))
		wantValue(t, db, "0", `SELECT COUNT(*) FROM pg_proc WHERE proname = 'oneplan_0118_ids'`)
		usesIndex(t, db, "audit_events_listed", `SELECT id FROM audit_events WHERE (young_person_id IN ('`+uuid(21)+`') OR
			((record_ids || young_person_ids) && '{`+uuid(21)+`}'::uuid[] AND
			young_person_ids && '{`+uuid(21)+`}'::uuid[]))`)
		wantValue(t, db, uuid(2)+","+uuid(1), `SELECT string_agg(id::text, ',' ORDER BY id DESC) FROM audit_events WHERE (young_person_id IN ('`+uuid(21)+`') OR
			((record_ids || young_person_ids) && '{`+uuid(21)+`}'::uuid[] AND
			young_person_ids && '{`+uuid(21)+`}'::uuid[]))`)
	})
}
