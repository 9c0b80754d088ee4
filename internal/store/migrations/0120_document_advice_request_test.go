package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0120DocumentAdviceRequest: a report of an organisation whose adviser is awaited on
// the assessment is tied to that advice request (hidden from the family until it is submitted, as
// it was); a council letter, a report whose advice is in, another record's document are not.
func TestMigration0120DocumentAdviceRequest(t *testing.T) {
	insert := `INSERT INTO documents (id, record_type, record_id, young_person_id, kind, title, file_name, media_type, size_bytes,
		sha256, storage_key, uploaded_by_org_id, created_at, version) VALUES (?, ?, ?, ?, ?, 'T', 'a.pdf', 'application/pdf', 10, 'ab', ?, ?, ?, 1)`
	advice := `INSERT INTO ehc_advice (id, ehc_request_id, young_person_id, practitioner_id, adviser, requested_on, due_on, status,
		sections, document_ids, informs, late, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, 'educational_psychologist', '2026-01-12', '2026-02-23', ?, '{}', '[]', '[]', false, ?, ?, 1)`
	checkMigration(t, "0120_document_advice_request", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addOrganisation(t, db, uuid(2), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		addPractitioner(t, db, uuid(10), uuid(2), "ep@example.org")
		addRequest(t, db, uuid(30), uuid(20), "2026-01-05", "[]")
		addRequest(t, db, uuid(31), uuid(20), "2026-01-05", "[]")
		exec(t, db, advice, uuid(40), uuid(30), uuid(20), uuid(10), "requested", created, created)
		exec(t, db, advice, uuid(41), uuid(31), uuid(20), uuid(10), "submitted", created, created)
		exec(t, db, insert, uuid(50), "ehc_request", uuid(30), uuid(20), "report", "k0", uuid(2), created)          // the draft
		exec(t, db, insert, uuid(51), "ehc_request", uuid(30), uuid(20), "decision_letter", "k1", uuid(2), created) // not a report
		exec(t, db, insert, uuid(52), "ehc_request", uuid(30), uuid(20), "report", "k2", uuid(1), created)          // the council's
		exec(t, db, insert, uuid(53), "ehc_request", uuid(31), uuid(20), "advice", "k3", uuid(2), created)          // advice in
		exec(t, db, insert, uuid(54), "referral", uuid(30), uuid(20), "report", "k4", uuid(2), created)             // another record
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "documents", columns(t, db, "documents"), "advice_request_id")
		for id, want := range map[string]string{uuid(50): uuid(40), uuid(51): "", uuid(52): "", uuid(53): "", uuid(54): ""} {
			wantValue(t, db, want, `SELECT COALESCE(CAST(advice_request_id AS TEXT), '') FROM documents WHERE id = ?`, id)
		}
	})
}
