package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0083DocumentFamilyVisible: documents already kept become visible to the family
// only when they are letters or plans; everything else stays hidden.
func TestMigration0083DocumentFamilyVisible(t *testing.T) {
	insert := `INSERT INTO documents (id, record_type, record_id, young_person_id, kind, title, file_name, media_type, size_bytes,
		sha256, storage_key, created_at, version) VALUES (?, 'referral', ?, ?, ?, 'T', 'a.pdf', 'application/pdf', 10, 'ab', ?, ?, 1)`
	checkMigration(t, "0083_document_family_visible", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		exec(t, db, insert, uuid(40), uuid(30), uuid(20), "decision_letter", "k1", created)
		exec(t, db, insert, uuid(41), uuid(30), uuid(20), "advice", "k2", created)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "documents", columns(t, db, "documents"), "family_visible")
		for id, want := range map[string]bool{uuid(40): true, uuid(41): false} {
			var got bool
			if err := db.Raw("SELECT family_visible FROM documents WHERE id = ?", id).Row().Scan(&got); err != nil || got != want {
				t.Errorf("%s: family_visible %v (%v), want %v", id, got, err, want)
			}
		}
	})
}
