package migrations_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"
)

// TestMigration0013PossibleDuplicates: records already held keep their identifiers; a second
// record may now hold the same NHS number or UPN, found through a plain index; a pair is recorded
// once per identifier; a merged record names a record that exists.
func TestMigration0013PossibleDuplicates(t *testing.T) {
	checkMigration(t, "0013_possible_duplicates", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		exec(t, db, `UPDATE young_people SET nhs_number = '9434765919', upn = 'B801200005001' WHERE id = ?`, uuid(20))
		addPerson(t, db, uuid(21), uuid(1), "")
		refuses(t, db, "a second NHS number before 0013", `UPDATE young_people SET nhs_number = '9434765919' WHERE id = ?`, uuid(21))
	}, func(t *testing.T, db *gorm.DB) {
		wantValue(t, db, "9434765919", `SELECT nhs_number FROM young_people WHERE id = ?`, uuid(20))
		exec(t, db, `UPDATE young_people SET nhs_number = '9434765919', upn = 'B801200005001' WHERE id = ?`, uuid(21))
		wantValue(t, db, "2", `SELECT COUNT(*) FROM young_people WHERE nhs_number = '9434765919' AND upn = 'B801200005001'`)

		has(t, "indexes", indexes(t, db), "young_people_nhs_number", "young_people_upn", "possible_duplicates_pair",
			"possible_duplicates_other", "possible_duplicates_status", "merged_young_people_into")
		for _, name := range []string{"young_people_nhs_number", "young_people_upn"} {
			q := `SELECT sql FROM sqlite_master WHERE name = ?`
			if isPostgres(db) {
				q = `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = ?`
			}
			def := value(t, db, q, name)
			if strings.Contains(strings.ToUpper(def), "UNIQUE") {
				t.Errorf("%s is still unique: %s", name, def)
			}
		}

		has(t, "possible_duplicates", columns(t, db, "possible_duplicates"), "id", "young_person_id", "other_young_person_id", "matched_on",
			"found_at", "status", "resolved_at", "reason", "merged_into", "updated_at", "version")
		pair := `INSERT INTO possible_duplicates (id, young_person_id, other_young_person_id, matched_on, found_at, status, updated_at, version)
			VALUES (?, ?, ?, ?, ?, 'open', ?, 1)`
		exec(t, db, pair, uuid(30), uuid(20), uuid(21), "nhs_number", created, created)
		exec(t, db, pair, uuid(31), uuid(20), uuid(21), "upn", created, created)
		refuses(t, db, "the same pair on the same identifier twice", pair, uuid(32), uuid(20), uuid(21), "nhs_number", created, created)
		// A pair may name a record merged away since, which is no longer in young_people.
		exec(t, db, pair, uuid(33), uuid(20), uuid(99), "nhs_number", created, created)

		merged := `INSERT INTO merged_young_people (id, merged_into, merged_at, snapshot) VALUES (?, ?, ?, '{}')`
		exec(t, db, merged, uuid(40), uuid(20), created)
		refuses(t, db, "a record merged into one that does not exist", merged, uuid(41), uuid(98), created)
		refuses(t, db, "a record merged twice", merged, uuid(40), uuid(21), created)
	})
}
