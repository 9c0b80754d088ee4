package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// tsSeed gives rcSeed's children dates of birth spread over the transitions report's ages (two on
// 29 February, two either side of the school year's start), EHC plans first issued on a day or
// ceasing, and transition plans current, ended and expecting the EHC plan to end.
func tsSeed(t *testing.T, st *store.Store) {
	rcSeed(t, st)
	dobs := []string{"2000-02-29", "2004-08-31", "2004-09-01", "1999-12-31", "2010-03-15", "2011-01-01",
		"2008-02-29", "2001-06-30", "2006-11-11", "2009-09-01", "1998-05-05", "2003-03-03"}
	for c, dob := range dobs {
		rcExec(t, st, `UPDATE young_people SET date_of_birth = ? WHERE id = ?`, dob, rcID(3, c))
	}
	// Plans: rcSeed's are issued with no first issue date; give some one, and make one ceasing.
	rcExec(t, st, `UPDATE ehc_plans SET first_issued_on = '2024-05-20' WHERE id IN (SELECT id FROM ehc_plans ORDER BY id LIMIT 2)`)
	rcExec(t, st, `UPDATE ehc_plans SET status = 'ceasing', ceases_on = '2025-03-31' WHERE id = (SELECT id FROM ehc_plans ORDER BY id DESC LIMIT 1)`)
	for c := range 12 {
		if c%3 == 2 {
			continue
		}
		started := testkit.Day(2022, 1, 1).AddDate(0, 2*c, 0)
		var ended, expected any
		if c%4 == 1 {
			ended = started.AddDate(1, 3, 0).Format(time.DateOnly)
		}
		if c%2 == 0 {
			expected = started.AddDate(2, 0, c).Format(time.DateOnly)
		}
		tsPlan(t, st, c, c, started.Format(time.DateOnly), ended, expected)
	}
}

// tsPlan writes transition plan i for child c.
func tsPlan(t *testing.T, st *store.Store, i, c int, started string, ended, expected any) {
	rcExec(t, st, `INSERT INTO transition_plans (id, young_person_id, started_on, pfa, adult_services_contacts, care_act_status, ended_on,
		ehc_plan_expected_end_on, created_at, updated_at, version) VALUES (?, ?, ?, '{}', '[]', 'not_started', ?, ?, ?, ?, 1)`,
		rcID(13, i), rcID(3, c), started, ended, expected, rcStamp, rcStamp)
}

// tsCompare computes the transitions snapshot from the stored spans and by scanning, on days over
// ten years (the first and last of months, 28 and 29 February, 31 August and 1 September), for
// each filter, and wants them equal; it returns how many young people were still marked.
func tsCompare(t *testing.T, st *store.Store, when string) int64 {
	t.Helper()
	var days []time.Time
	for d := testkit.Day(2019, 1, 1); d.Before(testkit.Day(2031, 1, 1)); d = d.AddDate(0, 3, 0) {
		days = append(days, d, d.AddDate(0, 1, -1))
	}
	for y := 2023; y <= 2030; y++ {
		days = append(days, testkit.Day(y, 2, 28), testkit.Day(y, 8, 31), testkit.Day(y, 9, 1))
		if y%4 == 0 {
			days = append(days, testkit.Day(y, 2, 29))
		}
	}
	filters := []report.Filter{{}, {Locality: "North"}, {Locality: " south "}, {Locality: "Nowhere"},
		{OrganisationID: rcID(1, 0)}, {OrganisationID: rcID(1, 1), Locality: "East"}, {OrganisationID: rcID(1, 2)}, {OrganisationID: rcID(1, 2), Locality: "North"}, {OrganisationID: rcID(1, 9)}}
	seen := report.TransitionSnapshot{}
	for _, d := range days {
		gaps, ending := report.TransitionQueries(d)
		for _, f := range filters {
			var got [2]report.TransitionSnapshot
			for i, scan := range []bool{false, true} {
				store.ScanReports(scan)
				err := st.Read(context.Background(), func(tx *store.Tx) (err error) {
					got[i], err = tx.Reports().Transitions(gaps, ending, f)
					return err
				})
				store.ScanReports(false)
				if err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(got[0], got[1]) {
				t.Errorf("%s: transitions on %s %+v:\nspans %+v\nscans %+v", when, d.Format(time.DateOnly), f, got[0], got[1])
			}
			seen.WithPlan += got[0].WithPlan
			seen.WithoutPlan += got[0].WithoutPlan
			seen.EndingExpected += got[0].EndingExpected
			seen.EndingMaxAge += got[0].EndingMaxAge
		}
	}
	if seen.WithPlan == 0 || seen.WithoutPlan == 0 || seen.EndingExpected == 0 || seen.EndingMaxAge == 0 {
		t.Errorf("%s: some figure was never counted (%+v): the comparison proves little", when, seen)
	}
	marked, err := store.RawCount(st, `SELECT COUNT(*) FROM transition_dirty`)
	if err != nil {
		t.Fatal(err)
	}
	return marked
}

// TestTransitionSpansEqualRows: the transitions snapshot read from the stored spans equals the
// snapshot computed from the base tables, with the young people written to still marked, once
// folded and once rebuilt, after referrals closed and corrected, plans ceasing and ceased,
// transition plans started, ended and re-dated, a child moving and a date of birth corrected,
// organisations joining and leaving, a merge, an import of many rows in one statement and the
// erasure of a child.
func TestTransitionSpansEqualRows(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tsSeed(t, st)
		if marked := tsCompare(t, st, "unfolded"); marked == 0 {
			t.Error("unfolded: no young person was marked: the corrections were not tested")
		}
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		if marked := tsCompare(t, st, "folded"); marked != 0 {
			t.Errorf("folded: %d young people still marked", marked)
		}

		rcExec(t, st, `UPDATE referrals SET status = 'closed', closure = '{}' WHERE young_person_id = ?`, rcID(3, 8))
		rcExec(t, st, `UPDATE referrals SET status = 'accepted' WHERE id = ?`, rcID(4, 10))
		rcExec(t, st, `UPDATE referrals SET received_on = '2028-02-29' WHERE id = ?`, rcID(4, 11))
		rcExec(t, st, `UPDATE referrals SET summary = 'no change to the spans' WHERE id = ?`, rcID(4, 12))
		rcExec(t, st, `UPDATE ehc_plans SET status = 'ceased' WHERE status = 'ceasing'`)
		rcExec(t, st, `UPDATE ehc_plans SET status = 'ceasing', ceases_on = '2029-08-31' WHERE id = (SELECT id FROM ehc_plans WHERE status = 'issued' ORDER BY id LIMIT 1)`)
		rcExec(t, st, `UPDATE ehc_plans SET first_issued_on = '2027-01-01' WHERE id = (SELECT id FROM ehc_plans WHERE status = 'issued' ORDER BY id DESC LIMIT 1)`)
		rcExec(t, st, `UPDATE transition_plans SET ended_on = '2026-12-31' WHERE ended_on IS NULL AND young_person_id = ?`, rcID(3, 0))
		tsPlan(t, st, 100, 0, "2027-01-01", nil, "2028-02-29")
		rcExec(t, st, `UPDATE transition_plans SET ehc_plan_expected_end_on = '2027-08-31' WHERE young_person_id = ?`, rcID(3, 4))
		rcExec(t, st, `UPDATE young_people SET locality = 'South', locality_key = 'south' WHERE id = ?`, rcID(3, 0))
		rcExec(t, st, `UPDATE young_people SET locality = NULL, locality_key = NULL WHERE id = ?`, rcID(3, 1))
		rcExec(t, st, `UPDATE young_people SET date_of_birth = '2005-02-28' WHERE id = ?`, rcID(3, 6))
		rcInvolve(t, st, 1, 7, 2, "setting")
		rcExec(t, st, `DELETE FROM involvements WHERE young_person_id = ? AND organisation_id = ?`, rcID(3, 9), rcID(1, 1))
		rcExec(t, st, `DELETE FROM transition_plans WHERE young_person_id = ?`, rcID(3, 3))
		// A merge moves one child's referrals and involvements to the record kept.
		rcExec(t, st, `UPDATE referrals SET young_person_id = ? WHERE young_person_id = ?`, rcID(3, 2), rcID(3, 5))
		rcExec(t, st, `UPDATE involvements SET young_person_id = ? WHERE young_person_id = ?`, rcID(3, 2), rcID(3, 5))
		// An import: many young people and their referrals in one statement each.
		asID := func(expr string) string {
			if st.Dialect() == store.Postgres {
				return "CAST(" + expr + " AS uuid)"
			}
			return expr
		}
		newID := func(kind string) string { return asID("REPLACE(CAST(id AS text), '-8004-', '-80" + kind + "-')") }
		digit := "(1 + CAST(SUBSTR(reference, 5, 1) AS integer) % 9)"
		rcExec(t, st, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, locality, locality_key, contacts,
			recorded_by_org_id, created_at, updated_at, version)
			SELECT `+newID("14")+`, 'Imp', 'Orted', 'imp orted', '2007-0' || `+digit+` || '-15', 'North', 'north',
			'[]', ?, ?, ?, 1 FROM referrals WHERE reference LIKE 'REF-_'`, rcID(1, 0), rcStamp, rcStamp)
		rcExec(t, st, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id,
			reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility,
			created_at, updated_at, version) SELECT `+newID("24")+`, 'IMP-' || reference, 'received', `+newID("14")+`,
			referrer_practitioner_id, referrer_organisation_id, '[]', 'sen', '[]', 0, false, '2024-0' || `+digit+` || '-10', true, '{}',
			?, ?, 1 FROM referrals WHERE reference LIKE 'REF-_'`, rcStamp, rcStamp)
		rcExec(t, st, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
			SELECT `+newID("34")+`, `+newID("14")+`, referrer_organisation_id, 'referrer', '2024-01-01', ?, ?, 1
			FROM referrals WHERE reference LIKE 'REF-_'`, rcStamp, rcStamp)
		tsCompare(t, st, "updated")

		// Involvements join, end, move between organisations and between young people, and go,
		// with the rest folded first so that only these marks correct the organisations' totals.
		if _, err := st.FoldTransitionSpans(ctx); err != nil {
			t.Fatal(err)
		}
		rcExec(t, st, `UPDATE involvements SET ended_on = '2024-06-30' WHERE id IN (?, ?)`, rcID(10, 3), rcID(10, 6))
		if marked := tsCompare(t, st, "involvements ended"); marked != 0 {
			t.Errorf("involvements ended: %d young people marked, want none (an ended involvement still counts)", marked)
		}
		rcInvolve(t, st, 3, 10, 1, "setting")
		rcExec(t, st, `INSERT INTO organisations (id, name, search_name, type, created_at, updated_at, version) VALUES (?, 'New', 'new', 'school_special', ?, ?, 1)`,
			rcID(1, 9), rcStamp, rcStamp)
		rcInvolve(t, st, 4, 11, 9, "setting") // an organisation nobody else was involved with
		rcExec(t, st, `UPDATE involvements SET organisation_id = ? WHERE id = ?`, rcID(1, 2), rcID(10, 4))
		rcExec(t, st, `UPDATE involvements SET young_person_id = ? WHERE id = ?`, rcID(3, 11), rcID(10, 5))
		rcExec(t, st, `DELETE FROM involvements WHERE young_person_id = ? AND organisation_id = ?`, rcID(3, 1), rcID(1, 0))
		if marked := tsCompare(t, st, "involvements moved"); marked == 0 {
			t.Error("involvements moved: no young person was marked: the corrections were not tested")
		}
		if _, err := st.FoldTransitionSpans(ctx); err != nil {
			t.Fatal(err)
		}
		if marked := tsCompare(t, st, "involvements folded"); marked != 0 {
			t.Errorf("involvements folded: %d young people still marked", marked)
		}
		// The organisations' totals moved with their young people: organisation 9's are stored.
		if n, err := store.RawCount(st, `SELECT COUNT(*) FROM transition_org_counts WHERE organisation_id = ? AND n <> 0`, rcID(1, 9)); err != nil || n == 0 {
			t.Errorf("involvements folded: %d totals stored for the new organisation (%v)", n, err)
		}

		child, err := store.RawString(st, `SELECT young_person_id FROM transition_plans ORDER BY id LIMIT 1`)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.People().Erase(child) }); err != nil {
			t.Fatal(err)
		}
		tsCompare(t, st, "erased")
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		tsCompare(t, st, "folded again")
		if err := st.RebuildReportCounts(ctx); err != nil {
			t.Fatal(err)
		}
		tsCompare(t, st, "rebuilt")
		if n, err := store.RawCount(st, `SELECT COUNT(*) FROM transition_spans`); err != nil || n == 0 {
			t.Errorf("rebuilt: %d spans stored (%v)", n, err)
		}
	})
}

// TestTransitionSpansConcurrentWrites: young people and referrals written by 8 writers at once,
// with referrals closed as they go and folds running among them, end up counted as a scan counts
// them, folded or not.
func TestTransitionSpansConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.Postgres {
			t.Skip("SQLite has one writer at a time")
		}
		rcExec(t, st, `INSERT INTO organisations (id, name, search_name, type, created_at, updated_at, version) VALUES (?, 'S', 's', 'school_primary', ?, ?, 1)`,
			rcID(1, 0), rcStamp, rcStamp)
		rcExec(t, st, `INSERT INTO practitioners (id, organisation_id, name, search_name, email, role, active, created_at, updated_at, version)
			VALUES (?, ?, 'Sam Lee', 'sam lee', 'sam@example.org', 'senco', true, ?, ?, 1)`, rcID(2, 0), rcID(1, 0), rcStamp, rcStamp)
		const writers, each = 8, 15
		var writes []func() error
		for w := range writers {
			writes = append(writes, func() error {
				for i := range each {
					n := w*each + i
					err := st.InTx(ctx, func(tx *store.Tx) error {
						if err := store.TxExec(tx, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, locality, locality_key,
							contacts, recorded_by_org_id, created_at, updated_at, version) VALUES (?, 'Ada', 'Byron', 'ada byron', ?, 'North', 'north', '[]', ?, ?, ?, 1)`,
							rcID(3, n), fmt.Sprintf("20%02d-0%d-1%d", 5+n%10, 1+n%9, n%10), rcID(1, 0), rcStamp, rcStamp); err != nil {
							return err
						}
						return store.TxExec(tx, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id,
							referrer_organisation_id, reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on,
							eligible, eligibility, created_at, updated_at, version) VALUES (?, ?, 'received', ?, ?, ?, '[]', 'sen', '[]', 0, false,
							'2025-03-04', true, '{}', ?, ?, 1)`, rcID(4, n), fmt.Sprintf("REF-%d", n), rcID(3, n), rcID(2, 0), rcID(1, 0), rcStamp, rcStamp)
					})
					if err == nil && n%3 == 0 {
						_, err = store.RawExec(st, `UPDATE referrals SET status = 'closed', closure = '{}' WHERE id = ?`, rcID(4, n))
					}
					if err != nil {
						return err
					}
				}
				return nil
			})
		}
		writeWhileFolding(t, func() error { _, err := st.FoldTransitionSpans(ctx); return err }, writes...)
		on := testkit.Day(2026, 12, 31)
		gaps, ending := report.TransitionQueries(on)
		for _, when := range []string{"as written", "folded"} {
			var got [2]report.TransitionSnapshot
			for i, scan := range []bool{false, true} {
				store.ScanReports(scan)
				err := st.Read(ctx, func(tx *store.Tx) (err error) {
					got[i], err = tx.Reports().Transitions(gaps, ending, report.Filter{})
					return err
				})
				store.ScanReports(false)
				if err != nil {
					t.Fatal(err)
				}
			}
			if got[0] != got[1] || got[1].WithoutPlan == 0 {
				t.Errorf("%s: spans %+v, scans %+v", when, got[0], got[1])
			}
			if _, err := st.FoldTransitionSpans(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestTransitionSpansFoldInBatches: after an upgrade marks every young person, Migrate folds only
// a bounded number (so a large council's server starts serving at once), the rest are folded in
// batches of a transaction each, and the report is exact throughout: corrected for those still
// marked, or scanned when too many are.
func TestTransitionSpansFoldInBatches(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tsSeed(t, st)
		if _, err := st.FoldTransitionSpans(ctx); err != nil {
			t.Fatal(err)
		}
		// As migration 0102 marks them.
		rcExec(t, st, `INSERT INTO transition_dirty (young_person_id) SELECT young_person_id FROM referrals UNION SELECT young_person_id FROM ehc_plans`)
		before, err := store.RawCount(st, `SELECT COUNT(*) FROM transition_dirty`)
		if err != nil || before < 10 {
			t.Fatalf("%d young people marked (%v): too few to fold in batches", before, err)
		}
		defer store.SetTransitionFolds(3, 2, 1000)()
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if marked := tsCompare(t, st, "started"); marked != before-2 {
			t.Errorf("after Migrate %d of %d still marked, want all but the 2 it may fold", marked, before)
		}
		store.SetTransitionFolds(3, 2, 1) // too many marked: the report scans
		tsCompare(t, st, "many marked")
		n, err := st.FoldTransitionSpans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != int(before-2) {
			t.Errorf("the fold worked out %d young people, want %d", n, before-2)
		}
		if marked := tsCompare(t, st, "folded"); marked != 0 {
			t.Errorf("folded in batches: %d still marked", marked)
		}
		// A rebuild (in bulk on PostgreSQL) stores exactly what folding stored, a locality
		// with a quote and a backslash included.
		rcExec(t, st, `UPDATE young_people SET locality = 'O"Brien\Town', locality_key = 'o"brien\town' WHERE id = ?`, rcID(3, 2))
		if _, err := st.FoldTransitionSpans(ctx); err != nil {
			t.Fatal(err)
		}
		stored := func() []string {
			t.Helper()
			spans, err := store.RawStrings(st, `SELECT CAST(young_person_id AS text) || '|' || kind || '|' || from_on || '|' || to_on || '|' || locality
				FROM transition_spans ORDER BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			counts, err := store.RawStrings(st, `SELECT kind || '|' || day || '|' || locality || '|' || CAST(n AS text) FROM transition_counts
				WHERE n <> 0 ORDER BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			orgs, err := store.RawStrings(st, `SELECT CAST(young_person_id AS text) || '|' || CAST(organisation_id AS text) FROM transition_orgs ORDER BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			orgCounts, err := store.RawStrings(st, `SELECT CAST(organisation_id AS text) || '|' || kind || '|' || day || '|' || locality || '|' || CAST(n AS text)
				FROM transition_org_counts WHERE n <> 0 ORDER BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			if len(orgs) == 0 || len(orgCounts) == 0 {
				t.Errorf("%d organisations and %d organisation totals stored: the comparison proves little", len(orgs), len(orgCounts))
			}
			return slices.Concat(spans, counts, orgs, orgCounts)
		}
		folded := stored()
		if err := st.RebuildReportCounts(ctx); err != nil {
			t.Fatal(err)
		}
		if rebuilt := stored(); !reflect.DeepEqual(folded, rebuilt) || !slices.ContainsFunc(rebuilt, func(s string) bool { return strings.Contains(s, `o"brien\town`) }) {
			t.Errorf("folded and rebuilt spans differ:\nfolded  %q\nrebuilt %q", folded, rebuilt)
		}
	})
}

// TestTransitionScanAboveScales: the transitions report corrects for as many young people marked
// as it would cost to scan them all: on PostgreSQL one in 25 of the young people as last
// analysed, never fewer than its floor; on SQLite the floor.
func TestTransitionScanAboveScales(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		defer store.SetTransitionFolds(5000, 1000, 10)()
		tsSeed(t, st)
		rcExec(t, st, `DELETE FROM transition_dirty`)
		young := `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, locality, locality_key, contacts,
			recorded_by_org_id, created_at, updated_at, version) SELECT `
		if st.Dialect() == store.Postgres {
			rcExec(t, st, young+`CAST('00000099-0000-4000-8000-' || lpad(to_hex(i), 12, '0') AS uuid), 'Many', 'Children', 'many children',
				'2010-01-01', 'North', 'north', '[]', ?, ?, ?, 1 FROM generate_series(1, 2000) i`, rcID(1, 0), rcStamp, rcStamp)
			rcExec(t, st, `ANALYSE young_people`)
		}
		marks, above, err := store.TransitionMarks(st)
		if err != nil {
			t.Fatal(err)
		}
		want := int64(10)
		if st.Dialect() == store.Postgres {
			est, err := store.RawCount(st, `SELECT CAST(reltuples AS bigint) FROM pg_class WHERE oid = 'young_people'::regclass`)
			if err != nil || est < 2000 {
				t.Fatalf("young people as analysed: %d (%v)", est, err)
			}
			want = est / 25
		}
		if above != want || marks != 0 {
			t.Fatalf("corrects for up to %d young people marked (%d marked), want %d (none marked)", above, marks, want)
		}
		rcExec(t, st, `INSERT INTO transition_dirty (young_person_id) SELECT id FROM young_people`)
		if marks, _, err = store.TransitionMarks(st); err != nil || marks != above+1 {
			t.Fatalf("%d marked counted (%v), want the count to stop at %d", marks, err, above+1)
		}
	})
}
