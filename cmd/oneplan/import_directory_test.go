package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestImportOrganisationsAndPractitioners: the templates; bad rows refused whole with their row and
// column; a dry run that writes nothing; the import, audited and announced like API creates; a
// re-run that changes nothing; a URN another organisation holds refused by row and field; practitioners matched by email within their organisation, found by
// the organisation's external id; --continue-on-error writing the rejects.
func TestImportOrganisationsAndPractitioners(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			if out := mustRun(t, "import", "template", "organisations"); out != "external_system,external_id,name,type,locality,urn,ukprn,ods_code\n" {
				t.Fatalf("organisations template: %q", out)
			}
			if out := mustRun(t, "import", "template", "practitioners"); !strings.HasPrefix(out, "organisation_system,organisation_external_id,organisation_id,name,email,role,") {
				t.Fatalf("practitioners template: %q", out)
			}

			const orgHeader = "external_system,external_id,name,type,locality,urn\n"
			bad := writeFile(t, "bad-orgs.csv", orgHeader+
				"capita-one,SCH-1,Oak Primary,school_primary,North,123456\n"+
				"capita-one,SCH-2,,school_primary,,\n"+
				"capita-one,SCH-3,Elm High,school_tertiary,,\n"+
				"capita-one,SCH-4,Ash Special,school_special,,12AB\n"+
				"nowhere,SCH-5,Birch,other,,\n"+
				"capita-one,SCH-1,Oak Again,school_primary,,\n")
			out, errOut, err := runCmd(t, "import", "organisations", "--quiet", bad)
			if err == nil || !strings.Contains(err.Error(), "nothing imported") {
				t.Fatalf("bad organisations: %v\n%s", err, out)
			}
			for _, want := range []string{"row 3, column name: is required", "row 4, column type: must be one of", "row 5, column urn: must match",
				"row 6, column external_system:", "row 7, column external_id: is given again (first on row 2)"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("problems lack %q:\n%s", want, errOut)
				}
			}
			// The first run made the council's own organisation; a refused file writes nothing more.
			orgs0 := count(t, dsn, "SELECT count(*) FROM organisations")
			if n := count(t, dsn, "SELECT count(*) FROM external_ids"); n != 0 {
				t.Fatalf("a refused file wrote %d external ids", n)
			}

			good := writeFile(t, "orgs.csv", orgHeader+
				"capita-one,SCH-1,Oak Primary,school_primary,North,123456\n"+
				"capita-one,SCH-2,Elm High,school_secondary,South,\n"+
				"https://ods.example.nhs.uk,RX1,Riverside Trust,health_trust,,\n")
			out = mustRun(t, "import", "organisations", "--dry-run", "--quiet", good)
			if !strings.Contains(out, "dry run (nothing written) organisations: 3 rows, 3 created") {
				t.Fatalf("dry run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM organisations"); n != orgs0 {
				t.Fatalf("a dry run wrote %d organisations", n-orgs0)
			}
			out = mustRun(t, "import", "organisations", "--quiet", good)
			if !strings.Contains(out, "organisations: 3 rows, 3 created, 0 already present (unchanged), 0 refused") {
				t.Fatalf("import: %s", out)
			}
			job := out[strings.LastIndex(out, "import ")+len("import ") : len(out)-1]
			for q, want := range map[string]int{
				"SELECT count(*) FROM organisations":                                                                         orgs0 + 3,
				"SELECT count(*) FROM external_ids WHERE record_type = 'organisation'":                                       3,
				"SELECT count(*) FROM outbox_events WHERE event_type = 'organisation.created'":                               orgs0 + 3,
				"SELECT count(*) FROM audit_events WHERE record_type = 'organisation' AND request_id = 'import-" + job + "'": 3,
			} {
				if n := count(t, dsn, q); n != want {
					t.Errorf("%s: %d, want %d", q, n, want)
				}
			}
			if out = mustRun(t, "import", "organisations", "--quiet", good); !strings.Contains(out, "3 rows, 0 created, 3 already present (unchanged), 0 refused") {
				t.Fatalf("re-run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM organisations"); n != orgs0+3 {
				t.Fatalf("a re-run changed the organisations: %d", n-orgs0)
			}
			// A new organisation with a URN another already holds: refused, the row and the field named.
			held := writeFile(t, "held-orgs.csv", orgHeader+"capita-one,SCH-9,Oak Annexe,school_primary,North,123456\n")
			if out, errOut, err := runCmd(t, "import", "organisations", "--quiet", held); err == nil ||
				!strings.Contains(errOut, "row 2: ") || !strings.Contains(errOut, "/urn: is already held by another organisation") {
				t.Fatalf("a held URN: %v\n%s\n%s", err, out, errOut)
			}

			// Practitioners, their organisation named by its external id.
			const prHeader = "organisation_system,organisation_external_id,name,email,role,phone\n"
			badPr := writeFile(t, "bad-prs.csv", prHeader+
				"capita-one,SCH-1,Jo Bloggs,jo@oak.example,senco,\n"+
				"capita-one,,Kim,kim@oak.example,teacher,\n"+
				"capita-one,SCH-1,Sam,not-an-email,teacher,\n"+
				"capita-one,SCH-1,Lee,lee@oak.example,wizard,x\n"+
				"capita-one,SCH-1,Jo Again,JO@oak.example,teacher,\n")
			out, errOut, err = runCmd(t, "import", "practitioners", "--quiet", badPr)
			if err == nil {
				t.Fatalf("bad practitioners: %s", out)
			}
			for _, want := range []string{"row 3, column organisation_external_id: is required with organisation_system", "row 4, column email: must be an email address",
				"row 5, column role: must be one of", "row 5, column phone: must match", "row 6, column email: is given again (first on row 2)"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("problems lack %q:\n%s", want, errOut)
				}
			}
			prs := writeFile(t, "prs.csv", prHeader+
				"capita-one,SCH-1,Jo Bloggs,jo@oak.example,senco,0161 000 0000\n"+
				"capita-one,SCH-2,Kim Jones,Kim@elm.example,teacher,\n"+
				"https://ods.example.nhs.uk,RX1,Dr Patel,patel@trust.example,paediatrician,\n")
			if out = mustRun(t, "import", "practitioners", "--dry-run", "--quiet", prs); !strings.Contains(out, "3 rows, 3 created") {
				t.Fatalf("practitioners dry run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM practitioners"); n != 0 {
				t.Fatalf("a dry run wrote %d practitioners", n)
			}
			if out = mustRun(t, "import", "practitioners", "--quiet", prs); !strings.Contains(out, "practitioners: 3 rows, 3 created, 0 already present (unchanged), 0 refused") {
				t.Fatalf("practitioners: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM practitioners p JOIN external_ids x ON x.record_id = p.organisation_id WHERE x.value = 'SCH-2' AND p.email = 'kim@elm.example'"); n != 1 {
				t.Fatalf("Kim is not in Elm High under her email in lower case: %d", n)
			}
			if n := count(t, dsn, "SELECT count(*) FROM outbox_events WHERE event_type = 'practitioner.created'"); n != 3 {
				t.Fatalf("practitioner.created events: %d", n)
			}
			if out = mustRun(t, "import", "practitioners", "--quiet", prs); !strings.Contains(out, "3 rows, 0 created, 3 already present (unchanged), 0 refused") {
				t.Fatalf("practitioners re-run: %s", out)
			}

			// An email another organisation's practitioner has, or an organisation no record
			// holds, refuses the row and rolls back the file.
			moved := writeFile(t, "moved.csv", prHeader+
				"capita-one,SCH-2,New Person,new@elm.example,teacher,\n"+
				"capita-one,SCH-2,Jo Bloggs,jo@oak.example,teacher,\n")
			out, errOut, err = runCmd(t, "import", "practitioners", "--quiet", moved)
			if err == nil || !strings.Contains(errOut, "row 3:") || !strings.Contains(errOut, "another organisation") {
				t.Fatalf("email in another organisation: %v\n%s\n%s", err, out, errOut)
			}
			if n := count(t, dsn, "SELECT count(*) FROM practitioners"); n != 3 {
				t.Fatalf("practitioners after a refused file: %d", n)
			}

			// --continue-on-error: the good rows load, the refused go to the rejects file.
			rejects := filepath.Join(t.TempDir(), "rejects.csv")
			mixed := writeFile(t, "mixed.csv", prHeader+
				"capita-one,SCH-2,New Person,new@elm.example,teacher,\n"+
				"capita-one,SCH-9,Nobody,nobody@x.example,teacher,\n"+
				"capita-one,SCH-2,Bad Role,bad@elm.example,wizard,\n")
			out, _, err = runCmd(t, "import", "practitioners", "--quiet", "--continue-on-error", "--rejects", rejects, mixed)
			if err != nil || !strings.Contains(out, "3 rows, 1 created, 0 already present (unchanged), 2 refused") {
				t.Fatalf("continue on error: %v %s", err, out)
			}
			rj, err := os.ReadFile(rejects)
			if err != nil {
				t.Fatal(err)
			}
			if lines := strings.Split(strings.TrimSpace(string(rj)), "\n"); len(lines) != 3 || !strings.Contains(string(rj), "no organisation holds this external id") {
				t.Fatalf("rejects file:\n%s", rj)
			}
		})
	}
}
