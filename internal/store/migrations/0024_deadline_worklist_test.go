package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0024DeadlineWorklist: one row per deadline key, its indexes there, and on both
// databases the key orders byte by byte (as Go orders it): '_' (0x5f) after ':' (0x3a) and 'Z'.
func TestMigration0024DeadlineWorklist(t *testing.T) {
	checkMigration(t, "0024_deadline_worklist", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "deadline_worklist", columns(t, db, "deadline_worklist"), "deadline_key", "clock", "record_type", "record_id",
			"young_person_id", "due_on", "part", "owner_id", "changed_at")
		has(t, "deadline_worklist_stale", columns(t, db, "deadline_worklist_stale"), "id", "young_person_id", "marked_at")
		const ins = `INSERT INTO deadline_worklist (deadline_key, clock, record_type, record_id, due_on) VALUES (?, 'final_plan', 'ehc_request',
			'0193f5a4-1c2b-7d3e-9f00-000000000001', '2027-01-05')`
		for _, k := range []string{"a_b", "a:b", "aZb"} {
			exec(t, db, ins, k)
		}
		refuses(t, db, "the same deadline twice", ins, "a:b")
		var keys []string
		if err := db.Raw(`SELECT deadline_key FROM deadline_worklist ORDER BY due_on, deadline_key`).Scan(&keys).Error; err != nil {
			t.Fatal(err)
		}
		if len(keys) != 3 || keys[0] != "a:b" || keys[1] != "aZb" || keys[2] != "a_b" {
			t.Errorf("keys in order: %q, want byte order", keys)
		}
		var n int64
		q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'deadline_worklist%'`
		if db.Name() == "postgres" {
			q = `SELECT COUNT(*) FROM pg_indexes WHERE indexname LIKE 'deadline_worklist%' AND indexname NOT LIKE '%pkey'`
		}
		if err := db.Raw(q).Scan(&n).Error; err != nil || n != 4 {
			t.Errorf("worklist indexes: %d %v, want 4", n, err)
		}
	})
}
