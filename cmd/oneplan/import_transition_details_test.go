package main

import (
	"context"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/transition"
)

const transitionDetailsHeader = "young_person_system,young_person_external_id,started_on,pfa_employment_education_aspirations,pfa_employment_education_actions," +
	"pfa_health_actions,contact_1_service,contact_1_name,contact_1_role,contact_1_organisation_system,contact_1_organisation_external_id," +
	"contact_2_service,contact_2_name,contact_3_service,contact_3_organisation_system,contact_3_organisation_external_id\n"

// TestImportTransitionPlanDetails: a transition plan row carries its preparing-for-adulthood areas
// and up to three adult-services contacts (by name, by an organisation's external id, or both),
// held to the API's rules with each problem named by row and column; an organisation no record
// holds refuses the row when it is written; what loads reads back through the API's service.
func TestImportTransitionPlanDetails(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
			if out := mustRun(t, "import", "template", "transition-plans"); !strings.Contains(out, ",pfa_health_actions,contact_1_service,contact_1_name,contact_1_role,") ||
				!strings.Contains(out, "contact_3_organisation_external_id") {
				t.Fatalf("template: %s", out)
			}
			mustRun(t, "import", "organisations", "--quiet", writeFile(t, "orgs.csv", "external_system,external_id,name,type\n"+
				"capita-one,ASC-1,Adult Social Care,other\n"))
			mustRun(t, "import", "young-people", "--quiet", writeFile(t, "yp.csv", ypHeader+"bridge,P1,Pat,Example,2009-03-01,"+nhs(31)+",ASD\n"))

			bad := writeFile(t, "bad.csv", transitionDetailsHeader+
				"bridge,P1,2024-09-01,,,,dentistry,Sam,,,,,,,,\n"+
				"bridge,P1,2024-09-01,,,,housing,,,,,,,,,\n"+
				"bridge,P1,2024-09-01,,,,,Sam,,,,,,,,\n"+
				"bridge,P1,2024-09-01,,,,adult_health,,,capita-one,,,,,,\n"+
				"bridge,P1,2024-09-01,"+strings.Repeat("x", 4001)+",,,,,,,,,,,,\n"+
				"bridge,P1,2024-09-01,,,,,,,,,housing,,,,\n")
			_, errOut, err := runCmd(t, "import", "transition-plans", "--quiet", bad)
			if err == nil || !strings.Contains(err.Error(), "nothing imported") {
				t.Fatalf("bad rows taken: %v", err)
			}
			for _, want := range []string{
				"row 2, column contact_1_service: must be one of",
				"row 3, column contact_1_name: a contact names a person, an organisation or both",
				"row 4, column contact_1_service: is required for a contact",
				"row 5, column contact_1_organisation_external_id: is required with contact_1_organisation_system",
				"row 6, column pfa_employment_education_aspirations:",
				"row 7, column contact_2_name: a contact names a person, an organisation or both",
			} {
				if !strings.Contains(errOut, want) {
					t.Errorf("problems lack %q:\n%s", want, errOut)
				}
			}
			// An organisation no record holds: refused when written, nothing kept.
			unknown := writeFile(t, "unknown.csv", transitionDetailsHeader+"bridge,P1,2024-09-01,,,,,,,,,,,adult_health,capita-one,NOPE\n")
			if _, errOut, err := runCmd(t, "import", "transition-plans", "--quiet", unknown); err == nil ||
				!strings.Contains(errOut, "row 2:") || !strings.Contains(errOut, "no organisation holds this external id") {
				t.Fatalf("an unknown organisation: %v\n%s", err, errOut)
			}
			if n := count(t, dsn, "SELECT count(*) FROM transition_plans"); n != 0 {
				t.Fatalf("%d plans after refused files", n)
			}

			good := writeFile(t, "good.csv", transitionDetailsHeader+
				"bridge,P1,2024-09-01,Work with animals,Placement at the city farm,Annual health check,adult_social_care,Sam Carer,Transition worker,capita-one,ASC-1,"+
				"housing,Housing officer,adult_health,capita-one,ASC-1\n")
			mustRun(t, "import", "transition-plans", "--quiet", good)

			ctx := context.Background()
			a, err := open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = a.store.Close() }()
			db, err := a.store.SQL()
			if err != nil {
				t.Fatal(err)
			}
			var planID, orgID string
			if err := db.QueryRowContext(ctx, "SELECT id FROM transition_plans").Scan(&planID); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowContext(ctx, "SELECT record_id FROM external_ids WHERE value = 'ASC-1'").Scan(&orgID); err != nil {
				t.Fatal(err)
			}
			pctx := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleSENDOfficer, OrganisationID: councilOrg(t, dsn), Subject: "test"})
			p, err := a.app.Transitions.TransitionPlan(pctx, planID)
			if err != nil {
				t.Fatal(err)
			}
			if p.PfA.EmploymentEducation != (transition.Area{Aspirations: "Work with animals", Actions: "Placement at the city farm"}) ||
				p.PfA.Health.Actions != "Annual health check" || p.PfA.IndependentLiving != (transition.Area{}) {
				t.Errorf("PfA: %+v", p.PfA)
			}
			want := []transition.Contact{
				{Service: "adult_social_care", OrganisationID: orgID, ContactName: "Sam Carer", ContactRole: "Transition worker"},
				{Service: "housing", ContactName: "Housing officer"},
				{Service: "adult_health", OrganisationID: orgID},
			}
			if len(p.Contacts) != len(want) {
				t.Fatalf("contacts: %+v", p.Contacts)
			}
			for i := range want {
				if p.Contacts[i] != want[i] {
					t.Errorf("contact %d: %+v, want %+v", i+1, p.Contacts[i], want[i])
				}
			}
		})
	}
}
