package keys_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// Only an admin issues keys, for a real role, organisation and practitioner of that organisation.
func TestCreateAPIKeyRules(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		in := auth.APIKey{Name: "mis", OrganisationID: e.School.ID, Role: auth.RolePractitioner, PractitionerID: e.SENCO.ID}
		_, _, err := e.App.Keys.CreateAPIKey(cwt.As(e.Officer()), in)
		testkit.AsFault(t, err, fault.Forbidden)
		bad := in
		bad.Role = "root"
		_, _, err = e.App.Keys.CreateAPIKey(cwt.As(e.Admin()), bad)
		testkit.WantFault(t, err, fault.Invalid, "/role")
		bad = in
		bad.PractitionerID = e.OtherWorker.ID
		_, _, err = e.App.Keys.CreateAPIKey(cwt.As(e.Admin()), bad)
		testkit.WantFault(t, err, fault.Unprocessable, "/practitioner_id")
		bad = in
		bad.OrganisationID, bad.PractitionerID = "0190f7e2-0000-7000-8000-000000000000", ""
		_, _, err = e.App.Keys.CreateAPIKey(cwt.As(e.Admin()), bad)
		testkit.WantFault(t, err, fault.Unprocessable, "/organisation_id")

		key, k, err := e.App.Keys.CreateAPIKey(cwt.As(e.Admin()), in)
		if err != nil {
			t.Fatal(err)
		}
		if !k.CreatedAt.Equal(cwt.Now) || k.RevokedAt != nil {
			t.Errorf("key created %v revoked %v, want the clock's instant and not revoked", k.CreatedAt, k.RevokedAt)
		}
		e.WantWritten(k.ID, audit.Create, outbox.APIKeyCreated)
		p, err := e.App.Keys.Authenticate(cwt.Anonymous(), key)
		if err != nil || p.KeyID != k.ID || p.Role != auth.RolePractitioner || p.OrganisationID != e.School.ID || p.PractitionerID != e.SENCO.ID {
			t.Errorf("authenticate = %+v, %v", p, err)
		}
	})
}

// A revoked key fails from the next request on (it was cached by the one before); a rotated key is
// revoked and its successor works, all in one transaction.
func TestRevokeAndRotateAPIKey(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		key, k, err := e.App.Keys.IssueAPIKey(cwt.Anonymous(), e.School.ID, auth.RolePractitioner, "mis", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Keys.Authenticate(cwt.Anonymous(), key); err != nil {
			t.Fatal(err)
		}
		_, err = e.App.Keys.RevokeAPIKey(cwt.As(e.Partner()), k.ID)
		testkit.AsFault(t, err, fault.Forbidden)
		got, err := e.App.Keys.RevokeAPIKey(cwt.As(e.Admin()), k.ID)
		if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(cwt.Now) {
			t.Fatalf("revoke = %+v, %v; want revoked at the clock's instant", got.RevokedAt, err)
		}
		e.WantWritten(k.ID, audit.Revoke, outbox.APIKeyRevoked)
		_, err = e.App.Keys.Authenticate(cwt.Anonymous(), key)
		testkit.AsFault(t, err, fault.Unauthenticated)
		_, err = e.App.Keys.RevokeAPIKey(cwt.As(e.Admin()), k.ID)
		testkit.AsFault(t, err, fault.Conflict)
		_, _, err = e.App.Keys.RotateAPIKey(cwt.As(e.Admin()), k.ID)
		testkit.AsFault(t, err, fault.Conflict)
		if n := len(e.Notices(k.ID)); n != 2 {
			t.Errorf("%d events on the key, want 2 (created, revoked once)", n)
		}

		key2, k2, err := e.App.Keys.IssueAPIKey(cwt.Anonymous(), e.School.ID, auth.RolePractitioner, "mis", "")
		if err != nil {
			t.Fatal(err)
		}
		key3, k3, err := e.App.Keys.RotateAPIKey(cwt.As(e.Admin()), k2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if k3.ID == k2.ID || k3.Role != k2.Role || k3.OrganisationID != k2.OrganisationID || k3.Name != k2.Name {
			t.Errorf("rotated key %+v does not carry on from %+v", k3, k2)
		}
		_, err = e.App.Keys.Authenticate(cwt.Anonymous(), key2)
		testkit.AsFault(t, err, fault.Unauthenticated)
		if _, err := e.App.Keys.Authenticate(cwt.Anonymous(), key3); err != nil {
			t.Errorf("the rotated key does not work: %v", err)
		}
		e.WantWritten(k2.ID, audit.Revoke, outbox.APIKeyRevoked)
		e.WantWritten(k3.ID, audit.Create, outbox.APIKeyCreated)
		_, _, err = e.App.Keys.RotateAPIKey(cwt.As(e.Admin()), "0190f7e2-0000-7000-8000-000000000000")
		testkit.AsFault(t, err, fault.NotFound)
	})
}
