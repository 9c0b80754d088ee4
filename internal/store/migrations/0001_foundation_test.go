package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

func TestMigration0001Foundation(t *testing.T) {
	checkMigration(t, "0001_foundation", nil, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "organisations", "practitioners", "young_people", "referrals", "reference_counters",
			"api_keys", "audit_events", "outbox_events", "idempotency_keys")
		has(t, "indexes", indexes(t, db), "organisations_type", "organisations_locality", "organisations_urn", "organisations_ukprn",
			"organisations_ods_code", "practitioners_email", "practitioners_organisation", "practitioners_role", "young_people_nhs_number",
			"young_people_upn", "young_people_locality", "young_people_setting", "young_people_recorded_by", "young_people_need",
			"referrals_reference", "referrals_status", "referrals_young_person", "referrals_organisation", "referrals_main_reason",
			"referrals_created", "api_keys_prefix", "api_keys_role", "audit_events_record", "audit_events_young_person",
			"audit_events_actor_key", "audit_events_request", "outbox_events_unpublished", "idempotency_keys_created")

		// Optional unique columns admit many NULLs but no duplicate.
		addOrganisation(t, db, uuid(1), "100001")
		addOrganisation(t, db, uuid(2), "")
		addOrganisation(t, db, uuid(3), "")
		refuses(t, db, "a second organisation with URN 100001", `INSERT INTO organisations (id, name, search_name, type, urn, created_at, updated_at, version)
			VALUES (?, 'Elm', 'elm', 'school', '100001', ?, ?, 1)`, uuid(4), created, created)

		addPractitioner(t, db, uuid(10), uuid(1), "sam@example.org")
		refuses(t, db, "a practitioner of an organisation that does not exist", `INSERT INTO practitioners (id, organisation_id, name, search_name,
			email, role, active, created_at, updated_at, version) VALUES (?, ?, 'Jo', 'jo', 'jo@example.org', 'caseworker', true, ?, ?, 1)`,
			uuid(11), uuid(99), created, created)
		refuses(t, db, "a second practitioner with the same email", `INSERT INTO practitioners (id, organisation_id, name, search_name,
			email, role, active, created_at, updated_at, version) VALUES (?, ?, 'Jo', 'jo', 'sam@example.org', 'caseworker', true, ?, ?, 1)`,
			uuid(12), uuid(1), created, created)

		addPerson(t, db, uuid(20), uuid(1), "")
		addReferral(t, db, uuid(30), "REF-2026-000001", uuid(20), uuid(10), uuid(1), "received", `["sen"]`, "sen", "2026-03-02")
		refuses(t, db, "a second referral with the same reference", `INSERT INTO referrals (id, reference, status, young_person_id,
			referrer_practitioner_id, referrer_organisation_id, reasons, main_reason, services_involved, services_count, safeguarding_concern,
			received_on, eligible, eligibility, created_at, updated_at, version) VALUES (?, 'REF-2026-000001', 'received', ?, ?, ?, '[]', 'sen',
			'[]', 0, false, '2026-03-02', true, '{}', ?, ?, 1)`, uuid(31), uuid(20), uuid(10), uuid(1), created, created)

		// The audit trail is append-only, whatever the path.
		exec(t, db, `INSERT INTO audit_events (id, occurred_at, action, record_type, actor_role) VALUES (?, ?, 'read', 'referral', 'caseworker')`,
			uuid(40), created)
		refuses(t, db, "an update of an audit event", `UPDATE audit_events SET action = 'changed'`)
		refuses(t, db, "a delete of an audit event", `DELETE FROM audit_events`)
		if isPostgres(db) {
			refuses(t, db, "a truncate of the audit trail", `TRUNCATE audit_events`)
		}
		wantValue(t, db, "read", `SELECT action FROM audit_events WHERE id = ?`, uuid(40))

		idem := `INSERT INTO idempotency_keys (api_key_id, idem_key, method, path, request_hash, state, created_at) VALUES (?, 'k1', 'POST', '/v1/referrals', 'h', 'pending', ?)`
		exec(t, db, idem, uuid(50), created)
		exec(t, db, idem, uuid(51), created)
		refuses(t, db, "the same idempotency key twice for one API key", idem, uuid(50), created)
	})
}
