package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/benchload"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// BenchmarkOrganisationReports times the activity, funnel and timeliness reports for the
// council's SEND service (in the team around every child) and one referring setting, over the
// decade as whole months and mid-month to mid-month; then a referral created with its reason,
// stage and referrer's involvement for a child both know (the writes migration 0110's triggers
// add to). The same file runs on main for the A/B.
func BenchmarkOrganisationReports(b *testing.B) {
	st := benchStore(b)
	db, err := sql.Open("pgx", benchDSN)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	periods := []struct {
		name     string
		from, to time.Time
	}{{"decade", testkit.Day(2016, 1, 1), testkit.Day(2025, 12, 31)}, {"decade_part", testkit.Day(2016, 1, 15), testkit.Day(2025, 12, 14)}}
	for _, org := range []struct{ name, id string }{{"council", benchload.CouncilID}, {"setting", benchload.SettingID(7)}} {
		f := report.Filter{OrganisationID: org.id}
		for _, p := range periods {
			for _, r := range []struct {
				name string
				run  func(tx *store.Tx) error
			}{
				{"activity", func(tx *store.Tx) error { _, err := tx.Reports().Activity(p.from, p.to, f); return err }},
				{"funnel", func(tx *store.Tx) error { _, err := tx.Reports().Funnel(p.from, p.to, f); return err }},
				{"timeliness", func(tx *store.Tx) error { _, err := tx.Reports().EHCTimeliness(p.from, p.to, f); return err }},
			} {
				b.Run(r.name+"/"+org.name+"/"+p.name, func(b *testing.B) {
					for b.Loop() {
						if err := st.Read(ctx, r.run); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
	b.Run("create_referral", func(b *testing.B) {
		var child string
		if err := db.QueryRow(`SELECT CAST(young_person_id AS text) FROM referrals WHERE referrer_organisation_id = $1 LIMIT 1`,
			benchload.SettingID(7)).Scan(&child); err != nil {
			b.Fatal(err)
		}
		var practitioner string
		if err := db.QueryRow(`SELECT CAST(id AS text) FROM practitioners WHERE organisation_id = $1 LIMIT 1`, benchload.SettingID(7)).Scan(&practitioner); err != nil {
			b.Fatal(err)
		}
		n := 0
		for b.Loop() {
			n++
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			id := fmt.Sprintf("00000099-0000-4000-8000-%012x", time.Now().UnixNano()&0xffffffffff+int64(n))
			for _, s := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id, reasons, main_reason,
					services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility, created_at, updated_at, version,
					locality, locality_key) VALUES ($1, $2, 'received', $3, $4, $5, '["sen"]', 'sen', '[]', 0, false, '2025-03-04', true, '{}',
					now(), now(), 1, 'Locality 7', 'locality 7')`, []any{id, "REF-X-" + id, child, practitioner, benchload.SettingID(7)}},
				{`INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key)
					SELECT id, 'sen', true, young_person_id, received_on, locality_key FROM referrals WHERE id = $1`, []any{id}},
				{`INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received)
					SELECT id, 'received', received_on, young_person_id, received_on, locality_key, 0 FROM referrals WHERE id = $1`, []any{id}},
				{`INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
					SELECT gen_random_uuid(), young_person_id, referrer_organisation_id, 'referrer', received_on, now(), now(), 1 FROM referrals
					WHERE id = $1`, []any{id}},
			} {
				if _, err := tx.Exec(s.sql, s.args...); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
