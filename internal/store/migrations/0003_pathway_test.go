package migrations_test

import (
	"slices"
	"testing"

	"gorm.io/gorm"
)

// TestMigration0003Pathway: besides its tables, 0003 puts every referral already recorded on the
// timeline as received, under the referral's own ID.
func TestMigration0003Pathway(t *testing.T) {
	checkMigration(t, "0003_pathway", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPractitioner(t, db, uuid(10), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(20), uuid(1), "")
		addReferral(t, db, uuid(30), "REF-2026-000001", uuid(20), uuid(10), uuid(1), "accepted", `["sen"]`, "sen", "2026-03-02")
		addReferral(t, db, uuid(31), "REF-2026-000002", uuid(20), uuid(10), uuid(1), "received", `["sen"]`, "sen", "2026-03-09")
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "tables", tables(t, db), "allocations", "family_assessments", "meetings", "meeting_actions", "pathway_feedback", "timeline_events")
		has(t, "referrals", columns(t, db, "referrals"), "engagement_lead_id", "closure")
		has(t, "indexes", indexes(t, db), "allocations_referral", "allocations_one_active", "family_assessments_referral",
			"family_assessments_young_person", "family_assessments_number", "meetings_referral", "meetings_young_person", "meetings_type",
			"meeting_actions_meeting", "meeting_actions_owner", "meeting_actions_open", "pathway_feedback_referral", "pathway_feedback_meeting",
			"timeline_events_young_person")

		wantValue(t, db, "2", `SELECT COUNT(*) FROM timeline_events`)
		for id, want := range map[string][]string{
			uuid(30): {uuid(20), uuid(30), "2026-03-02", "referral.received", "referral", uuid(30), "Referral REF-2026-000001 received"},
			uuid(31): {uuid(20), uuid(31), "2026-03-09", "referral.received", "referral", uuid(31), "Referral REF-2026-000002 received"},
		} {
			got := queryRows(t, db, `SELECT young_person_id, referral_id, occurred_on, kind, record_type, record_id, summary FROM timeline_events WHERE id = ?`, id)
			if len(got) != 1 || !slices.Equal(got[0], want) {
				t.Errorf("timeline event %s = %v, want %v", id, got, want)
			}
		}

		allocation := `INSERT INTO allocations (id, referral_id, practitioner_id, organisation_id, reason, started_at, ended_at) VALUES (?, ?, ?, ?, 'lead', ?, ?)`
		exec(t, db, allocation, uuid(40), uuid(30), uuid(10), uuid(1), created, nil)
		refuses(t, db, "a second active allocation of one referral", allocation, uuid(41), uuid(30), uuid(10), uuid(1), created, nil)
		exec(t, db, `UPDATE allocations SET ended_at = ? WHERE id = ?`, created, uuid(40))
		exec(t, db, allocation, uuid(41), uuid(30), uuid(10), uuid(1), created, nil)

		assessment := `INSERT INTO family_assessments (id, referral_id, young_person_id, kind, status, assessment_number, sections, created_at, updated_at, version)
			VALUES (?, ?, ?, 'family', 'draft', ?, '{}', ?, ?, 1)`
		exec(t, db, assessment, uuid(50), uuid(30), uuid(20), 1, created, created)
		refuses(t, db, "a second assessment numbered 1 for one referral", assessment, uuid(51), uuid(30), uuid(20), 1, created, created)
		exec(t, db, assessment, uuid(51), uuid(30), uuid(20), 2, created, created)
	})
}
