package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

const planHeader = "external_system,external_id,young_person_system,young_person_external_id,nhs_number,status,first_issued_on," +
	"last_reviewed_on,review_due_on,phase_transfer_kind,phase_transfer_on,cease_reason,ceased_on,sen_types,setting_name,setting_type\n"

// TestImportEHCPlans: plans load after the children, naming them by another system's id or NHS
// number; each bad value is refused with its row and column; a dry run writes nothing; a row the
// database refuses rolls back the file; the plans keep their real dates, get their audit and
// outbox events and their next review; the sweep says nothing about a review that was due before
// the import but warns of one still ahead; a re-run changes nothing; --continue-on-error writes
// the rejects.
func TestImportEHCPlans(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
			if out := mustRun(t, "import", "template", "ehc-plans"); !strings.HasPrefix(out, strings.TrimSuffix(planHeader, "\n")+",setting_urn,setting_ukprn") {
				t.Fatalf("template: %q", out)
			}
			mustRun(t, "import", "young-people", "--quiet", writeFile(t, "yp.csv", ypHeader+
				"bridge,B1,Ada,Example,2015-03-01,"+nhs(1)+",ASD\n"+
				"bridge,B2,Ben,Example,2016-04-02,"+nhs(2)+",SLCN\n"+
				"bridge,B3,Cy,Example,2014-01-01,"+nhs(3)+",MLD\n"))

			bad := writeFile(t, "bad.csv", planHeader+
				"ems,P1,bridge,B1,,draft,2023-03-14,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P2,bridge,B1,,issued,14/03/2023,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P3,bridge,B1,,issued,2023-03-14,2022-01-01,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P4,,,,issued,2023-03-14,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P5,bridge,B1,,ceased,2023-03-14,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P6,bridge,B1,,issued,2023-03-14,,,,,,,WINGS,Oak Primary,castle\n"+
				"ems,P7,bridge,B1,,issued,2023-03-14,,2025-01-01,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P1,bridge,B1,,issued,2023-03-14,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P8,bridge,B1,,issued,2099-01-01,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P9,bridge,B1,,issued,2023-03-14,,,sideways,2027-09-01,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P10,bridge,B1,,issued,2023-03-14,,,,,2,2024-01-01,ASD,,mainstream_school\n")
			out, errOut, err := runCmd(t, "import", "ehc-plans", "--quiet", bad)
			if err == nil || !strings.Contains(err.Error(), "nothing imported") {
				t.Fatalf("bad plans: %v\n%s", err, out)
			}
			for _, want := range []string{
				"row 2, column status: must be issued or ceased",
				"row 3, column first_issued_on: must be a date YYYY-MM-DD, from 1900-01-01",
				"row 4, column last_reviewed_on: must not be before first_issued_on",
				"row 5, column nhs_number: is required",
				"row 6, column cease_reason: must be a SEN2 cease reason",
				"row 6, column ceased_on: is required for a ceased plan",
				"row 7, column sen_types: must be a SEN2 need type",
				"row 7, column setting_type: must be one of",
				"row 8, column review_due_on: must be no later than 2024-03-13",
				"row 9, column external_id: is given again (first on row 2)",
				"row 10, column first_issued_on: must not be in the future",
				"row 11, column phase_transfer_kind: must be between_phases",
				"row 12, column setting_name: is required",
				"row 12, column cease_reason: only a ceased plan has a cease reason",
			} {
				if !strings.Contains(errOut, want) {
					t.Errorf("problems lack %q:\n%s", want, errOut)
				}
			}

			// A review still ahead: first issued 11 months and 3 weeks ago, so due within its lead.
			recent := statutory.Civil(time.Now()).AddDate(-1, 0, 10).Format(time.DateOnly)
			good := writeFile(t, "good.csv", planHeader+
				"ems,P1,bridge,B1,,issued,2023-03-14,2024-02-10,,,,,,ASD;SLCN,Oak Primary,mainstream_school\n"+
				"ems,P2,,,"+nhs(2)+",issued,"+recent+",,,,,,,SEMH,Oak Primary,mainstream_school\n"+
				"ems,P3,bridge,B3,,ceased,2022-01-10,,,,,2,2024-07-20,MLD,Elm Special,special_school\n")
			if out = mustRun(t, "import", "ehc-plans", "--dry-run", "--quiet", good); !strings.Contains(out, "3 rows, 3 created") {
				t.Fatalf("dry run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM ehc_plans"); n != 0 {
				t.Fatalf("a dry run wrote %d plans", n)
			}

			// A row the database refuses (a child no record holds) rolls back the rows before it.
			unknown := writeFile(t, "unknown.csv", planHeader+
				"ems,P1,bridge,B1,,issued,2023-03-14,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P2,bridge,B9,,issued,2023-03-14,,,,,,,ASD,Oak Primary,mainstream_school\n")
			out, errOut, err = runCmd(t, "import", "ehc-plans", "--quiet", unknown)
			if err == nil || !strings.Contains(errOut, "row 3:") || !strings.Contains(errOut, "no young person holds this external id") {
				t.Fatalf("unknown child: %v\n%s\n%s", err, out, errOut)
			}
			for _, table := range []string{"ehc_plans", "annual_reviews", "external_ids WHERE record_type = 'ehc_plan'", "deadline_notices", "clock_notices"} {
				if n := count(t, dsn, "SELECT count(*) FROM "+table); n != 0 {
					t.Fatalf("%s after a refused file: %d", table, n)
				}
			}

			if out = mustRun(t, "import", "ehc-plans", "--quiet", good); !strings.Contains(out, "ehc-plans: 3 rows, 3 created, 0 already present (unchanged), 0 refused") {
				t.Fatalf("import: %s", out)
			}
			job := out[strings.LastIndex(out, "import ")+len("import ") : len(out)-1]
			for q, want := range map[string]int{
				"SELECT count(*) FROM ehc_plans WHERE first_issued_on = '2023-03-14' AND last_reviewed_on = '2024-02-10' AND review_due_on = '2025-02-09' AND status = 'issued'": 1,
				"SELECT count(*) FROM ehc_plans WHERE status = 'ceased'":                                                                       1,
				"SELECT count(*) FROM annual_reviews":                                                                                          2,
				"SELECT count(*) FROM external_ids WHERE record_type = 'ehc_plan' AND system = 'ems'":                                          3,
				"SELECT count(*) FROM outbox_events WHERE event_type = 'ehc_plan.issued'":                                                      2,
				"SELECT count(*) FROM outbox_events WHERE event_type = 'ehc_plan.ceased'":                                                      1,
				"SELECT count(*) FROM audit_events WHERE action = 'create' AND record_type = 'ehc_plan' AND request_id = 'import-" + job + "'": 3,
			} {
				if n := count(t, dsn, q); n != want {
					t.Errorf("%s: %d, want %d", q, n, want)
				}
			}
			// The sweep: nothing about the review due in 2025, the review ahead warned of.
			mustRun(t, "sweep")
			for q, want := range map[string]int{
				"SELECT count(*) FROM outbox_events WHERE event_type IN ('deadline.missed', 'annual_review.deadline_missed')": 0,
				"SELECT count(*) FROM outbox_events WHERE event_type = 'deadline.due_soon'":                                   1,
			} {
				if n := count(t, dsn, q); n != want {
					t.Errorf("after the sweep, %s: %d, want %d", q, n, want)
				}
			}

			if out = mustRun(t, "import", "ehc-plans", "--quiet", good); !strings.Contains(out, "3 rows, 0 created, 3 already present (unchanged), 0 refused") {
				t.Fatalf("re-run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM ehc_plans"); n != 3 {
				t.Fatalf("plans after a re-run: %d", n)
			}

			// --continue-on-error: the good row loads, the bad ones go to the rejects file.
			rejects := filepath.Join(t.TempDir(), "rejects.csv")
			mixed := writeFile(t, "mixed.csv", planHeader+
				"ems,P4,bridge,B2,,issued,2024-01-10,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P5,bridge,B9,,issued,2024-01-10,,,,,,,ASD,Oak Primary,mainstream_school\n"+
				"ems,P6,bridge,B1,,issued,2024-01-10,,,,,,,NOPE,Oak Primary,mainstream_school\n")
			out, _, err = runCmd(t, "import", "ehc-plans", "--quiet", "--continue-on-error", "--rejects", rejects, mixed)
			if err != nil || !strings.Contains(out, "3 rows, 0 created, 0 already present (unchanged), 3 refused") {
				t.Fatalf("continue on error: %v %s", err, out)
			}
			rj, err := os.ReadFile(rejects)
			if err != nil {
				t.Fatal(err)
			}
			if lines := strings.Split(strings.TrimSpace(string(rj)), "\n"); len(lines) != 4 || !strings.Contains(string(rj), "already has an EHC plan") ||
				!strings.Contains(string(rj), "no young person holds this external id") || !strings.Contains(string(rj), "column sen_types") {
				t.Fatalf("rejects file:\n%s", rj)
			}
		})
	}
}

const transitionHeader = "young_person_system,young_person_external_id,nhs_number,started_on,care_act_status,care_act_requested_on,chc_identified_on,chc_eligible,ended_on,end_reason\n"

// TestImportTransitionPlans: transition plans load with their real start, each bad value refused
// with its row and column; a re-run changes nothing; the sweep says nothing of history.
func TestImportTransitionPlans(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
			mustRun(t, "import", "young-people", "--quiet", writeFile(t, "yp.csv", ypHeader+
				"bridge,T1,Ada,Example,2010-03-01,"+nhs(11)+",ASD\n"+
				"bridge,T2,Ben,Example,2009-04-02,"+nhs(12)+",SLCN\n"))
			bad := writeFile(t, "bad.csv", transitionHeader+
				"bridge,T1,,2099-01-01,,,,,,\n"+
				"bridge,T1,,2024-09-01,sometimes,,,,,\n"+
				"bridge,T1,,2024-09-01,requested,,,,,\n"+
				"bridge,T1,,2024-09-01,,,,maybe,,\n"+
				"bridge,T1,,2024-09-01,,,,,,left_area\n"+
				",,,2024-09-01,,,,,,\n")
			out, errOut, err := runCmd(t, "import", "transition-plans", "--quiet", bad)
			if err == nil || !strings.Contains(err.Error(), "nothing imported") {
				t.Fatalf("bad plans: %v\n%s", err, out)
			}
			for _, want := range []string{
				"row 2, column started_on: must not be in the future",
				"row 3, column care_act_status: is not a known status",
				"row 4, column care_act_requested_on: is required once the assessment has been requested",
				"row 5, column chc_eligible: must be true or false",
				"row 6, column ended_on: is required with end_reason",
				"row 7, column nhs_number: is required",
			} {
				if !strings.Contains(errOut, want) {
					t.Errorf("problems lack %q:\n%s", want, errOut)
				}
			}
			good := writeFile(t, "good.csv", transitionHeader+
				"bridge,T1,,2024-09-01,requested,2025-01-15,2024-10-01,,,\n"+
				",,"+nhs(12)+",2023-05-01,not_needed,,,,2025-06-30,moved_to_adult_services\n")
			if out = mustRun(t, "import", "transition-plans", "--quiet", good); !strings.Contains(out, "2 rows, 2 created, 0 already present (unchanged), 0 refused") {
				t.Fatalf("import: %s", out)
			}
			for q, want := range map[string]int{
				"SELECT count(*) FROM transition_plans WHERE started_on = '2024-09-01' AND ended_on IS NULL":     1,
				"SELECT count(*) FROM transition_plans WHERE ended_on = '2025-06-30'":                            1,
				"SELECT count(*) FROM outbox_events WHERE event_type = 'transition_plan.created'":                2,
				"SELECT count(*) FROM audit_events WHERE record_type = 'transition_plan' AND purpose = 'import'": 2,
			} {
				if n := count(t, dsn, q); n != want {
					t.Errorf("%s: %d, want %d", q, n, want)
				}
			}
			mustRun(t, "sweep")
			if n := count(t, dsn, "SELECT count(*) FROM outbox_events WHERE event_type IN ('deadline.missed', 'transition_gap.opened')"); n != 0 {
				t.Errorf("the sweep warned of history: %d events", n)
			}
			if out = mustRun(t, "import", "transition-plans", "--quiet", good); !strings.Contains(out, "2 rows, 0 created, 2 already present (unchanged), 0 refused") {
				t.Fatalf("re-run: %s", out)
			}
		})
	}
}
