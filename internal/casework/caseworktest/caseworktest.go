// Package caseworktest is the fixture the area services' own tests share: the services wired by
// internal/app over a real, migrated database (SQLite always, PostgreSQL too when reachable, as
// storetest picks them), a clock stopped at a known instant, a principal for each role, and small
// seed helpers. A service test calls the service directly, without HTTP, and reads what a write
// left behind (audit events, outbox events) through Events and Notices.
//
// Only tests import it (it knows the store, which services themselves may not).
package caseworktest

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/clock"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// Now is the instant every fixture's clock is stopped at: a Monday morning in term time.
var Now = time.Date(2026, time.March, 2, 9, 30, 0, 0, time.UTC)

// Today is Now's civil date.
var Today = clock.Fixed(Now).Today()

// Main runs a package's tests and then drops the template databases (storetest.Main).
func Main(m *testing.M) { storetest.Main(m) }

// Env is the services over one fresh database, with three organisations and their people.
type Env struct {
	T     testing.TB
	App   *app.App
	Clock clock.Clock // reads now: stopped at Now until Travel moves it
	st    *store.Store
	now   time.Time

	// Organisations: the council's SEND service, a partner school (the children's setting), a
	// health trust, and a nursery with no link to anyone's records.
	Council, School, Health, Other directory.Organisation
	// Practitioners: the school's SENCO (referrer), the health trust's engagement lead, and the
	// nursery's worker.
	SENCO, LeadWorker, OtherWorker directory.Practitioner
}

// Option adjusts the services' settings before they are wired.
type Option func(*app.Options)

// Each runs fn as a subtest on every database (SQLite, and PostgreSQL when reachable), each with
// a fresh Env.
func Each(t *testing.T, fn func(t *testing.T, e *Env), opts ...Option) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, New(t, b.Open(t), opts...)) })
	}
}

// New wires the services over st as internal/app does, with the clock stopped at Now (an Option
// may replace it, and then Travel does nothing), and seeds
// the organisations and practitioners.
func New(t testing.TB, st *store.Store, opts ...Option) *Env {
	t.Helper()
	e := &Env{T: t, st: st, now: Now}
	e.Clock = func() time.Time { return e.now }
	o := app.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true}, Clock: e.Clock}
	for _, f := range opts {
		f(&o)
	}
	e.App = app.New(st, o)
	e.Council = e.Organisation("Council SEND", "local_authority_send", "Central")
	e.School = e.Organisation("Oakfield Primary", "school_primary", "South")
	e.Health = e.Organisation("Community Health NHS Trust", "health_trust", "South")
	e.Other = e.Organisation("Unrelated Nursery", "pvi_nursery", "North")
	e.SENCO = e.Practitioner(e.School.ID, "Sam SENCO", "senco")
	e.LeadWorker = e.Practitioner(e.Health.ID, "Lee Lead", "health_visitor")
	e.OtherWorker = e.Practitioner(e.Other.ID, "Olu Other", "senco")
	return e
}

// Travel stops the services' clock at to instead: for what happens after time has passed (an
// invitation expiring, a deadline falling due). Call it between calls, never during one.
func (e *Env) Travel(to time.Time) { e.now = to }

// Principals, one for each role (auth.Roles), each in its natural organisation.

// Admin manages the directory and keys, and reads no casework.
func (e *Env) Admin() auth.Principal {
	return auth.Principal{KeyID: keyID(1), OrganisationID: e.Council.ID, Role: auth.RoleAdmin}
}

// Officer is the council's SEND officer: every pathway record in the council.
func (e *Env) Officer() auth.Principal {
	return auth.Principal{KeyID: keyID(2), OrganisationID: e.Council.ID, Role: auth.RoleSENDOfficer}
}

// Partner is the school's SENCO: records of children the school is involved with.
func (e *Env) Partner() auth.Principal {
	return auth.Principal{KeyID: keyID(3), OrganisationID: e.School.ID, Role: auth.RolePractitioner, PractitionerID: e.SENCO.ID}
}

// Outsider is a partner practitioner with no link to any child.
func (e *Env) Outsider() auth.Principal {
	return auth.Principal{KeyID: keyID(4), OrganisationID: e.Other.ID, Role: auth.RolePractitioner, PractitionerID: e.OtherWorker.ID}
}

// Lead is the health trust's engagement lead.
func (e *Env) Lead() auth.Principal {
	return auth.Principal{KeyID: keyID(5), OrganisationID: e.Health.ID, Role: auth.RoleEngagementLead, PractitionerID: e.LeadWorker.ID}
}

// Panel is a member of the council's multi-agency panel.
func (e *Env) Panel() auth.Principal {
	return auth.Principal{KeyID: keyID(6), OrganisationID: e.Council.ID, Role: auth.RolePanelMember}
}

// Analyst reads aggregate figures only.
func (e *Env) Analyst() auth.Principal {
	return auth.Principal{KeyID: keyID(7), OrganisationID: e.Council.ID, Role: auth.RoleAnalyst}
}

// Family is a parent or young person signed in, whose own records are youngPersonIDs'.
func (e *Env) Family(youngPersonIDs ...string) auth.Principal {
	return auth.Principal{Subject: "family-user", Role: auth.RoleFamily, YoungPersonIDs: youngPersonIDs}
}

// keyID is the made-up API key id of principal n: the audit trail stores key ids as UUIDs.
func keyID(n int) string { return fmt.Sprintf("00000000-0000-7000-8000-%012d", n) }

// As is a context acting as p.
func As(p auth.Principal) context.Context { return auth.WithPrincipal(context.Background(), p) }

// Anonymous is a context with no caller at all.
func Anonymous() context.Context { return context.Background() }

// Must takes a call's two results and returns a check that fails the test on the error and
// otherwise gives the value: Must(svc.Create(ctx, in))(t).
func Must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%v", err)
		}
		return v
	}
}

// Organisation registers an organisation as the admin.
func (e *Env) Organisation(name, typ, locality string) directory.Organisation {
	e.T.Helper()
	return Must(e.App.Organisations.CreateOrganisation(As(e.Admin()), directory.Organisation{Name: name, Type: typ, Locality: locality}))(e.T)
}

// Practitioner registers an active practitioner of org as the admin.
func (e *Env) Practitioner(orgID, name, role string) directory.Practitioner {
	e.T.Helper()
	return Must(e.App.Organisations.CreatePractitioner(As(e.Admin()), directory.Practitioner{OrganisationID: orgID, Name: name,
		Email: slug(name) + "@" + orgID + ".example", Role: role, Active: true}))(e.T)
}

func slug(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == ' ' {
			b[i] = '.'
		}
	}
	return string(b)
}

// YoungPerson records a child of years (and two months) at the school, as the officer; edit, if
// given, changes the record before it is created.
func (e *Env) YoungPerson(years int, edit func(*person.YoungPerson)) person.YoungPerson {
	e.T.Helper()
	yp := person.YoungPerson{GivenName: "Amelia", FamilyName: "Okonkwo-Test", DateOfBirth: Today.AddDate(-years, -2, 0),
		Locality: "South", Postcode: "M6 5AB", Gender: "female", PrimarySENNeed: "SLCN", EducationSettingID: e.School.ID}
	if edit != nil {
		edit(&yp)
	}
	return Must(e.App.People.CreateYoungPerson(As(e.Officer()), yp))(e.T)
}

// Referral refers youngPersonID from the school's SENCO, as the officer.
func (e *Env) Referral(youngPersonID string, edit func(*referral.Referral)) referral.Referral {
	e.T.Helper()
	r := referral.Referral{YoungPersonID: youngPersonID, ReferrerPractitionerID: e.SENCO.ID, Reasons: []string{"sen"},
		ServicesInvolved: []string{"school", "camhs"}}
	if edit != nil {
		edit(&r)
	}
	return Must(e.App.Referrals.CreateReferral(As(e.Officer()), r))(e.T)
}

// Accept triages a received referral as accepted (for the family assessment route), as the officer.
func (e *Env) Accept(referralID string) referral.Referral {
	e.T.Helper()
	return Must(e.App.Referrals.TriageReferral(As(e.Officer()), referralID, nil,
		referral.Triage{Decision: referral.DecisionAccept, Reason: "meets the threshold"}))(e.T)
}

// Case is a child with a team around them: recorded, referred by their school, consent to share
// with everyone involved, and the health trust's engagement lead involved.
type Case struct {
	Child    person.YoungPerson
	Referral referral.Referral
	Consent  sharing.Consent
}

// Case seeds a child of years with a referral, consent and the health trust involved.
func (e *Env) Case(years int) Case {
	e.T.Helper()
	c := Case{Child: e.YoungPerson(years, nil)}
	c.Referral = e.Referral(c.Child.ID, nil)
	c.Consent = Must(e.App.Team.CreateConsent(As(e.Officer()), sharing.Consent{YoungPersonID: c.Child.ID, GivenBy: "Grace Okonkwo-Test",
		Relationship: "parent", Scope: sharing.ScopeAllInvolved, GivenOn: Today}))(e.T)
	Must(e.App.Team.CreateInvolvement(As(e.Officer()), sharing.Involvement{YoungPersonID: c.Child.ID, OrganisationID: e.Health.ID,
		PractitionerID: e.LeadWorker.ID, Role: sharing.RoleEngagementLead}))(e.T)
	return c
}

// Events lists the audit events about recordID. The fixture's clock stands still, so their
// order says nothing.
func (e *Env) Events(recordID string) []audit.Event {
	e.T.Helper()
	var out []audit.Event
	err := e.st.Read(context.Background(), func(tx *store.Tx) error {
		cursor := ""
		for {
			page, next, err := tx.AuditTrail().Events(audit.Filter{RecordID: recordID}, paging.Page{Limit: paging.Max, Cursor: cursor})
			if err != nil {
				return err
			}
			out = append(out, page...)
			if next == "" {
				return nil
			}
			cursor = next
		}
	})
	if err != nil {
		e.T.Fatalf("read audit events: %v", err)
	}
	return out
}

// Actions lists the actions of the audit events about recordID, in no particular order.
func (e *Env) Actions(recordID string) []string {
	e.T.Helper()
	var out []string
	for _, ev := range e.Events(recordID) {
		out = append(out, ev.Action)
	}
	return out
}

// Notices lists the outbox events about recordID.
func (e *Env) Notices(recordID string) []outbox.Event {
	e.T.Helper()
	var out []outbox.Event
	err := e.st.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.Outbox().ForRecord(recordID)
		return err
	})
	if err != nil {
		e.T.Fatalf("read outbox: %v", err)
	}
	return out
}

// NoticeTypes lists the types of the outbox events about recordID.
func (e *Env) NoticeTypes(recordID string) []string {
	e.T.Helper()
	var out []string
	for _, n := range e.Notices(recordID) {
		out = append(out, n.Type)
	}
	return out
}

// WantWritten fails the test unless recordID has an audit event with action and an outbox
// event of type t (the record, its audit event and its outbox event are one transaction).
func (e *Env) WantWritten(recordID, action string, t outbox.Type) {
	e.T.Helper()
	if got := e.Actions(recordID); !slices.Contains(got, action) {
		e.T.Errorf("audit actions on %s = %q, want one %q", recordID, got, action)
	}
	if got := e.NoticeTypes(recordID); !slices.Contains(got, t.Name) {
		e.T.Errorf("outbox events on %s = %q, want one %q", recordID, got, t.Name)
	}
}

// WantNoNotices fails the test if recordID has any outbox event: a refused change announces
// nothing. (Its audit trail may hold reads, which are audited too.)
func (e *Env) WantNoNotices(recordID string) {
	e.T.Helper()
	if got := e.NoticeTypes(recordID); len(got) > 0 {
		e.T.Errorf("outbox events on %s = %q, want none", recordID, got)
	}
}

// Ptr is a pointer to v (If-Match versions).
func Ptr[T any](v T) *T { return &v }

// SQL is the database handle under the services, for a test that compares the rows two ways of
// writing leave (the services' tests otherwise see the database only through the services).
func (e *Env) SQL() *sql.DB {
	e.T.Helper()
	db, err := e.st.SQL()
	if err != nil {
		e.T.Fatal(err)
	}
	return db
}
