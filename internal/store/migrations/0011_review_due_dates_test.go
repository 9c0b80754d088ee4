package migrations_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/store/migrations"
)

// TestMigration0011ReviewDueDates: review dates stored as the anniversary of the day they were
// computed from move back one day (s.44(1): 12 months starting with that day); any other date is
// left alone, and a second run changes nothing.
func TestMigration0011ReviewDueDates(t *testing.T) {
	type plan struct {
		firstIssued, lastReviewed, reviewDue any // nil for NULL
		want                                 any
		bumped                               bool
	}
	plans := map[int]plan{
		30: {"2026-01-05", nil, "2027-01-05", "2027-01-04", true},
		// 29 February: the clamped anniversary, less one day.
		31: {"2024-02-29", nil, "2025-02-28", "2025-02-27", true},
		// A month end.
		32: {"2026-01-31", nil, "2027-01-31", "2027-01-30", true},
		// After a review, the base is the last review decision, not the first issue.
		33: {"2025-01-05", "2025-11-16", "2026-11-16", "2026-11-15", true},
		34: {"2025-01-05", "2025-11-16", "2026-01-05", "2026-01-05", false},
		// Already corrected, or set some other way: left alone.
		35: {"2026-01-05", nil, "2027-01-04", "2027-01-04", false},
		36: {"2026-01-05", nil, "2026-09-01", "2026-09-01", false},
		// No review due (a draft).
		37: {nil, nil, nil, nil, false},
	}
	type review struct {
		plan, sequence int
		dueOn          string
		decidedOn      any
		want           string
	}
	reviews := map[int]review{
		// The first review's base is the plan's first issue.
		50: {33, 1, "2026-01-05", "2025-11-16", "2026-01-04"},
		// A later review's base is the previous review's decision.
		51: {33, 2, "2026-11-16", nil, "2026-11-15"},
		52: {30, 1, "2027-01-05", nil, "2027-01-04"},
		53: {35, 1, "2027-01-04", nil, "2027-01-04"},
		54: {36, 1, "2027-01-05", nil, "2027-01-04"},
		// The previous review has no decision: nothing to compare with, left alone.
		55: {36, 2, "2028-01-05", nil, "2028-01-05"},
		// The first review of a plan whose first issue is 29 February.
		56: {31, 1, "2025-02-28", nil, "2025-02-27"},
	}
	checkMigration(t, "0011_review_due_dates", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		for n, p := range plans {
			addPerson(t, db, uuid(n-10), uuid(1), "")
			exec(t, db, `INSERT INTO ehc_plans (id, young_person_id, status, first_issued_on, last_reviewed_on, review_due_on,
				created_at, updated_at, version) VALUES (?, ?, 'issued', ?, ?, ?, ?, ?, 4)`,
				uuid(n), uuid(n-10), p.firstIssued, p.lastReviewed, p.reviewDue, created, created)
		}
		for n, r := range reviews {
			status := "due"
			if r.decidedOn != nil {
				status = "decided"
			}
			exec(t, db, `INSERT INTO annual_reviews (id, plan_id, young_person_id, sequence, status, due_on, decided_on, created_at, updated_at, version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 2)`, uuid(n), uuid(r.plan), uuid(r.plan-10), r.sequence, status, r.dueOn, r.decidedOn, created, created)
		}
	}, func(t *testing.T, db *gorm.DB) {
		check := func(t *testing.T, second bool) {
			for n, p := range plans {
				want, version := "NULL", "4"
				if p.want != nil {
					want = p.want.(string)
				}
				if p.bumped {
					version = "5"
				}
				got := queryRows(t, db, `SELECT review_due_on, version FROM ehc_plans WHERE id = ?`, uuid(n))
				if len(got) != 1 || got[0][0] != want || got[0][1] != version {
					t.Errorf("plan %d (issued %v, reviewed %v, due %v), second run %v: %v, want %s version %s",
						n, p.firstIssued, p.lastReviewed, p.reviewDue, second, got, want, version)
				}
			}
			for n, r := range reviews {
				version := "2"
				if r.want != r.dueOn {
					version = "3"
				}
				got := queryRows(t, db, `SELECT due_on, version FROM annual_reviews WHERE id = ?`, uuid(n))
				if len(got) != 1 || got[0][0] != r.want || got[0][1] != version {
					t.Errorf("review %d (plan %d, sequence %d, due %s), second run %v: %v, want %s version %s",
						n, r.plan, r.sequence, r.dueOn, second, got, r.want, version)
				}
			}
		}
		check(t, false)
		// A migration interrupted after its data steps is retried whole: the second run changes nothing.
		if err := migrations.Fix0011(db); err != nil {
			t.Fatal(err)
		}
		check(t, true)
	})
}
