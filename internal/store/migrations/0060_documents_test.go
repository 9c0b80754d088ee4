package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0060Documents: a document names its record, child, type and checksum; a storage
// key is used once; the record type is one of those that take documents.
func TestMigration0060Documents(t *testing.T) {
	checkMigration(t, "0060_documents", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "documents", columns(t, db, "documents"), "id", "record_type", "record_id", "young_person_id", "kind", "title",
			"file_name", "media_type", "size_bytes", "sha256", "storage_key", "uploaded_by_org_id", "created_at", "version")
		addOrganisation(t, db, uuid(1), "")
		yp := uuid(2)
		addPerson(t, db, yp, uuid(1), "")
		insert := `INSERT INTO documents (id, record_type, record_id, young_person_id, kind, title, file_name, media_type, size_bytes,
			sha256, storage_key, created_at, version) VALUES (?, ?, '0190a5e0-0000-7000-8000-0000000000aa', ?, 'advice', 'Advice', 'a.pdf',
			'application/pdf', ?, 'ab', ?, ?, 1)`
		exec(t, db, insert, "0190a5e0-0000-7000-8000-0000000000d1", "ehc_plan", yp, 10, "k1", created)
		refuses(t, db, "a storage key used twice", insert, "0190a5e0-0000-7000-8000-0000000000d2", "ehc_plan", yp, 10, "k1", created)
		refuses(t, db, "a record type that takes no documents", insert, "0190a5e0-0000-7000-8000-0000000000d3", "young_person", yp, 10, "k3", created)
		refuses(t, db, "an empty file", insert, "0190a5e0-0000-7000-8000-0000000000d4", "ehc_plan", yp, 0, "k4", created)
	})
}
