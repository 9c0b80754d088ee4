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

// BenchmarkOrganisationReports times the reports for one organisation on the loaded database: the
// council's SEND service, made part of the team around every child (as a council's is around
// nearly all of them), and one referring setting (a few hundred children), for a month, a year and
// a decade; then a referral created, with its reason, stage and referrer's involvement, for a
// child both organisations know (the writes the organisation counts' triggers add to).
func BenchmarkOrganisationReports(b *testing.B) {
	st := benchStore(b)
	db, err := sql.Open("pgx", benchDSN)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var involved int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM involvements WHERE organisation_id = $1`, benchload.CouncilID).Scan(&involved); err != nil {
		b.Fatal(err)
	}
	if involved == 0 {
		start := time.Now()
		c, err := db.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		// Loaded as benchload loads (without the triggers when allowed), then the counts rebuilt.
		_, _ = c.ExecContext(ctx, "SET session_replication_role = replica")
		if _, err := c.ExecContext(ctx, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
			SELECT gen_random_uuid(), id, $1, 'send_officer', '2016-01-01', now(), now(), 1 FROM young_people`, benchload.CouncilID); err != nil {
			b.Fatal(err)
		}
		_, _ = c.ExecContext(ctx, "RESET session_replication_role")
		_ = c.Close()
		if err := st.RebuildReportCounts(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec("VACUUM ANALYSE"); err != nil {
			b.Fatal(err)
		}
		b.Logf("council involved with every child in %s", time.Since(start).Round(time.Second))
	}
	periods := []struct {
		name     string
		from, to time.Time
	}{{"month", testkit.Day(2025, 3, 1), testkit.Day(2025, 3, 31)}, {"year", testkit.Day(2024, 9, 1), testkit.Day(2025, 8, 31)},
		{"decade", testkit.Day(2016, 1, 1), testkit.Day(2025, 12, 31)}}
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
				{"experience", func(tx *store.Tx) error {
					_, err := tx.Reports().SurveyAnswerCounts(p.from, p.to, f, "", "")
					return err
				}},
			} {
				for _, way := range []struct {
					suffix string
					scan   bool
				}{{"", false}, {"_scans", true}} {
					b.Run(r.name+way.suffix+"/"+org.name+"/"+p.name, func(b *testing.B) {
						store.ScanReports(way.scan)
						defer store.ScanReports(false)
						for b.Loop() {
							if err := st.Read(ctx, r.run); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		}
	}
	b.Run("create_referral", func(b *testing.B) {
		child := benchload.YoungPersonID(7) // referred by setting 7, and known to the council
		n := 0
		for b.Loop() {
			n++
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			id := fmt.Sprintf("00000099-0000-4000-8000-%012x", time.Now().UnixNano()&0xffffffffffff+int64(n))
			for _, s := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id, reasons, main_reason,
					services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility, created_at, updated_at, version,
					locality, locality_key) VALUES ($1, $2, 'received', $3, $4, $5, '["sen"]', 'sen', '[]', 0, false, '2025-03-04', true, '{}',
					now(), now(), 1, 'Locality 7', 'locality 7')`, []any{id, "REF-X-" + id, child, benchload.PractitionerID(7), benchload.SettingID(7)}},
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
