package benchload_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/benchload"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The data set is PostgreSQL's to generate: on PostgreSQL it loads, with the shape the benchmark
// scripts rely on; on SQLite it is refused with a reason.
func TestLoad(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			if b.Name != store.Postgres {
				err := benchload.Load(context.Background(), dsn, 70)
				if err == nil || !strings.Contains(err.Error(), "postgres://") {
					t.Fatalf("Load on %s = %v, want a refusal naming postgres://", b.Name, err)
				}
				return
			}
			migrated, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := migrated.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			_ = migrated.Close()
			if err := benchload.Load(context.Background(), dsn, 6); err == nil {
				t.Fatal("Load of 6 referrals succeeded; it needs one of each status")
			}
			const n = 70
			if err := benchload.Load(context.Background(), dsn, n); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			count := func(q string, args ...any) int {
				t.Helper()
				var c int
				if err := db.QueryRow(q, args...).Scan(&c); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return c
			}
			for q, want := range map[string]int{
				"SELECT COUNT(*) FROM referrals":                                                          n,
				"SELECT COUNT(*) FROM young_people":                                                       n,
				"SELECT COUNT(*) FROM practitioners WHERE active":                                         benchload.Settings,
				"SELECT COUNT(*) FROM organisations":                                                      benchload.Settings + 1,
				"SELECT COUNT(*) FROM organisations WHERE type = 'local_authority_send'":                  1,
				"SELECT COUNT(*) FROM referral_reasons WHERE main":                                        n,
				"SELECT COUNT(*) FROM referral_reasons WHERE NOT main":                                    7, // references ending in 3: 3, 13, ..., 63
				"SELECT COUNT(*) FROM referral_stages WHERE stage = 'received'":                           n,
				"SELECT COUNT(*) FROM meetings":                                                           n / 5,
				"SELECT COUNT(*) FROM ehc_requests":                                                       n / 10,
				"SELECT COUNT(*) FROM involvements":                                                       2 * n,
				"SELECT COUNT(*) FROM involvements WHERE organisation_id = '" + benchload.CouncilID + "'": n,
				"SELECT COUNT(*) FROM survey_responses WHERE audience = 'parent_carer'":                   benchload.ParentResponses(n),
				"SELECT COUNT(*) FROM survey_responses WHERE audience = 'professional'":                   benchload.ProfessionalResponses(n),
				"SELECT COUNT(*) FROM survey_responses WHERE young_person_id IS NULL":                     1, // 14
				// Four scored questions each, five for professionals, and a comment from parents 24 and 54.
				"SELECT COUNT(*) FROM survey_answers": 4*benchload.ParentResponses(n) + 2 + 5*benchload.ProfessionalResponses(n),
				"SELECT COUNT(*) FROM survey_answers WHERE question_type = 'likert_5' AND score BETWEEN 1 AND 5": 4*benchload.ParentResponses(n) + 5*benchload.ProfessionalResponses(n),
				"SELECT COUNT(*) FROM survey_answers WHERE question_type = 'text' AND score IS NULL":             2,
				// Every answer is in the experience report's counts.
				"SELECT CAST(COALESCE(SUM(n), 0) AS int) FROM report_counts WHERE kind = 'answer_all' AND month LIKE '____-__'": 4*benchload.ParentResponses(n) + 2 + 5*benchload.ProfessionalResponses(n),
				"SELECT COUNT(*) FROM referrals WHERE received_on BETWEEN '2016-01-01' AND '2025-12-31'":                        n,
				// The record and its reason rows agree, as the API's rules require of a referral
				// it will update (the main reason is one of the reasons).
				`SELECT COUNT(*) FROM referrals r WHERE r.reasons::jsonb ? r.main_reason AND jsonb_array_length(r.reasons::jsonb) =
					(SELECT COUNT(*) FROM referral_reasons rr WHERE rr.referral_id = r.id)`: n,
			} {
				if got := count(q); got != want {
					t.Errorf("%s = %d, want %d", q, got, want)
				}
			}
			// The scripts name records by their generated ids: check a few resolve as promised.
			for i := 1; i <= n; i++ {
				var status, yp string
				if err := db.QueryRow("SELECT status, young_person_id FROM referrals WHERE id = $1", benchload.ReferralID(i)).Scan(&status, &yp); err != nil {
					t.Fatalf("referral %d: %v", i, err)
				}
				if status != benchload.Statuses[i%7] || yp != benchload.YoungPersonID(i) {
					t.Fatalf("referral %d is %s of %s, want %s of %s", i, status, yp, benchload.Statuses[i%7], benchload.YoungPersonID(i))
				}
			}
			if got := count("SELECT COUNT(*) FROM referrals WHERE status = 'received'"); got != benchload.Received(n) {
				t.Errorf("%d received referrals, Received(%d) = %d", got, n, benchload.Received(n))
			}
			if got := count("SELECT COUNT(*) FROM practitioners WHERE id = $1 AND organisation_id = $2",
				benchload.PractitionerID(benchload.Settings), benchload.SettingID(benchload.Settings)); got != 1 {
				t.Error("practitioner Settings does not work for setting Settings")
			}
			// VACUUM ANALYSE ran: the planner's row estimate is the loaded count, not "never analysed" (-1).
			if got := count("SELECT reltuples::int FROM pg_class WHERE relname = 'referrals'"); got != n {
				t.Errorf("pg_class.reltuples for referrals = %d, want %d after ANALYSE", got, n)
			}
			if err := benchload.Load(context.Background(), dsn, n); err == nil || !strings.Contains(err.Error(), "already holds") {
				t.Errorf("a second Load = %v, want a refusal to load into a non-empty database", err)
			}
		})
	}
}

// LoadRows loads Load's rows and stops there: no report counts (nor ANALYSE, which autovacuum may
// yet run, so is not checked).
func TestLoadRows(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != store.Postgres {
			continue
		}
		dsn := b.DSN(t)
		const n = 70
		if err := benchload.LoadRows(context.Background(), dsn, n); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for q, want := range map[string]int{
			"SELECT COUNT(*) FROM referrals":     n,
			"SELECT COUNT(*) FROM young_people":  n,
			"SELECT COUNT(*) FROM involvements":  2 * n,
			"SELECT COUNT(*) FROM report_counts": 0,
		} {
			var got int
			if err := db.QueryRow(q).Scan(&got); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if got != want {
				t.Errorf("%s = %d, want %d", q, got, want)
			}
		}
	}
}
