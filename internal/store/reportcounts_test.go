package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/migrations"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// The report data is written with plain SQL, as the triggers see every write the same way
// whichever repository makes it; the erasure goes through the store.

const rcStamp = "2025-01-01 00:00:00"

func rcID(kind, i int) string { return fmt.Sprintf("00000000-0000-4000-8%03d-%012d", kind, i) }

func rcExec(t *testing.T, st *store.Store, sql string, args ...any) {
	t.Helper()
	if _, err := store.RawExec(st, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// rcReferral inserts referral n, received, for the one child, practitioner and organisation the
// concurrency tests set up (no report trigger is bypassed).
func rcReferral(st *store.Store, n int) error {
	_, err := store.RawExec(st, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id,
		referrer_organisation_id, reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on,
		eligible, eligibility, created_at, updated_at, version) VALUES (?, ?, 'received', ?, ?, ?, '[]', 'sen', '[]', 0, false,
		'2025-03-04', true, '{}', ?, ?, 1)`, rcID(4, n), fmt.Sprintf("REF-%d", n), rcID(3, 0), rcID(2, 0), rcID(1, 0), rcStamp, rcStamp)
	return err
}

// writeWhileFolding runs the writes at once (each a writer's whole loop), with fold running over
// and over among them until they finish, and fails t on any error.
func writeWhileFolding(t *testing.T, fold func() error, writes ...func() error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(writes)+1)
	for _, write := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := write(); err != nil {
				errs <- err
			}
		}()
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := fold(); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-done
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

var rcLocalities = []string{"North", "South", "East", ""}

// rcSeed writes settings of three types, 12 children in four localities (one unrecorded) and,
// over 2023 to 2025, 90 referrals with their reasons and stages, meetings, disputes, EHC requests
// with decisions and plans, and decided annual reviews.
func rcSeed(t *testing.T, st *store.Store) {
	rng := rand.New(rand.NewPCG(16, 13))
	types := []string{"school_primary", "school_secondary", "pvi_nursery"}
	for i, typ := range types {
		rcExec(t, st, `INSERT INTO organisations (id, name, search_name, type, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1)`,
			rcID(1, i), "Setting "+fmt.Sprint(i), "setting "+fmt.Sprint(i), typ, rcStamp, rcStamp)
		rcExec(t, st, `INSERT INTO practitioners (id, organisation_id, name, search_name, email, role, active, created_at, updated_at, version)
			VALUES (?, ?, 'Sam Lee', 'sam lee', ?, 'senco', true, ?, ?, 1)`, rcID(2, i), rcID(1, i), fmt.Sprintf("sam%d@example.org", i), rcStamp, rcStamp)
	}
	for c := range 12 {
		loc := rcLocalities[c%4]
		var name, key any
		if loc != "" {
			name, key = loc, rcKey(loc)
		}
		rcExec(t, st, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, locality, locality_key, contacts,
			recorded_by_org_id, created_at, updated_at, version) VALUES (?, 'Ada', 'Byron', 'ada byron', '2012-06-01', ?, ?, '[]', ?, ?, ?, 1)`,
			rcID(3, c), name, key, rcID(1, 0), rcStamp, rcStamp)
	}
	reasons := []string{"sen", "semh", "asd_asc", "speech_language"}
	stages := []string{"accepted", "assessing", "allocated", "closed"}
	planned := map[int]bool{} // a child has one current plan
	day := func() time.Time { return testkit.Day(2023, 1, 1).AddDate(0, 0, rng.IntN(3*365)) }
	for i := range 90 {
		c, o := rng.IntN(12), rng.IntN(3)
		loc := rcLocalities[c%4]
		var name, key, route any
		if loc != "" {
			name, key = loc, rcKey(loc)
		}
		if i%3 != 0 {
			route = []string{"family_assessment", "safeguarding_assessment"}[i%2]
		}
		main := reasons[rng.IntN(len(reasons))]
		received := day()
		rcExec(t, st, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id,
			reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on, route, eligible, eligibility,
			created_at, updated_at, version, locality, locality_key) VALUES (?, ?, 'received', ?, ?, ?, '[]', ?, '[]', 0, false, ?, ?, true, '{}', ?, ?, 1, ?, ?)`,
			rcID(4, i), fmt.Sprintf("REF-%d", i), rcID(3, c), rcID(2, o), rcID(1, o), main, received.Format(time.DateOnly), route, rcStamp, rcStamp, name, key)
		rcReason(t, st, i, main, true)
		// The referrer is in the team around the child, once per referral (so twice for some).
		rcInvolve(t, st, i, c, o, "referrer")
		if i%4 == 1 {
			rcReason(t, st, i, "social_care", false)
		}
		rcStage(t, st, i, "received", 0, nil)
		prev := 0
		for s := range rng.IntN(len(stages)) {
			d := prev + 1 + rng.IntN(30)
			rcStage(t, st, i, stages[s], d, d-prev)
			prev = d
		}
		if i%3 == 0 {
			rcExec(t, st, `INSERT INTO meetings (id, referral_id, young_person_id, type, held_on, attendees, decisions, created_at, updated_at, version)
				VALUES (?, ?, ?, ?, ?, '[]', '[]', ?, ?, 1)`, rcID(5, i), rcID(4, i), rcID(3, c), []string{"mam", "map", "taf"}[i%3/1%3],
				received.AddDate(0, 0, 20).Format(time.DateOnly), rcStamp, rcStamp)
		}
		if i%7 == 0 {
			rcExec(t, st, `INSERT INTO disputes (id, young_person_id, kind, subject_type, subject_id, about, sections, brought_by, received_on,
				created_at, updated_at, version) VALUES (?, ?, ?, 'referral', ?, 'service', '[]', 'parent', ?, ?, ?, 1)`,
				rcID(6, i), rcID(3, c), []string{"tribunal", "mediation", "complaint"}[i%3], rcID(4, i), received.AddDate(0, 1, 0).Format(time.DateOnly), rcStamp, rcStamp)
		}
		if i%2 == 0 {
			d := func(days int) string { return received.AddDate(0, 0, days).Format(time.DateOnly) }
			var decision, decided, issued any
			if i%6 != 4 {
				decision, decided = []string{"assess", "not_assess"}[i%5/4], d(30+rng.IntN(25))
			}
			if decision == "assess" && i%4 == 0 {
				issued = d(120 + rng.IntN(40))
			}
			rcExec(t, st, `INSERT INTO ehc_requests (id, young_person_id, received_on, requested_by, status, request_outcome, exceptions,
				decision, decided_on, decision_due_on, decision_raw_due_on, no_plan_notice_due_on, final_plan_due_on, final_plan_raw_due_on,
				plan_issued_on, week20, created_at, updated_at, version)
				VALUES (?, ?, ?, 'parent', 'received', 'pending', '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
				rcID(7, i), rcID(3, c), received.Format(time.DateOnly), decision, decided, d(45), d(42), d(112), d(145), d(140), issued, i%8 == 0, rcStamp, rcStamp)
			if issued != nil && !planned[c] {
				planned[c] = true
				rcExec(t, st, `INSERT INTO ehc_plans (id, young_person_id, ehc_request_id, status, created_at, updated_at, version)
					VALUES (?, ?, ?, 'issued', ?, ?, 1)`, rcID(8, i), rcID(3, c), rcID(7, i), rcStamp, rcStamp)
				due := received.AddDate(1, 0, 0)
				meeting := due.AddDate(0, 0, rng.IntN(20)-10)
				status, decidedOn := "decided", meeting.AddDate(0, 0, rng.IntN(40)).Format(time.DateOnly)
				if i%3 == 0 {
					status = "meeting_held"
				}
				rcExec(t, st, `INSERT INTO annual_reviews (id, plan_id, young_person_id, sequence, status, due_on, meeting_on, decided_on,
					decision_due_on, created_at, updated_at, version) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 1)`, rcID(9, i), rcID(8, i), rcID(3, c), status,
					due.Format(time.DateOnly), meeting.Format(time.DateOnly), decidedOn, meeting.AddDate(0, 0, 28).Format(time.DateOnly), rcStamp, rcStamp)
			}
		}
	}
}

// rcInvolve records organisation o in the team around child c (involvement i of that role).
func rcInvolve(t *testing.T, st *store.Store, i, c, o int, role string) {
	id := i
	if role != "referrer" {
		id += 1000
	}
	rcExec(t, st, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, '2023-01-01', ?, ?, 1)`, rcID(10, id), rcID(3, c), rcID(1, o), role, rcStamp, rcStamp)
}

// rcSurveys writes two templates and 60 responses over 2023 to 2025 with a scored, a yes/no, a
// text and a multiple-choice answer each (one choice holding a '|'), every fifth anonymous.
func rcSurveys(t *testing.T, st *store.Store) {
	rng := rand.New(rand.NewPCG(84, 13))
	for j := range 2 {
		rcExec(t, st, `INSERT INTO survey_templates (id, code, name, audience, built_in, created_at, updated_at, version) VALUES (?, ?, ?, 'parent', false, ?, ?, 1)`,
			rcID(11, j), fmt.Sprintf("T%d", j), fmt.Sprintf("Template %d", j), rcStamp, rcStamp)
	}
	for k := range 60 {
		audience, role := []string{"parent", "young_person", "professional"}[k%3], any(nil)
		if audience == "professional" {
			role = []string{"engagement_lead", "health"}[k%2]
		}
		var child any
		if k%5 != 0 {
			child = rcID(3, k%12)
		}
		point := []string{"after_referral", "after_plan", "after_review"}[k%3/1%3]
		on := testkit.Day(2023, 1, 1).AddDate(0, 0, rng.IntN(3*365)).Format(time.DateOnly)
		rcExec(t, st, `INSERT INTO survey_responses (id, template_id, template_version, audience, professional_role, point, young_person_id,
			submitted_on, via, answers, created_at, version) VALUES (?, ?, 1, ?, ?, ?, ?, ?, 'link', '[]', ?, 1)`,
			rcID(12, k), rcID(11, k%2), audience, role, point, child, on, rcStamp)
		for _, a := range []struct {
			q, typ string
			score  any
			choice any
		}{{"q1", "likert5", 1 + rng.IntN(5), nil}, {"q2", "yes_no", nil, []string{"yes", "no"}[rng.IntN(2)]}, {"q3", "text", nil, nil},
			{"q4", "choice", nil, []string{"a", "b|c"}[rng.IntN(2)]}} {
			rcExec(t, st, `INSERT INTO survey_answers (response_id, question_id, template_id, audience, professional_role, point, submitted_on,
				young_person_id, question_type, score, choice) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				rcID(12, k), a.q, rcID(11, k%2), audience, role, point, on, child, a.typ, a.score, a.choice)
		}
	}
}

func rcKey(loc string) string {
	return map[string]string{"North": "north", "South": "south", "East": "east"}[loc]
}

func rcReason(t *testing.T, st *store.Store, i int, reason string, main bool) {
	rcExec(t, st, `INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key)
		SELECT id, ?, ?, young_person_id, received_on, locality_key FROM referrals WHERE id = ?`, reason, main, rcID(4, i))
}

func rcStage(t *testing.T, st *store.Store, i int, stage string, days int, fromPrevious any) {
	rcExec(t, st, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received, days_from_previous)
		SELECT id, ?, received_on, young_person_id, received_on, locality_key, ?, ? FROM referrals WHERE id = ?`, stage, days, fromPrevious, rcID(4, i))
}

// rcPeriods are whole months, years and decades, and periods not of whole months (the days at
// either end counted from the records, the months between from the counts).
var rcPeriods = [][2]time.Time{
	{testkit.Day(2024, 1, 1), testkit.Day(2024, 12, 31)},
	{testkit.Day(2023, 1, 1), testkit.Day(2025, 12, 31)},
	{testkit.Day(2024, 3, 1), testkit.Day(2024, 3, 31)},
	{testkit.Day(2023, 9, 1), testkit.Day(2024, 8, 31)},
	{testkit.Day(2016, 1, 1), testkit.Day(2025, 12, 31)},
	{testkit.Day(2023, 6, 1), testkit.Day(2025, 2, 28)},
	{testkit.Day(2023, 6, 15), testkit.Day(2025, 2, 27)},
	{testkit.Day(2023, 6, 15), testkit.Day(2025, 2, 28)},
	{testkit.Day(2023, 6, 1), testkit.Day(2025, 2, 27)},
	{testkit.Day(2024, 2, 10), testkit.Day(2024, 4, 9)},
	{testkit.Day(2024, 2, 10), testkit.Day(2024, 3, 31)},
	{testkit.Day(2024, 3, 5), testkit.Day(2024, 3, 25)},
	{testkit.Day(2024, 3, 20), testkit.Day(2024, 4, 10)},
	{testkit.Day(2024, 2, 29), testkit.Day(2024, 2, 29)},
	{testkit.Day(2015, 12, 31), testkit.Day(2025, 12, 30)},
}

// rcOrgFilters are the organisation filters: each of the three settings (one with a locality too)
// and one involved with no one. An organisation's reports read its own counts (migration 0110).
var rcOrgFilters = []report.Filter{{OrganisationID: rcID(1, 0)}, {OrganisationID: rcID(1, 1), Locality: "East"}, {OrganisationID: rcID(1, 1)},
	{OrganisationID: rcID(1, 2)}, {OrganisationID: rcID(1, 9)}}

// rcCompare computes the activity, funnel, timeliness and experience reports from the counts and
// from the base tables, for every period and filter, and wants them equal.
func rcCompare(t *testing.T, st *store.Store, when string) {
	t.Helper()
	filters := append([]report.Filter{{}, {Locality: "North"}, {Locality: " south "}, {Locality: "Nowhere"}}, rcOrgFilters...)
	rcCompareOn(t, st, when, rcPeriods, filters, true)
}

// rcCompareOn is rcCompare over the periods and filters given; nonEmpty also wants the figures
// compared to hold something worth comparing.
func rcCompareOn(t *testing.T, st *store.Store, when string, periods [][2]time.Time, filters []report.Filter, wantFigures bool) {
	t.Helper()
	both := func(f func(tx *store.Tx) (any, error)) (counted, scanned any) {
		t.Helper()
		for _, scan := range []bool{false, true} {
			store.ScanReports(scan)
			var got any
			if err := st.Read(context.Background(), func(tx *store.Tx) (err error) { got, err = f(tx); return err }); err != nil {
				store.ScanReports(false)
				t.Fatal(err)
			}
			if scan {
				scanned = got
			} else {
				counted = got
			}
		}
		store.ScanReports(false)
		return counted, scanned
	}
	nonEmpty, orgPart, answers := false, false, false
	for _, p := range periods {
		for _, f := range filters {
			for name, run := range map[string]func(tx *store.Tx) (any, error){
				"activity":   func(tx *store.Tx) (any, error) { return tx.Reports().Activity(p[0], p[1], f) },
				"funnel":     func(tx *store.Tx) (any, error) { return tx.Reports().Funnel(p[0], p[1], f) },
				"timeliness": func(tx *store.Tx) (any, error) { return tx.Reports().EHCTimeliness(p[0], p[1], f) },
				"experience": func(tx *store.Tx) (any, error) { return tx.Reports().SurveyAnswerCounts(p[0], p[1], f, "", "") },
				"experience of one template": func(tx *store.Tx) (any, error) {
					return tx.Reports().SurveyAnswerCounts(p[0], p[1], f, rcID(11, 1), "")
				},
				"experience at one point": func(tx *store.Tx) (any, error) {
					return tx.Reports().SurveyAnswerCounts(p[0], p[1], f, rcID(11, 0), "after_plan")
				},
			} {
				counted, scanned := both(run)
				if !reflect.DeepEqual(counted, scanned) {
					t.Errorf("%s: %s %s..%s %+v:\ncounts %+v\nscans  %+v", when, name, p[0].Format(time.DateOnly), p[1].Format(time.DateOnly), f, counted, scanned)
				}
				if a, ok := counted.([]report.AnswerCount); ok && len(a) > 12 && f.Locality != "" && p[0].Day() != 1 {
					answers = true
				}
				if a, ok := counted.(report.ActivityFigures); ok && a.Referrals > 0 && a.PlansIssued > 0 && len(a.Meetings) > 0 && len(a.Settings) > 1 {
					nonEmpty = true
					if f.OrganisationID != "" && p[0].Day() != 1 {
						orgPart = true
					}
				}
			}
		}
	}
	if !wantFigures {
		return
	}
	if !nonEmpty {
		t.Errorf("%s: no period had referrals, meetings and plans: the comparison proves nothing", when)
	}
	if !answers {
		t.Errorf("%s: no locality had survey answers over part months: the comparison proves nothing", when)
	}
	if !orgPart {
		t.Errorf("%s: no organisation had figures over part months: the comparison proves nothing", when)
	}
}

// TestReportCountsEqualRows: every report read from report_counts equals the same report computed
// from the base tables, with the changes still in report_deltas, once folded and once rebuilt,
// after updates, closes, a child moving, a setting changing type, a merge and the erasure of a
// child.
func TestReportCountsEqualRows(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rcSeed(t, st)
		rcSurveys(t, st)
		rcCompare(t, st, "unfolded")
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		rcCompare(t, st, "folded")

		// Updates: a new main reason and route, a referral closed, a child moving, a setting's type.
		rcExec(t, st, `UPDATE referrals SET main_reason = 'semh', route = 'family_assessment' WHERE id = ?`, rcID(4, 3))
		rcExec(t, st, `UPDATE referral_reasons SET reason = 'semh' WHERE referral_id = ? AND main = ?`, rcID(4, 3), true)
		rcExec(t, st, `UPDATE referrals SET status = 'closed', closure = '{}' WHERE id = ?`, rcID(4, 5))
		rcStage(t, st, 5, "closed_early", 77, nil)
		rcExec(t, st, `UPDATE referrals SET summary = 'no count changes' WHERE id = ?`, rcID(4, 6))
		rcExec(t, st, `UPDATE young_people SET locality = 'South', locality_key = 'south' WHERE id = ?`, rcID(3, 0))
		rcExec(t, st, `UPDATE young_people SET locality = NULL, locality_key = NULL WHERE id = ?`, rcID(3, 1))
		rcExec(t, st, `UPDATE organisations SET type = 'school_special' WHERE id = ?`, rcID(1, 2))
		rcExec(t, st, `UPDATE ehc_requests SET decision = 'assess', decided_on = received_on WHERE decided_on IS NULL`)
		rcExec(t, st, `UPDATE ehc_requests SET week20 = ? WHERE plan_issued_on IS NOT NULL`, true)
		rcExec(t, st, `UPDATE annual_reviews SET status = 'decided' WHERE status = 'meeting_held'`)
		rcExec(t, st, `UPDATE meetings SET held_on = '2024-02-29' WHERE id IN (SELECT id FROM meetings ORDER BY id LIMIT 3)`)
		// Organisations join and leave the team around children.
		rcInvolve(t, st, 1, 7, 2, "setting")
		rcInvolve(t, st, 2, 8, 0, "other")
		rcExec(t, st, `DELETE FROM involvements WHERE young_person_id = ? AND organisation_id = ?`, rcID(3, 9), rcID(1, 1))
		rcExec(t, st, `UPDATE survey_answers SET score = 5 WHERE question_id = 'q1' AND score = 1`)
		rcExec(t, st, `UPDATE survey_answers SET submitted_on = '2024-03-10', point = 'after_plan' WHERE response_id = ?`, rcID(12, 7))
		rcExec(t, st, `UPDATE survey_answers SET young_person_id = ? WHERE response_id = ?`, rcID(3, 2), rcID(12, 5))
		rcExec(t, st, `DELETE FROM survey_answers WHERE response_id = ?`, rcID(12, 8))
		// A merge moves a child's records to the record kept, here in another locality.
		for _, table := range []string{"meetings", "disputes", "ehc_requests", "annual_reviews", "survey_answers"} {
			rcExec(t, st, `UPDATE `+table+` SET young_person_id = ? WHERE young_person_id = ?`, rcID(3, 6), rcID(3, 5))
		}
		rcCompare(t, st, "updated")
		// The server's early fold: the counts alone, the children marked by the team changes
		// above still marked.
		if _, err := st.FoldCounts(ctx); err != nil {
			t.Fatal(err)
		}
		if marked, err := store.RawString(st, `SELECT CAST(count(*) AS TEXT) FROM report_org_dirty`); err != nil || marked == "0" {
			t.Fatalf("%s children marked after the counts' fold (%v): the step proves less than it says", marked, err)
		}
		rcCompare(t, st, "counts folded")
		// Then the marked children, in batches of two (the early fold's small batches), and
		// their contributions' deltas.
		restore := store.SetEarlyChildrenBatch(2)
		n, err := st.FoldMarkedChildren(ctx, time.Minute)
		restore()
		if err != nil || n < 3 {
			t.Fatalf("FoldMarkedChildren: %d children, %v (fewer than two batches prove little)", n, err)
		}
		if marked, err := store.RawString(st, `SELECT CAST(count(*) AS TEXT) FROM report_org_dirty`); err != nil || marked != "0" {
			t.Fatalf("%s children still marked after FoldMarkedChildren (%v)", marked, err)
		}
		rcCompare(t, st, "children folded")
		if _, err := st.FoldCounts(ctx); err != nil {
			t.Fatal(err)
		}
		rcCompare(t, st, "children's counts folded")

		// The erasure of a child with referrals, meetings, requests and plans.
		child, err := store.RawString(st, `SELECT young_person_id FROM ehc_requests WHERE plan_issued_on IS NOT NULL ORDER BY id LIMIT 1`)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.People().Erase(child) }); err != nil {
			t.Fatal(err)
		}
		rcCompare(t, st, "erased")
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		rcCompare(t, st, "folded again")
		if err := st.RebuildReportCounts(ctx); err != nil {
			t.Fatal(err)
		}
		rcCompare(t, st, "rebuilt")
	})
}

// TestReportCountsMultiRowInserts: referrals, reasons and stages written many rows a statement (as
// an import writes them: on PostgreSQL their deltas are appended per statement, migration 0041),
// and in data-modifying CTEs of one statement (as a request's kept writes go), count exactly as the
// base rows say, before and after a fold.
func TestReportCountsMultiRowInserts(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rcSeed(t, st)
		rcSurveys(t, st)
		rng := rand.New(rand.NewPCG(41, 18))
		const n = 40
		var (
			values []string
			args   []any
		)
		for i := range n {
			c, o := rng.IntN(12), rng.IntN(3)
			loc := rcLocalities[c%4]
			var name, key, route any
			if loc != "" {
				name, key = loc, rcKey(loc)
			}
			if i%3 != 1 {
				route = "family_assessment"
			}
			received := testkit.Day(2023, 1, 1).AddDate(0, 0, rng.IntN(3*365)).Format(time.DateOnly)
			values = append(values, "(?, ?, 'received', ?, ?, ?, '[]', ?, '[]', 0, false, ?, ?, true, '{}', ?, ?, 1, ?, ?)")
			args = append(args, rcID(14, i), fmt.Sprintf("BATCH-%d", i), rcID(3, c), rcID(2, o), rcID(1, o),
				[]string{"sen", "semh", "asd_asc"}[i%3], received, route, rcStamp, rcStamp, name, key)
		}
		rcExec(t, st, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id,
			reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on, route, eligible, eligibility,
			created_at, updated_at, version, locality, locality_key) VALUES `+strings.Join(values, ", "), args...)
		rcExec(t, st, `INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key)
			SELECT id, main_reason, true, young_person_id, received_on, locality_key FROM referrals WHERE reference LIKE 'BATCH-%'`)
		rcExec(t, st, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received)
			SELECT id, 'received', received_on, young_person_id, received_on, locality_key, 0 FROM referrals WHERE reference LIKE 'BATCH-%'
			ON CONFLICT (referral_id, stage) DO NOTHING`)
		// Two statements' worth of stages again: nothing inserted, nothing counted.
		rcExec(t, st, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received)
			SELECT id, 'received', received_on, young_person_id, received_on, locality_key, 0 FROM referrals WHERE reference LIKE 'BATCH-%'
			ON CONFLICT (referral_id, stage) DO NOTHING`)
		if st.Dialect() == store.Postgres {
			// Several inserts into one table in one statement (data-modifying CTEs).
			rcExec(t, st, `WITH a AS (INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key,
				days_from_received, days_from_previous) SELECT id, 'accepted', received_on, young_person_id, received_on, locality_key, 3, 3
				FROM referrals WHERE reference IN ('BATCH-1', 'BATCH-2') RETURNING 1),
				b AS (INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key,
				days_from_received, days_from_previous) SELECT id, 'accepted', received_on, young_person_id, received_on, locality_key, 5, 5
				FROM referrals WHERE reference IN ('BATCH-3', 'BATCH-4', 'BATCH-5') RETURNING 1)
				SELECT (SELECT COUNT(*) FROM a) + (SELECT COUNT(*) FROM b)`)
		}
		rcCompare(t, st, "multi-row")
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		rcCompare(t, st, "multi-row, folded")
		rcExec(t, st, `DELETE FROM referral_stages WHERE referral_id IN (SELECT id FROM referrals WHERE reference LIKE 'BATCH-1%')`)
		rcExec(t, st, `DELETE FROM referral_reasons WHERE referral_id IN (SELECT id FROM referrals WHERE reference LIKE 'BATCH-1%')`)
		rcExec(t, st, `DELETE FROM referrals WHERE reference LIKE 'BATCH-1%'`)
		rcCompare(t, st, "multi-row, some deleted")
		if err := st.RebuildReportCounts(ctx); err != nil {
			t.Fatal(err)
		}
		rcCompare(t, st, "multi-row, rebuilt")
	})
}

// TestReportCountsConcurrentCreates: referrals created by 16 writers at once, with folds running
// among them, are each counted exactly once.
func TestReportCountsConcurrentCreates(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.Postgres {
			t.Skip("SQLite has one writer at a time")
		}
		rcExec(t, st, `INSERT INTO organisations (id, name, search_name, type, created_at, updated_at, version) VALUES (?, 'S', 's', 'school_primary', ?, ?, 1)`,
			rcID(1, 0), rcStamp, rcStamp)
		rcExec(t, st, `INSERT INTO practitioners (id, organisation_id, name, search_name, email, role, active, created_at, updated_at, version)
			VALUES (?, ?, 'Sam Lee', 'sam lee', 'sam@example.org', 'senco', true, ?, ?, 1)`, rcID(2, 0), rcID(1, 0), rcStamp, rcStamp)
		rcExec(t, st, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, contacts, recorded_by_org_id,
			created_at, updated_at, version) VALUES (?, 'Ada', 'Byron', 'ada byron', '2012-06-01', '[]', ?, ?, ?, 1)`, rcID(3, 0), rcID(1, 0), rcStamp, rcStamp)
		const writers, each = 16, 25
		var writes []func() error
		for w := range writers {
			writes = append(writes, func() error {
				for i := range each {
					if err := rcReferral(st, w*each+i); err != nil {
						return err
					}
				}
				return nil
			})
		}
		writeWhileFolding(t, func() error { _, err := st.FoldReportDeltas(ctx); return err }, writes...)
		var a report.ActivityFigures
		if err := st.Read(ctx, func(tx *store.Tx) (err error) {
			a, err = tx.Reports().Activity(testkit.Day(2025, 3, 1), testkit.Day(2025, 3, 31), report.Filter{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if a.Referrals != writers*each || a.BySettingType["school_primary"] != writers*each {
			t.Fatalf("counted %d referrals (%v), want %d", a.Referrals, a.BySettingType, writers*each)
		}
	})
}

// TestTransitionsInAndOutOfTransactions: the transitions snapshot, whose queries run with
// PostgreSQL's JIT off in a transaction of their own or in the caller's, counts the same either
// way, and a caller's transaction that wrote before it still commits its write.
func TestTransitionsInAndOutOfTransactions(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rcSeed(t, st)
		on := testkit.Day(2026, 6, 30)
		gaps := transition.GapQuery{AsOf: on, BornBy: transition.TurnedBy(on, 10), BornAfter: transition.TurnedBy(on, transition.MaxAge+1)}
		ending := transition.UpcomingQuery{AsOf: on, Through: on.AddDate(1, 0, 0)}
		var read, inTx report.TransitionSnapshot
		if err := st.Read(ctx, func(tx *store.Tx) (err error) {
			read, err = tx.Reports().Transitions(gaps, ending, report.Filter{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if read.WithoutPlan == 0 {
			t.Fatalf("no young person in the snapshot: %+v", read)
		}
		// A write made at once (the transaction begun) and one kept for the end (sent when the
		// report reads).
		for i, write := range []func(tx *store.Tx, sql string, args ...any) error{store.TxExec, store.TxLater} {
			name := fmt.Sprintf("Renamed %d", i)
			if err := st.InTx(ctx, func(tx *store.Tx) (err error) {
				if err := write(tx, `UPDATE organisations SET name = ? WHERE id = ?`, name, rcID(1, 0)); err != nil {
					return err
				}
				inTx, err = tx.Reports().Transitions(gaps, ending, report.Filter{})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if inTx != read {
				t.Errorf("in a transaction %+v, outside one %+v", inTx, read)
			}
			if got, err := store.RawString(st, `SELECT name FROM organisations WHERE id = ?`, rcID(1, 0)); err != nil || got != name {
				t.Errorf("the transaction's write: %q, %v", got, err)
			}
		}
	})
}

// TestReportOrgCountsRandomWrites: an organisation's reports read from its counts (migration 0110)
// equal the same reports computed from the base tables after random writes: organisations joining
// a child's team (twice at once, in one statement), leaving it (one involvement of two, or all in
// one statement), their involvements ended or moved to another organisation, referrals created,
// imported many a statement, changed, moved to another child and deleted, meetings and decisions
// recorded, children moving locality, settings changing type, merges and erasures through the
// store, with folds among them; then folded and rebuilt.
func TestReportOrgCountsRandomWrites(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rcSeed(t, st)
		rcSurveys(t, st)
		rng := rand.New(rand.NewPCG(106, 13))
		alive := make([]string, 0, 40)
		for c := range 12 {
			alive = append(alive, rcID(3, c))
		}
		child := func() string { return alive[rng.IntN(len(alive))] }
		org := func() string { return rcID(1, rng.IntN(3)) }
		anyID := func(sql string, args ...any) string {
			id, err := store.RawString(st, sql+" ORDER BY 1 LIMIT 1 OFFSET ?", append(args, rng.IntN(4))...)
			if err != nil {
				return ""
			}
			return id
		}
		seq := 0
		next := func() int { seq++; return 2000 + seq }
		involve := func(c, o string) {
			rcExec(t, st, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
				VALUES (?, ?, ?, 'other', '2024-01-01', ?, ?, 1)`, rcID(10, next()), c, o, rcStamp, rcStamp)
		}
		referral := func(c string, i int) {
			loc := rcLocalities[rng.IntN(4)]
			var name, key any
			if loc != "" {
				name, key = loc, rcKey(loc)
			}
			rcExec(t, st, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id,
				reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on, route, eligible, eligibility,
				created_at, updated_at, version, locality, locality_key) VALUES (?, ?, 'received', ?, ?, ?, '[]', ?, '[]', 0, false, ?, NULL, true, '{}', ?, ?, 1, ?, ?)`,
				rcID(15, i), fmt.Sprintf("RND-%d", i), c, rcID(2, 0), rcID(1, rng.IntN(3)), []string{"sen", "semh"}[rng.IntN(2)],
				testkit.Day(2023, 1, 1).AddDate(0, 0, rng.IntN(3*365)).Format(time.DateOnly), rcStamp, rcStamp, name, key)
			rcExec(t, st, `INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key)
				SELECT id, main_reason, true, young_person_id, received_on, locality_key FROM referrals WHERE id = ?`, rcID(15, i))
			rcExec(t, st, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received)
				SELECT id, 'received', received_on, young_person_id, received_on, locality_key, 0 FROM referrals WHERE id = ?`, rcID(15, i))
		}
		done := map[string]int{}
		ops := []struct {
			name string
			run  func() bool
		}{
			{"involve", func() bool { involve(child(), org()); return true }},
			{"involve twice at once", func() bool {
				c, o := child(), org()
				rcExec(t, st, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
					VALUES (?, ?, ?, 'other', '2024-01-01', ?, ?, 1), (?, ?, ?, 'setting', '2024-02-01', ?, ?, 1)`,
					rcID(10, next()), c, o, rcStamp, rcStamp, rcID(10, next()), c, o, rcStamp, rcStamp)
				return true
			}},
			{"end an involvement", func() bool {
				id := anyID(`SELECT CAST(id AS text) FROM involvements WHERE ended_on IS NULL`)
				rcExec(t, st, `UPDATE involvements SET ended_on = '2025-06-30' WHERE id = ?`, id)
				return id != ""
			}},
			{"remove an involvement", func() bool {
				id := anyID(`SELECT CAST(id AS text) FROM involvements`)
				rcExec(t, st, `DELETE FROM involvements WHERE id = ?`, id)
				return id != ""
			}},
			{"remove an organisation from a team", func() bool {
				c := child()
				rcExec(t, st, `DELETE FROM involvements WHERE young_person_id = ? AND organisation_id = ?`, c, org())
				return true
			}},
			{"move an involvement to another organisation", func() bool {
				id := anyID(`SELECT CAST(id AS text) FROM involvements`)
				rcExec(t, st, `UPDATE involvements SET organisation_id = ? WHERE id = ?`, org(), id)
				return id != ""
			}},
			{"create a referral", func() bool { referral(child(), next()); return true }},
			{"import referrals", func() bool {
				var values []string
				var args []any
				first := seq + 1
				for range 5 {
					i := next()
					values = append(values, "(?, ?, 'received', ?, ?, ?, '[]', 'asd_asc', '[]', 0, false, ?, 'family_assessment', true, '{}', ?, ?, 1, 'North', 'north')")
					args = append(args, rcID(15, i), fmt.Sprintf("RND-%d", i), child(), rcID(2, 1), rcID(1, 1),
						testkit.Day(2023, 1, 1).AddDate(0, 0, rng.IntN(3*365)).Format(time.DateOnly), rcStamp, rcStamp)
				}
				rcExec(t, st, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id,
					reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on, route, eligible, eligibility,
					created_at, updated_at, version, locality, locality_key) VALUES `+strings.Join(values, ", "), args...)
				rcExec(t, st, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received)
					SELECT id, 'received', received_on, young_person_id, received_on, locality_key, 0 FROM referrals WHERE reference IN ?`,
					[]string{fmt.Sprintf("RND-%d", 2000+first), fmt.Sprintf("RND-%d", 2001+first), fmt.Sprintf("RND-%d", 2002+first),
						fmt.Sprintf("RND-%d", 2003+first), fmt.Sprintf("RND-%d", 2004+first)})
				return true
			}},
			{"change a referral", func() bool {
				id := anyID(`SELECT CAST(id AS text) FROM referrals`)
				rcExec(t, st, `UPDATE referrals SET main_reason = 'speech_language', received_on = ? WHERE id = ?`,
					testkit.Day(2024, 1, 1).AddDate(0, 0, rng.IntN(365)).Format(time.DateOnly), id)
				return id != ""
			}},
			{"move a referral to another child", func() bool {
				id, c := anyID(`SELECT CAST(id AS text) FROM referrals`), child()
				for _, table := range []string{"referrals", "referral_reasons", "referral_stages"} {
					col := "referral_id"
					if table == "referrals" {
						col = "id"
					}
					rcExec(t, st, `UPDATE `+table+` SET young_person_id = ? WHERE `+col+` = ?`, c, id)
				}
				return id != ""
			}},
			{"delete a referral", func() bool {
				id := anyID(`SELECT CAST(id AS text) FROM referrals WHERE id NOT IN (SELECT referral_id FROM meetings WHERE referral_id IS NOT NULL)
					AND id NOT IN (SELECT subject_id FROM disputes)`)
				for _, s := range []string{`DELETE FROM referral_stages WHERE referral_id = ?`, `DELETE FROM referral_reasons WHERE referral_id = ?`,
					`DELETE FROM referrals WHERE id = ?`} {
					rcExec(t, st, s, id)
				}
				return id != ""
			}},
			{"hold a meeting", func() bool {
				id := anyID(`SELECT CAST(id AS text) FROM referrals`)
				rcExec(t, st, `INSERT INTO meetings (id, referral_id, young_person_id, type, held_on, attendees, decisions, created_at, updated_at, version)
					SELECT ?, id, young_person_id, 'taf', ?, '[]', '[]', ?, ?, 1 FROM referrals WHERE id = ?`, rcID(5, next()),
					testkit.Day(2023, 1, 1).AddDate(0, 0, rng.IntN(3*365)).Format(time.DateOnly), rcStamp, rcStamp, id)
				return id != ""
			}},
			{"decide a request", func() bool {
				id := anyID(`SELECT CAST(id AS text) FROM ehc_requests`)
				rcExec(t, st, `UPDATE ehc_requests SET decision = 'assess', decided_on = ? WHERE id = ?`,
					testkit.Day(2024, 1, 1).AddDate(0, 0, rng.IntN(365)).Format(time.DateOnly), id)
				return id != ""
			}},
			{"answer a survey", func() bool {
				id := anyID(`SELECT CAST(response_id AS text) FROM survey_answers WHERE young_person_id IS NOT NULL`)
				rcExec(t, st, `UPDATE survey_answers SET score = ?, submitted_on = ? WHERE response_id = ? AND question_id = 'q1'`,
					1+rng.IntN(5), testkit.Day(2024, 1, 1).AddDate(0, 0, rng.IntN(365)).Format(time.DateOnly), id)
				return id != ""
			}},
			{"move locality", func() bool {
				loc := rcLocalities[rng.IntN(4)]
				var name, key any
				if loc != "" {
					name, key = loc, rcKey(loc)
				}
				rcExec(t, st, `UPDATE young_people SET locality = ?, locality_key = ? WHERE id = ?`, name, key, child())
				return true
			}},
			{"change a setting's type", func() bool {
				rcExec(t, st, `UPDATE organisations SET type = ? WHERE id = ?`, []string{"school_primary", "school_special", "fe_college"}[rng.IntN(3)], org())
				return true
			}},
			{"new child", func() bool {
				id := rcID(3, next())
				rcExec(t, st, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, locality, locality_key, contacts,
					recorded_by_org_id, created_at, updated_at, version) VALUES (?, 'Ada', 'Byron', 'ada byron', '2012-06-01', 'East', 'east', '[]', ?, ?, ?, 1)`,
					id, rcID(1, 0), rcStamp, rcStamp)
				alive = append(alive, id)
				referral(id, next())
				involve(id, org())
				return true
			}},
			{"merge", func() bool {
				if len(alive) < 4 {
					return false
				}
				i, j := rng.IntN(len(alive)), rng.IntN(len(alive))
				if i == j {
					return false
				}
				err := st.InTx(ctx, func(tx *store.Tx) error { _, err := tx.People().Merge(alive[i], alive[j], time.Now()); return err })
				if err != nil {
					t.Logf("merge refused: %v", err)
					return false
				}
				alive = append(alive[:i], alive[i+1:]...)
				return true
			}},
			{"erase", func() bool {
				if len(alive) < 6 || rng.IntN(3) != 0 {
					return false
				}
				i := rng.IntN(len(alive))
				if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.People().Erase(alive[i]) }); err != nil {
					t.Logf("erasure refused: %v", err)
					return false
				}
				alive = append(alive[:i], alive[i+1:]...)
				return true
			}},
			{"create a referral through the store", func() bool { return rcCreate(t, st, child(), rng.IntN(3), next(), 1, rng) }},
			{"import referrals through the bulk sender", func() bool { return rcCreate(t, st, child(), rng.IntN(3), next(), 6, rng) }},
			{"new child referred through the store", func() bool {
				id := rcID(3, next())
				rcExec(t, st, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, locality, locality_key, contacts,
					recorded_by_org_id, created_at, updated_at, version) VALUES (?, 'Ada', 'Byron', 'ada byron', '2012-06-01', 'North', 'north', '[]', ?, ?, ?, 1)`,
					id, rcID(1, 0), rcStamp, rcStamp)
				alive = append(alive, id)
				return rcCreate(t, st, id, rng.IntN(3), next(), 1+rng.IntN(2), rng)
			}},
			{"move a referral to a later stage", func() bool {
				id := anyID(`SELECT CAST(id AS text) FROM referrals WHERE id NOT IN (SELECT referral_id FROM referral_stages WHERE stage = 'allocated')`)
				rcExec(t, st, `INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, locality_key, days_from_received, days_from_previous)
					SELECT id, 'allocated', received_on, young_person_id, received_on, locality_key, ?, ? FROM referrals WHERE id = ?`, 1+rng.IntN(40), 1+rng.IntN(9), id)
				return id != ""
			}},
			{"take a stage back", func() bool {
				id := anyID(`SELECT CAST(referral_id AS text) FROM referral_stages WHERE stage <> 'received'`)
				rcExec(t, st, `DELETE FROM referral_stages WHERE referral_id = ? AND stage <> 'received'`, id)
				return id != ""
			}},
			{"fold", func() bool {
				_, err := st.FoldReportDeltas(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return true
			}},
		}
		periods := [][2]time.Time{rcPeriods[0], rcPeriods[2], rcPeriods[4], rcPeriods[6]}
		for step := range 240 {
			op := ops[rng.IntN(len(ops))]
			if op.run() {
				done[op.name]++
			}
			if step%30 == 29 {
				rcCompareOn(t, st, fmt.Sprintf("after step %d (%s)", step, op.name), periods, rcOrgFilters, false)
			}
		}
		for _, op := range ops {
			if done[op.name] == 0 {
				t.Errorf("%q never ran: the comparison proves nothing of it", op.name)
			}
		}
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		rcCompareOn(t, st, "folded", periods, rcOrgFilters, false)
		if err := st.RebuildReportCounts(ctx); err != nil {
			t.Fatal(err)
		}
		rcCompareOn(t, st, "rebuilt", rcPeriods, rcOrgFilters, false)
	})
}

// TestReportOrgCountsConcurrentWrites: referrals created for one child by 8 writers while 4 others
// add and remove organisations from the child's team (and folds run) are counted for exactly the
// organisations in the team at the end: a record's trigger and an involvement's never miss each
// other's uncommitted row (migration 0110: a record's trigger reads the organisations the fold keeps, never the involvements).
func TestReportOrgCountsConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.Postgres {
			t.Skip("SQLite has one writer at a time")
		}
		for o := range 4 {
			rcExec(t, st, `INSERT INTO organisations (id, name, search_name, type, created_at, updated_at, version) VALUES (?, 'S', 's', 'school_primary', ?, ?, 1)`,
				rcID(1, o), rcStamp, rcStamp)
		}
		rcExec(t, st, `INSERT INTO practitioners (id, organisation_id, name, search_name, email, role, active, created_at, updated_at, version)
			VALUES (?, ?, 'Sam Lee', 'sam lee', 'sam@example.org', 'senco', true, ?, ?, 1)`, rcID(2, 0), rcID(1, 0), rcStamp, rcStamp)
		rcExec(t, st, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, contacts, recorded_by_org_id,
			created_at, updated_at, version) VALUES (?, 'Ada', 'Byron', 'ada byron', '2012-06-01', '[]', ?, ?, ?, 1)`, rcID(3, 0), rcID(1, 0), rcStamp, rcStamp)
		const writers, each = 8, 30
		var writes []func() error
		for w := range writers {
			writes = append(writes, func() error {
				for i := range each {
					if err := rcReferral(st, w*each+i); err != nil {
						return err
					}
				}
				return nil
			})
		}
		for w := range 4 {
			writes = append(writes, func() error {
				for i := range each {
					id := rcID(10, w*each+i)
					if _, err := store.RawExec(st, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
						VALUES (?, ?, ?, 'other', '2025-01-01', ?, ?, 1)`, id, rcID(3, 0), rcID(1, (w+i)%4), rcStamp, rcStamp); err != nil {
						return err
					}
					if i%3 != 2 {
						if _, err := store.RawExec(st, `DELETE FROM involvements WHERE id = ?`, id); err != nil {
							return err
						}
					}
				}
				return nil
			})
		}
		writeWhileFolding(t, func() error { _, err := st.FoldReportDeltas(ctx); return err }, writes...)
		var filters []report.Filter
		for o := range 4 {
			filters = append(filters, report.Filter{OrganisationID: rcID(1, o)})
		}
		rcCompareOn(t, st, "written at once", [][2]time.Time{{testkit.Day(2025, 3, 1), testkit.Day(2025, 3, 31)}}, filters, false)
	})
}

// rcCreate creates n referrals for child c from setting o through the store, each with the
// referrer's organisation joining the child's team in the same unit of work: on PostgreSQL the
// kept writes go as one statement (the referral and the involvement inserted together), and
// more than one as the bulk sender's batch (arrays), as an import's chunk.
func rcCreate(t *testing.T, st *store.Store, c string, o, seq, n int, rng *rand.Rand) bool {
	t.Helper()
	err := st.InTx(context.Background(), func(tx *store.Tx) error {
		write := func() error {
			for i := range n {
				k := seq*10 + i
				at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
				r := referral.Referral{ID: rcID(16, k), Reference: fmt.Sprintf("CRT-%d", k), Status: referral.Received, YoungPersonID: c,
					ReferrerPractitionerID: rcID(2, o), ReferrerOrganisationID: rcID(1, o), Reasons: []string{"sen", "semh"}, MainReason: "semh",
					ReceivedOn: testkit.Day(2023, 1, 1).AddDate(0, 0, rng.IntN(3*365)), Eligibility: referral.Eligibility{Eligible: true},
					CreatedAt: at, UpdatedAt: at, Version: 1}
				if err := tx.Referrals().Create(r); err != nil {
					return err
				}
				if err := tx.Sharing().Join(sharing.Involvement{ID: rcID(17, k), YoungPersonID: c, OrganisationID: rcID(1, o), PractitionerID: rcID(2, o),
					Role: "referrer", StartedOn: r.ReceivedOn, CreatedAt: at, UpdatedAt: at, Version: 1},
					outbox.Event{ID: rcID(18, k), OccurredAt: at, Type: "involvement.created", RecordType: "involvement", RecordID: rcID(17, k), YoungPersonID: c}); err != nil {
					return err
				}
			}
			return nil
		}
		if n > 1 {
			return tx.Batch(write)
		}
		return write()
	})
	if err != nil {
		t.Fatalf("create referrals: %v", err)
	}
	return true
}

// TestReportOrgCountsSameStatement: a referral and its referrer's involvement inserted by one
// statement (on PostgreSQL a CTE, as a create's kept writes and an import's chunk are sent; on
// SQLite, which has no such statement, one after the other) count the referral once for each
// organisation: for the one the child was already counted under, and for the one joining, both
// while the child is marked and once folded. Migration 0106, reverted, counted it twice for the
// organisation joining.
func TestReportOrgCountsSameStatement(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for o := range 2 {
			rcExec(t, st, `INSERT INTO organisations (id, name, search_name, type, created_at, updated_at, version) VALUES (?, 'S', 's', 'school_primary', ?, ?, 1)`,
				rcID(1, o), rcStamp, rcStamp)
			rcExec(t, st, `INSERT INTO practitioners (id, organisation_id, name, search_name, email, role, active, created_at, updated_at, version)
				VALUES (?, ?, 'Sam Lee', 'sam lee', ?, 'senco', true, ?, ?, 1)`, rcID(2, o), rcID(1, o), fmt.Sprintf("sam%d@example.org", o), rcStamp, rcStamp)
		}
		rcExec(t, st, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, contacts, recorded_by_org_id,
			created_at, updated_at, version) VALUES (?, 'Ada', 'Byron', 'ada byron', '2012-06-01', '[]', ?, ?, ?, 1)`, rcID(3, 0), rcID(1, 0), rcStamp, rcStamp)
		rcInvolve(t, st, 0, 0, 0, "referrer")
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		referral := `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id, reasons,
			main_reason, services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility, created_at, updated_at, version)
			VALUES (?, 'REF-1', 'received', ?, ?, ?, '[]', 'sen', '[]', 0, false, '2025-03-04', true, '{}', ?, ?, 1)`
		involvement := `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
			VALUES (?, ?, ?, 'referrer', '2025-03-04', ?, ?, 1)`
		refArgs := []any{rcID(4, 1), rcID(3, 0), rcID(2, 1), rcID(1, 1), rcStamp, rcStamp}
		invArgs := []any{rcID(10, 1), rcID(3, 0), rcID(1, 1), rcStamp, rcStamp}
		if st.Dialect() == store.Postgres {
			rcExec(t, st, `WITH r AS (`+referral+` RETURNING id) `+involvement, append(refArgs, invArgs...)...)
		} else {
			rcExec(t, st, referral, refArgs...)
			rcExec(t, st, involvement, invArgs...)
		}
		check := func(when string) {
			t.Helper()
			for o := range 2 {
				f := report.Filter{OrganisationID: rcID(1, o)}
				for _, p := range [][2]time.Time{{testkit.Day(2025, 3, 1), testkit.Day(2025, 3, 31)}, {testkit.Day(2016, 1, 1), testkit.Day(2025, 12, 31)}} {
					var a report.ActivityFigures
					if err := st.Read(ctx, func(tx *store.Tx) (err error) { a, err = tx.Reports().Activity(p[0], p[1], f); return err }); err != nil {
						t.Fatal(err)
					}
					if a.Referrals != 1 || a.ByMainReason["sen"] != 1 || len(a.Settings) != 1 {
						t.Errorf("%s: organisation %d, %s..%s: %d referrals (by reason %v, settings %v), want 1", when, o,
							p[0].Format(time.DateOnly), p[1].Format(time.DateOnly), a.Referrals, a.ByMainReason, a.Settings)
					}
				}
			}
			rcCompareOn(t, st, when, [][2]time.Time{{testkit.Day(2025, 3, 1), testkit.Day(2025, 3, 31)}},
				[]report.Filter{{OrganisationID: rcID(1, 0)}, {OrganisationID: rcID(1, 1)}}, false)
		}
		check("marked")
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		check("folded")
		// Stored, not corrected: the joining organisation's totals hold the referral once.
		got, err := store.RawString(st, `SELECT CAST(SUM(n) AS text) FROM report_org_counts WHERE organisation_id = ? AND kind = 'referral_main'`, rcID(1, 1))
		if err != nil || got != "1" {
			t.Errorf("organisation joining: stored referral_main %q (%v), want 1", got, err)
		}
	})
}

// TestReportOrgMarksByOrganisation: a child's mark names the organisation whose involvement
// changed (migration 0114), so an organisation's reports correct for its own marked children
// only, and scan only when it has more than the limit marked: at a million referrals the
// council's reports scanned every record after a burst of referrals from schools, none of which
// changed the council's team. The reports equal the scan on either path.
func TestReportOrgMarksByOrganisation(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rcSeed(t, st)
		rcSurveys(t, st)
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		defer store.SetOrgScanAbove(2)()
		// Organisation 2 joins three children's teams; organisation 0 one; a third child
		// leaves organisation 1's (an involvement moved to organisation 2).
		for c := range 3 {
			rcInvolve(t, st, 500+c, 9-c, 2, "other")
		}
		rcInvolve(t, st, 510, 11, 0, "other")
		moved, err := store.RawString(st, `SELECT CAST(id AS text) FROM involvements WHERE organisation_id = ? ORDER BY id LIMIT 1`, rcID(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		rcExec(t, st, `UPDATE involvements SET organisation_id = ? WHERE id = ?`, rcID(1, 2), moved)
		marks := func(o int) string {
			t.Helper()
			n, err := store.RawString(st, `SELECT CAST(count(DISTINCT young_person_id) AS text) FROM report_org_dirty WHERE organisation_id = ?`, rcID(1, o))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if got := []string{marks(0), marks(1), marks(2)}; !slices.Equal(got, []string{"1", "1", "4"}) {
			t.Fatalf("children marked per organisation %v, want [1 1 4]", got)
		}
		for o, want := range []bool{true, true, false, true} {
			got, err := store.OrgReportsCounted(st, rcID(1, o))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("organisation %d: reports read its totals %v, want %v (its own marked children against a limit of 2)", o, got, want)
			}
		}
		rcCompare(t, st, "marked by organisation")
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		if got := []string{marks(0), marks(1), marks(2)}; !slices.Equal(got, []string{"0", "0", "0"}) {
			t.Fatalf("children marked per organisation after the fold %v, want none", got)
		}
		rcCompare(t, st, "folded")
	})
}

// TestReportFoldVacuums: on PostgreSQL a fold leaves the delta tables it emptied vacuumed, so a
// report, which reads them whole, does not read the dead rows of every delta folded since
// autovacuum last came by (here autovacuum may be off altogether).
func TestReportFoldVacuums(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.Postgres {
			t.Skip("SQLite keeps no deleted rows in a table's pages")
		}
		rcSeed(t, st)
		// Folded once, so that the children are counted under their organisations; then more
		// referrals, whose deltas go to both tables.
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range 200 {
			if err := rcReferral(st, 5000+i); err != nil {
				t.Fatal(err)
			}
		}
		size := func(table string) string {
			t.Helper()
			n, err := store.RawString(st, `SELECT pg_relation_size(CAST(? AS regclass))`, table)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, table := range []string{"report_deltas", "report_org_deltas"} {
			if size(table) == "0" {
				t.Fatalf("%s is empty before the fold: the test proves nothing", table)
			}
		}
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"report_deltas", "report_org_deltas"} {
			if got := size(table); got != "0" {
				t.Errorf("%s holds %s bytes after the fold emptied it: not vacuumed", table, got)
			}
		}
		// The counts' fold alone (the server's early one) vacuums them too.
		for i := range 50 {
			if err := rcReferral(st, 5500+i); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := st.FoldCounts(ctx); err != nil || n == 0 {
			t.Fatalf("FoldCounts: %d, %v", n, err)
		}
		for _, table := range []string{"report_deltas", "report_org_deltas"} {
			if got := size(table); got != "0" {
				t.Errorf("%s holds %s bytes after the counts' fold emptied it: not vacuumed", table, got)
			}
		}
	})
}

// TestUnfolded: the counts that make the server fold early see both delta tables, the
// transition marks and the marked children, and stop at what they were asked.
func TestUnfolded(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rcSeed(t, st)
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		at := func(deltas, marks, children int) store.Pending {
			t.Helper()
			due, err := st.Unfolded(ctx, deltas, marks, children)
			if err != nil {
				t.Fatal(err)
			}
			return due
		}
		if due := at(1, 1, 1); due != (store.Pending{}) {
			t.Fatalf("after a fold: %+v", due)
		}
		if due := at(0, 0, 0); due != (store.Pending{}) {
			t.Fatalf("nothing asked, yet due: %+v", due)
		}
		for i := range 20 {
			if err := rcReferral(st, 6000+i); err != nil {
				t.Fatal(err)
			}
		}
		rcInvolve(t, st, 9, 7, 2, "setting")
		count := func(table string) int {
			t.Helper()
			n, err := store.RawCount(st, "SELECT count(*) FROM "+table)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		plain, org, marks, children := count("report_deltas"), count("report_org_deltas"), count("transition_dirty"), count("report_org_dirty")
		if plain == 0 || org == 0 || marks == 0 || children == 0 {
			t.Fatalf("deltas %d and %d, marks %d, children %d: each should hold some for the test to mean anything", plain, org, marks, children)
		}
		if due := at(plain+org, marks, children); due != (store.Pending{Deltas: true, Marks: true, Children: true}) {
			t.Errorf("%d + %d deltas, %d marks, %d children: at least as many %+v", plain, org, marks, children, due)
		}
		if due := at(plain+org+1, marks+1, children+1); due != (store.Pending{}) {
			t.Errorf("%d + %d deltas, %d marks, %d children: one more %+v", plain, org, marks, children, due)
		}
		if due := at(max(plain, org)+1, 1, 1); !due.Deltas {
			t.Errorf("%d + %d deltas: only one table counted", plain, org)
		}
		if due := at(0, marks, 0); due != (store.Pending{Marks: true}) {
			t.Errorf("only the marks asked, with every table holding rows: %+v", due)
		}
	})
}

// TestFoldMarkedChildrenPastBusy: both folds of marked children (the early one, and the whole
// fold's) go on past a batch that skipped a child whose bucket a writer holds, without waiting
// for it, and leave only the children of that bucket marked.
func TestFoldMarkedChildrenPastBusy(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.Postgres {
			t.Skip("SQLite has one writer at a time: no bucket locks")
		}
		rcSeed(t, st)
		if _, err := st.FoldReportDeltas(ctx); err != nil {
			t.Fatal(err)
		}
		for k, fold := range []struct {
			name  string
			batch func(int) (restore func())
			run   func() (int, error)
		}{
			{"early", store.SetEarlyChildrenBatch, func() (int, error) { return st.FoldMarkedChildren(ctx, time.Minute) }},
			{"whole", store.SetWholeFoldBatch, func() (int, error) { return st.FoldReportOrgs(ctx) }},
		} {
			for c := range 10 {
				rcInvolve(t, st, 20+10*k+c, c, 2, "setting")
			}
			bucketOf := migrations.ReportOrgBucket("young_person_id")
			// The first mark the fold's LIMIT reads: its bucket is busy from the first batch on.
			busy, err := store.RawString(st, `SELECT CAST(`+bucketOf+` AS TEXT) FROM report_org_dirty LIMIT 1`)
			if err != nil {
				t.Fatal(err)
			}
			others := func() int64 {
				t.Helper()
				n, err := store.RawCount(st, `SELECT count(*) FROM report_org_dirty WHERE CAST(`+bucketOf+` AS TEXT) <> ?`, busy)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := others(); n < 4 {
				t.Fatalf("%s: %d children marked outside the busy bucket: too few for batches of 2 to prove anything", fold.name, n)
			}
			held, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
			go func() {
				done <- st.InTx(ctx, func(tx *store.Tx) error {
					if err := store.TxExec(tx, `SELECT pg_advisory_xact_lock_shared(`+migrations.ReportOrgBucketLock+`, CAST(? AS int))`, busy); err != nil {
						return err
					}
					close(held)
					<-release
					return nil
				})
			}()
			select {
			case <-held:
			case err := <-done:
				t.Fatal(err)
			}
			restore := fold.batch(2)
			_, err = fold.run()
			restore()
			left := others()
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if err != nil || left != 0 {
				t.Fatalf("%s fold past a busy bucket: %v, %d children of other buckets still marked", fold.name, err, left)
			}
			if n, err := fold.run(); err != nil || n == 0 {
				t.Fatalf("%s fold: the busy bucket's children once it was free: %d folded, %v", fold.name, n, err)
			}
		}
	})
}

// TestFoldByIndexRestoresSettings: the organisations' fold turns hash and merge joins off for its
// own statements only, and afterwards puts back what the transaction had (here merge joins
// already off), rather than turning both on.
func TestFoldByIndexRestoresSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.Postgres {
			return // SQLite has no such settings: byIndex only runs the statements
		}
		during, after, err := store.ByIndexSettings(st)
		if err != nil {
			t.Fatal(err)
		}
		if during != [2]string{"off", "off"} || after != [2]string{"on", "off"} {
			t.Errorf("join settings (hash, merge) during %v, after %v; want [off off], then [on off] as before", during, after)
		}
	})
}

// TestFoldPlansSQLite: on SQLite every statement the organisations' fold runs over its moves
// (each table's contributions of the children moving, migrations.AddReportOrgMoves, then
// report_org_children brought up to date) reads the moves and finds everything else by index.
// SQLite keeps no statistics to plan by: without AddReportOrgMoves' join order and indexes written
// in, it scanned every reason and stage (and read the annual reviews by status) for each batch, and
// the DELETE of the children leaving an organisation, written as EXISTS, scanned every child
// counted under any organisation (1.4 s a batch at 67,000 of them).
func TestFoldPlansSQLite(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != store.SQLite {
			continue
		}
		st := b.Open(t)
		ctx := context.Background()
		rcSeed(t, st)
		if _, err := st.FoldReportOrgs(ctx); err != nil {
			t.Fatal(err)
		}
		rcExec(t, st, `INSERT INTO organisations (id, name, search_name, type, created_at, updated_at, version) VALUES (?, 'Plan test service', 'plan test service', 'health', ?, ?, 1)`,
			rcID(1, 9), rcStamp, rcStamp)
		for c := range 12 {
			rcExec(t, st, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
				VALUES (?, ?, ?, 'team_member', '2024-01-01', ?, ?, 1)`, rcID(10, 3000+c), rcID(3, c), rcID(1, 9), rcStamp, rcStamp)
		}
		var explained []string
		stop := store.ExplainStatements(st, func(sql string) bool {
			return strings.Contains(sql, "report_org_moves") && !strings.HasPrefix(sql, "INSERT INTO report_org_moves") &&
				!strings.HasPrefix(sql, "DELETE FROM report_org_moves")
		}, func(sql, plan string) {
			explained = append(explained, sql)
			for step := range strings.SplitSeq(plan, "\n") {
				if strings.HasPrefix(step, "explain failed") ||
					strings.HasPrefix(step, "SCAN ") && step != "SCAN m" && step != "SCAN report_org_moves" {
					t.Errorf("%s\nreads %q", sql[:min(len(sql), 200)], step)
				}
			}
		})
		folded, err := st.FoldReportOrgs(ctx)
		stop()
		if err != nil {
			t.Fatal(err)
		}
		if folded < 12 {
			t.Errorf("folded %d children, want the 12 who gained an organisation", folded)
		}
		leave := slices.IndexFunc(explained, func(s string) bool { return strings.HasPrefix(s, "DELETE FROM report_org_children") })
		if len(explained) < 8 || leave < 0 {
			t.Errorf("explained %d of the fold's statements (the leavers' DELETE among them: %v)", len(explained), leave >= 0)
		}
	}
}
