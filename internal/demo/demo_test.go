package demo_test

import (
	"context"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/demo"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestSeedTransformingCare: the demo seeds a register with a rating history, C(E)TRs, placements
// and personal budgets on both databases.
func TestSeedTransformingCare(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			a := app.New(b.Open(t), app.Options{})
			admin := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleAdmin})
			council, err := a.Organisations.CreateOrganisation(admin, directory.Organisation{Name: "Council SEND", Type: "local_authority_send", Locality: "Central"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := demo.Seed(ctx, a, council.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			if res.RegisterEntries != 5 || res.CTRs != 2 || res.Placements != 4 || res.PersonalBudgets != 2 {
				t.Fatalf("seeded: %+v", res)
			}
			officer := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleSENDOfficer, OrganisationID: council.ID})
			blue, _, err := a.TransformingCare.Entries(officer, tcare.Filter{Rating: tcare.Blue}, paging.Page{Limit: 10})
			if err != nil || len(blue) != 1 || len(blue[0].History) != 3 || blue[0].LastCTROn.IsZero() {
				t.Fatalf("blue: %v %+v", err, blue)
			}
		})
	}
}
