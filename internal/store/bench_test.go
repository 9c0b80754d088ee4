package store_test

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// The report benchmarks run on PostgreSQL, the production database, with a council's worth of
// history many times over: ONEPLAN_BENCH_REFERRALS referrals (default 1,000,000) received over ten
// years, with their reasons and stages, young people in eight localities, 500 referring settings,
// meetings, EHC requests and disputes. `make bench` runs them. Each report is compared with the
// PostgreSQL ceiling for the same rows: one bare COUNT(*) over the period's referrals through
// database/sql, measured in the same run.

var (
	benchOnce sync.Once
	benchDSN  string
	benchErr  error
)

func benchReferrals() int {
	if n, err := strconv.Atoi(os.Getenv("ONEPLAN_BENCH_REFERRALS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchStore opens the loaded database once per test binary.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	var backend *storetest.Backend
	for _, be := range storetest.Backends(b) {
		if be.Name == store.Postgres {
			backend = &be
		}
	}
	if backend == nil {
		b.Skip("the report benchmarks need PostgreSQL (set TEST_DATABASE_URL)")
	}
	benchOnce.Do(func() {
		benchDSN = backend.DSN(b)
		start := time.Now()
		benchErr = loadBench(benchReferrals())
		b.Logf("loaded %d referrals in %s", benchReferrals(), time.Since(start).Round(time.Second))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	st, err := store.Open(context.Background(), benchDSN)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return st
}

// loadBench generates the rows in the database itself (generate_series), which is far quicker
// than a million inserts through the API.
func loadBench(n int) error {
	id := func(prefix string) string {
		return `('` + prefix + `-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid`
	}
	stmts := []string{
		`INSERT INTO organisations (id, name, search_name, type, locality, locality_key, created_at, updated_at, version)
			SELECT ` + id("00000001") + `, 'Setting ' || i, 'setting ' || i,
			(ARRAY['pvi_nursery','childrens_centre','school_primary','school_secondary','school_special','pru_primary','pru_medical','pru_secondary'])[1 + i % 8],
			'Locality ' || (i % 8), 'locality ' || (i % 8), now(), now(), 1 FROM generate_series(1, 500) i`,
		`INSERT INTO practitioners (id, organisation_id, name, search_name, email, role, active, created_at, updated_at, version)
			SELECT ` + id("00000002") + `, ('00000001-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'Referrer ' || i, 'referrer ' || i,
			'referrer' || i || '@bench.example', 'senco', true, now(), now(), 1 FROM generate_series(1, 500) i`,
		`INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, locality, locality_key, contacts, recorded_by_org_id,
			created_at, updated_at, version)
			SELECT ` + id("00000003") + `, 'Bench', 'Child ' || i, 'bench child ' || i, to_char(date '2002-01-01' + (i % 8000), 'YYYY-MM-DD'),
			'Locality ' || (i % 8), 'locality ' || (i % 8), '[]', '00000001-0000-4000-8000-000000000001', now(), now(), 1
			FROM generate_series(1, $1) i`,
		`INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id, reasons, main_reason,
			services_involved, services_count, safeguarding_concern, received_on, route, eligible, eligibility, created_at, updated_at, version,
			locality, locality_key)
			SELECT ` + id("00000004") + `, 'REF-B-' || i,
			(ARRAY['received','accepted','assessing','allocated','mam_held','closed','declined'])[1 + i % 7],
			('00000003-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
			('00000002-0000-4000-8000-' || lpad(to_hex(1 + i % 500), 12, '0'))::uuid, ('00000001-0000-4000-8000-' || lpad(to_hex(1 + i % 500), 12, '0'))::uuid,
			'["sen"]', (ARRAY['adhd','asd_asc','attachment','behaviour','complex_health_needs','complex_needs','development','hearing_deaf',
				'physical_mobility','semh','sen','speech_language','transitional_support','visual_impairment'])[1 + i % 14],
			'["school","camhs"]', 2, i % 15 = 0, to_char(date '2016-01-01' + (i % 3650), 'YYYY-MM-DD'),
			CASE WHEN i % 7 IN (1, 2, 3, 4, 5) THEN CASE WHEN i % 15 = 0 THEN 'safeguarding_assessment' ELSE 'family_assessment' END END,
			true, '{}', now(), now(), 1, 'Locality ' || (i % 8), 'locality ' || (i % 8) FROM generate_series(1, $1) i`,
		`INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key)
			SELECT id, main_reason, true, young_person_id, received_on, locality_key FROM referrals`,
		`INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key)
			SELECT id, 'social_care', false, young_person_id, received_on, locality_key FROM referrals WHERE reference LIKE '%3'`,
		`INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received)
			SELECT id, 'received', received_on, young_person_id, received_on, locality_key, 0 FROM referrals`,
		`INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received, days_from_previous)
			SELECT r.id, s.stage, to_char(CAST(r.received_on AS date) + s.days + length(r.reference) % 5, 'YYYY-MM-DD'), r.young_person_id,
			r.received_on, r.locality_key, s.days + length(r.reference) % 5, s.gap
			FROM referrals r JOIN (VALUES ('accepted', 3, 1, 3), ('assessing', 12, 2, 9), ('allocated', 25, 3, 13), ('mam_held', 40, 4, 15),
				('closed', 150, 5, 110)) AS s(stage, days, step, gap) ON s.step <= CASE r.status WHEN 'accepted' THEN 1 WHEN 'assessing' THEN 2
				WHEN 'allocated' THEN 3 WHEN 'mam_held' THEN 4 WHEN 'closed' THEN 5 ELSE 0 END`,
		`INSERT INTO meetings (id, referral_id, young_person_id, type, held_on, attendees, decisions, created_at, updated_at, version)
			SELECT ` + id("00000005") + `, ('00000004-0000-4000-8000-' || lpad(to_hex(i * 5), 12, '0'))::uuid,
			('00000003-0000-4000-8000-' || lpad(to_hex(i * 5), 12, '0'))::uuid, (ARRAY['allocation','mam','map','taf'])[1 + i % 4],
			to_char(date '2016-01-01' + ((i * 5) % 3650) + 30, 'YYYY-MM-DD'), '[]', '[]', now(), now(), 1 FROM generate_series(1, $1 / 5) i`,
		`INSERT INTO ehc_requests (id, young_person_id, received_on, requested_by, status, request_outcome, exceptions, decision, decided_on,
			decision_due_on, no_plan_notice_due_on, final_plan_due_on, decision_raw_due_on, final_plan_raw_due_on, plan_issued_on, created_at, updated_at, version)
			SELECT ` + id("00000006") + `, ('00000003-0000-4000-8000-' || lpad(to_hex(i * 10), 12, '0'))::uuid,
			to_char(date '2016-01-01' + ((i * 10) % 3650), 'YYYY-MM-DD'), 'parent', 'assessing', 'Y', '[]', 'assess',
			to_char(date '2016-01-01' + ((i * 10) % 3650) + 35 + i % 14, 'YYYY-MM-DD'),
			to_char(date '2016-01-01' + ((i * 10) % 3650) + 42, 'YYYY-MM-DD'), to_char(date '2016-01-01' + ((i * 10) % 3650) + 112, 'YYYY-MM-DD'),
			to_char(date '2016-01-01' + ((i * 10) % 3650) + 140, 'YYYY-MM-DD'), to_char(date '2016-01-01' + ((i * 10) % 3650) + 42, 'YYYY-MM-DD'),
			to_char(date '2016-01-01' + ((i * 10) % 3650) + 140, 'YYYY-MM-DD'),
			CASE WHEN i % 2 = 0 THEN to_char(date '2016-01-01' + ((i * 10) % 3650) + 120 + i % 40, 'YYYY-MM-DD') END,
			now(), now(), 1 FROM generate_series(1, $1 / 10) i`,
		`INSERT INTO disputes (id, young_person_id, kind, subject_type, subject_id, about, sections, brought_by, received_on, created_at, updated_at, version)
			SELECT ` + id("00000007") + `, ('00000003-0000-4000-8000-' || lpad(to_hex(i * 100), 12, '0'))::uuid,
			(ARRAY['tribunal','mediation','complaint'])[1 + i % 3], 'referral', ('00000004-0000-4000-8000-' || lpad(to_hex(i * 100), 12, '0'))::uuid,
			'service', '[]', 'parent', to_char(date '2016-01-01' + ((i * 100) % 3650) + 60, 'YYYY-MM-DD'), now(), now(), 1 FROM generate_series(1, $1 / 100) i`,
		`INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
			SELECT gen_random_uuid(), r.young_person_id, r.referrer_organisation_id, 'referrer', r.received_on, now(), now(), 1 FROM referrals r`,
		`VACUUM ANALYSE`,
	}
	db, err := sql.Open("pgx", benchDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range stmts {
		args := []any{}
		if containsParam(s) {
			args = append(args, n)
		}
		if _, err := db.Exec(s, args...); err != nil {
			return err
		}
	}
	return nil
}

func containsParam(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '1' {
			return true
		}
	}
	return false
}

// periods: one school year, and the whole ten years.
var benchPeriods = []struct {
	name     string
	from, to time.Time
}{{"year", testkit.Day(2024, 9, 1), testkit.Day(2025, 8, 31)}, {"decade", testkit.Day(2016, 1, 1), testkit.Day(2025, 12, 31)}}

// BenchmarkReports times each report's queries on the loaded database, one school year and the
// whole ten years, and reports its speed as a share of the PostgreSQL ceiling for the same period
// (ceiling-ratio: 1 would be as fast as the bare count).
func BenchmarkReports(b *testing.B) {
	st := benchStore(b)
	db, err := sql.Open("pgx", benchDSN)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	all := report.Filter{}
	for _, p := range benchPeriods {
		f, t := p.from.Format("2006-01-02"), p.to.Format("2006-01-02")
		count := func() {
			var n int64
			if err := db.QueryRow("SELECT COUNT(*) FROM referrals WHERE received_on >= $1 AND received_on <= $2", f, t).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
		// The ceiling is timed here rather than read from its own sub-benchmark, which the
		// testing package does not hand back; the sub-benchmark below reports it as well.
		count()
		const rounds = 20
		start := time.Now()
		for range rounds {
			count()
		}
		ceiling := float64(time.Since(start).Nanoseconds()) / rounds
		b.Run("ceiling/"+p.name, func(b *testing.B) {
			for b.Loop() {
				count()
			}
		})
		for _, r := range []struct {
			name string
			run  func(tx *store.Tx) error
		}{
			{"activity", func(tx *store.Tx) error { _, err := tx.Reports().Activity(p.from, p.to, all); return err }},
			{"activity_locality", func(tx *store.Tx) error {
				_, err := tx.Reports().Activity(p.from, p.to, report.Filter{Locality: "Locality 3"})
				return err
			}},
			{"activity_organisation", func(tx *store.Tx) error {
				_, err := tx.Reports().Activity(p.from, p.to, report.Filter{OrganisationID: "00000001-0000-4000-8000-000000000007"})
				return err
			}},
			{"funnel", func(tx *store.Tx) error { _, err := tx.Reports().Funnel(p.from, p.to, all); return err }},
			{"timeliness", func(tx *store.Tx) error { _, err := tx.Reports().EHCTimeliness(p.from, p.to, all); return err }},
		} {
			b.Run(r.name+"/"+p.name, func(b *testing.B) {
				for b.Loop() {
					if err := st.Read(context.Background(), r.run); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(ceiling/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "ceiling-ratio")
			})
		}
	}
}
