package httpapi_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/report"
)

const formula = `=cmd|'/C calc'!A0`

// noFormulaCells fails when a cell of a CSV answer would be read by a spreadsheet as a formula,
// and requires the value to be there, neutralised with a single quote (OWASP), when there says
// so, and not there at all otherwise.
func noFormulaCells(t *testing.T, name string, body []byte, there bool) {
	t.Helper()
	rd := csv.NewReader(strings.NewReader(string(body)))
	rd.FieldsPerRecord = -1
	records, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("%s: not CSV: %v", name, err)
	}
	found := false
	for _, rec := range records {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && strings.Trim(cell, "-0123456789.") != "" {
				t.Fatalf("%s: a cell a spreadsheet would run: %q", name, cell)
			}
			found = found || cell == "'"+formula
		}
	}
	switch {
	case !there && strings.Contains(string(body), formula):
		t.Fatalf("%s: the locality is there: %s", name, body)
	case there && !found:
		t.Fatalf("%s: the locality is not there, quoted: %s", name, body)
	}
}

// TestCSVFormulaInjection: a locality typed as a spreadsheet formula is written as text, never a
// formula, in the staff report CSV and an import's rejects file; the anonymous open-data CSV,
// which names only the council's localities, does not carry it at all.
func TestCSVFormulaInjection(t *testing.T) {
	publish := func(_ *httpapi.Options, c *app.Options) {
		c.OpenData = []string{report.Activity}
	}
	each(t, func(t *testing.T, e *env) {
		kid := e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": "Child", "family_name": "Formula",
			"date_of_birth": "2016-05-01", "locality": formula}, http.StatusCreated)["id"].(string)
		e.mustDo(http.MethodPost, "/v1/referrals", map[string]any{"young_person_id": kid, "referrer_practitioner_id": e.schoolSENCO,
			"reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"}, "received_on": "2026-03-01"}, http.StatusCreated)
		period := "?from=2026-03-01&to=2026-03-31" // open data covers whole months
		for name, r := range map[string]reply{
			"open data":    e.do(http.MethodGet, "/v1/open-data/activity"+period, "", nil, "Accept", "text/csv"),
			"staff report": e.do(http.MethodGet, "/v1/reports/activity"+period, e.officer, nil, "Accept", "text/csv"),
		} {
			if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("%s: %d %s", name, r.status, r.body)
			}
			noFormulaCells(t, name, r.body, name != "open data")
			// Figures the server writes stay numbers.
			if !strings.Contains(string(r.body), ",referrals,") {
				t.Fatalf("%s: %s", name, r.body)
			}
		}
		// An import's rejects file echoes the rows it refused.
		file := strings.TrimSuffix(importHeader, "\n") + ",locality\n" + "bridge,F1,,Formula,2015-03-01,,ASD," + formula + "\n"
		id := e.submitImport(e.officer, "kind=young-people&continue_on_error=true", file, http.StatusAccepted)
		if j := e.runJob(e.officer, id); counts(j) != "1 read, 0 created, 0 unchanged, 1 rejected" {
			t.Fatalf("import: %v", j)
		}
		r := e.do(http.MethodGet, "/v1/imports/"+id+"/rejects", e.officer, nil)
		if r.status != http.StatusOK {
			t.Fatalf("rejects: %d %s", r.status, r.body)
		}
		noFormulaCells(t, "rejects", r.body, true)
	}, importsEnv, publish)
}
