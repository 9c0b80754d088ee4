package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0052ReviewsBudgets: a review is held with an outcome or not at all; a refused
// budget gives its reasons; a payment is positive and from a known stream.
func TestMigration0052ReviewsBudgets(t *testing.T) {
	checkMigration(t, "0052_reviews_budgets", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "care_treatment_reviews", columns(t, db, "care_treatment_reviews"), "id", "entry_id", "young_person_id", "kind", "setting",
			"scheduled_on", "held_on", "panel", "family_views", "young_person_views", "key_questions", "findings", "outcome", "recommendations",
			"created_at", "updated_at", "version")
		has(t, "personal_budgets", columns(t, db, "personal_budgets"), "id", "young_person_id", "ehc_plan_id", "requested_on", "requested_by",
			"status", "decided_on", "refusal_reasons", "review_requested_on", "review_outcome", "parts", "review_due_on", "ended_on",
			"created_at", "updated_at", "version")
		addOrganisation(t, db, uuid(1), "")
		yp := uuid(2)
		addPerson(t, db, yp, uuid(1), "")
		exec(t, db, `INSERT INTO support_register_entries (id, young_person_id, conditions, consent, actions, rating, rated_since, created_at,
			updated_at, version) VALUES (?, ?, '["autism"]', 'given', '[]', 'red', '2026-01-05', ?, ?, 1)`, uuid(10), yp, created, created)
		review := `INSERT INTO care_treatment_reviews (id, entry_id, young_person_id, kind, setting, scheduled_on, held_on, outcome, recommendations,
			created_at, updated_at, version) VALUES (?, ?, ?, ?, 'community', '2026-01-10', ?, ?, '[]', ?, ?, 1)`
		exec(t, db, review, uuid(20), uuid(10), yp, "cetr", "2026-01-10", "admission_avoided", created, created)
		refuses(t, db, "held without an outcome", review, uuid(21), uuid(10), yp, "ctr", "2026-01-10", nil, created, created)
		refuses(t, db, "an unknown kind", review, uuid(22), uuid(10), yp, "mtr", nil, nil, created, created)
		budget := `INSERT INTO personal_budgets (id, young_person_id, requested_on, requested_by, status, refusal_reasons, parts, created_at,
			updated_at, version) VALUES (?, ?, '2026-01-05', 'parent', ?, ?, '[]', ?, ?, 1)`
		exec(t, db, budget, uuid(30), yp, "agreed", nil, created, created)
		refuses(t, db, "refused without reasons", budget, uuid(31), yp, "refused", nil, created, created)
		payment := `INSERT INTO personal_budget_payments (id, budget_id, young_person_id, stream, paid_on, amount_pence, recorded_at)
			VALUES (?, ?, ?, ?, '2026-02-01', ?, ?)`
		exec(t, db, payment, uuid(40), uuid(30), yp, "health", 1000, created)
		refuses(t, db, "a nil payment", payment, uuid(41), uuid(30), yp, "health", 0, created)
		refuses(t, db, "an unknown stream", payment, uuid(42), uuid(30), yp, "housing", 10, created)
	})
}
