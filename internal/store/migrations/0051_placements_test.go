package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0051Placements: a placement has a known type, ends after it starts, and its
// shares are percentages.
func TestMigration0051Placements(t *testing.T) {
	checkMigration(t, "0051_placements", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "placements", columns(t, db, "placements"), "id", "young_person_id", "type", "setting_name", "setting_org_id", "ehc_plan_id",
			"start_on", "end_on", "distance_m", "annual_cost_pence", "education_pct", "social_care_pct", "health_pct", "notes",
			"created_at", "updated_at", "version")
		addOrganisation(t, db, uuid(1), "")
		yp := uuid(2)
		addPerson(t, db, yp, uuid(1), "")
		insert := `INSERT INTO placements (id, young_person_id, type, setting_name, start_on, end_on, education_pct, social_care_pct, health_pct,
			created_at, updated_at, version) VALUES (?, ?, ?, 'Hill House', '2025-09-01', ?, ?, 0, 0, ?, ?, 1)`
		exec(t, db, insert, uuid(10), yp, "residential_52", nil, 100, created, created)
		refuses(t, db, "an unknown type", insert, uuid(11), yp, "boarding", nil, 100, created, created)
		refuses(t, db, "an end before the start", insert, uuid(12), yp, "special", "2025-08-01", 100, created, created)
		refuses(t, db, "a share over 100", insert, uuid(13), yp, "special", nil, 101, created, created)
	})
}
