package main

import (
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestImportReferrals: referrals load after the directory and the children, naming the child by
// another system's id or NHS number and the referrer by email; bad rows are refused with their row
// and column; a dry run writes nothing; the referrals keep their real received dates and their
// external ids; a re-run changes nothing.
func TestImportReferrals(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
			mustRun(t, "import", "organisations", "--quiet", writeFile(t, "orgs.csv",
				"external_system,external_id,name,type\ncapita-one,SCH-1,Oak Primary,school_primary\n"))
			mustRun(t, "import", "practitioners", "--quiet", writeFile(t, "prs.csv",
				"organisation_system,organisation_external_id,name,email,role\ncapita-one,SCH-1,Jo Bloggs,jo@oak.example,senco\n"))
			mustRun(t, "import", "young-people", "--quiet", writeFile(t, "yp.csv", ypHeader+
				"bridge,B1,Ada,Example,2015-03-01,"+nhs(1)+",ASD\n"+
				"bridge,B2,Ben,Example,2016-04-02,"+nhs(2)+",SLCN\n"))

			const header = "external_system,external_id,young_person_system,young_person_external_id,nhs_number,referrer_email,reasons,main_reason,services_involved,received_on\n"
			bad := writeFile(t, "bad.csv", header+
				"ems,R1,bridge,B1,,jo@oak.example,asd_asc;sen,,school;paediatrics,2023-02-01\n"+
				"ems,R2,,,,jo@oak.example,asd_asc,,school,2023-02-01\n"+
				"ems,R3,bridge,B1,,jo@oak.example,wings,,school,2023-02-01\n"+
				"ems,R4,bridge,B1,,jo@oak.example,sen,adhd,school,2099-01-01\n"+
				"ems,R5,bridge,B1,,jo@oak.example,sen,,school,1/2/2023\n")
			out, errOut, err := runCmd(t, "import", "referrals", "--quiet", bad)
			if err == nil || !strings.Contains(err.Error(), "nothing imported") {
				t.Fatalf("bad referrals: %v\n%s", err, out)
			}
			for _, want := range []string{"row 3, column nhs_number: is required", `row 4, column reasons: "wings" is not one of`,
				"row 5, column main_reason: must be one of the reasons", "row 5, column received_on: must not be in the future",
				"row 6, column received_on: must be a date"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("problems lack %q:\n%s", want, errOut)
				}
			}

			good := writeFile(t, "good.csv", header+
				"ems,R1,bridge,B1,,jo@oak.example,asd_asc;sen,sen,school;paediatrics,2023-02-01\n"+
				"ems,R2,,,"+nhs(2)+",JO@oak.example,speech_language,,school;speech_and_language_therapy,2024-09-10\n")
			if out = mustRun(t, "import", "referrals", "--dry-run", "--quiet", good); !strings.Contains(out, "2 rows, 2 created") {
				t.Fatalf("dry run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM referrals"); n != 0 {
				t.Fatalf("a dry run wrote %d referrals", n)
			}
			if out = mustRun(t, "import", "referrals", "--quiet", good); !strings.Contains(out, "referrals: 2 rows, 2 created, 0 already present (unchanged), 0 refused") {
				t.Fatalf("import: %s", out)
			}
			for q, want := range map[string]int{
				"SELECT count(*) FROM referrals WHERE received_on = '2023-02-01' AND main_reason = 'sen'":                       1,
				"SELECT count(*) FROM referrals WHERE reference LIKE 'REF-2024-%'":                                              1,
				"SELECT count(*) FROM external_ids WHERE record_type = 'referral' AND system = 'ems'":                           2,
				"SELECT count(*) FROM outbox_events WHERE event_type = 'referral.received'":                                     2,
				"SELECT count(*) FROM audit_events WHERE action = 'create' AND record_type = 'referral' AND purpose = 'import'": 2,
			} {
				if n := count(t, dsn, q); n != want {
					t.Errorf("%s: %d, want %d", q, n, want)
				}
			}
			if out = mustRun(t, "import", "referrals", "--quiet", good); !strings.Contains(out, "2 rows, 0 created, 2 already present (unchanged), 0 refused") {
				t.Fatalf("re-run: %s", out)
			}
			if n := count(t, dsn, "SELECT count(*) FROM referrals"); n != 2 {
				t.Fatalf("referrals after a re-run: %d", n)
			}

			// A child or referrer the database does not know refuses the row and the file.
			unknown := writeFile(t, "unknown.csv", header+
				"ems,R3,bridge,B2,,jo@oak.example,sen,,school,2024-01-01\n"+
				"ems,R4,bridge,B9,,jo@oak.example,sen,,school,2024-01-01\n")
			out, errOut, err = runCmd(t, "import", "referrals", "--quiet", unknown)
			if err == nil || !strings.Contains(errOut, "row 3:") || !strings.Contains(errOut, "no young person holds this external id") {
				t.Fatalf("unknown child: %v\n%s\n%s", err, out, errOut)
			}
			if n := count(t, dsn, "SELECT count(*) FROM referrals"); n != 2 {
				t.Fatalf("referrals after a refused file: %d", n)
			}
		})
	}
}
