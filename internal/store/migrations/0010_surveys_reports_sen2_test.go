package migrations_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/store/migrations"
)

// TestMigration0010SurveysReportsSEN2: referrals recorded before 0010 keep the child's locality,
// get one referral_reasons row per reason (the main one marked) and the stages the timeline shows
// they reached, each on its first day with the days it took; the built-in surveys are seeded.
func TestMigration0010SurveysReportsSEN2(t *testing.T) {
	event := func(t *testing.T, db *gorm.DB, n int, referral, kind, on string) {
		exec(t, db, `INSERT INTO timeline_events (id, young_person_id, referral_id, occurred_on, recorded_at, kind, record_type, record_id, summary)
			VALUES (?, ?, ?, ?, ?, ?, 'referral', ?, ?)`, uuid(n), uuid(20), referral, on, created, kind, referral, kind)
	}
	future := time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02")
	checkMigration(t, "0010_surveys_reports_sen2", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		addPractitioner(t, db, uuid(10), uuid(1), "sam@example.org")
		addPerson(t, db, uuid(20), uuid(1), "North")
		addPerson(t, db, uuid(21), uuid(1), "")
		addRequest(t, db, uuid(25), uuid(20), "2026-01-05", "[]")

		// Through the pathway to a panel and back to a meeting: the first day of each stage stands.
		addReferral(t, db, uuid(30), "REF-2026-000001", uuid(20), uuid(10), uuid(1), "mam_held", `["sen","social_care"]`, "social_care", "2026-03-02")
		event(t, db, 100, uuid(30), "referral.received", "2026-03-02")
		event(t, db, 101, uuid(30), "referral.triaged", "2026-03-04")
		event(t, db, 102, uuid(30), "referral.assessing", "2026-03-09")
		event(t, db, 103, uuid(30), "referral.mam_held", "2026-03-20")
		event(t, db, 104, uuid(30), "referral.panel", "2026-03-25")
		event(t, db, 105, uuid(30), "referral.mam_held", "2026-04-02")
		event(t, db, 106, uuid(30), "referral.updated", "2026-03-05") // not a status: no stage

		// Triage's outcome comes from the status; a meeting recorded before receipt counts from
		// receipt, and one dated after today counts to today, though each keeps the day recorded.
		addReferral(t, db, uuid(31), "REF-2026-000002", uuid(21), uuid(10), uuid(1), "redirected", `["health"]`, "health", "2026-03-10")
		event(t, db, 110, uuid(31), "referral.triaged", "2026-03-12")
		addReferral(t, db, uuid(32), "REF-2026-000003", uuid(21), uuid(10), uuid(1), "mam_held", `["sen"]`, "sen", "2026-03-10")
		event(t, db, 120, uuid(32), "referral.mam_held", "2026-03-01")
		event(t, db, 121, uuid(32), "referral.closed", future)
	}, func(t *testing.T, db *gorm.DB) {
		has(t, "young_people", columns(t, db, "young_people"), "sex", "ethnicity", "uln", "upn_unknown")
		has(t, "ehc_plans", columns(t, db, "ehc_plans"), "transferred_from_la")
		has(t, "tables", tables(t, db), "referral_reasons", "referral_stages", "survey_templates", "survey_template_versions",
			"survey_responses", "survey_answers", "survey_invitations")
		has(t, "indexes", indexes(t, db), "referrals_report", "referral_reasons_report", "referral_stages_report", "ehc_requests_received",
			"ehc_requests_decided", "ehc_requests_plan_issued", "annual_reviews_decided", "disputes_received", "meetings_held",
			"survey_templates_code", "survey_responses_young_person", "survey_responses_referral", "survey_responses_plan",
			"survey_responses_template", "survey_answers_submitted", "survey_invitations_token", "survey_invitations_young_person",
			"survey_invitations_referral", "survey_invitations_plan")
		wantBool(t, db, false, `SELECT in_youth_custody FROM ehc_requests WHERE id = ?`, uuid(25))

		wantValue(t, db, "North", `SELECT locality FROM referrals WHERE id = ?`, uuid(30))
		wantValue(t, db, "key:North", `SELECT locality_key FROM referrals WHERE id = ?`, uuid(30))
		wantValue(t, db, "NULL", `SELECT locality_key FROM referrals WHERE id = ?`, uuid(31))

		for reason, main := range map[string]bool{"sen": false, "social_care": true} {
			wantValue(t, db, "1", `SELECT COUNT(*) FROM referral_reasons WHERE referral_id = ? AND reason = ? AND main = ?`, uuid(30), reason, main)
		}
		wantValue(t, db, "2", `SELECT COUNT(*) FROM referral_reasons WHERE referral_id = ?`, uuid(30))
		wantValue(t, db, uuid(20)+" | 2026-03-02 | key:North", `SELECT young_person_id || ' | ' || received_on || ' | ' || locality_key
			FROM referral_reasons WHERE referral_id = ? AND reason = 'sen'`, uuid(30))
		wantBool(t, db, true, `SELECT main FROM referral_reasons WHERE referral_id = ?`, uuid(31))
		wantValue(t, db, "4", `SELECT COUNT(*) FROM referral_reasons`)

		// stage: reached on, days from receipt, days from the stage before.
		stages := map[string]map[string][]string{
			uuid(30): {
				"received":  {"2026-03-02", "0", "NULL"},
				"accepted":  {"2026-03-04", "2", "2"},
				"assessing": {"2026-03-09", "7", "5"},
				"mam_held":  {"2026-03-20", "18", "11"},
				"panel":     {"2026-03-25", "23", "5"},
			},
			uuid(31): {
				"received":   {"2026-03-10", "0", "NULL"},
				"redirected": {"2026-03-12", "2", "2"},
			},
			uuid(32): {
				"received": {"2026-03-10", "0", "NULL"},
				"mam_held": {"2026-03-01", "0", "0"},
				"closed":   {future, daysSince("2026-03-10"), daysSince("2026-03-01")},
			},
		}
		for referral, want := range stages {
			got := queryRows(t, db, `SELECT stage, reached_on, days_from_received, days_from_previous, young_person_id, received_on,
				COALESCE(locality_key, '-') FROM referral_stages WHERE referral_id = ?`, referral)
			if len(got) != len(want) {
				t.Errorf("referral %s: %d stages %v, want %d", referral, len(got), got, len(want))
			}
			for _, row := range got {
				w, ok := want[row[0]]
				if !ok || row[1] != w[0] || row[2] != w[1] || row[3] != w[2] {
					t.Errorf("referral %s stage %s = %v, want %v", referral, row[0], row[1:4], w)
				}
			}
		}
		wantValue(t, db, uuid(20)+" | 2026-03-02 | key:North", `SELECT young_person_id || ' | ' || received_on || ' | ' || locality_key
			FROM referral_stages WHERE referral_id = ? AND stage = 'panel'`, uuid(30))

		// Running the backfills again changes nothing.
		if err := migrations.Backfill0010(db); err != nil {
			t.Fatalf("backfill twice: %v", err)
		}
		wantValue(t, db, "4", `SELECT COUNT(*) FROM referral_reasons`)
		wantValue(t, db, "10", `SELECT COUNT(*) FROM referral_stages`)

		reason := `INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on) VALUES (?, 'sen', false, ?, '2026-03-02')`
		refuses(t, db, "a referral's reason twice", reason, uuid(30), uuid(20))
		refuses(t, db, "a reason of a referral that does not exist", reason, uuid(99), uuid(20))

		wantValue(t, db, "parent_carer_experience,professional_experience", `SELECT `+listAgg(db, "code")+` FROM (SELECT code FROM survey_templates ORDER BY code) c`)
		wantValue(t, db, "2", `SELECT COUNT(*) FROM survey_template_versions WHERE number = 1`)
		refuses(t, db, "a second template with a built-in's code", `INSERT INTO survey_templates (id, code, name, audience, built_in, created_at, updated_at, version)
			VALUES (?, 'professional_experience', 'Copy', 'professional', false, ?, ?, 1)`, uuid(200), created, created)
	})
}

// daysSince counts the days from a date to today, as the backfill counts a day after today.
func daysSince(from string) string {
	d, _ := time.Parse("2006-01-02", from)
	y, m, dd := time.Now().UTC().Date()
	return fmt.Sprint(int(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Sub(d).Hours() / 24))
}

func listAgg(db *gorm.DB, col string) string {
	if isPostgres(db) {
		return "string_agg(" + col + ", ',' ORDER BY " + col + ")"
	}
	return "group_concat(" + col + ", ',')"
}
