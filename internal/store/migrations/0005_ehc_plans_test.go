package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0005EHCPlans: requests recorded before 0005 get the raw due dates (6 and 20
// weeks from receipt) and SEN2's Week20 flag (an exception on an authority ground with a day in
// the 20 weeks), as the rules stood when 0005 shipped.
func TestMigration0005EHCPlans(t *testing.T) {
	type want struct {
		received, exceptions, decision, finalPlan string
		week20                                    bool
	}
	requests := map[int]want{
		30: {"2026-01-05", `[]`, "2026-02-16", "2026-05-25", false},
		31: {"2026-01-05", `[{"ground":"personal_circumstances","from":"2026-03-01","to":"2026-03-31","reason":"illness"}]`, "2026-02-16", "2026-05-25", true},
		// An adviser's ground does not excuse the authority.
		32: {"2026-01-05", `[{"ground":"missed_appointment","from":"2026-03-01","to":"2026-03-31","reason":""}]`, "2026-02-16", "2026-05-25", false},
		// From the raw due date on is outside the 20 weeks; the day before is inside.
		33: {"2026-01-05", `[{"ground":"school_closure","from":"2026-05-25","to":"2026-06-30","reason":""}]`, "2026-02-16", "2026-05-25", false},
		34: {"2026-01-05", `[{"ground":"school_closure","from":"2026-05-24","to":"2026-06-30","reason":""}]`, "2026-02-16", "2026-05-25", true},
		// Ending on the day received counts; ending the day before does not.
		35: {"2026-01-05", `[{"ground":"absent_from_area","from":"2025-12-01","to":"2026-01-05","reason":""}]`, "2026-02-16", "2026-05-25", true},
		36: {"2026-01-05", `[{"ground":"early_years_closure","from":"2025-12-01","to":"2026-01-04","reason":""}]`, "2026-02-16", "2026-05-25", false},
		// Periods ending before they start, or missing a date, are ignored.
		37: {"2026-01-05", `[{"ground":"personal_circumstances","from":"2026-03-31","to":"2026-03-01","reason":""},{"ground":"personal_circumstances","from":"","to":"2026-03-01","reason":""}]`, "2026-02-16", "2026-05-25", false},
		// Calendar weeks across a leap day and a year end.
		38: {"2024-02-29", `[]`, "2024-04-11", "2024-07-18", false},
		39: {"2025-12-22", `[{"ground":"bogus","from":"2026-01-01","to":"2026-02-01","reason":""},{"ground":"absent_from_area","from":"2026-05-10","to":"2026-05-10","reason":""}]`, "2026-02-02", "2026-05-11", true},
	}
	checkMigration(t, "0005_ehc_plans", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPerson(t, db, uuid(20), uuid(1), "")
		addPerson(t, db, uuid(21), uuid(1), "")
		for n, r := range requests {
			addRequest(t, db, uuid(n), uuid(20), r.received, r.exceptions)
		}
	}, func(t *testing.T, db *gorm.DB) {
		for n, r := range requests {
			got := queryRows(t, db, `SELECT decision_raw_due_on, final_plan_raw_due_on, advice FROM ehc_requests WHERE id = ?`, uuid(n))
			if len(got) != 1 || got[0][0] != r.decision || got[0][1] != r.finalPlan || got[0][2] != "[]" {
				t.Errorf("request received %s: raw due dates and advice %v, want %s, %s, []", r.received, got, r.decision, r.finalPlan)
			}
			wantBool(t, db, r.week20, `SELECT week20 FROM ehc_requests WHERE id = ?`, uuid(n))
		}
		has(t, "ehc_requests", columns(t, db, "ehc_requests"), "advice", "issue_decision", "issue_decided_on", "issue_appeal_rights_notified",
			"issue_decision_reason", "draft_served_on", "plan_issued_on", "decision_raw_due_on", "final_plan_raw_due_on", "week20")
		has(t, "tables", tables(t, db), "ehc_plans", "ehc_plan_versions", "annual_reviews", "clock_notices")
		has(t, "indexes", indexes(t, db), "ehc_plans_request", "ehc_plans_one_current", "ehc_plans_young_person", "ehc_plans_status",
			"annual_reviews_young_person", "annual_reviews_status")

		plan := `INSERT INTO ehc_plans (id, young_person_id, ehc_request_id, status, latest_version, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, 1, ?, ?, 1)`
		exec(t, db, plan, uuid(40), uuid(20), uuid(30), "ceased", created, created)
		exec(t, db, plan, uuid(41), uuid(20), uuid(31), "issued", created, created)
		refuses(t, db, "a second current plan for one young person", plan, uuid(42), uuid(20), uuid(32), "draft", created, created)
		refuses(t, db, "a second plan from one request", plan, uuid(43), uuid(21), uuid(31), "draft", created, created)
		exec(t, db, plan, uuid(44), uuid(21), uuid(33), "draft", created, created)

		planVersion := `INSERT INTO ehc_plan_versions (plan_id, number, kind, state, sections, created_at) VALUES (?, ?, 'initial', 'draft', '{}', ?)`
		exec(t, db, planVersion, uuid(41), 1, created)
		refuses(t, db, "a plan's version 1 twice", planVersion, uuid(41), 1, created)

		review := `INSERT INTO annual_reviews (id, plan_id, young_person_id, sequence, status, due_on, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, 'due', '2027-01-05', ?, ?, 1)`
		exec(t, db, review, uuid(50), uuid(41), uuid(20), 1, created, created)
		refuses(t, db, "a plan's first review twice", review, uuid(51), uuid(41), uuid(20), 1, created, created)
		exec(t, db, review, uuid(51), uuid(41), uuid(20), 2, created, created)
		wantValue(t, db, "[]", `SELECT attendees FROM annual_reviews WHERE id = ?`, uuid(50))

		exec(t, db, `INSERT INTO clock_notices (key, created_at) VALUES ('request:1:decision', ?)`, created)
		refuses(t, db, "the same clock notice twice", `INSERT INTO clock_notices (key, created_at) VALUES ('request:1:decision', ?)`, created)
	})
}
