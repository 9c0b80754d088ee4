package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0008EHCRequestMeeting: requests already recorded name no meeting; a meeting named
// must exist.
func TestMigration0008EHCRequestMeeting(t *testing.T) {
	checkMigration(t, "0008_ehc_request_meeting", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPractitioner(t, db, uuid(10), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(20), uuid(1), "")
		addReferral(t, db, uuid(30), "REF-2026-000001", uuid(20), uuid(10), uuid(1), "mam_held", `["sen"]`, "sen", "2026-03-02")
		exec(t, db, `INSERT INTO meetings (id, referral_id, young_person_id, type, held_on, attendees, decisions, created_at, updated_at, version)
			VALUES (?, ?, ?, 'mam', '2026-03-20', '[]', '[]', ?, ?, 1)`, uuid(40), uuid(30), uuid(20), created, created)
		addRequest(t, db, uuid(50), uuid(20), "2026-03-25", "[]")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "ehc_requests", columns(t, db, "ehc_requests"), "meeting_id")
		wantValue(t, db, "NULL", `SELECT meeting_id FROM ehc_requests WHERE id = ?`, uuid(50))
		refuses(t, db, "a request naming a meeting that does not exist", `UPDATE ehc_requests SET meeting_id = ? WHERE id = ?`, uuid(99), uuid(50))
		exec(t, db, `UPDATE ehc_requests SET meeting_id = ? WHERE id = ?`, uuid(40), uuid(50))
		wantValue(t, db, uuid(40), `SELECT meeting_id FROM ehc_requests WHERE id = ?`, uuid(50))
	})
}
