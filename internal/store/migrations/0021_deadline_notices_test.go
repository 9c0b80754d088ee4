package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0021DeadlineNotices: each deadline warned once per kind.
func TestMigration0021DeadlineNotices(t *testing.T) {
	checkMigration(t, "0021_deadline_notices", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "deadline_notices", columns(t, db, "deadline_notices"), "id", "notice_key", "kind", "clock", "record_type", "record_id",
			"young_person_id", "due_on", "event_id", "sent_at")
		const ins = `INSERT INTO deadline_notices (id, notice_key, kind, clock, record_type, record_id, young_person_id, due_on, event_id, sent_at)
			VALUES (?, 'ehc_request:0193f5a4-1c2b-7d3e-9f00-000000000001:final_plan:2027-01-05', ?, 'final_plan', 'ehc_request',
			'0193f5a4-1c2b-7d3e-9f00-000000000001', NULL, '2027-01-05', '0193f5a4-1c2b-7d3e-9f00-0000000000e1', ?)`
		exec(t, db, ins, "0193f5a4-1c2b-7d3e-9f00-0000000000a1", "due_soon", created)
		refuses(t, db, "the same warning twice", ins, "0193f5a4-1c2b-7d3e-9f00-0000000000a2", "due_soon", created)
		refuses(t, db, "an unknown kind", ins, "0193f5a4-1c2b-7d3e-9f00-0000000000a3", "late", created)
		exec(t, db, ins, "0193f5a4-1c2b-7d3e-9f00-0000000000a4", "missed", created)
	})
}
