package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0040ExternalIDs: an external identifier names one record of a type in its system;
// the same value may name records of other types or in other systems; a record may hold several.
func TestMigration0040ExternalIDs(t *testing.T) {
	checkMigration(t, "0040_external_ids", nil, func(t *testing.T, db *gorm.DB) {
		has(t, "external_ids", columns(t, db, "external_ids"), "record_type", "record_id", "system", "value", "created_at")
		has(t, "indexes", indexes(t, db), "external_ids_record")
		insert := `INSERT INTO external_ids (record_type, record_id, system, value, created_at) VALUES (?, ?, ?, ?, ?)`
		exec(t, db, insert, "young_person", uuid(1), "bridge", "B-1", created)
		exec(t, db, insert, "young_person", uuid(1), "ems", "B-1", created)
		exec(t, db, insert, "referral", uuid(2), "bridge", "B-1", created)
		exec(t, db, insert, "young_person", uuid(1), "bridge", "B-2", created)
		refuses(t, db, "the same identifier for two young people", insert, "young_person", uuid(3), "bridge", "B-1", created)
		refuses(t, db, "a record type that takes no external ids", insert, "meeting", uuid(4), "bridge", "M-1", created)
		refuses(t, db, "an empty system", insert, "young_person", uuid(5), "", "X", created)
		refuses(t, db, "an empty value", insert, "young_person", uuid(5), "bridge", "", created)
	})
}
