package organisations_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// Only an admin manages organisations; the record is stamped by the clock and announced.
func TestCreateOrganisation(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		in := directory.Organisation{Name: "Irwell High", Type: "school_secondary", Locality: "South"}
		for _, p := range []func() auth.Principal{e.Officer, e.Partner, e.Analyst} {
			_, err := e.App.Organisations.CreateOrganisation(cwt.As(p()), in)
			testkit.AsFault(t, err, fault.Forbidden)
		}
		o, err := e.App.Organisations.CreateOrganisation(cwt.As(e.Admin()), in)
		if err != nil {
			t.Fatal(err)
		}
		if o.Version != 1 || !o.CreatedAt.Equal(cwt.Now) || !o.UpdatedAt.Equal(cwt.Now) {
			t.Errorf("created = v%d at %v/%v, want v1 at the clock's %v", o.Version, o.CreatedAt, o.UpdatedAt, cwt.Now)
		}
		e.WantWritten(o.ID, audit.Create, outbox.OrganisationCreated)
	})
}

// A change needs a current If-Match; a change that changes nothing writes nothing.
func TestUpdateOrganisationVersions(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		rename := func(o directory.Organisation) (directory.Organisation, []string, error) {
			o.Name = "Oakfield Academy"
			return o, []string{"name"}, nil
		}
		_, err := e.App.Organisations.UpdateOrganisation(cwt.As(e.Admin()), e.School.ID, cwt.Ptr(7), rename)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		nothing := func(o directory.Organisation) (directory.Organisation, []string, error) { return o, nil, nil }
		same, err := e.App.Organisations.UpdateOrganisation(cwt.As(e.Admin()), e.School.ID, cwt.Ptr(1), nothing)
		if err != nil || same.Version != 1 {
			t.Fatalf("no-op update = v%d, %v; want v1 unchanged", same.Version, err)
		}
		got, err := e.App.Organisations.UpdateOrganisation(cwt.As(e.Admin()), e.School.ID, cwt.Ptr(1), rename)
		if err != nil || got.Version != 2 || got.Name != "Oakfield Academy" || got.ID != e.School.ID {
			t.Fatalf("update = %+v, %v", got, err)
		}
		e.WantWritten(e.School.ID, audit.Update, outbox.OrganisationUpdated)
		if n := len(e.Notices(e.School.ID)); n != 2 {
			t.Errorf("%d outbox events on the school, want 2 (created, one update)", n)
		}
		_, err = e.App.Organisations.UpdateOrganisation(cwt.As(e.Admin()), "0190f7e2-0000-7000-8000-000000000000", nil, rename)
		testkit.AsFault(t, err, fault.NotFound)
	})
}

// A practitioner belongs to an organisation in the directory and has an email no one else has.
func TestCreatePractitionerRules(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		_, err := e.App.Organisations.CreatePractitioner(cwt.As(e.Partner()), directory.Practitioner{OrganisationID: e.School.ID, Name: "A", Email: "a@x.example", Role: "senco"})
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Organisations.CreatePractitioner(cwt.As(e.Admin()), directory.Practitioner{OrganisationID: "0190f7e2-0000-7000-8000-000000000000",
			Name: "A", Email: "a@x.example", Role: "senco"})
		testkit.WantFault(t, err, fault.Unprocessable, "/organisation_id")
		_, err = e.App.Organisations.CreatePractitioner(cwt.As(e.Admin()), directory.Practitioner{OrganisationID: e.School.ID,
			Name: "Twin", Email: e.SENCO.Email, Role: "senco"})
		testkit.WantFault(t, err, fault.Conflict, "/email")
		pr, err := e.App.Organisations.CreatePractitioner(cwt.As(e.Officer()), directory.Practitioner{OrganisationID: e.School.ID,
			Name: "Pat New", Email: "pat@oakfield.example", Role: "teacher", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		e.WantWritten(pr.ID, audit.Create, outbox.PractitionerCreated)
	})
}
