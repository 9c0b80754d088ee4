package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0104AuditGinPending: on PostgreSQL the audit trail's GIN indexes have a 256 kB
// pending list after the migration and the default before; SQLite has no such indexes.
func TestMigration0104AuditGinPending(t *testing.T) {
	limits := func(t *testing.T, db *gorm.DB) []string {
		t.Helper()
		if db.Name() != "postgres" {
			return nil
		}
		var out []string
		if err := db.Raw(`SELECT c.relname || ':' || COALESCE(array_to_string(c.reloptions, ','), '')
			FROM pg_class c WHERE c.relname IN ('audit_events_young_people', 'audit_events_records') ORDER BY 1`).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	checkMigration(t, "0104_audit_gin_pending", func(t *testing.T, db *gorm.DB) {
		if got := limits(t, db); db.Name() == "postgres" && (len(got) != 2 || got[0] != "audit_events_records:" || got[1] != "audit_events_young_people:") {
			t.Fatalf("before: %v", got)
		}
	}, func(t *testing.T, db *gorm.DB) {
		want := []string{"audit_events_records:gin_pending_list_limit=256", "audit_events_young_people:gin_pending_list_limit=256"}
		if got := limits(t, db); db.Name() == "postgres" && (len(got) != 2 || got[0] != want[0] || got[1] != want[1]) {
			t.Fatalf("after: %v, want %v", got, want)
		}
	})
}
