package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/report"
)

// A report answer, read generically: tables of rows of figures.
type reportDoc map[string]any

func (e *env) report(key, path string) reportDoc {
	e.t.Helper()
	r := e.do(http.MethodGet, path, key, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return reportDoc(r.json(e.t))
}

// figure is one row of a report table.
type figure struct {
	value, previous                *float64
	suppressed, previousSuppressed bool
}

func (d reportDoc) table(t *testing.T, name, group string) []map[string]any {
	t.Helper()
	for _, tb := range d["tables"].([]any) {
		m := tb.(map[string]any)
		g, _ := m["group"].(string)
		if m["name"] == name && g == group {
			var rows []map[string]any
			for _, r := range m["rows"].([]any) {
				rows = append(rows, r.(map[string]any))
			}
			return rows
		}
	}
	t.Fatalf("no table %s (group %q) in %v", name, group, d["tables"])
	return nil
}

func (d reportDoc) fig(t *testing.T, table, group, category, measure string) figure {
	t.Helper()
	for _, r := range d.table(t, table, group) {
		if r["category"] == category && r["measure"] == measure {
			f := figure{suppressed: r["suppressed"] == true, previousSuppressed: r["previous_suppressed"] == true}
			if v, ok := r["value"].(float64); ok {
				f.value = &v
			}
			if v, ok := r["previous"].(float64); ok {
				f.previous = &v
			}
			return f
		}
	}
	t.Fatalf("no %s/%s in table %s (group %q)", category, measure, table, group)
	return figure{}
}

// want checks a figure's value (and previous value, when given).
func (d reportDoc) want(t *testing.T, table, category, measure string, value float64, previous ...float64) {
	t.Helper()
	f := d.fig(t, table, "", category, measure)
	if f.value == nil || *f.value != value {
		t.Errorf("%s %s %s = %v, want %v", table, category, measure, deref(f.value), value)
	}
	if len(previous) > 0 && (f.previous == nil || *f.previous != previous[0]) {
		t.Errorf("%s %s %s previous = %v, want %v", table, category, measure, deref(f.previous), previous[0])
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// additiveTables are the activity tables whose categories add up to their total.
var additiveTables = []string{"referrals_by_main_reason", "referrals_by_setting_type", "settings_by_type", "referrals_by_locality",
	"referrals_by_route", "meetings_by_type", "disputes_by_kind"}

// checkControlled asserts what open data promises: no published count below the threshold, and
// in an additive table no withheld count can be worked out from the total and the rest.
func checkControlled(t *testing.T, d reportDoc, threshold float64, additive []string) (withheld int) {
	t.Helper()
	c := d["disclosure"].(map[string]any)
	if c["control"] != "open" || c["threshold"] != threshold {
		t.Fatalf("disclosure = %v, want open at %v", c, threshold)
	}
	zeros := c["show_zeros"] == true
	counts := map[string]bool{"referrals": true, "settings": true, "meetings": true, "disputes": true, "requests": true, "assessments": true,
		"plans": true, "responses": true, "count": true, "young_people": true, "reviews": true, "budgets": true}
	for _, tb := range d["tables"].([]any) {
		m := tb.(map[string]any)
		for _, r := range m["rows"].([]any) {
			row := r.(map[string]any)
			if row["suppressed"] == true {
				withheld++
				if row["value"] != nil {
					t.Errorf("%s %s: withheld but value %v published", m["name"], row["category"], row["value"])
				}
			}
			for _, k := range []string{"value", "previous"} {
				if v, ok := row[k].(float64); ok && counts[row["measure"].(string)] && v < threshold && !(zeros && v == 0) {
					t.Errorf("%s %s %s %s = %v: a published count below the threshold %v", m["name"], row["category"], row["measure"], k, v, threshold)
				}
			}
		}
	}
	for _, name := range additive {
		rows := d.table(t, name, "")
		var hidden int
		totalShown := false
		for _, r := range rows {
			switch {
			case r["category"] == "total":
				totalShown = r["suppressed"] != true
			case r["suppressed"] == true:
				hidden++
			}
		}
		if totalShown && hidden == 1 {
			t.Errorf("%s: one withheld count beside a published total can be worked out by subtraction", name)
		}
	}
	return withheld
}

// salfordSettings are the settings that referred in the Salford pilot, by type.
var salfordSettings = []struct {
	typ string
	n   int
}{{"pvi_nursery", 27}, {"childrens_centre", 4}, {"school_primary", 55}, {"school_secondary", 18}, {"school_special", 1},
	{"pru_primary", 6}, {"pru_medical", 1}, {"pru_secondary", 1}}

// salfordReasons are the pilot's 153 referrals by reason.
var salfordReasons = []struct {
	reason string
	n      int
}{{"adhd", 4}, {"asd_asc", 15}, {"attachment", 2}, {"behaviour", 20}, {"complex_health_needs", 6}, {"complex_needs", 7},
	{"development", 7}, {"hearing_deaf", 3}, {"physical_mobility", 6}, {"semh", 15}, {"sen", 22}, {"speech_language", 31},
	{"transitional_support", 12}, {"visual_impairment", 3}}

// loadSalford records the Salford 0-25 pathfinder's activity (DOMAIN.md section 0) through the
// API, in the school year 2025-09-01 to 2026-08-31: 113 settings refer 153 children for the
// reasons the pilot reported, 13 of them with social care as the main reason; 86 EHC needs
// assessments start (95 the year before); no tribunal, no complaint. It returns the settings'
// practitioners in the order above.
func loadSalford(t *testing.T, e *env) {
	t.Helper()
	var referrers []string
	for _, s := range salfordSettings {
		for i := 0; i < s.n; i++ {
			org := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": fmt.Sprintf("%s %d", s.typ, i+1), "type": s.typ, "locality": "South"})
			if org.status != http.StatusCreated {
				t.Fatalf("organisation: %d %s", org.status, org.body)
			}
			p := e.do(http.MethodPost, "/v1/practitioners", e.admin, map[string]any{"organisation_id": org.json(t)["id"], "name": "Referrer",
				"email": fmt.Sprintf("%s%d@settings.example", s.typ, i), "role": "senco"})
			if p.status != http.StatusCreated {
				t.Fatalf("practitioner: %d %s", p.status, p.body)
			}
			referrers = append(referrers, p.json(t)["id"].(string))
		}
	}
	var reasons []string
	for _, r := range salfordReasons {
		for i := 0; i < r.n; i++ {
			reasons = append(reasons, r.reason)
		}
	}
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	socialCare := 0
	var children []string
	for i, reason := range reasons {
		kid := e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": "Child", "family_name": fmt.Sprintf("Salford %d", i),
			"date_of_birth": fmt.Sprintf("%d-03-01", 2008+i%16), "locality": "South"}, http.StatusCreated)["id"].(string)
		children = append(children, kid)
		// Every setting refers once; the rest come from the first primary schools.
		referrer := referrers[i%len(referrers)]
		if i >= len(referrers) {
			referrer = referrers[27+4+(i-len(referrers))]
		}
		body := map[string]any{"young_person_id": kid, "referrer_practitioner_id": referrer, "reasons": []string{reason},
			"services_involved": []string{"school", "camhs"}, "received_on": start.AddDate(0, 0, i*2).Format("2006-01-02"),
			"safeguarding_concern": i%15 == 0}
		if reason == "sen" && socialCare < 13 {
			socialCare++
			body["reasons"], body["main_reason"] = []string{"sen", "social_care"}, "social_care"
		}
		ref := e.mustDo(http.MethodPost, "/v1/referrals", body, http.StatusCreated)["id"].(string)
		if i%3 == 0 { // a third are accepted: the safeguarding ones on the safeguarding route
			e.mustDo(http.MethodPost, "/v1/referrals/"+ref+"/triage", map[string]any{"decision": "accept", "reason": "Meets the pathway.",
				"override_reason": "Pilot."}, http.StatusOK)
		}
	}
	// Three referrals the year before, for the comparison.
	for i := 0; i < 3; i++ {
		e.mustDo(http.MethodPost, "/v1/referrals", map[string]any{"young_person_id": children[i], "referrer_practitioner_id": referrers[40],
			"reasons": []string{"behaviour"}, "services_involved": []string{"school", "camhs"},
			"received_on": start.AddDate(0, -6, i).Format("2006-01-02")}, http.StatusCreated)
	}
	// EHC needs assessments started: 86 in the year, 95 the year before.
	for i := 0; i < 86+95; i++ {
		received := start.AddDate(0, 0, i)
		if i >= 86 {
			received = start.AddDate(-1, 0, i-86)
		}
		req := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": children[i%len(children)],
			"received_on": received.Format("2006-01-02"), "requested_by": "parent"}, http.StatusCreated)["id"].(string)
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+req+"/decision-to-assess", map[string]any{"decision": "assess",
			"decided_on": received.AddDate(0, 0, 30).Format("2006-01-02"), "reason": "Needs may call for a plan."}, http.StatusOK)
	}
}

// TestSalfordActivityOverview regenerates the Salford pilot's activity overview from the API:
// every figure of DOMAIN.md section 0, exactly, on both databases, as JSON and as CSV; then as
// open data, where no count below 5 is published.
func TestSalfordActivityOverview(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		loadSalford(t, e)
		d := e.report(e.officer, "/v1/reports/activity?from=2025-09-01&to=2026-08-31&compare=true")
		if d["disclosure"].(map[string]any)["control"] != "exact" {
			t.Fatalf("the SEND team gets exact figures by default: %v", d["disclosure"])
		}
		if p := d["previous_period"].(map[string]any); p["from"] != "2024-09-01" || p["to"] != "2025-08-31" {
			t.Fatalf("previous period %v", p)
		}
		d.want(t, "summary", "referrals", "referrals", 153, 3)
		d.want(t, "summary", "referring_settings", "settings", 113, 1)
		d.want(t, "summary", "ehc_assessments_started", "assessments", 86, 95)
		d.want(t, "summary", "ehc_requests", "requests", 86, 95)
		d.want(t, "summary", "tribunals", "disputes", 0, 0)
		d.want(t, "summary", "complaints", "disputes", 0, 0)
		for _, r := range salfordReasons {
			d.want(t, "referrals_by_reason", r.reason, "referrals", float64(r.n))
		}
		// 13 have social care as the main reason for referral.
		d.want(t, "referrals_by_reason", "social_care", "referrals", 13)
		d.want(t, "referrals_by_main_reason", "social_care", "referrals", 13)
		d.want(t, "referrals_by_main_reason", "sen", "referrals", 9)
		d.want(t, "referrals_by_main_reason", "total", "referrals", 153)
		for _, s := range salfordSettings {
			d.want(t, "settings_by_type", s.typ, "settings", float64(s.n))
		}
		d.want(t, "settings_by_type", "total", "settings", 113)
		d.want(t, "referrals_by_setting_type", "school_primary", "referrals", 55+40)
		d.want(t, "referrals_by_setting_type", "pvi_nursery", "referrals", 27)
		d.want(t, "referrals_by_locality", "south", "referrals", 153)
		d.want(t, "referrals_by_route", "safeguarding_assessment", "referrals", 11)
		d.want(t, "referrals_by_route", "family_assessment", "referrals", 40)
		d.want(t, "referrals_by_route", "", "referrals", 102)

		// The same report as CSV: one row per figure, the seed's labels.
		r := e.do(http.MethodGet, "/v1/reports/activity?from=2025-09-01&to=2026-08-31", e.officer, nil, "Accept", "text/csv")
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
		}
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "report,table,group,dimension,category,label,measure,value,previous" {
			t.Fatalf("CSV header %v", rows[0])
		}
		found := false
		for _, row := range rows {
			if strings.Join(row, ",") == "activity,referrals_by_reason,,reason,speech_language,Speech & language,referrals,31," {
				found = true
			}
		}
		if !found {
			t.Errorf("CSV lacks the speech and language row:\n%s", r.body)
		}

		// An analyst gets the same report disclosure-controlled, and may not ask for exact figures.
		o := e.report(e.analyst, "/v1/reports/activity?from=2025-09-01&to=2026-08-31&compare=true")
		checkControlled(t, o, 5, additiveTables)
		for _, small := range []string{"adhd", "attachment", "hearing_deaf", "visual_impairment"} {
			if f := o.fig(t, "referrals_by_reason", "", small, "referrals"); !f.suppressed || f.value != nil {
				t.Errorf("%s should be withheld in open output: %+v", small, f)
			}
		}
		o.want(t, "referrals_by_reason", "speech_language", "referrals", 31)
		o.want(t, "referrals_by_main_reason", "social_care", "referrals", 13)
		o.want(t, "summary", "ehc_assessments_started", "assessments", 86, 95)
		if f := o.fig(t, "summary", "", "tribunals", "disputes"); !f.suppressed {
			t.Errorf("a zero is below the threshold and withheld by default: %+v", f)
		}
		e.do(http.MethodGet, "/v1/reports/activity?from=2025-09-01&to=2026-08-31&disclosure=exact", e.analyst, nil).problem(t, http.StatusForbidden)
	})
}

// TestOpenData: a council publishes the reports it chooses, without credentials, always
// disclosure-controlled; the rest are 404.
func TestOpenData(t *testing.T) {
	publish := func(_ *httpapi.Options, c *app.Options) {
		c.OpenData = []string{report.Activity}
		c.Disclosure = report.Policy{Threshold: 5, Rounding: 5, ShowZeros: true}
	}
	each(t, func(t *testing.T, e *env) {
		// Main reasons 10, 7 and 3 add to 20: the 3 is below the threshold of 5, and secondary
		// suppression withholds the 7 too, so the 3 cannot be worked out from the total.
		for i, reason := range []string{"sen", "behaviour", "adhd"} {
			for j := 0; j < []int{10, 7, 3}[i]; j++ {
				kid := e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": "Child", "family_name": "Open",
					"date_of_birth": "2016-05-01", "locality": "South"}, http.StatusCreated)["id"].(string)
				e.mustDo(http.MethodPost, "/v1/referrals", map[string]any{"young_person_id": kid, "referrer_practitioner_id": e.schoolSENCO,
					"reasons": []string{reason}, "services_involved": []string{"school", "camhs"}, "received_on": "2026-03-01"}, http.StatusCreated)
			}
		}
		path := "/v1/open-data/activity?from=2026-03-01&to=2026-03-31"
		d := e.report("", path)
		checkControlled(t, d, 5, additiveTables)
		if c := d["disclosure"].(map[string]any); c["rounding"] != 5.0 || c["show_zeros"] != true {
			t.Fatalf("disclosure %v", c)
		}
		d.want(t, "referrals_by_main_reason", "sen", "referrals", 10)
		for _, hidden := range []string{"adhd", "behaviour"} {
			if f := d.fig(t, "referrals_by_main_reason", "", hidden, "referrals"); !f.suppressed {
				t.Errorf("%s should be withheld (primary or secondary): %+v", hidden, f)
			}
		}
		d.want(t, "referrals_by_main_reason", "total", "referrals", 20)
		d.want(t, "summary", "tribunals", "disputes", 0) // zeros are shown when the council says so
		// Whatever is asked, and with or without credentials, open data is controlled.
		if c := e.report(e.officer, path+"&compare=true")["disclosure"].(map[string]any); c["control"] != "open" {
			t.Fatalf("open data with a key: %v", c)
		}
		e.do(http.MethodGet, "/v1/open-data/funnel?from=2026-03-01&to=2026-03-01", "", nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/open-data/activity?from=2026-03-02&to=2026-03-01", "", nil).problem(t, http.StatusBadRequest)
		// The SEND team can ask for the published form too.
		checkControlled(t, e.report(e.officer, "/v1/reports/activity?from=2026-03-01&to=2026-03-31&disclosure=open"), 5, additiveTables)
		// Controlled figures cover whole months: a period ending on any day, against one ending a
		// day earlier, gave that day's exact count by subtraction.
		for _, q := range []struct{ path, pointer string }{
			{"/v1/open-data/activity?from=2026-03-01&to=2026-03-02", "/query/to"},
			{"/v1/open-data/activity?from=2026-03-02&to=2026-03-31", "/query/from"},
			{"/v1/reports/activity?from=2026-01-01&to=2026-03-01&disclosure=open", "/query/to"},
		} {
			if p := e.do(http.MethodGet, q.path, e.officer, nil).problem(t, http.StatusBadRequest); !hasPointer(p, q.pointer) {
				t.Errorf("%s: %v, want %s", q.path, pointers(p), q.pointer)
			}
		}
	}, publish)
}

// TestOpenDataLocalities: a locality is free text typed on a child's record, so open data and
// analysts' reports name only the council's own localities (ONEPLAN_PUBLISHED_LOCALITIES) and pool
// every other, with the unrecorded, into one controlled row: a family's name typed as a locality
// is published nowhere, not even as the label of a withheld row. Nor can a caller filter by it.
// The SEND team's exact report still shows it as recorded.
func TestOpenDataLocalities(t *testing.T) {
	publish := func(_ *httpapi.Options, c *app.Options) {
		c.OpenData = []string{report.Activity}
		c.Published = []string{"South", "North"} // the pathway's area stays the whole council
	}
	each(t, func(t *testing.T, e *env) {
		// Six children in South, one with a family's name as the locality, four with North mistyped.
		for i, locality := range []string{"South", "South", "South", "south ", "South", "South", "Jane Smith's house", "Nroth", "Nroth", "Nroth", "Nroth"} {
			kid := e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": "Child", "family_name": fmt.Sprintf("Locality %d", i),
				"date_of_birth": "2016-05-01", "locality": locality}, http.StatusCreated)["id"].(string)
			ref := e.mustDo(http.MethodPost, "/v1/referrals", map[string]any{"young_person_id": kid, "referrer_practitioner_id": e.schoolSENCO,
				"reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"}, "received_on": "2026-03-02"}, http.StatusCreated)
			// Publishing by locality does not narrow the area eligibility is judged on.
			if in := ref["eligibility"].(map[string]any)["in_area"]; in != true {
				t.Fatalf("a referral from %q: in_area %v", locality, in)
			}
		}
		const period = "?from=2026-03-01&to=2026-03-31"
		typed := func(body []byte) bool {
			s := strings.ToLower(string(body))
			return strings.Contains(s, "smith") || strings.Contains(s, "nroth")
		}
		for name, r := range map[string]reply{
			"open data":           e.do(http.MethodGet, "/v1/open-data/activity"+period, "", nil),
			"open data CSV":       e.do(http.MethodGet, "/v1/open-data/activity"+period, "", nil, "Accept", "text/csv"),
			"open data compared":  e.do(http.MethodGet, "/v1/open-data/activity"+period+"&compare=true", "", nil),
			"analyst":             e.do(http.MethodGet, "/v1/reports/activity"+period, e.analyst, nil),
			"SEND team, open":     e.do(http.MethodGet, "/v1/reports/activity"+period+"&disclosure=open", e.officer, nil),
			"SEND team, open CSV": e.do(http.MethodGet, "/v1/reports/activity"+period+"&disclosure=open", e.officer, nil, "Accept", "text/csv"),
		} {
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", name, r.status, r.body)
			}
			if typed(r.body) {
				t.Errorf("%s publishes a locality typed on a child's record:\n%s", name, r.body)
			}
		}
		d := e.report("", "/v1/open-data/activity"+period)
		checkControlled(t, d, 5, additiveTables)
		labels := map[string]string{}
		for _, r := range d.table(t, "referrals_by_locality", "") {
			labels[r["category"].(string)] = r["label"].(string)
		}
		if want := map[string]string{"south": "South", "north": "North", "": report.OtherLocalities, "total": "Total"}; fmt.Sprint(labels) != fmt.Sprint(want) {
			t.Errorf("locality rows %v, want %v", labels, want)
		}
		// South's six are published by name; North's zero is withheld, and with it the pooled five
		// (the smallest other part) so that the total does not give the zero away.
		d.want(t, "referrals_by_locality", "south", "referrals", 6)
		d.want(t, "referrals_by_locality", "total", "referrals", 11)
		for _, hidden := range []string{"north", ""} {
			if f := d.fig(t, "referrals_by_locality", "", hidden, "referrals"); !f.suppressed {
				t.Errorf("%q should be withheld: %+v", hidden, f)
			}
		}

		// Exact, the SEND team sees every locality as recorded.
		x := e.report(e.officer, "/v1/reports/activity"+period)
		x.want(t, "referrals_by_locality", "jane smith's house", "referrals", 1)
		x.want(t, "referrals_by_locality", "nroth", "referrals", 4)
		x.want(t, "referrals_by_locality", "south", "referrals", 6)
		if r := e.do(http.MethodGet, "/v1/reports/activity"+period, e.officer, nil); !strings.Contains(string(r.body), `"label":"Jane Smith's house"`) {
			t.Errorf("the exact report labels the locality as recorded:\n%s", r.body)
		}

		// Controlled figures filter only by the council's localities: figures for a guessed text
		// would tell whether a record carries it.
		for _, path := range []string{"/v1/open-data/activity" + period + "&locality=Jane%20Smith%27s%20house",
			"/v1/reports/activity" + period + "&locality=nroth&disclosure=open"} {
			if p := e.do(http.MethodGet, path, e.analyst, nil).problem(t, http.StatusBadRequest); !hasPointer(p, "/query/locality") {
				t.Errorf("%s: %v", path, pointers(p))
			}
		}
		e.report("", "/v1/open-data/activity"+period+"&locality=south").want(t, "referrals_by_locality", "south", "referrals", 6)
		e.report(e.officer, "/v1/reports/activity"+period+"&locality=nroth").want(t, "referrals_by_locality", "nroth", "referrals", 4)
	}, publish)
}

// TestExperienceScores: survey means to two decimal places on a known data set; the parents'
// four questions come out as the Salford pilot reported them (4.7, 4.6, 4.5, 4.4).
func TestExperienceScores(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		answer := func(body map[string]any) {
			t.Helper()
			body["submitted_on"] = "2026-06-15"
			e.mustDo(http.MethodPost, "/v1/survey-responses", body, http.StatusCreated)
		}
		// Ten parents: listened to 7x5 + 3x4 = 4.70; involved 6x5 + 4x4 = 4.60; understood 5x5 +
		// 5x4 = 4.50; confidence and trust 4x5 + 6x4 = 4.40.
		for i := 0; i < 10; i++ {
			score := func(fives int) int {
				if i < fives {
					return 5
				}
				return 4
			}
			answer(parentResponse(f.referral, score(7), score(6), score(5), score(4)))
		}
		// Professionals: three engagement leads and four others.
		prof := func(role string, scores ...int) {
			var answers []map[string]any
			for i, q := range []string{"information_sharing", "accessing_information", "mam_successful", "success_for_parents", "success_for_professionals"} {
				answers = append(answers, map[string]any{"question_id": q, "value": scores[i]})
			}
			answer(map[string]any{"template_id": professionalTemplate, "point": "after_mam", "professional_role": role, "answers": answers})
		}
		prof("engagement_lead", 5, 4, 5, 5, 4)
		prof("engagement_lead", 4, 4, 5, 4, 4)
		prof("engagement_lead", 4, 3, 4, 5, 5)
		prof("other", 5, 5, 3, 4, 4)
		prof("other", 5, 4, 3, 4, 3)
		prof("other", 4, 4, 4, 4, 4)
		prof("other", 3, 3, 2, 5, 4)

		d := e.report(e.officer, "/v1/reports/experience?from=2026-06-01&to=2026-06-30")
		mean := func(group, question string, want float64) {
			t.Helper()
			f := d.fig(t, "scores", group, question, "mean_score")
			if f.value == nil || math.Abs(*f.value-want) > 1e-9 {
				t.Errorf("%s %s mean = %v, want %v", group, question, deref(f.value), want)
			}
		}
		parents := "parent_carer_experience/parent_carer"
		mean(parents, "listened_to", 4.7)
		mean(parents, "involved_in_decisions", 4.6)
		mean(parents, "understood", 4.5)
		mean(parents, "confidence_and_trust", 4.4)
		leads, others := "professional_experience/professional_engagement_lead", "professional_experience/professional_other"
		mean(leads, "information_sharing", 4.33)   // 13/3
		mean(leads, "accessing_information", 3.67) // 11/3
		mean(leads, "success_for_professionals", 4.33)
		mean(others, "information_sharing", 4.25) // 17/4
		mean(others, "mam_successful", 3)         // 12/4
		mean(others, "success_for_professionals", 3.75)
		if n := d.fig(t, "scores", parents, "listened_to", "responses"); n.value == nil || *n.value != 10 {
			t.Errorf("responses %v", deref(n.value))
		}
		// The distribution of answers, adding up to the responses.
		for value, want := range map[string]float64{"5": 7, "4": 3, "3": 0, "2": 0, "1": 0, "total": 10} {
			if f := d.fig(t, "answers:listened_to", parents, value, "responses"); f.value == nil || *f.value != want {
				t.Errorf("listened to, %s: %v, want %v", value, deref(f.value), want)
			}
		}
		// Controlled: ten parents' means stand; the distribution, with cells under 5, is withheld whole.
		o := e.report(e.analyst, "/v1/reports/experience?from=2026-06-01&to=2026-06-30")
		checkControlled(t, o, 5, nil)
		if f := o.fig(t, "scores", parents, "listened_to", "mean_score"); f.value == nil || *f.value != 4.7 {
			t.Errorf("controlled mean %v", deref(f.value))
		}
		for _, value := range []string{"5", "4"} {
			if f := o.fig(t, "answers:listened_to", parents, value, "responses"); !f.suppressed {
				t.Errorf("distribution cell %s should be withheld with the rest: %+v", value, f)
			}
		}
		if f := o.fig(t, "scores", leads, "information_sharing", "mean_score"); !f.suppressed {
			t.Errorf("a mean of three engagement leads must be withheld: %+v", f)
		}
		// Outside the period, nothing.
		if tables := e.report(e.officer, "/v1/reports/experience?from=2026-07-01&to=2026-07-31")["tables"].([]any); len(tables) != 0 {
			t.Errorf("tables for an empty period: %v", tables)
		}
	})
}

// TestFunnelReport: how far the referrals received in a period got, and the median days from
// receipt and between stages, each stage dated when it happened (a MAM by the day it was held).
func TestFunnelReport(t *testing.T) {
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	at := func(_ *httpapi.Options, c *app.Options) { c.Clock = func() time.Time { return clock } }
	each(t, func(t *testing.T, e *env) {
		clock = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		on := func(d int) string { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02") }
		set := func(d int) { clock = time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
		refer := func(locality string) string {
			kid := e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": "Funnel", "family_name": "Child",
				"date_of_birth": "2017-01-01", "locality": locality}, http.StatusCreated)["id"].(string)
			return e.mustDo(http.MethodPost, "/v1/referrals", map[string]any{"young_person_id": kid, "referrer_practitioner_id": e.schoolSENCO,
				"reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"},
				"consent": map[string]any{"given_by": "Parent", "relationship": "parent", "given_on": on(2)}}, http.StatusCreated)["id"].(string)
		}
		a, b, c, north := refer("South"), refer("South"), refer("South"), refer("North")
		accept := func(ref string) {
			e.mustDo(http.MethodPost, "/v1/referrals/"+ref+"/triage", map[string]any{"decision": "accept", "reason": "Meets the pathway."}, http.StatusOK)
		}
		assess := func(ref string) {
			e.mustDo(http.MethodPost, "/v1/family-assessments", map[string]any{"referral_id": ref, "sections": map[string]any{"child_voice": "Trains."}},
				http.StatusCreated)
		}
		set(3)
		accept(b)
		set(4)
		e.mustDo(http.MethodPost, "/v1/referrals/"+c+"/triage", map[string]any{"decision": "decline", "reason": "Single service."}, http.StatusOK)
		set(5)
		accept(a)
		accept(north)
		set(9)
		assess(a)
		set(13)
		assess(b)
		set(16)
		e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": a, "type": "allocation", "held_on": on(16), "decisions": []string{"Lead."}}, http.StatusCreated)
		e.mustDo(http.MethodPost, "/v1/referrals/"+a+"/allocation", map[string]any{"practitioner_id": e.lead, "reason": "Knows the family."}, http.StatusOK)
		set(20)
		e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": a, "type": "mam", "held_on": on(18), "decisions": []string{"SALT."},
			"attendees": []any{map[string]any{"kind": "practitioner", "practitioner_id": e.lead}}}, http.StatusCreated)

		d := e.report(e.officer, "/v1/reports/funnel?from=2026-03-01&to=2026-03-31")
		stage := func(s string, n float64, fromReceived, gap any) {
			t.Helper()
			d.want(t, "stages", s, "referrals", n)
			if s == "received" {
				return
			}
			for measure, want := range map[string]any{"median_days_from_received": fromReceived, "median_days_from_previous_stage": gap} {
				f := d.fig(t, "stages", "", s, measure)
				if deref(f.value) != want {
					t.Errorf("%s %s = %v, want %v", s, measure, deref(f.value), want)
				}
			}
		}
		stage("received", 4, nil, nil)
		stage("accepted", 3, 3.0, 3.0) // 1, 3 and 3 days
		stage("declined", 1, 2.0, 2.0)
		stage("assessing", 2, 9.0, 7.0)  // a: 7 (4 after acceptance), b: 11 (10 after)
		stage("allocated", 1, 14.0, 7.0) // a: 14, 7 after the assessment started
		stage("mam_held", 1, 16.0, 2.0)  // held on the 18th, recorded on the 20th
		stage("panel", 0, nil, nil)
		stage("closed", 0, nil, nil)

		// Filters: the locality, the organisation involved.
		s := e.report(e.officer, "/v1/reports/funnel?from=2026-03-01&to=2026-03-31&locality=north")
		s.want(t, "stages", "received", "referrals", 1)
		s.want(t, "stages", "accepted", "referrals", 1)
		s = e.report(e.officer, "/v1/reports/funnel?from=2026-03-01&to=2026-03-31&organisation_id="+e.other)
		s.want(t, "stages", "received", "referrals", 0)
		s = e.report(e.officer, "/v1/reports/funnel?from=2026-03-01&to=2026-03-31&organisation_id="+e.health)
		s.want(t, "stages", "received", "referrals", 1) // the engagement lead's trust is in a's team
		// An organisation that is not there is a mistake to name, not an empty report (as an
		// unknown survey template is), for every report.
		for _, kind := range []string{"activity", "funnel", "timeliness", "transitions", "experience", "transforming-care"} {
			u := "/v1/reports/" + kind + "?from=2026-03-01&to=2026-03-31&organisation_id=0190a7d2-0000-7000-8000-000000000000"
			if p := e.do(http.MethodGet, u, e.officer, nil).problem(t, http.StatusBadRequest); !hasPointer(p, "/query/organisation_id") {
				t.Errorf("%s: pointers %v", u, pointers(p))
			}
		}
		// A period ending before it starts, or longer than 10 years, names "to".
		for _, q := range []string{"from=2026-03-31&to=2026-03-01", "from=2010-01-01&to=2026-03-01"} {
			p := e.do(http.MethodGet, "/v1/reports/funnel?"+q, e.officer, nil).problem(t, http.StatusBadRequest)
			if !hasPointer(p, "/query/to") {
				t.Errorf("%s: pointers %v", q, pointers(p))
			}
		}
	}, at)
}

// TestTransitionsReport: on the period's last day, young people 14 to 25 with an open referral or
// an EHC plan, with and without a transition plan; and EHC plans ending in the next 12 months.
func TestTransitionsReport(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		p1 := e.person("Fifteen", "2011-03-01") // open referral, no plan
		e.openReferral(p1, "2026-02-01")
		p2 := e.person("Seventeen", "2009-05-01") // open referral and a transition plan
		e.openReferral(p2, "2026-02-01")
		e.plan(p2, map[string]any{"started_on": "2026-03-01"})
		p3 := e.person("TwentyFour", "2001-03-01") // EHC plan ending at 25, this August; no plan
		e.ehcPlan(p3, "issued", "2024-05-01")
		p4 := e.person("Eighteen", "2008-01-01") // EHC plan expected to end in January
		e.ehcPlan(p4, "issued", "2024-05-01")
		e.plan(p4, map[string]any{"started_on": "2026-03-01", "ehc_plan_expected_end_on": "2027-01-31"})
		e.openReferral(e.person("Thirteen", "2013-01-01"), "2026-02-01") // too young
		declined := e.openReferral(e.person("Sixteen", "2010-01-01"), "2026-02-01")
		e.mustDo(http.MethodPost, "/v1/referrals/"+declined+"/triage", map[string]any{"decision": "decline", "reason": "x"}, http.StatusOK)

		d := reportDoc(e.mustDo(http.MethodGet, "/v1/reports/transitions?from=2026-01-01&to=2026-06-30&compare=true", nil, http.StatusOK))
		d.want(t, "transition_plans", "with_plan", "young_people", 2, 0)
		d.want(t, "transition_plans", "without_plan", "young_people", 2, 2) // on 31 December: p3, and p4 before the plan
		d.want(t, "transition_plans", "total", "young_people", 4, 2)
		d.want(t, "transition_plans", "with_plan", "percent", 50, 0)
		d.want(t, "ehc_plans_ending", "expected_end", "plans", 1, 0)
		d.want(t, "ehc_plans_ending", "upper_age_limit", "plans", 1, 1)
		d.want(t, "ehc_plans_ending", "total", "plans", 2, 1)
	})
}

// TestReportFormats: JSON unless the Accept header prefers CSV; a withheld figure is [c] in CSV.
func TestReportFormats(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.fixture() // one referral today: withheld in open output
		// Open output covers whole months: this month's.
		first := time.Now().UTC().AddDate(0, 0, 1-time.Now().UTC().Day())
		path := "/v1/reports/activity?from=" + first.Format("2006-01-02") + "&to=" + first.AddDate(0, 1, -1).Format("2006-01-02")
		for accept, csvWanted := range map[string]bool{"": false, "*/*": false, "application/json": false, "text/csv": true,
			"application/json;q=0.5, text/csv": true, "text/csv;q=0.1, application/json": false, "text/csv, application/json": true,
			"application/json, text/csv": false} {
			r := e.do(http.MethodGet, path, e.officer, nil, "Accept", accept)
			if r.status != http.StatusOK {
				t.Fatalf("Accept %q: %d %s", accept, r.status, r.body)
			}
			if got := strings.HasPrefix(r.header.Get("Content-Type"), "text/csv"); got != csvWanted {
				t.Errorf("Accept %q: Content-Type %s", accept, r.header.Get("Content-Type"))
			}
		}
		r := e.do(http.MethodGet, path+"&disclosure=open", e.officer, nil, "Accept", "text/csv")
		if !strings.Contains(string(r.body), "activity,summary,,measure,referrals,Referrals received,referrals,[c],") {
			t.Errorf("withheld referrals not marked [c]:\n%s", r.body)
		}
	})
}

// TestOpenDataRateLimitedPerAddress: with no key to count by, open data is limited per client
// address.
func TestOpenDataRateLimitedPerAddress(t *testing.T) {
	limited := func(h *httpapi.Options, c *app.Options) {
		h.RateLimit, h.RateBurst = 0.001, 2
		c.OpenData = []string{report.Activity}
	}
	each(t, func(t *testing.T, e *env) {
		path := "/v1/open-data/activity?from=2026-01-01&to=2026-01-31"
		for i := 0; i < 2; i++ {
			if r := e.do(http.MethodGet, path, "", nil); r.status != http.StatusOK {
				t.Fatalf("call %d: %d %s", i, r.status, r.body)
			}
		}
		r := e.do(http.MethodGet, path, "", nil)
		r.problem(t, http.StatusTooManyRequests)
		if r.header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	}, limited)
}

// TestClientAddressFromTrustedProxy: behind a proxy on a private or loopback address (here the
// test client itself), the per-address limit counts the address the proxy names. A peer on a
// public address is counted by its own address whatever it sends (echo.ExtractIPFromXFFHeader).
func TestClientAddressFromTrustedProxy(t *testing.T) {
	limited := func(h *httpapi.Options, c *app.Options) {
		h.RateLimit, h.RateBurst = 0.001, 1
		c.OpenData = []string{report.Activity}
	}
	each(t, func(t *testing.T, e *env) {
		path := "/v1/open-data/activity?from=2026-01-01&to=2026-01-31"
		for _, addr := range []string{"203.0.113.7", "203.0.113.8"} {
			if r := e.do(http.MethodGet, path, "", nil, "X-Forwarded-For", addr); r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", addr, r.status, r.body)
			}
		}
		e.do(http.MethodGet, path, "", nil, "X-Forwarded-For", "203.0.113.7").problem(t, http.StatusTooManyRequests)
	}, limited)
}
