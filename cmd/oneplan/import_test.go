package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// nhs returns the n-th valid NHS number in the 999 test range.
func nhs(n int) string {
	for ; ; n += 100000 {
		base := fmt.Sprintf("999%06d", n%1000000)
		sum := 0
		for i, c := range base {
			sum += int(c-'0') * (10 - i)
		}
		if check := (11 - sum%11) % 11; check != 10 {
			return base + strconv.Itoa(check)
		}
		n++
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// count runs a count(*) query on the store at dsn.
func count(t *testing.T, dsn, q string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := st.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if st.Dialect() == store.Postgres {
		for i := range args {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i+1), 1)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

const ypHeader = "external_system,external_id,given_name,family_name,date_of_birth,nhs_number,primary_sen_need\n"

// TestImportYoungPeople: the template; a file with bad rows refused whole, each problem named by
// row and column; a dry run that writes nothing; the import, audited and announced like API
// creates; a re-run that changes nothing; --continue-on-error writing the rejects.
func TestImportYoungPeople(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
			if out := mustRun(t, "import", "template", "young-people"); !strings.HasPrefix(out, "external_system,external_id,given_name,family_name,") {
				t.Fatalf("template: %q", out)
			}
			mustFail(t, "import", "template", "shoes")

			bad := writeFile(t, "bad.csv", ypHeader+
				"bridge,B1,Ada,Lovelace,2015-03-01,"+nhs(99)+",ASD\n"+
				"bridge,B2,,Byron,2015-03-01,,SLCN\n"+
				"bridge,B3,Cy,Clare,03/01/2015,,\n"+
				"bridge,B4,Di,Dee,2015-03-01,9434765918,AUTISM\n"+
				"bridge,B1,Ed,Eve,2015-03-01,,\n")
			out, errOut, err := runCmd(t, "import", "young-people", "--quiet", bad)
			if err == nil || !strings.Contains(err.Error(), "nothing imported") || !strings.Contains(out, "not imported (nothing written) young-people: 5 rows") || strings.Contains(out, "imported young-people") {
				t.Fatalf("bad file: %v\n%s", err, out)
			}
			for _, want := range []string{"row 3, column given_name: is required", "row 4, column date_of_birth: must be a date",
				"row 5, column nhs_number:", "row 5, column primary_sen_need: must be one of", "row 6, column external_id: is given again (first on row 2)"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("problems lack %q:\n%s", want, errOut)
				}
			}
			if n := count(t, dsn, "SELECT count(*) FROM young_people"); n != 0 {
				t.Fatalf("a refused file wrote %d young people", n)
			}

			good := ypHeader
			for i := 1; i <= 30; i++ {
				good += fmt.Sprintf("bridge,G%d,Child%d,Example,2015-03-01,%s,ASD\n", i, i, nhs(i))
			}
			goodFile := writeFile(t, "good.csv", good)
			out = mustRun(t, "import", "young-people", "--dry-run", "--quiet", goodFile)
			if !strings.Contains(out, "dry run (nothing written) young-people: 30 rows, 30 created, 0 already present") {
				t.Fatalf("dry run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM young_people"); n != 0 {
				t.Fatalf("a dry run wrote %d young people", n)
			}
			out, errOut, err = runCmd(t, "import", "young-people", goodFile)
			if err != nil || !strings.Contains(out, "30 rows, 30 created, 0 already present (unchanged), 0 refused") {
				t.Fatalf("import: %v %s", err, out)
			}
			if !strings.Contains(errOut, "30/30") {
				t.Errorf("no progress bar on stderr: %q", errOut)
			}
			job := out[strings.LastIndex(out, "import ")+len("import ") : len(out)-1]
			if n := count(t, dsn, "SELECT count(*) FROM young_people"); n != 30 {
				t.Fatalf("young people after import: %d", n)
			}
			if n := count(t, dsn, "SELECT count(*) FROM external_ids WHERE record_type = 'young_person' AND system = 'bridge'"); n != 30 {
				t.Fatalf("external ids after import: %d", n)
			}
			if n := count(t, dsn, "SELECT count(*) FROM audit_events WHERE action = 'create' AND record_type = 'young_person' AND request_id = ?", "import-"+job); n != 30 {
				t.Fatalf("create audit events naming the import: %d", n)
			}
			if n := count(t, dsn, "SELECT count(*) FROM outbox_events WHERE event_type = 'young_person.created'"); n != 30 {
				t.Fatalf("created events: %d", n)
			}
			// Again: nothing changes.
			out = mustRun(t, "import", "young-people", "--quiet", goodFile)
			if !strings.Contains(out, "30 rows, 0 created, 30 already present (unchanged), 0 refused") {
				t.Fatalf("re-run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM outbox_events WHERE event_type = 'young_person.created'"); n != 30 {
				t.Fatalf("created events after a re-run: %d", n)
			}

			// A row the database refuses (an NHS number a record already holds) rolls back the rows before it.
			clash := writeFile(t, "clash.csv", ypHeader+"bridge,N1,New,One,2016-01-01,,\nbridge,N2,New,Two,2016-01-01,,\nbridge,N3,New,Three,2016-01-01,"+nhs(1)+",\n")
			out, errOut, err = runCmd(t, "import", "young-people", "--quiet", clash)
			if err == nil || !strings.Contains(err.Error(), "row 4 refused: nothing imported") || !strings.Contains(errOut, "row 4:") {
				t.Fatalf("clash: %v\n%s\n%s", err, out, errOut)
			}
			if n := count(t, dsn, "SELECT count(*) FROM young_people"); n != 30 {
				t.Fatalf("young people after a refused row: %d", n)
			}

			// --continue-on-error: the good rows load, the bad ones go to the rejects file.
			rejects := filepath.Join(t.TempDir(), "rejects.csv")
			out, _, err = runCmd(t, "import", "young-people", "--quiet", "--continue-on-error", "--rejects", rejects, bad)
			if err != nil || !strings.Contains(out, "5 rows, 1 created, 0 already present (unchanged), 4 refused") {
				t.Fatalf("continue on error: %v %s", err, out)
			}
			rj, err := os.ReadFile(rejects)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(rj)), "\n")
			if len(lines) != 5 || !strings.HasSuffix(lines[0], ",problems") || !strings.Contains(lines[1], "bridge,B2,,Byron") ||
				!strings.Contains(lines[1], "column given_name: is required") {
				t.Fatalf("rejects file:\n%s", rj)
			}
			// Put right (one row of the four) and loaded again as it is, problems column and all (the
			// second B1 is now a key already held).
			fixed := writeFile(t, "fixed.csv", strings.Replace(string(rj), "bridge,B2,,Byron", "bridge,B2,Bo,Byron", 1))
			out, errOut, err = runCmd(t, "import", "young-people", "--quiet", "--continue-on-error", "--rejects", rejects, fixed)
			if err != nil || !strings.Contains(out, "4 rows, 1 created, 1 already present (unchanged), 2 refused") {
				t.Fatalf("the rejects file put right: %v\n%s\n%s", err, out, errOut)
			}
		})
	}
}

// TestImportTenThousand: a 10,000-row file loads whole (on SQLite, to keep the suite quick), the
// progress bar counts to the end, and the records, ids, audit and outbox events all number 10,000.
func TestImportTenThousand(t *testing.T) {
	dsn := storetest.Backends(t)[0].DSN(t)
	setEnv(t, dsn)
	t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
	var b strings.Builder
	b.WriteString(ypHeader)
	for i := range 10000 {
		fmt.Fprintf(&b, "ems,E%05d,Child,Number%d,2012-06-01,%s,SLCN\n", i, i, nhs(200000+i))
	}
	file := writeFile(t, "big.csv", b.String())
	out, errOut, err := runCmd(t, "import", "young-people", file)
	if err != nil || !strings.Contains(out, "10000 rows, 10000 created, 0 already present (unchanged), 0 refused") {
		t.Fatalf("import: %v %s %s", err, out, errOut)
	}
	if !strings.Contains(errOut, "10000/10000") {
		t.Errorf("the progress bar did not reach 10000/10000: %q", errOut[max(0, len(errOut)-300):])
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM young_people":                                                          10000,
		"SELECT count(*) FROM external_ids WHERE system = 'ems'":                                     10000,
		"SELECT count(*) FROM audit_events WHERE action = 'create' AND record_type = 'young_person'": 10000,
		"SELECT count(*) FROM outbox_events WHERE event_type = 'young_person.created'":               10000,
	} {
		if n := count(t, dsn, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
}
