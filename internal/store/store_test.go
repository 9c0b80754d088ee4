package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/idempotency"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// The conformance suite: every test runs on every backend (SQLite always, PostgreSQL when
// reachable; REQUIRE_POSTGRES=1 makes its absence a failure).

var ctx = context.Background()

// newID returns a UUIDv7, so ids sort in creation order as they do in production.
func newID(t testing.TB) string {
	t.Helper()
	u, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// now is a UTC instant both databases store exactly (PostgreSQL keeps microseconds).
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func write(t testing.TB, st *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := st.InTx(ctx, fn); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func read[T any](t testing.TB, st *store.Store, fn func(tx *store.Tx) (T, error)) T {
	t.Helper()
	var out T
	err := st.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return out
}

// readErr runs fn and returns only its error.
func readErr(st *store.Store, fn func(tx *store.Tx) error) error { return st.Read(ctx, fn) }

func wantNotFound(t testing.TB, err error) {
	t.Helper()
	if !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("error = %v, want fault.NotFound", err)
	}
}

func wantEqual[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// Fixtures. Each takes an optional edit applied before the insert.

func mkOrg(t testing.TB, st *store.Store, edit func(*directory.Organisation)) directory.Organisation {
	t.Helper()
	ts := now()
	o := directory.Organisation{ID: newID(t), Name: "Org " + fmt.Sprint(ts.UnixNano()), Type: "school", CreatedAt: ts, UpdatedAt: ts, Version: 1}
	if edit != nil {
		edit(&o)
	}
	write(t, st, func(tx *store.Tx) error { return tx.Directory().CreateOrganisation(o) })
	return o
}

func mkPractitioner(t testing.TB, st *store.Store, orgID string, edit func(*directory.Practitioner)) directory.Practitioner {
	t.Helper()
	ts := now()
	id := newID(t)
	p := directory.Practitioner{ID: id, OrganisationID: orgID, Name: "Sam Worker", Email: "sam." + id + "@example.org",
		Role: directory.SocialWorker, Active: true, CreatedAt: ts, UpdatedAt: ts, Version: 1}
	if edit != nil {
		edit(&p)
	}
	write(t, st, func(tx *store.Tx) error { return tx.Directory().CreatePractitioner(p) })
	return p
}

func mkPerson(t testing.TB, st *store.Store, recordedBy string, edit func(*person.YoungPerson)) person.YoungPerson {
	t.Helper()
	ts := now()
	p := person.YoungPerson{ID: newID(t), GivenName: "Alex", FamilyName: "Doe", DateOfBirth: testkit.Day(2015, 6, 1),
		Contacts: []person.Contact{}, RecordedByOrgID: recordedBy, CreatedAt: ts, UpdatedAt: ts, Version: 1}
	if edit != nil {
		edit(&p)
	}
	write(t, st, func(tx *store.Tx) error { return tx.People().Create(p) })
	return p
}

func mkReferral(t testing.TB, st *store.Store, yp person.YoungPerson, pr directory.Practitioner, edit func(*referral.Referral)) referral.Referral {
	t.Helper()
	ts := now()
	r := referral.Referral{ID: newID(t), Status: referral.Received, YoungPersonID: yp.ID, ReferrerPractitionerID: pr.ID,
		ReferrerOrganisationID: pr.OrganisationID, Reasons: []string{"sen"}, MainReason: "sen", ServicesInvolved: []string{"school", "camhs"},
		ReceivedOn: testkit.Day(2026, 3, 2), Eligibility: referral.Eligibility{Eligible: true}, CreatedAt: ts, UpdatedAt: ts, Version: 1}
	n, err := st.References(1).Next(ctx, "referral:2026")
	if err != nil {
		t.Fatal(err)
	}
	r.Reference = referral.FormatReference(2026, n)
	write(t, st, func(tx *store.Tx) error {
		if edit != nil {
			edit(&r)
		}
		return tx.Referrals().Create(r)
	})
	return r
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func orgIDs(os []directory.Organisation) []string {
	return ids(os, func(o directory.Organisation) string { return o.ID })
}

func personIDs(ps []person.YoungPerson) []string {
	return ids(ps, func(p person.YoungPerson) string { return p.ID })
}

func referralIDs(rs []referral.Referral) []string {
	return ids(rs, func(r referral.Referral) string { return r.ID })
}

// newestFirst lists ids as the API pages them: UUIDv7 descending, i.e. reverse creation order.
func newestFirst(idList ...string) []string {
	out := slices.Clone(idList)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// Migrations.

func TestMigrations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		applied, err := st.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(applied, "0001_foundation") {
			t.Fatalf("applied = %v, want 0001_foundation among them", applied)
		}
		mkOrg(t, st, nil)
		if err := st.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		again, err := st.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "migrations after a second run", again, applied)
		n, err := store.RawCount(st, "SELECT COUNT(*) FROM organisations")
		if err != nil || n != 1 {
			t.Fatalf("organisations after re-migrating = %d, %v; want the one row kept", n, err)
		}

		// Each database gets its own column types, whichever dialect this process migrated first
		// (storetest migrates the PostgreSQL template before any SQLite file).
		switch st.Dialect() {
		case store.SQLite:
			ddl, err := store.RawString(st, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'organisations'")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"id text PRIMARY KEY", "created_at datetime", "version integer"} {
				if !strings.Contains(ddl, want) {
					t.Fatalf("SQLite organisations table lacks %q:\n%s", want, ddl)
				}
			}
		case store.Postgres:
			for col, want := range map[string]string{"id": "uuid", "created_at": "timestamp with time zone", "version": "bigint"} {
				got, err := store.RawString(st, "SELECT data_type FROM information_schema.columns WHERE table_name = 'organisations' AND column_name = ?", col)
				if err != nil || got != want {
					t.Fatalf("PostgreSQL organisations.%s is %q, %v; want %s", col, got, err, want)
				}
			}
		}
	})
}

// Records: create, read back, NULLs, not found.

func TestOrganisationRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		full := mkOrg(t, st, func(o *directory.Organisation) {
			o.Name, o.Type, o.Locality, o.URN, o.UKPRN, o.ODSCode = "Oak Academy", "school", "North", "100001", "10000001", "RX1"
		})
		wantEqual(t, "organisation", read(t, st, func(tx *store.Tx) (directory.Organisation, error) { return tx.Directory().Organisation(full.ID) }), full)

		bare := mkOrg(t, st, nil)
		got := read(t, st, func(tx *store.Tx) (directory.Organisation, error) { return tx.Directory().Organisation(bare.ID) })
		wantEqual(t, "bare organisation", got, bare)
		if got.Locality != "" || got.URN != "" || got.UKPRN != "" || got.ODSCode != "" {
			t.Fatalf("optional fields = %+v, want empty", got)
		}
		n, err := store.RawCount(st, "SELECT COUNT(*) FROM organisations WHERE id = ? AND locality IS NULL AND urn IS NULL AND ukprn IS NULL AND ods_code IS NULL", bare.ID)
		if err != nil || n != 1 {
			t.Fatalf("blank optional fields stored as NULL: count %d, %v", n, err)
		}
		// Blank unique identifiers are NULLs, so any number of organisations may lack them.
		mkOrg(t, st, nil)

		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Directory().Organisation(newID(t)); return err }))
	})
}

func TestPractitionerRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		p := mkPractitioner(t, st, o.ID, func(p *directory.Practitioner) {
			p.Name, p.Email, p.Phone, p.Role, p.Active = "Jo Bloggs", "Jo.Bloggs@Example.ORG", "0161 000 0000", "teacher", false
		})
		want := p
		want.Email = "jo.bloggs@example.org"
		wantEqual(t, "practitioner", read(t, st, func(tx *store.Tx) (directory.Practitioner, error) { return tx.Directory().Practitioner(p.ID) }), want)

		bare := mkPractitioner(t, st, o.ID, nil)
		got := read(t, st, func(tx *store.Tx) (directory.Practitioner, error) { return tx.Directory().Practitioner(bare.ID) })
		wantEqual(t, "bare practitioner", got, bare)
		n, err := store.RawCount(st, "SELECT COUNT(*) FROM practitioners WHERE id = ? AND phone IS NULL", bare.ID)
		if err != nil || n != 1 {
			t.Fatalf("blank phone stored as NULL: count %d, %v", n, err)
		}

		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Directory().Practitioner(newID(t)); return err }))
	})
}

func TestYoungPersonRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		setting := mkOrg(t, st, nil)
		full := mkPerson(t, st, o.ID, func(p *person.YoungPerson) {
			p.GivenName, p.FamilyName, p.PreferredName = "Amelia", "Stone", "Millie"
			p.DateOfBirth = testkit.Day(2012, 2, 29)
			p.NHSNumber, p.UPN, p.Gender, p.Locality, p.Postcode = "9434765919", "A123456789012", "female", "North", "M1 1AA"
			p.PrimarySENNeed, p.EducationSettingID = "asd", setting.ID
			p.Contacts = []person.Contact{
				{Name: "Pat Stone", Relationship: "mother", ParentalResponsibility: true, MainContact: true, Phone: "07700 900000"},
				{Name: "Chris Stone", Relationship: "father", Email: "chris@example.org"},
			}
			p.Communication = &person.Communication{Language: "pl", InterpreterNeeded: true, Methods: []string{"phone"}, Formats: []string{"large_print"}, Notes: "mornings"}
		})
		wantEqual(t, "young person", read(t, st, func(tx *store.Tx) (person.YoungPerson, error) { return tx.People().Get(full.ID, access.Scope{}) }), full)

		bare := mkPerson(t, st, o.ID, func(p *person.YoungPerson) { p.Contacts = nil })
		got := read(t, st, func(tx *store.Tx) (person.YoungPerson, error) { return tx.People().Get(bare.ID, access.Scope{}) })
		if len(got.Contacts) != 0 || got.Communication != nil {
			t.Fatalf("bare contacts/communication = %#v / %#v, want none", got.Contacts, got.Communication)
		}
		got.Contacts, bare.Contacts = nil, nil
		wantEqual(t, "bare young person", got, bare)
		if got.PreferredName != "" || got.NHSNumber != "" || got.UPN != "" || got.Gender != "" || got.Locality != "" ||
			got.Postcode != "" || got.PrimarySENNeed != "" || got.EducationSettingID != "" {
			t.Fatalf("optional fields = %+v, want empty", got)
		}
		n, err := store.RawCount(st, `SELECT COUNT(*) FROM young_people WHERE id = ? AND preferred_name IS NULL AND nhs_number IS NULL
			AND upn IS NULL AND gender IS NULL AND locality IS NULL AND postcode IS NULL AND primary_sen_need IS NULL
			AND education_setting_id IS NULL AND communication IS NULL`, bare.ID)
		if err != nil || n != 1 {
			t.Fatalf("blank optional fields stored as NULL: count %d, %v", n, err)
		}
		contacts, err := store.RawString(st, "SELECT contacts FROM young_people WHERE id = ?", bare.ID)
		if err != nil || contacts != "[]" {
			t.Fatalf("contacts stored as %q, %v; want []", contacts, err)
		}

		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.People().Get(newID(t), access.Scope{}); return err }))
	})
}

func TestReferralRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, o.ID, nil)
		yp := mkPerson(t, st, o.ID, nil)
		triaged := now()
		full := mkReferral(t, st, yp, pr, func(r *referral.Referral) {
			r.Status = referral.Accepted
			r.Reasons, r.MainReason = []string{"asd_asc", "speech_language"}, "speech_language"
			r.ServicesInvolved = []string{"school", "paediatrics", "camhs"}
			r.SafeguardingConcern = true
			r.Consent = &referral.Consent{GivenBy: "Pat Stone", Relationship: "mother", GivenOn: testkit.Day(2026, 3, 1)}
			r.Summary, r.Route = "Needs a joined-up plan.", referral.RouteSafeguardingAssessment
			r.Eligibility = referral.Eligibility{Eligible: true, AgeInRange: true, Age: 10, TwoOrMoreServices: true, ServicesCount: 3, InArea: true, AssessedOn: testkit.Day(2026, 3, 2)}
			r.Triage = &referral.Triage{Decision: referral.DecisionAccept, Route: referral.RouteSafeguardingAssessment, Reason: "meets criteria", TriagedAt: triaged, TriagedBy: pr.ID}
		})
		wantEqual(t, "referral", read(t, st, func(tx *store.Tx) (referral.Referral, error) { return tx.Referrals().Get(full.ID, access.Scope{}) }), full)
		if full.Reference != "REF-2026-000001" {
			t.Fatalf("first reference = %q", full.Reference)
		}
		services, err := store.RawCount(st, "SELECT services_count FROM referrals WHERE id = ?", full.ID)
		if err != nil || services != 3 {
			t.Fatalf("services_count = %d, %v; want 3", services, err)
		}

		bare := mkReferral(t, st, yp, pr, func(r *referral.Referral) {
			r.Eligibility = referral.Eligibility{Unmet: []string{"fewer than two services involved"}, ServicesCount: 1}
		})
		got := read(t, st, func(tx *store.Tx) (referral.Referral, error) { return tx.Referrals().Get(bare.ID, access.Scope{}) })
		wantEqual(t, "bare referral", got, bare)
		if got.Consent != nil || got.Triage != nil || got.Summary != "" || got.Route != "" || got.Eligibility.Eligible {
			t.Fatalf("optional fields = %+v, want empty", got)
		}
		n, err := store.RawCount(st, "SELECT COUNT(*) FROM referrals WHERE id = ? AND consent IS NULL AND summary IS NULL AND route IS NULL AND triage IS NULL", bare.ID)
		if err != nil || n != 1 {
			t.Fatalf("blank optional fields stored as NULL: count %d, %v", n, err)
		}

		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Referrals().Get(newID(t), access.Scope{}); return err }))
	})
}

// Optimistic concurrency.

// checkVersioned updates a record from version 1 to 2, then replays an update based on version 1
// and expects it refused with the current version, leaving the stored record as the first update
// wrote it.
func checkVersioned[T any](t *testing.T, st *store.Store, orig T, bump func(T, string) T, update func(*store.Tx, T) error,
	load func(*store.Tx) (T, error), versionOf func(T) int) {
	t.Helper()
	next := bump(orig, "first")
	write(t, st, func(tx *store.Tx) error { return update(tx, next) })
	stored := read(t, st, load)
	if versionOf(stored) != 2 {
		t.Fatalf("version after update = %d, want 2", versionOf(stored))
	}
	wantEqual(t, "after update", stored, next)

	err := st.InTx(ctx, func(tx *store.Tx) error { return update(tx, bump(orig, "second")) })
	fe := testkit.AsFault(t, err, fault.PreconditionFailed)
	if fe.CurrentVersion != 2 {
		t.Fatalf("CurrentVersion = %d, want 2", fe.CurrentVersion)
	}
	if !errors.Is(err, fault.ErrPreconditionFailed) {
		t.Fatalf("errors.Is(ErrPreconditionFailed) = false for %v", err)
	}
	wantEqual(t, "after the refused update", read(t, st, load), next)

	// And the next in line, based on version 2, still goes through.
	third := bump(next, "third")
	write(t, st, func(tx *store.Tx) error { return update(tx, third) })
	if v := versionOf(read(t, st, load)); v != 3 {
		t.Fatalf("version after third update = %d, want 3", v)
	}
}

func TestOptimisticConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, func(o *directory.Organisation) { o.Name = "Original" })
		pr := mkPractitioner(t, st, o.ID, nil)
		yp := mkPerson(t, st, o.ID, nil)
		rf := mkReferral(t, st, yp, pr, nil)

		// UpdatedAt is left as stored: see the report about gorm overwriting it on update.
		t.Run("organisation", func(t *testing.T) {
			checkVersioned(t, st, o, func(o directory.Organisation, name string) directory.Organisation {
				o.Name, o.Locality, o.Version = name, name, o.Version+1
				return o
			}, func(tx *store.Tx, v directory.Organisation) error { return tx.Directory().UpdateOrganisation(v) }, func(tx *store.Tx) (directory.Organisation, error) {
				got, err := tx.Directory().Organisation(o.ID)
				got.UpdatedAt = o.UpdatedAt
				return got, err
			}, func(o directory.Organisation) int { return o.Version })
		})
		t.Run("practitioner", func(t *testing.T) {
			checkVersioned(t, st, pr, func(p directory.Practitioner, name string) directory.Practitioner {
				p.Name, p.Version = name, p.Version+1
				return p
			}, func(tx *store.Tx, v directory.Practitioner) error { return tx.Directory().UpdatePractitioner(v) }, func(tx *store.Tx) (directory.Practitioner, error) {
				got, err := tx.Directory().Practitioner(pr.ID)
				got.UpdatedAt = pr.UpdatedAt
				return got, err
			}, func(p directory.Practitioner) int { return p.Version })
		})
		t.Run("young person", func(t *testing.T) {
			checkVersioned(t, st, yp, func(p person.YoungPerson, name string) person.YoungPerson {
				p.GivenName, p.Version = name, p.Version+1
				return p
			}, func(tx *store.Tx, v person.YoungPerson) error { return tx.People().Update(v) }, func(tx *store.Tx) (person.YoungPerson, error) {
				got, err := tx.People().Get(yp.ID, access.Scope{})
				got.UpdatedAt = yp.UpdatedAt
				return got, err
			}, func(p person.YoungPerson) int { return p.Version })
		})
		t.Run("referral", func(t *testing.T) {
			checkVersioned(t, st, rf, func(r referral.Referral, summary string) referral.Referral {
				r.Summary, r.Version = summary, r.Version+1
				return r
			}, func(tx *store.Tx, v referral.Referral) error { return tx.Referrals().Update(v) }, func(tx *store.Tx) (referral.Referral, error) {
				got, err := tx.Referrals().Get(rf.ID, access.Scope{})
				got.UpdatedAt = rf.UpdatedAt
				return got, err
			}, func(r referral.Referral) int { return r.Version })
		})
		t.Run("unknown id", func(t *testing.T) {
			ghost := o
			ghost.ID, ghost.Version = newID(t), 2
			wantNotFound(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Directory().UpdateOrganisation(ghost) }))
		})
	})
}

// Uniqueness and foreign keys.

func TestUniquenessAndForeignKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, func(o *directory.Organisation) { o.URN = "123456" })
		mkPerson(t, st, o.ID, func(p *person.YoungPerson) { p.NHSNumber, p.UPN = "9434765919", "A123456789012" })

		// A second record with the same NHS number or UPN is stored: refusing it told the caller the
		// child was known. The people service finds it as a possible duplicate instead.
		dupNHS := person.YoungPerson{ID: newID(t), GivenName: "B", FamilyName: "C", DateOfBirth: testkit.Day(2014, 1, 1), NHSNumber: "9434765919",
			RecordedByOrgID: o.ID, CreatedAt: now(), UpdatedAt: now(), Version: 1}
		write(t, st, func(tx *store.Tx) error { return tx.People().Create(dupNHS) })
		dupUPN := dupNHS
		dupUPN.ID, dupUPN.NHSNumber, dupUPN.UPN = newID(t), "", "A123456789012"
		write(t, st, func(tx *store.Tx) error { return tx.People().Create(dupUPN) })
		if n, err := store.RawCount(st, "SELECT COUNT(*) FROM young_people WHERE nhs_number = '9434765919' OR upn = 'A123456789012'"); err != nil || n != 3 {
			t.Fatalf("records holding the identifiers = %d, %v; want 3", n, err)
		}

		// Many young people without an NHS number or UPN: blanks are NULLs, which never clash.
		for range 3 {
			mkPerson(t, st, o.ID, nil)
		}
		if n, err := store.RawCount(st, "SELECT COUNT(*) FROM young_people WHERE nhs_number IS NULL AND upn IS NULL"); err != nil || n != 3 {
			t.Fatalf("young people without NHS number or UPN = %d, %v; want 3", n, err)
		}

		dupURN := directory.Organisation{ID: newID(t), Name: "Twin", Type: "school", URN: "123456", CreatedAt: now(), UpdatedAt: now(), Version: 1}
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Directory().CreateOrganisation(dupURN) }), fault.Conflict)

		mkPractitioner(t, st, o.ID, func(p *directory.Practitioner) { p.Email = "Jo.Bloggs@example.org" })
		dupEmail := directory.Practitioner{ID: newID(t), OrganisationID: o.ID, Name: "Other Jo", Email: "jo.bloggs@EXAMPLE.org",
			Role: "teacher", Active: true, CreatedAt: now(), UpdatedAt: now(), Version: 1}
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Directory().CreatePractitioner(dupEmail) }), fault.Conflict)

		dupID := dupEmail
		dupID.Email = "someone.else@example.org"
		write(t, st, func(tx *store.Tx) error { return tx.Directory().CreatePractitioner(dupID) })
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error {
			again := dupID
			again.Email = "third@example.org"
			return tx.Directory().CreatePractitioner(again)
		}), fault.Conflict)

		orphan := dupEmail
		orphan.ID, orphan.Email, orphan.OrganisationID = newID(t), "orphan@example.org", newID(t)
		err := st.InTx(ctx, func(tx *store.Tx) error { return tx.Directory().CreatePractitioner(orphan) })
		testkit.AsFault(t, err, fault.Unprocessable)
		if !errors.Is(err, fault.ErrUnprocessable) {
			t.Fatalf("errors.Is(ErrUnprocessable) = false for %v", err)
		}

		stray := dupNHS
		stray.ID, stray.NHSNumber, stray.EducationSettingID = newID(t), "", newID(t)
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.People().Create(stray) }), fault.Unprocessable)

		pr := mkPractitioner(t, st, o.ID, nil)
		yp := mkPerson(t, st, o.ID, nil)
		first := mkReferral(t, st, yp, pr, nil)
		dupRef := mkReferralValue(t, yp, pr)
		dupRef.Reference = first.Reference
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Referrals().Create(dupRef) }), fault.Conflict)
		noPerson := mkReferralValue(t, yp, pr)
		noPerson.Reference, noPerson.YoungPersonID = "REF-2026-999999", newID(t)
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Referrals().Create(noPerson) }), fault.Unprocessable)
	})
}

func mkReferralValue(t testing.TB, yp person.YoungPerson, pr directory.Practitioner) referral.Referral {
	return referral.Referral{ID: newID(t), Status: referral.Received, YoungPersonID: yp.ID, ReferrerPractitionerID: pr.ID,
		ReferrerOrganisationID: pr.OrganisationID, Reasons: []string{"sen"}, MainReason: "sen", ReceivedOn: testkit.Day(2026, 3, 2),
		CreatedAt: now(), UpdatedAt: now(), Version: 1}
}

// Pagination.

func TestPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var created []string
		for i := range 7 {
			created = append(created, mkOrg(t, st, func(o *directory.Organisation) { o.Name = fmt.Sprintf("Org %d", i) }).ID)
		}
		if !slices.IsSorted(created) {
			t.Fatalf("UUIDv7 ids not in creation order: %v", created)
		}
		var seen []string
		var sizes []int
		cursor := ""
		for page := 0; ; page++ {
			if page > 5 {
				t.Fatal("pagination does not end")
			}
			items, next, err := listOrgs(st, directory.OrganisationFilter{}, paging.Page{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(items))
			seen = append(seen, orgIDs(items)...)
			if next == "" {
				break
			}
			cursor = next
		}
		wantEqual(t, "page sizes", sizes, []int{3, 3, 1})
		wantEqual(t, "ids over all pages", seen, newestFirst(created...))

		// Exactly a full last page: no empty extra page.
		items, next, err := listOrgs(st, directory.OrganisationFilter{}, paging.Page{Limit: 7})
		if err != nil || len(items) != 7 || next != "" {
			t.Fatalf("limit 7: %d items, next %q, %v", len(items), next, err)
		}
		// A limit out of range falls back to the default.
		if items, _, err := listOrgs(st, directory.OrganisationFilter{}, paging.Page{Limit: 0}); err != nil || len(items) != 7 {
			t.Fatalf("limit 0: %d items, %v", len(items), err)
		}

		for _, bad := range []string{"garbage!", "djE6bm90LWEtdXVpZA", base64.RawURLEncoding.EncodeToString([]byte("v2:" + created[0]))} {
			_, _, err := listOrgs(st, directory.OrganisationFilter{}, paging.Page{Limit: 3, Cursor: bad})
			fe := testkit.AsFault(t, err, fault.Invalid)
			if len(fe.Fields) != 1 || fe.Fields[0].Pointer != "/query/cursor" {
				t.Fatalf("cursor %q: fields = %+v, want /query/cursor", bad, fe.Fields)
			}
		}
		// Other lists share the keyset: young people, two at a time.
		o := mkOrg(t, st, nil)
		var people []string
		for range 3 {
			people = append(people, mkPerson(t, st, o.ID, nil).ID)
		}
		first, next, err := listPeople(st, person.Filter{}, access.Scope{}, paging.Page{Limit: 2})
		if err != nil || next == "" {
			t.Fatalf("first page of people: next %q, %v", next, err)
		}
		rest, last, err := listPeople(st, person.Filter{}, access.Scope{}, paging.Page{Limit: 2, Cursor: next})
		if err != nil || last != "" {
			t.Fatalf("second page of people: next %q, %v", last, err)
		}
		wantEqual(t, "people over two pages", append(personIDs(first), personIDs(rest)...), newestFirst(people...))
	})
}

func listOrgs(st *store.Store, f directory.OrganisationFilter, p paging.Page) (items []directory.Organisation, next string, err error) {
	err = st.Read(ctx, func(tx *store.Tx) error {
		items, next, err = tx.Directory().Organisations(f, p)
		return err
	})
	return items, next, err
}

func listPeople(st *store.Store, f person.Filter, s access.Scope, p paging.Page) (items []person.YoungPerson, next string, err error) {
	err = st.Read(ctx, func(tx *store.Tx) error {
		items, next, err = tx.People().List(f, s, p)
		return err
	})
	return items, next, err
}

func listReferrals(st *store.Store, f referral.Filter, s access.Scope, p paging.Page) (items []referral.Referral, next string, err error) {
	err = st.Read(ctx, func(tx *store.Tx) error {
		items, next, err = tx.Referrals().List(f, s, p)
		return err
	})
	return items, next, err
}

// Filters.

func TestDirectoryFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		oak := mkOrg(t, st, func(o *directory.Organisation) { o.Name, o.Type, o.Locality = "Oak Academy", "school", "North" })
		clinic := mkOrg(t, st, func(o *directory.Organisation) { o.Name, o.Type, o.Locality = "Oakwood Clinic", "health", "north" })
		ash := mkOrg(t, st, func(o *directory.Organisation) { o.Name, o.Type, o.Locality = "Ash Primary", "school", "South" })
		pct := mkOrg(t, st, func(o *directory.Organisation) { o.Name, o.Type = "100% Kids_Club", "voluntary" })

		for _, c := range []struct {
			name string
			f    directory.OrganisationFilter
			want []string
		}{
			{"type", directory.OrganisationFilter{Type: "school"}, []string{oak.ID, ash.ID}},
			{"locality any case", directory.OrganisationFilter{Locality: "NORTH"}, []string{oak.ID, clinic.ID}},
			{"q substring any case", directory.OrganisationFilter{Query: "oAK"}, []string{oak.ID, clinic.ID}},
			{"q mid-word", directory.OrganisationFilter{Query: "cadem"}, []string{oak.ID}},
			{"q percent is literal", directory.OrganisationFilter{Query: "%"}, []string{pct.ID}},
			{"q underscore is literal", directory.OrganisationFilter{Query: "_"}, []string{pct.ID}},
			{"combined", directory.OrganisationFilter{Type: "school", Locality: "north", Query: "oak"}, []string{oak.ID}},
			{"no match", directory.OrganisationFilter{Type: "health", Locality: "South"}, []string{}},
		} {
			items, _, err := listOrgs(st, c.f, paging.Page{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			wantEqual(t, c.name, orgIDs(items), newestFirst(c.want...))
		}

		jo := mkPractitioner(t, st, oak.ID, func(p *directory.Practitioner) { p.Name, p.Role = "Jo Bloggs", "teacher" })
		sam := mkPractitioner(t, st, oak.ID, func(p *directory.Practitioner) { p.Name = "Sam Jones" })
		kim := mkPractitioner(t, st, clinic.ID, func(p *directory.Practitioner) { p.Name, p.Role = "Kim Joseph", "teacher" })
		for _, c := range []struct {
			name string
			f    directory.PractitionerFilter
			want []string
		}{
			{"organisation", directory.PractitionerFilter{OrganisationID: oak.ID}, []string{jo.ID, sam.ID}},
			{"role", directory.PractitionerFilter{Role: "teacher"}, []string{jo.ID, kim.ID}},
			{"q any case", directory.PractitionerFilter{Query: "JO"}, []string{jo.ID, sam.ID, kim.ID}},
			{"q", directory.PractitionerFilter{Query: "jos"}, []string{kim.ID}},
			{"combined", directory.PractitionerFilter{OrganisationID: oak.ID, Role: "teacher", Query: "bloggs"}, []string{jo.ID}},
			{"q percent is literal", directory.PractitionerFilter{Query: "%"}, []string{}},
		} {
			var items []directory.Practitioner
			err := st.Read(ctx, func(tx *store.Tx) error {
				var err error
				items, _, err = tx.Directory().Practitioners(c.f, paging.Page{})
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			wantEqual(t, c.name, ids(items, func(p directory.Practitioner) string { return p.ID }), newestFirst(c.want...))
		}
	})
}

func TestYoungPeopleFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		s1 := mkOrg(t, st, nil)
		s2 := mkOrg(t, st, nil)
		amelia := mkPerson(t, st, o.ID, func(p *person.YoungPerson) {
			p.GivenName, p.FamilyName, p.PreferredName = "Amelia", "Stone", "Millie"
			p.NHSNumber, p.UPN, p.Locality, p.PrimarySENNeed, p.EducationSettingID = "9434765919", "A123456789012", "North", "asd", s1.ID
		})
		ben := mkPerson(t, st, o.ID, func(p *person.YoungPerson) {
			p.GivenName, p.FamilyName = "Ben", "Hartley"
			p.NHSNumber, p.UPN, p.Locality, p.PrimarySENNeed, p.EducationSettingID = "9434765870", "B987654321098", "South", "semh", s2.ID
		})
		cara := mkPerson(t, st, o.ID, func(p *person.YoungPerson) {
			p.GivenName, p.FamilyName, p.Locality, p.PrimarySENNeed = "Cara", "Stoneman", "north", "asd"
		})

		for _, c := range []struct {
			name string
			f    person.Filter
			want []string
		}{
			{"q family name", person.Filter{Query: "stone"}, []string{amelia.ID, cara.ID}},
			{"q any case", person.Filter{Query: "STONEMAN"}, []string{cara.ID}},
			{"q preferred name", person.Filter{Query: "millie"}, []string{amelia.ID}},
			{"q full name", person.Filter{Query: "Amelia Stone"}, []string{amelia.ID}},
			{"q NHS number", person.Filter{Query: "9434765870"}, []string{ben.ID}},
			{"q NHS number is exact", person.Filter{Query: "943476587"}, []string{}},
			{"q UPN any case", person.Filter{Query: "a123456789012"}, []string{amelia.ID}},
			{"q percent is literal", person.Filter{Query: "%"}, []string{}},
			{"locality any case", person.Filter{Locality: "NORTH"}, []string{amelia.ID, cara.ID}},
			{"need", person.Filter{PrimarySENNeed: "asd"}, []string{amelia.ID, cara.ID}},
			{"setting", person.Filter{EducationSettingID: s2.ID}, []string{ben.ID}},
			{"combined", person.Filter{Query: "stone", PrimarySENNeed: "asd", EducationSettingID: s1.ID}, []string{amelia.ID}},
		} {
			items, _, err := listPeople(st, c.f, access.Scope{}, paging.Page{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			wantEqual(t, c.name, personIDs(items), newestFirst(c.want...))
		}
	})
}

func TestReferralFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := mkOrg(t, st, nil)
		b := mkOrg(t, st, nil)
		pa := mkPractitioner(t, st, a.ID, nil)
		pb := mkPractitioner(t, st, b.ID, nil)
		amelia := mkPerson(t, st, a.ID, func(p *person.YoungPerson) { p.GivenName, p.FamilyName, p.Locality = "Amelia", "Stone", "North" })
		ben := mkPerson(t, st, a.ID, func(p *person.YoungPerson) { p.GivenName, p.FamilyName, p.Locality = "Ben", "Hartley", "South" })
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		r1 := mkReferral(t, st, amelia, pa, func(r *referral.Referral) {
			r.Reasons, r.MainReason, r.CreatedAt = []string{"complex_health_needs", "asd_asc"}, "asd_asc", t0
		})
		r2 := mkReferral(t, st, ben, pa, func(r *referral.Referral) {
			r.Status, r.Reasons, r.MainReason, r.CreatedAt = referral.Accepted, []string{"complex_needs"}, "complex_needs", t0.Add(time.Hour)
		})
		r3 := mkReferral(t, st, amelia, pb, func(r *referral.Referral) {
			r.Reasons, r.MainReason, r.CreatedAt = []string{"semh"}, "semh", t0.Add(2*time.Hour+time.Microsecond)
		})
		at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }

		for _, c := range []struct {
			name string
			f    referral.Filter
			want []string
		}{
			{"status", referral.Filter{Status: "received"}, []string{r1.ID, r3.ID}},
			{"reason", referral.Filter{Reason: "complex_needs"}, []string{r2.ID}},
			{"reason that is not the main one", referral.Filter{Reason: "complex_health_needs"}, []string{r1.ID}},
			{"reason only as a prefix matches nothing", referral.Filter{Reason: "complex"}, []string{}},
			{"organisation", referral.Filter{OrganisationID: b.ID}, []string{r3.ID}},
			{"young person", referral.Filter{YoungPersonID: amelia.ID}, []string{r1.ID, r3.ID}},
			{"created after (inclusive)", referral.Filter{CreatedAfter: at(time.Hour)}, []string{r2.ID, r3.ID}},
			{"created before (exclusive)", referral.Filter{CreatedBefore: at(time.Hour)}, []string{r1.ID}},
			{"created between", referral.Filter{CreatedAfter: at(time.Minute), CreatedBefore: at(2 * time.Hour)}, []string{r2.ID}},
			{"created after, sub-second", referral.Filter{CreatedAfter: at(2*time.Hour + time.Microsecond)}, []string{r3.ID}},
			{"created after, non-UTC bound", referral.Filter{CreatedAfter: ptr(t0.Add(time.Hour).In(time.FixedZone("X", -5*3600)))}, []string{r2.ID, r3.ID}},
			{"q reference any case", referral.Filter{Query: "ref-2026-000002"}, []string{r2.ID}},
			{"q unknown reference", referral.Filter{Query: "REF-2026-000099"}, []string{}},
			{"q name", referral.Filter{Query: "stone"}, []string{r1.ID, r3.ID}},
			{"q name any case", referral.Filter{Query: "HARTLEY"}, []string{r2.ID}},
			{"locality any case", referral.Filter{Locality: "NORTH"}, []string{r1.ID, r3.ID}},
			{"locality and reference", referral.Filter{Locality: "north", Query: "REF-2026-000001"}, []string{r1.ID}},
			{"locality excludes reference", referral.Filter{Locality: "north", Query: "REF-2026-000002"}, []string{}},
			{"combined", referral.Filter{Status: "received", OrganisationID: a.ID, Query: "amelia"}, []string{r1.ID}},
		} {
			items, _, err := listReferrals(st, c.f, access.Scope{}, paging.Page{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			wantEqual(t, c.name, referralIDs(items), newestFirst(c.want...))
		}

		// Keyset paging combined with a filter.
		page, next, err := listReferrals(st, referral.Filter{Status: "received"}, access.Scope{}, paging.Page{Limit: 1})
		if err != nil || next == "" || len(page) != 1 || page[0].ID != r3.ID {
			t.Fatalf("first filtered page: %v, next %q, %v", referralIDs(page), next, err)
		}
		page, next, err = listReferrals(st, referral.Filter{Status: "received"}, access.Scope{}, paging.Page{Limit: 1, Cursor: next})
		if err != nil || next != "" || len(page) != 1 || page[0].ID != r1.ID {
			t.Fatalf("second filtered page: %v, next %q, %v", referralIDs(page), next, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// Scope.

func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		today := testkit.Day(2026, 5, 10)
		x := mkOrg(t, st, nil)
		y := mkOrg(t, st, nil)
		px := mkPractitioner(t, st, x.ID, nil)
		lead := mkPractitioner(t, st, y.ID, nil)
		none := mkPerson(t, st, y.ID, nil)
		current := mkPerson(t, st, y.ID, nil)
		ended := mkPerson(t, st, y.ID, nil)
		future := mkPerson(t, st, y.ID, nil)
		led := mkPerson(t, st, y.ID, nil)
		involve := func(yp person.YoungPerson, org, practitioner string, from time.Time, to *time.Time) {
			write(t, st, func(tx *store.Tx) error {
				return tx.Sharing().CreateInvolvement(sharing.Involvement{ID: newID(t), YoungPersonID: yp.ID, OrganisationID: org, PractitionerID: practitioner,
					Role: sharing.RoleTeamMember, StartedOn: from, EndedOn: to, CreatedAt: now(), UpdatedAt: now(), Version: 1})
			})
		}
		tomorrow := today.AddDate(0, 0, 1)
		involve(current, x.ID, "", today.AddDate(0, -1, 0), nil)
		involve(ended, x.ID, "", today.AddDate(0, -2, 0), &today) // ends today: no longer in effect
		involve(future, x.ID, "", today.AddDate(0, 0, 1), nil)
		involve(led, y.ID, lead.ID, today, &tomorrow)
		aboutCurrent := mkReferral(t, st, current, px, nil)
		aboutNone := mkReferral(t, st, none, px, nil)

		getPerson := func(id string, s access.Scope) error {
			return readErr(st, func(tx *store.Tx) error { _, err := tx.People().Get(id, s); return err })
		}
		visible := func(name string, s access.Scope, want ...person.YoungPerson) {
			t.Helper()
			people, _, err := listPeople(st, person.Filter{}, s, paging.Page{})
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(want))
			for i, p := range want {
				ids[i] = p.ID
			}
			wantEqual(t, name, personIDs(people), newestFirst(ids...))
			for _, p := range []person.YoungPerson{none, current, ended, future, led} {
				err := getPerson(p.ID, s)
				shown := slices.Contains(ids, p.ID)
				if shown && err != nil {
					t.Fatalf("%s: %s should be readable: %v", name, p.ID, err)
				}
				if !shown {
					wantNotFound(t, err)
				}
			}
		}
		visible("organisation X: current involvements only", access.Scope{Restricted: true, OrganisationID: x.ID, On: today}, current)
		visible("the lead practitioner, through their own involvement", access.Scope{Restricted: true, OrganisationID: newID(t), PractitionerID: lead.ID, On: today}, led)
		visible("organisation Y sees its practitioner's involvement", access.Scope{Restricted: true, OrganisationID: y.ID, On: today}, led)
		visible("on the day it ended", access.Scope{Restricted: true, PractitionerID: lead.ID, On: tomorrow})
		visible("a family, by name", access.Scope{Restricted: true, YoungPersonIDs: []string{none.ID, ended.ID}, On: today}, none, ended)
		visible("restricted with no way in", access.Scope{Restricted: true, On: today})
		visible("the council", access.Scope{}, none, current, ended, future, led)

		sx := access.Scope{Restricted: true, OrganisationID: x.ID, On: today}
		if err := readErr(st, func(tx *store.Tx) error { _, err := tx.Referrals().Get(aboutCurrent.ID, sx); return err }); err != nil {
			t.Fatalf("referral about a child in X's team: %v", err)
		}
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Referrals().Get(aboutNone.ID, sx); return err }))
		refs, _, err := listReferrals(st, referral.Filter{}, sx, paging.Page{})
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "referrals in scope of X", referralIDs(refs), []string{aboutCurrent.ID})
		refs, _, err = listReferrals(st, referral.Filter{Query: aboutNone.Reference}, sx, paging.Page{})
		if err != nil || len(refs) != 0 {
			t.Fatalf("out-of-scope referral found by reference: %v, %v", referralIDs(refs), err)
		}
		refs, _, err = listReferrals(st, referral.Filter{}, access.Scope{}, paging.Page{})
		if err != nil || len(refs) != 2 {
			t.Fatalf("council-wide referrals: %d, %v", len(refs), err)
		}
	})
}

// References.

func TestNextReference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		refs := st.References(1)
		next := func(scope string) int64 {
			t.Helper()
			n, err := refs.Next(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		var got []int64
		for range 3 {
			got = append(got, next("referral:2026"))
		}
		got = append(got, next("referral:2027"), next("referral:2026"), next("referral:2027"))
		wantEqual(t, "sequence", got, []int64{1, 2, 3, 1, 4, 2})

		// Blocks: a second allocator (another process) takes its own block, so numbers never
		// repeat; one that stops leaves its unused numbers as a gap.
		a, b := st.References(5), st.References(5)
		wantEqual(t, "first block", []int64{next2(t, a, "x"), next2(t, a, "x")}, []int64{1, 2})
		wantEqual(t, "second process's block", []int64{next2(t, b, "x"), next2(t, a, "x"), next2(t, b, "x")}, []int64{6, 3, 7})
		if n := next2(t, st.References(5), "x"); n != 11 {
			t.Fatalf("a third process's first number = %d, want 11 (after the two blocks)", n)
		}
	})
}

func next2(t *testing.T, r *store.ReferenceBlocks, scope string) int64 {
	t.Helper()
	n, err := r.Next(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNextReferenceConcurrent: many requests on several processes' allocators at once get
// distinct numbers.
func TestNextReferenceConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		const workers = 40
		allocators := []*store.ReferenceBlocks{st.References(3), st.References(3), st.References(7)}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			seen = map[int64]bool{}
		)
		start := make(chan struct{})
		for i := range workers {
			wg.Go(func() {
				<-start
				n, err := allocators[i%len(allocators)].Next(ctx, "referral:2026")
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				if seen[n] {
					t.Errorf("number %d handed out twice", n)
				}
				seen[n] = true
			})
		}
		close(start)
		wg.Wait()
		if len(seen) != workers {
			t.Fatalf("%d distinct numbers for %d requests", len(seen), workers)
		}
	})
}

// Transactions.

func TestTransactions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		boom := errors.New("boom")
		o := directory.Organisation{ID: newID(t), Name: "Doomed", Type: "school", CreatedAt: now(), UpdatedAt: now(), Version: 1}
		err := st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Directory().CreateOrganisation(o); err != nil {
				return err
			}
			// The insert is visible inside its own transaction.
			if _, err := tx.Directory().Organisation(o.ID); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx error = %v, want the callback's error", err)
		}
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Directory().Organisation(o.ID); return err }))

		// A fault error comes out as it went in, and rolls back too.
		refused := fault.New(fault.Forbidden, "no")
		p := directory.Organisation{ID: newID(t), Name: "Also doomed", Type: "school", CreatedAt: now(), UpdatedAt: now(), Version: 1}
		err = st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Directory().CreateOrganisation(p); err != nil {
				return err
			}
			return refused
		})
		if err != refused { //nolint:errorlint // the very same error value must come out
			t.Fatalf("InTx error = %v, want the fault unchanged", err)
		}
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Directory().Organisation(p.ID); return err }))

		// A failed statement rolls back the whole transaction, including earlier statements.
		ok := directory.Organisation{ID: newID(t), Name: "Fine", Type: "school", URN: "900001", CreatedAt: now(), UpdatedAt: now(), Version: 1}
		write(t, st, func(tx *store.Tx) error { return tx.Directory().CreateOrganisation(ok) })
		first := directory.Organisation{ID: newID(t), Name: "First", Type: "school", CreatedAt: now(), UpdatedAt: now(), Version: 1}
		clash := directory.Organisation{ID: newID(t), Name: "Clash", Type: "school", URN: "900001", CreatedAt: now(), UpdatedAt: now(), Version: 1}
		err = st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Directory().CreateOrganisation(first); err != nil {
				return err
			}
			return tx.Directory().CreateOrganisation(clash)
		})
		testkit.AsFault(t, err, fault.Conflict)
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Directory().Organisation(first.ID); return err }))

		// Commit on success.
		write(t, st, func(tx *store.Tx) error { return tx.Directory().CreateOrganisation(first) })
		if items, _, err := listOrgs(st, directory.OrganisationFilter{Query: "first"}, paging.Page{}); err != nil || len(items) != 1 {
			t.Fatalf("committed organisation listed %d times, %v", len(items), err)
		}
		wantEqual(t, "committed", read(t, st, func(tx *store.Tx) (directory.Organisation, error) { return tx.Directory().Organisation(first.ID) }), first)
	})
}

// Audit.

func auditEvents(t testing.TB, st *store.Store, f audit.Filter) []audit.Event {
	t.Helper()
	var out []audit.Event
	err := st.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, _, err = tx.AuditTrail().Events(f, paging.Page{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rec1, rec2, yp1, yp2, k1, k2, org := newID(t), newID(t), newID(t), newID(t), newID(t), newID(t), newID(t)
		t0 := now()
		e1 := audit.Event{ID: newID(t), OccurredAt: t0, Action: audit.Create, RecordType: audit.Referral, RecordID: rec1, YoungPersonID: yp1,
			ActorKeyID: k1, ActorOrgID: org, ActorRole: "practitioner", Purpose: "intake", ChangedFields: []string{"status", "summary"},
			RequestID: "req-1", IP: "192.0.2.1"}
		e2 := audit.Event{ID: newID(t), OccurredAt: t0.Add(time.Second), Action: audit.Read, RecordType: audit.Referral, RecordID: rec1,
			YoungPersonID: yp1, ActorKeyID: k2, ActorRole: "send_officer"}
		e3 := audit.Event{ID: newID(t), OccurredAt: t0.Add(2 * time.Second), Action: audit.Update, RecordType: audit.YoungPerson, RecordID: rec2,
			YoungPersonID: yp2, ActorKeyID: k1, ActorRole: "practitioner", ChangedFields: []string{"locality"}}
		e4 := audit.Event{ID: newID(t), OccurredAt: t0.Add(3 * time.Second), Action: audit.List, RecordType: audit.YoungPerson, ActorRole: "admin"}
		write(t, st, func(tx *store.Tx) error { return tx.Audit(e1, e2) })
		write(t, st, func(tx *store.Tx) error { return tx.Audit(e3, e4) })
		write(t, st, func(tx *store.Tx) error { return tx.Audit() })

		all := auditEvents(t, st, audit.Filter{})
		wantEqual(t, "all events, newest first", all, []audit.Event{e4, e3, e2, e1})

		evIDs := func(es []audit.Event) []string { return ids(es, func(e audit.Event) string { return e.ID }) }
		for _, c := range []struct {
			name string
			f    audit.Filter
			want []string
		}{
			{"record", audit.Filter{RecordID: rec1}, []string{e2.ID, e1.ID}},
			{"young person", audit.Filter{YoungPersonID: yp2}, []string{e3.ID}},
			{"action", audit.Filter{Action: audit.Read}, []string{e2.ID}},
			{"actor key", audit.Filter{ActorKeyID: k1}, []string{e3.ID, e1.ID}},
			{"actor org", audit.Filter{ActorOrgID: org}, []string{e1.ID}},
			{"record type", audit.Filter{RecordType: audit.YoungPerson}, []string{e4.ID, e3.ID}},
			{"request", audit.Filter{RequestID: "req-1"}, []string{e1.ID}},
			{"record and actor", audit.Filter{RecordID: rec1, ActorKeyID: k1}, []string{e1.ID}},
			{"occurred window", audit.Filter{OccurredAfter: ptr(t0.Add(time.Second)), OccurredBefore: ptr(t0.Add(3 * time.Second))}, []string{e3.ID, e2.ID}},
			{"no match", audit.Filter{RecordID: rec2, Action: audit.Read}, []string{}},
		} {
			wantEqual(t, c.name, evIDs(auditEvents(t, st, c.f)), c.want)
		}
		// A duplicate id is refused: the trail never has two entries with one id.
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Audit(e1) }), fault.Conflict)

		// Append-only, whatever path the change takes.
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{"UPDATE audit_events SET action = 'tampered' WHERE id = ?", []any{e1.ID}},
			{"UPDATE audit_events SET actor_key_id = NULL", nil},
			{"DELETE FROM audit_events WHERE id = ?", []any{e1.ID}},
			{"DELETE FROM audit_events", nil},
		} {
			n, err := store.RawExec(st, stmt.sql, stmt.args...)
			if err == nil {
				t.Fatalf("%s: succeeded (%d rows), want refused", stmt.sql, n)
			}
		}
		if st.Dialect() == store.Postgres {
			if _, err := store.RawExec(st, "TRUNCATE audit_events"); err == nil {
				t.Fatal("TRUNCATE audit_events succeeded, want refused")
			}
		}
		wantEqual(t, "trail after tampering attempts", auditEvents(t, st, audit.Filter{}), all)
	})
}

// Outbox.

func TestOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rec, other := newID(t), newID(t)
		t0 := now()
		e1 := outbox.Event{ID: newID(t), OccurredAt: t0, Type: "referral.received", RecordType: audit.Referral, RecordID: rec,
			Payload: map[string]any{"reference": "REF-2026-000001", "status": "received", "count": float64(2), "flags": []any{"a", true}}}
		e2 := outbox.Event{ID: newID(t), OccurredAt: t0.Add(time.Second), Type: "referral.triaged", RecordType: audit.Referral, RecordID: rec,
			Payload: map[string]any{"status": "accepted"}}
		e3 := outbox.Event{ID: newID(t), OccurredAt: t0, Type: "referral.received", RecordType: audit.Referral, RecordID: other,
			Payload: map[string]any{"status": "received"}}
		write(t, st, func(tx *store.Tx) error { return tx.Publish(e1, e3) })
		write(t, st, func(tx *store.Tx) error { return tx.Publish(e2) })

		got := read(t, st, func(tx *store.Tx) ([]outbox.Event, error) { return tx.Outbox().ForRecord(rec) })
		wantEqual(t, "outbox for the record, oldest first", got, []outbox.Event{e1, e2})
		none := read(t, st, func(tx *store.Tx) ([]outbox.Event, error) { return tx.Outbox().ForRecord(newID(t)) })
		if len(none) != 0 {
			t.Fatalf("outbox for an unknown record = %v", none)
		}

		// Published with a rolled-back change, the event is gone too.
		lost := outbox.Event{ID: newID(t), OccurredAt: t0, Type: "referral.received", RecordType: audit.Referral, RecordID: other, Payload: map[string]any{}}
		_ = st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Publish(lost); err != nil {
				return err
			}
			return errors.New("roll back")
		})
		got = read(t, st, func(tx *store.Tx) ([]outbox.Event, error) { return tx.Outbox().ForRecord(other) })
		wantEqual(t, "outbox after rollback", got, []outbox.Event{e3})
	})
}

// API keys.

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		mkKey := func(role auth.Role) auth.APIKey {
			t.Helper()
			_, prefix, hash, err := auth.NewKey()
			if err != nil {
				t.Fatal(err)
			}
			k := auth.APIKey{ID: newID(t), Prefix: prefix, Hash: hash, Name: "key " + prefix, OrganisationID: o.ID, Role: role, CreatedAt: now()}
			write(t, st, func(tx *store.Tx) error { return tx.Keys().Create(k) })
			return k
		}
		admin1, admin2 := mkKey(auth.RoleAdmin), mkKey(auth.RoleAdmin)
		mkKey(auth.RoleSENDOfficer)

		got := read(t, st, func(tx *store.Tx) (auth.APIKey, error) { return tx.Keys().ByPrefix(admin1.Prefix) })
		wantEqual(t, "key by prefix", got, admin1)
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Keys().ByPrefix("zzzzzzzz"); return err }))

		dup := admin2
		dup.ID = newID(t)
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Keys().Create(dup) }), fault.Conflict)
		orphan := admin2
		orphan.ID, orphan.Prefix, orphan.OrganisationID = newID(t), "orphan00", newID(t)
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Keys().Create(orphan) }), fault.Unprocessable)

		count := func(role auth.Role) int64 {
			return read(t, st, func(tx *store.Tx) (int64, error) { return tx.Keys().ActiveWithRole(role) })
		}
		if n := count(auth.RoleAdmin); n != 2 {
			t.Fatalf("active admin keys = %d, want 2", n)
		}
		if n := count(auth.RoleSENDOfficer); n != 1 {
			t.Fatalf("active SEND officer keys = %d, want 1", n)
		}
		if n := count(auth.RoleAnalyst); n != 0 {
			t.Fatalf("active analyst keys = %d, want 0", n)
		}

		revoked := now()
		if n, err := store.RawExec(st, "UPDATE api_keys SET revoked_at = ? WHERE id = ?", revoked, admin1.ID); err != nil || n != 1 {
			t.Fatalf("revoke: %d rows, %v", n, err)
		}
		if n := count(auth.RoleAdmin); n != 1 {
			t.Fatalf("active admin keys after revoking one = %d, want 1", n)
		}
		got = read(t, st, func(tx *store.Tx) (auth.APIKey, error) { return tx.Keys().ByPrefix(admin1.Prefix) })
		if got.RevokedAt == nil || !got.RevokedAt.Equal(revoked) {
			t.Fatalf("RevokedAt = %v, want %v", got.RevokedAt, revoked)
		}
	})
}

// Idempotency.

func TestIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		key1, key2 := newID(t), newID(t)
		req := idempotency.Response{RequestHash: "h1", Method: "POST", Path: "/v1/referrals"}

		claim := func(keyID, key string, r idempotency.Response) (bool, idempotency.Response) {
			t.Helper()
			claimed, prev, err := st.IdempotencyKeys().Claim(ctx, keyID, key, r)
			if err != nil {
				t.Fatalf("claim: %v", err)
			}
			return claimed, prev
		}

		if claimed, _ := claim(key1, "k-1", req); !claimed {
			t.Fatal("first claim not claimed")
		}
		claimed, prev := claim(key1, "k-1", idempotency.Response{RequestHash: "h2", Method: "POST", Path: "/v1/other"})
		if claimed {
			t.Fatal("second claim of the same key claimed it again")
		}
		if prev.State != idempotency.Pending || prev.RequestHash != "h1" || prev.ClaimedAt.IsZero() {
			t.Fatalf("pending record: %+v", prev)
		}

		// Keys are per API key: the same Idempotency-Key under another API key is a new claim.
		if claimed, _ := claim(key2, "k-1", req); !claimed {
			t.Fatal("same Idempotency-Key under another API key was not claimed")
		}

		done := idempotency.Response{StatusCode: 201, ContentType: "application/json", Location: "/v1/referrals/abc",
			ETag: `"1"`, Body: []byte(`{"id":"abc"}`)}
		if err := st.IdempotencyKeys().Complete(ctx, key1, "k-1", done); err != nil {
			t.Fatal(err)
		}
		claimed, prev = claim(key1, "k-1", req)
		if claimed {
			t.Fatal("claim after completion claimed it again")
		}
		prev.ClaimedAt = time.Time{}
		wantEqual(t, "completed record", prev, idempotency.Response{RequestHash: "h1", Method: "POST", Path: "/v1/referrals", State: idempotency.Done,
			StatusCode: 201, ContentType: "application/json", Location: "/v1/referrals/abc", ETag: `"1"`, Body: []byte(`{"id":"abc"}`)})
		// A completed record is never released: its answer is what a retry gets.
		if err := st.IdempotencyKeys().Release(ctx, key1, "k-1"); err != nil {
			t.Fatal(err)
		}
		if claimed, prev := claim(key1, "k-1", req); claimed || prev.State != idempotency.Done {
			t.Fatalf("release of a completed record: claimed %v, %+v", claimed, prev)
		}

		// The other API key's claim is untouched by the first key's completion.
		if claimed, prev := claim(key2, "k-1", req); claimed || prev.State != idempotency.Pending {
			t.Fatalf("other API key's record: claimed %v, %+v; want pending", claimed, prev)
		}
		// A pending claim is released at once when its request fails.
		if err := st.IdempotencyKeys().Release(ctx, key2, "k-1"); err != nil {
			t.Fatal(err)
		}
		if claimed, _ := claim(key2, "k-1", req); !claimed {
			t.Fatal("claim after release not claimed")
		}

		// A pending claim whose lease has run out belongs to a request that can no longer commit:
		// a retry of the same request takes it over; another request with the key still cannot.
		lapsed := time.Now().Add(-idempotency.Lease - time.Second)
		if err := st.InTx(ctx, func(tx *store.Tx) error { return store.AgeIdempotencyClaim(tx, key2, "k-1", lapsed) }); err != nil {
			t.Fatal(err)
		}
		if claimed, prev := claim(key2, "k-1", idempotency.Response{RequestHash: "other", Method: "POST", Path: "/v1/referrals"}); claimed || prev.RequestHash != "h1" {
			t.Fatalf("a different request took over a lapsed claim: claimed %v, %+v", claimed, prev)
		}
		if claimed, _ := claim(key2, "k-1", req); !claimed {
			t.Fatal("a retry did not take over a lapsed, uncommitted claim")
		}

		// The transaction that carries a claimed request out marks the claim committed in the same
		// commit; a rolled-back one does not. A committed claim is never taken over, even lapsed.
		claimed3, _ := claim(key1, "k-3", req)
		claimed4, _ := claim(key1, "k-4", req)
		if !claimed3 || !claimed4 {
			t.Fatal("fresh keys not claimed")
		}
		withClaim := func(key string) context.Context {
			return idempotency.WithClaim(ctx, idempotency.Claim{Owner: key1, Key: key})
		}
		if err := st.InTx(withClaim("k-3"), func(tx *store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("rolled back")
		if err := st.InTx(withClaim("k-4"), func(tx *store.Tx) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("rolled-back transaction: %v", err)
		}
		for _, k := range []string{"k-3", "k-4"} {
			if err := st.InTx(ctx, func(tx *store.Tx) error { return store.AgeIdempotencyClaim(tx, key1, k, lapsed) }); err != nil {
				t.Fatal(err)
			}
		}
		if claimed, prev := claim(key1, "k-3", req); claimed || prev.State != idempotency.Committed {
			t.Fatalf("committed claim: claimed %v, %+v", claimed, prev)
		}
		if claimed, _ := claim(key1, "k-4", req); !claimed {
			t.Fatal("the claim of a rolled-back request was not taken over after its lease")
		}
		// Release never forgets a committed claim.
		if err := st.IdempotencyKeys().Release(ctx, key1, "k-3"); err != nil {
			t.Fatal(err)
		}
		if claimed, _ := claim(key1, "k-3", req); claimed {
			t.Fatal("release forgot a committed claim")
		}

		// Purge drops records older than the cut-off only.
		n, err := st.IdempotencyKeys().Purge(ctx, time.Now().Add(-time.Hour))
		if err != nil || n != 0 {
			t.Fatalf("purge of nothing old: %d, %v", n, err)
		}
		n, err = st.IdempotencyKeys().Purge(ctx, time.Now().Add(time.Hour))
		if err != nil || n != 4 {
			t.Fatalf("purge of everything: %d, %v; want 4", n, err)
		}
		if claimed, _ := claim(key2, "k-1", req); !claimed {
			t.Fatal("claim after purge not claimed")
		}
	})
}

// TestRateBank: a bucket starts full, gives at most what it holds, refills with time, and tells
// how long until a token is there.
func TestRateBank(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		bank := st.RateBank()
		took, _, err := bank.Take(ctx, "k", 3, 2, 5)
		if err != nil || took != 3 {
			t.Fatalf("first take: %d %v; want 3 of a full bucket of 5", took, err)
		}
		took, _, err = bank.Take(ctx, "k", 3, 2, 5)
		if err != nil || took != 2 {
			t.Fatalf("second take: %d %v; want the 2 left", took, err)
		}
		took, wait, err := bank.Take(ctx, "k", 3, 2, 5)
		if err != nil || took != 0 || wait <= 0 || wait > time.Second {
			t.Fatalf("empty bucket: took %d, wait %v, %v; want nothing and a wait of at most 0.5 s at 2 a second", took, wait, err)
		}
		if took, _, err := bank.Take(ctx, "other", 1, 2, 5); err != nil || took != 1 {
			t.Fatalf("another caller's bucket: %d %v", took, err)
		}
		time.Sleep(600 * time.Millisecond) // one token comes back every half second
		if took, _, err := bank.Take(ctx, "k", 3, 2, 5); err != nil || took != 1 {
			t.Fatalf("after 0.6 s: took %d, %v; want the 1 token refilled", took, err)
		}
		if n, err := bank.Purge(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
			t.Fatalf("purge: %d %v", n, err)
		}
	})
}

// TestJoin: joining the team adds an involvement and its announcement once; the same
// organisation, practitioner and role already current add nothing, in the same unit or a later one.
func TestJoin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		today := testkit.Day(2026, 5, 10)
		org := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, org.ID, nil)
		yp := mkPerson(t, st, org.ID, nil)
		join := func(tx *store.Tx, practitioner, role string) error {
			i := sharing.Involvement{ID: newID(t), YoungPersonID: yp.ID, OrganisationID: org.ID, PractitionerID: practitioner, Role: role,
				StartedOn: today, CreatedAt: now(), UpdatedAt: now(), Version: 1}
			return tx.Sharing().Join(i, outbox.Event{ID: newID(t), OccurredAt: now(), Type: "involvement.started", RecordType: "involvement",
				RecordID: i.ID, Payload: map[string]any{"young_person_id": yp.ID}})
		}
		write(t, st, func(tx *store.Tx) error { return join(tx, "", sharing.RoleReferrer) })
		write(t, st, func(tx *store.Tx) error { return join(tx, "", sharing.RoleReferrer) }) // already current
		write(t, st, func(tx *store.Tx) error { return join(tx, pr.ID, sharing.RoleReferrer) })
		write(t, st, func(tx *store.Tx) error { return join(tx, pr.ID, sharing.RoleTeamMember) })
		got, _, err := func() ([]sharing.Involvement, string, error) {
			var out []sharing.Involvement
			var next string
			err := st.Read(ctx, func(tx *store.Tx) (err error) {
				out, next, err = tx.Sharing().Involvements(yp.ID, &today, paging.Page{Limit: 200})
				return err
			})
			return out, next, err
		}()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("%d involvements, want 3 (the repeat adds none): %+v", len(got), got)
		}
		n, err := store.RawCount(st, `SELECT COUNT(*) FROM outbox_events WHERE event_type = 'involvement.started'`)
		if err != nil || n != 3 {
			t.Fatalf("%d announcements, %v; want 3", n, err)
		}
	})
}
