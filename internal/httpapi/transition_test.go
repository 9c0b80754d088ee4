package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/uuid"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// tpEnv is a server plus a second, raw connection to its database, for the states the API on
// this branch cannot produce: EHC plans in force (no plan API yet), dates of birth of people
// already past 25, and involvements that started and ended in the past.
type tpEnv struct {
	*env
	raw *gorm.DB
}

func eachRaw(t *testing.T, fn func(t *testing.T, e tpEnv), opts ...envOption) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			st, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			if err := st.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			dial := sqlite.Open("file:" + dsn + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
			if store.DialectOf(dsn) == store.Postgres {
				dial = postgres.Open(dsn)
			}
			raw, err := gorm.Open(dial, &gorm.Config{Logger: logger.Discard})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if db, err := raw.DB(); err == nil {
					_ = db.Close()
				}
			})
			fn(t, tpEnv{env: newEnv(t, st, opts...), raw: raw})
		})
	}
}

func (e tpEnv) exec(sql string, args ...any) {
	e.t.Helper()
	if err := e.raw.Exec(sql, args...).Error; err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

// person records a young person through the API, then sets the date of birth directly (the API
// refuses anyone already 26 today, and these tests are written on fixed dates).
func (e tpEnv) person(name, dob string) string {
	e.t.Helper()
	id := e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": name, "family_name": "Test", "date_of_birth": "2012-01-01"},
		http.StatusCreated)["id"].(string)
	e.exec("UPDATE young_people SET date_of_birth = ? WHERE id = ?", dob, id)
	return id
}

// openReferral makes a referral received on a day, by the school's SENCO (so the school joins the team).
func (e tpEnv) openReferral(child, receivedOn string) string {
	e.t.Helper()
	return e.mustDo(http.MethodPost, "/v1/referrals", map[string]any{"young_person_id": child, "referrer_practitioner_id": e.schoolSENCO,
		"reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"}, "received_on": receivedOn}, http.StatusCreated)["id"].(string)
}

// ehcPlan inserts an EHC plan row (migration 0005's table) with a status and first issue date.
func (e tpEnv) ehcPlan(child, status, issuedOn string) string {
	e.t.Helper()
	id := uuid.NewString()
	now := time.Now().UTC()
	e.exec(`INSERT INTO ehc_plans (id, young_person_id, status, first_issued_on, last_issued_on, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1)`, id, child, status, issuedOn, issuedOn, now, now)
	return id
}

func (e tpEnv) plan(child string, body map[string]any) map[string]any {
	e.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	body["young_person_id"] = child
	return e.mustDo(http.MethodPost, "/v1/transition-plans", body, http.StatusCreated)
}

// gapIDs lists the young people on the gaps list (every page) as key, by name.
func (e tpEnv) gapIDs(key, query string, names map[string]string) ([]string, map[string]map[string]any) {
	e.t.Helper()
	var got []string
	byName := map[string]map[string]any{}
	cursor := ""
	for {
		q := query + "&limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		r := e.do(http.MethodGet, "/v1/transitions/gaps?"+q, key, nil)
		body := r.json(e.t)
		for _, it := range items(e.t, r) {
			m := it.(map[string]any)
			n := names[m["young_person_id"].(string)]
			got = append(got, n)
			byName[n] = m
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	sort.Strings(got)
	return got, byName
}

func sorted(s ...string) []string { sort.Strings(s); return s }

// TestTransitionGaps: the gaps list is exact around the 14th birthday (and a 29 February one),
// the 31 August / 1 September school-year boundary, min_age 13, 26th birthdays, plans current,
// ended and not yet started, closed referrals and EHC plans in force or ceased; outsiders see
// nobody and a school sees only the children whose team it is in.
func TestTransitionGaps(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		names := map[string]string{}
		mk := func(name, dob string) string { id := e.person(name, dob); names[id] = name; return id }
		a := mk("A", "2012-03-10")
		b := mk("B", "2012-08-31")
		c := mk("C", "2012-09-01")
		d := mk("D", "2010-05-01")
		ex := mk("E", "2011-01-01")
		g := mk("G", "2011-06-01")
		h := mk("H", "2011-06-01")
		l := mk("L", "2012-02-29")
		j := mk("J", "2000-12-01")
		k := mk("K", "2010-01-01")
		for _, id := range []string{a, b, c, j, l, k} {
			e.openReferral(id, "2024-01-05")
		}
		e.openReferral(d, "2024-02-01")
		e.setStatus(e.openReferral(ex, "2024-01-05"), referral.Closed)
		e.ehcPlan(g, "issued", "2025-10-01")
		e.ehcPlan(h, "ceased", "2023-01-01")
		dp := e.plan(d, map[string]any{"started_on": "2025-01-10"})
		e.mustDo(http.MethodPost, "/v1/transition-plans/"+dp["id"].(string)+"/end", map[string]any{"ended_on": "2025-11-01", "reason": "left_area"}, http.StatusOK)
		e.plan(k, map[string]any{"started_on": "2025-06-01"})

		for _, tc := range []struct {
			query string
			want  []string
			since map[string]string
		}{
			{"as_of=2025-05-31", sorted("J", "K"), map[string]string{"K": "2024-01-05", "J": "2024-01-05"}},
			{"as_of=2025-10-31", sorted("G", "J"), map[string]string{"G": "2025-10-01"}},
			{"as_of=2025-11-01", sorted("D", "G", "J"), map[string]string{"D": "2025-11-01"}},
			{"as_of=2026-02-28", sorted("D", "G", "J"), nil},
			{"as_of=2026-03-01", sorted("D", "G", "J", "L"), map[string]string{"L": "2026-03-01"}},
			{"as_of=2026-03-09", sorted("D", "G", "J", "L"), nil},
			{"as_of=2026-03-10", sorted("A", "D", "G", "J", "L"), map[string]string{"A": "2026-03-10"}},
			{"as_of=2026-03-09&min_age=13", sorted("A", "B", "C", "D", "G", "J", "L"),
				map[string]string{"A": "2025-03-10", "B": "2025-08-31", "C": "2025-09-01", "L": "2025-03-01"}},
			{"as_of=2025-08-31&school_year=true", sorted("J"), nil},
			{"as_of=2025-09-01&school_year=true", sorted("A", "B", "J", "L"), map[string]string{"A": "2025-09-01", "B": "2025-09-01", "L": "2025-09-01"}},
			{"as_of=2026-08-31&school_year=true", sorted("A", "B", "D", "G", "J", "L"), nil},
			{"as_of=2026-09-01&school_year=true", sorted("A", "B", "C", "D", "G", "J", "L"), map[string]string{"C": "2026-09-01"}},
			{"as_of=2026-11-30", sorted("A", "B", "C", "D", "G", "J", "L"), nil},
			{"as_of=2026-12-01", sorted("A", "B", "C", "D", "G", "L"), nil},
		} {
			got, by := e.gapIDs(e.officer, tc.query, names)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
				continue
			}
			for n, since := range tc.since {
				if by[n]["gap_since"] != since {
					t.Errorf("%s: %s gap since %v, want %s", tc.query, n, by[n]["gap_since"], since)
				}
			}
		}

		// One item in full: A on their 14th birthday, in Year 9.
		_, by := e.gapIDs(e.officer, "as_of=2026-03-10", names)
		ia := by["A"]
		if ia["age"] != float64(14) || ia["national_curriculum_year"] != float64(9) || ia["date_of_birth"] != "2012-03-10" ||
			ia["given_name"] != "A" || ia["family_name"] != "Test" || !slices.Equal(anyStrings(ia["reasons"]), []string{"open_referral"}) {
			t.Errorf("A: %v", ia)
		}
		if r := anyStrings(by["G"]["reasons"]); !slices.Equal(r, []string{"ehc_plan"}) {
			t.Errorf("G reasons: %v", r)
		}

		// The school is in the team of the children it referred (not G's); an outsider sees nobody.
		if got, _ := e.gapIDs(e.practitioner, "as_of=2026-03-10", names); !slices.Equal(got, sorted("A", "D", "J", "L")) {
			t.Errorf("school: %v", got)
		}
		if got, _ := e.gapIDs(e.outsider, "as_of=2026-03-10", names); len(got) != 0 {
			t.Errorf("outsider: %v", got)
		}

		// Each young person listed is audited as a list read of their record.
		var n int64
		if err := e.st.Read(context.Background(), func(tx *store.Tx) error {
			evs, _, err := tx.AuditTrail().Events(audit.Filter{YoungPersonID: a, Action: audit.List, RecordType: audit.YoungPerson}, paging.Page{Limit: 200})
			for _, ev := range evs {
				if slices.Contains(ev.ChangedFields, "transition_gap") {
					n++
				}
			}
			return err
		}); err != nil || n == 0 {
			t.Errorf("gap list audits for A: %d %v", n, err)
		}

		// Bad parameters name themselves.
		for q, ptr := range map[string]string{"min_age=12": "/query/min_age", "min_age=26": "/query/min_age", "as_of=2026-02-30": "/query/as_of",
			"cursor=bm9wZQ": "/query/cursor", "school_year=maybe": "/query/school_year"} {
			if p := e.do(http.MethodGet, "/v1/transitions/gaps?"+q, e.officer, nil).problem(t, http.StatusBadRequest); !hasPointer(p, ptr) {
				t.Errorf("%s: %v", q, pointers(p))
			}
		}
		e.do(http.MethodGet, "/v1/transitions/gaps", e.admin, nil).problem(t, http.StatusForbidden)
	})
}

// TestTransitionGapDefaultAge: the deployment's ONEPLAN_TRANSITION_GAP_MIN_AGE is the default.
func TestTransitionGapDefaultAge(t *testing.T) {
	thirteen := func(_ *httpapi.Options, c *app.Options) { c.TransitionGapMinAge = 13 }
	eachRaw(t, func(t *testing.T, e tpEnv) {
		names := map[string]string{}
		a := e.person("A", "2012-03-10")
		names[a] = "A"
		e.openReferral(a, "2024-01-05")
		if got, _ := e.gapIDs(e.officer, "as_of=2025-03-10", names); !slices.Equal(got, []string{"A"}) {
			t.Errorf("default 13: %v", got)
		}
		if got, _ := e.gapIDs(e.officer, "as_of=2025-03-10&min_age=14", names); len(got) != 0 {
			t.Errorf("explicit 14: %v", got)
		}
	}, thirteen)
}

func anyStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// TestUpcomingTransitions: each kind of event, exactly, inside (as_of, as_of + window], for the
// young people with an open referral, an EHC plan in force or a current transition plan; pages
// follow the cursor.
func TestUpcomingTransitions(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		names := map[string]string{}
		mk := func(name, dob string) string { id := e.person(name, dob); names[id] = name; return id }
		u1 := mk("U1", "2008-06-15")
		mk("U2", "2008-06-15") // turns 18 in the window, but nothing open: not listed
		u3 := mk("U3", "2008-01-01")
		u4 := mk("U4", "2000-10-15")
		u5 := mk("U5", "2001-09-01")
		u6 := mk("U6", "2009-01-01")
		u7 := mk("U7", "2009-01-02")
		u8 := mk("U8", "2008-03-01")
		for _, id := range []string{u1, u3, u6, u7} {
			e.openReferral(id, "2024-01-05")
		}
		e.setStatus(e.openReferral(u8, "2024-01-05"), referral.Closed)
		plan4 := e.ehcPlan(u4, "issued", "2018-01-01")
		e.ehcPlan(u5, "issued", "2018-01-01")
		tp := e.plan(u1, map[string]any{"started_on": "2025-06-01", "ehc_plan_expected_end_on": "2026-07-31"})
		inv := e.do(http.MethodPost, "/v1/young-people/"+u1+"/involvements", e.officer, map[string]any{"organisation_id": e.health, "role": "team_member",
			"safeguarding_reason": "Referral names a risk."})
		if inv.status != http.StatusCreated {
			t.Fatalf("involvement: %d %s", inv.status, inv.body)
		}
		invID := inv.json(t)["id"].(string)
		e.exec("UPDATE involvements SET started_on = '2025-01-01', ended_on = '2026-03-31' WHERE id = ?", invID)

		list := func(key, query string) []map[string]any {
			var out []map[string]any
			cursor := ""
			for {
				q := query + "&limit=2"
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				r := e.do(http.MethodGet, "/v1/transitions/upcoming?"+q, key, nil)
				body := r.json(t)
				for _, it := range items(t, r) {
					out = append(out, it.(map[string]any))
				}
				next, _ := body["next_cursor"].(string)
				if next == "" {
					return out
				}
				cursor = next
			}
		}
		render := func(evs []map[string]any) []string {
			var out []string
			for _, ev := range evs {
				s := ev["on"].(string) + " " + names[ev["young_person_id"].(string)] + " " + ev["kind"].(string)
				if rel, ok := ev["related_id"].(string); ok {
					s += " " + ev["related_type"].(string) + ":" + rel
				}
				if ev["has_current_transition_plan"] == true {
					s += " planned"
				}
				out = append(out, s)
			}
			return out
		}
		want := []string{
			"2026-03-31 U1 service_end involvement:" + invID + " planned",
			"2026-06-15 U1 turns_18 planned",
			"2026-07-31 U1 plan_expected_end transition_plan:" + tp["id"].(string) + " planned",
			"2026-08-31 U4 plan_max_age_end ehc_plan:" + plan4,
			"2027-01-01 U6 turns_18",
		}
		if got := render(list(e.officer, "as_of=2026-01-01")); !slices.Equal(got, want) {
			t.Errorf("default 12 months:\n got %q\nwant %q", got, want)
		}
		if got := render(list(e.officer, "as_of=2026-01-01&within_months=3")); !slices.Equal(got, want[:1]) {
			t.Errorf("3 months: %q", got)
		}
		if got := render(list(e.officer, "as_of=2025-12-31&within_months=12")); !slices.Equal(got, []string{
			"2026-01-01 U3 turns_18", want[0], want[1], want[2], want[3]}) {
			t.Errorf("a day earlier: %q", got)
		}

		// The school referred U1, U3, U6 and U7; the outsider is in nobody's team.
		if got := render(list(e.practitioner, "as_of=2026-01-01")); !slices.Equal(got, []string{want[0], want[1], want[2], want[4]}) {
			t.Errorf("school: %q", got)
		}
		if got := list(e.outsider, "as_of=2026-01-01"); len(got) != 0 {
			t.Errorf("outsider: %v", got)
		}
		for q, ptr := range map[string]string{"within_months=0": "/query/within_months", "within_months=61": "/query/within_months",
			"cursor=bm9wZQ": "/query/cursor", "as_of=yesterday": "/query/as_of"} {
			if p := e.do(http.MethodGet, "/v1/transitions/upcoming?"+q, e.officer, nil).problem(t, http.StatusBadRequest); !hasPointer(p, ptr) {
				t.Errorf("%s: %v", q, pointers(p))
			}
		}
	})
}

func milestone(t *testing.T, plan map[string]any, name string) map[string]any {
	t.Helper()
	return plan["chc"].(map[string]any)["milestones"].(map[string]any)[name].(map[string]any)
}

// TestTransitionPlans: create, read, merge-patch, end and start again, with the CHC milestones
// from a 29 February date of birth, one current plan at a time, and every refusal naming its field.
func TestTransitionPlans(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		const base = "/v1/transition-plans"
		f := e.fixture() // a child of 8
		p := e.do(http.MethodPost, base, e.officer, map[string]any{"young_person_id": f.child, "started_on": "2026-01-05"}).
			problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/started_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}

		yp := e.person("Leap", "2008-02-29")
		e.openReferral(yp, "2022-01-10")
		body := map[string]any{"young_person_id": yp, "started_on": "2022-09-05",
			"pfa": map[string]any{"health": map[string]any{"aspirations": "Manage my own medication", "actions": "Pharmacy sessions"},
				"employment_education": map[string]any{"aspirations": "College, then catering"}},
			"adult_services_contacts": []any{map[string]any{"service": "adult_social_care", "organisation_id": e.council, "contact_name": "Transitions team",
				"contact_role": "social worker"}},
			"care_act_assessment":      map[string]any{"status": "requested", "requested_on": "2025-03-01"},
			"chc":                      map[string]any{"identified_on": "2022-02-01", "referred_on": "2024-03-15"},
			"ehc_plan_expected_end_on": "2027-07-31", "notes": "Wants to live near college."}
		res := e.do(http.MethodPost, base, e.practitioner, body)
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		tp := res.json(t)
		id := tp["id"].(string)
		if res.header.Get("Location") != base+"/"+id || res.header.Get("ETag") == "" {
			t.Fatalf("headers: %v", res.header)
		}
		// A 29 February birthday falls on 1 March in other years: identify by 14 (1 March 2022), refer by
		// 16 (29 February 2024), decide by 17 + 3 months (1 June 2025), package by 18 (1 March 2026).
		for name, want := range map[string][2]string{"identify": {"2022-03-01", "met_on_time"}, "refer": {"2024-02-29", "met_late"},
			"eligibility_decided": {"2025-06-01", "overdue"}, "in_place": {"2026-03-01", "overdue"}} {
			if m := milestone(t, tp, name); m["due_on"] != want[0] || m["status"] != want[1] {
				t.Errorf("%s: %v, want %v", name, m, want)
			}
		}
		dob, today := time.Date(2008, 2, 29, 0, 0, 0, 0, time.UTC), time.Now().UTC()
		if tp["current"] != true || tp["age"] != float64(age.YearsOn(dob, today)) || tp["in_year_9_or_above"] != true ||
			tp["national_curriculum_year"] != float64(age.NationalCurriculumYear(dob, today)) ||
			tp["care_act_assessment"].(map[string]any)["status"] != "requested" || len(tp["adult_services_contacts"].([]any)) != 1 {
			t.Fatalf("created: %s", res.body)
		}

		// One current plan per young person.
		dup := map[string]any{"young_person_id": yp, "started_on": "2023-01-01"}
		if p := e.do(http.MethodPost, base, e.officer, dup).problem(t, http.StatusConflict); !hasPointer(p, "/young_person_id") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		// Refusals name their fields.
		for _, tc := range []struct {
			body   map[string]any
			status int
			ptr    string
		}{
			{map[string]any{"young_person_id": unknownID, "started_on": "2023-01-01"}, http.StatusUnprocessableEntity, "/young_person_id"},
			{map[string]any{"young_person_id": yp, "started_on": "2023-01-01", "care_act_assessment": map[string]any{"status": "maybe"}},
				http.StatusBadRequest, "/care_act_assessment/status"},
			{map[string]any{"young_person_id": yp, "started_on": "2023-01-01", "chc": map[string]any{"in_place_on": "2025-01-01"}},
				http.StatusBadRequest, "/chc/in_place_on"},
			{map[string]any{"young_person_id": yp, "started_on": "2023-01-01", "adult_services_contacts": []any{map[string]any{"service": "housing"}}},
				http.StatusBadRequest, "/adult_services_contacts/0/contact_name"},
			{map[string]any{"young_person_id": yp, "started_on": "2023-01-01", "ehc_plan_expected_end_on": "2034-09-01"},
				http.StatusUnprocessableEntity, "/ehc_plan_expected_end_on"},
			{map[string]any{"young_person_id": yp, "started_on": "2099-01-01"}, http.StatusBadRequest, "/started_on"},
		} {
			if p := e.do(http.MethodPost, base, e.officer, tc.body).problem(t, tc.status); !hasPointer(p, tc.ptr) {
				t.Errorf("%v: %v", tc.body, pointers(p))
			}
		}

		// Reads: the team sees it, outsiders do not.
		if r := e.do(http.MethodGet, base+"/"+id, e.practitioner, nil); r.status != http.StatusOK || r.header.Get("ETag") != res.header.Get("ETag") {
			t.Fatalf("team read: %d", r.status)
		}
		e.do(http.MethodGet, base+"/"+id, e.outsider, nil).problem(t, http.StatusNotFound)
		if got := items(t, e.do(http.MethodGet, base, e.outsider, nil)); len(got) != 0 {
			t.Fatalf("outsider list: %v", got)
		}

		// Merge patch: objects merge, If-Match guards, the young person cannot change.
		etagNow := res.header.Get("ETag")
		patch := map[string]any{"chc": map[string]any{"eligibility_decided_on": "2025-05-01", "eligible": true}, "pfa": map[string]any{"health": map[string]any{"actions": "Annual health check"}}}
		e.do(http.MethodPatch, base+"/"+id, e.practitioner, patch, "If-Match", `"999"`).problem(t, http.StatusPreconditionFailed)
		res = e.do(http.MethodPatch, base+"/"+id, e.practitioner, patch, "If-Match", etagNow)
		if res.status != http.StatusOK {
			t.Fatalf("patch: %d %s", res.status, res.body)
		}
		tp = res.json(t)
		health := tp["pfa"].(map[string]any)["health"].(map[string]any)
		if health["aspirations"] != "Manage my own medication" || health["actions"] != "Annual health check" ||
			tp["chc"].(map[string]any)["referred_on"] != "2024-03-15" || milestone(t, tp, "eligibility_decided")["status"] != "met_on_time" {
			t.Fatalf("patched: %s", res.body)
		}
		for _, tc := range []struct {
			body   map[string]any
			status int
			ptr    string
		}{
			{map[string]any{"young_person_id": f.child}, http.StatusBadRequest, "/young_person_id"},
			{map[string]any{"chc": map[string]any{"in_place_on": "2025-04-01"}}, http.StatusBadRequest, "/chc/in_place_on"},
			{map[string]any{"adult_services_contacts": []any{map[string]any{"service": "housing", "organisation_id": unknownID}}},
				http.StatusUnprocessableEntity, "/adult_services_contacts/0/organisation_id"},
		} {
			if p := e.do(http.MethodPatch, base+"/"+id, e.officer, tc.body).problem(t, tc.status); !hasPointer(p, tc.ptr) {
				t.Errorf("patch %v: %v", tc.body, pointers(p))
			}
		}
		if r := e.do(http.MethodPatch, base+"/"+id, e.officer, map[string]any{"chc": nil, "notes": nil}); r.status != http.StatusOK ||
			r.json(t)["chc"].(map[string]any)["identified_on"] != nil || r.json(t)["notes"] != nil {
			t.Fatalf("clearing: %d %s", r.status, r.body)
		}

		// End, with If-Match; a second end and a change after it conflict.
		cur := e.do(http.MethodGet, base+"/"+id, e.officer, nil)
		e.do(http.MethodPost, base+"/"+id+"/end", e.officer, map[string]any{"reason": "bored"}).problem(t, http.StatusBadRequest)
		res = e.do(http.MethodPost, base+"/"+id+"/end", e.leadKey, map[string]any{"reason": "moved_to_adult_services", "ended_on": "2026-03-02"},
			"If-Match", cur.header.Get("ETag"))
		if res.status != http.StatusNotFound { // the health trust's lead is not in this young person's team
			t.Fatalf("lead end: %d %s", res.status, res.body)
		}
		res = e.do(http.MethodPost, base+"/"+id+"/end", e.officer, map[string]any{"reason": "moved_to_adult_services", "ended_on": "2026-03-02"},
			"If-Match", cur.header.Get("ETag"))
		if r := res.json(t); res.status != http.StatusOK || r["current"] != false || r["ending"].(map[string]any)["ended_on"] != "2026-03-02" {
			t.Fatalf("end: %d %s", res.status, res.body)
		}
		e.do(http.MethodPost, base+"/"+id+"/end", e.officer, map[string]any{"reason": "other"}).problem(t, http.StatusConflict)
		e.do(http.MethodPatch, base+"/"+id, e.officer, map[string]any{"notes": "x"}).problem(t, http.StatusConflict)

		// A new plan may start from the day the last one ended, not before.
		if p := e.do(http.MethodPost, base, e.officer, map[string]any{"young_person_id": yp, "started_on": "2026-03-01"}).
			problem(t, http.StatusUnprocessableEntity); !hasPointer(p, "/started_on") {
			t.Fatalf("pointers: %v", pointers(p))
		}
		second := e.plan(yp, map[string]any{"started_on": "2026-03-02"})
		for q, want := range map[string]string{"current=true": second["id"].(string), "current=false": id} {
			got := items(t, e.do(http.MethodGet, base+"?young_person_id="+yp+"&"+q, e.officer, nil))
			if len(got) != 1 || got[0].(map[string]any)["id"] != want {
				t.Errorf("%s: %v", q, got)
			}
		}

		// Outbox, timeline, export.
		events, err := outboxOf(e.env, id)
		if err != nil || !events["transition_plan.created"] || !events["transition_plan.updated"] || !events["transition_plan.ended"] {
			t.Fatalf("outbox: %v %v", events, err)
		}
		var kinds []string
		for _, ev := range items(t, e.do(http.MethodGet, "/v1/young-people/"+yp+"/timeline", e.officer, nil)) {
			kinds = append(kinds, ev.(map[string]any)["kind"].(string))
		}
		for _, k := range []string{"transition_plan.created", "transition_plan.updated", "transition_plan.ended"} {
			if !slices.Contains(kinds, k) {
				t.Errorf("timeline %v lacks %s", kinds, k)
			}
		}
		x := e.mustDo(http.MethodGet, "/v1/young-people/"+yp+"/export", nil, http.StatusOK)
		if got := x["transition_plans"].([]any); len(got) != 2 {
			t.Fatalf("export: %v", got)
		}
	})
}

// withTransitionAge makes the fixture child 15, old enough for a transition plan.
func withTransitionAge(e *env, f *fixture) {
	e.mustDo(http.MethodPatch, "/v1/young-people/"+f.child, map[string]any{"date_of_birth": time.Now().AddDate(-15, 0, 0).Format("2006-01-02")}, http.StatusOK)
}

// withTransitionPlan records a plan for the fixture child; its id rides in the fixture's
// feedback slot, as the EHC request's does.
func withTransitionPlan(e *env, f *fixture) {
	withTransitionAge(e, f)
	f.feedback = e.mustDo(http.MethodPost, "/v1/transition-plans", map[string]any{"young_person_id": f.child,
		"started_on": time.Now().Format("2006-01-02")}, http.StatusCreated)["id"].(string)
}

// TestTransitionPlanErasure: a young person's transition plans go with them at erasure.
func TestTransitionPlanErasure(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		yp := e.person("Old", "2010-05-01")
		id := e.plan(yp, map[string]any{"started_on": "2025-01-10"})["id"].(string)
		e.mustDo(http.MethodPost, "/v1/transition-plans/"+id+"/end", map[string]any{"ended_on": "2025-06-01", "reason": "other"}, http.StatusOK)
		e.plan(yp, map[string]any{"started_on": "2025-06-01"})
		if r := e.do(http.MethodPost, "/v1/retention/due/"+yp+"/erase", e.admin, nil); r.status != http.StatusNoContent {
			t.Fatalf("erase: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, "/v1/transition-plans/"+id, e.officer, nil).problem(t, http.StatusNotFound)
		var n int64
		if err := e.raw.Raw("SELECT COUNT(*) FROM transition_plans WHERE young_person_id = ?", yp).Scan(&n).Error; err != nil || n != 0 {
			t.Fatalf("plans left: %d %v", n, err)
		}
	}, func(_ *httpapi.Options, c *app.Options) { c.RetentionYears = 14 })
}

// TestTransitionGapCeasingPlan: a plan being ceased is in force until its cease date (the appeal
// window), so its young person stays in the gap until then, then leaves it.
func TestTransitionGapCeasingPlan(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		yp := e.person("Casey", "2010-05-01") // 16 on 2026-11-01
		plan := e.ehcPlan(yp, "ceasing", "2024-09-01")
		e.exec("UPDATE ehc_plans SET ceases_on = ? WHERE id = ?", "2026-11-10", plan)
		names := map[string]string{yp: "Casey"}
		for asOf, want := range map[string][]string{"2026-11-09": {"Casey"}, "2026-11-10": nil} {
			got, _ := e.gapIDs(e.officer, "as_of="+asOf, names)
			if len(got) != len(want) || (len(want) > 0 && got[0] != want[0]) {
				t.Errorf("gaps on %s: %v, want %v", asOf, got, want)
			}
		}
	})
}
