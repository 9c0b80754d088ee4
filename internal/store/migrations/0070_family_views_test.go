package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0070FamilyViews: the family's views name their plan, child and draft version; blank
// views and an unknown giver are refused.
func TestMigration0070FamilyViews(t *testing.T) {
	checkMigration(t, "0070_family_views", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "ehc_plan_family_views", columns(t, db, "ehc_plan_family_views"), "id", "plan_id", "young_person_id", "draft_version", "views",
			"setting_name", "setting_urn", "setting_type", "wants_meeting", "given_by", "given_on", "comments_due_on", "created_at")
		refuses(t, db, "views on a plan that does not exist", insert0070, uuid(11), uuid(12), uuid(13), "Agreed.", "family")
	})
}

const insert0070 = `INSERT INTO ehc_plan_family_views (id, plan_id, young_person_id, draft_version, views, wants_meeting, given_by, given_on,
	comments_due_on, created_at) VALUES (?, ?, ?, 1, ?, false, ?, '2026-11-02', '2026-11-16', '2026-11-02 10:00:00')`
