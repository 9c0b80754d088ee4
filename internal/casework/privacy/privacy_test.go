package privacy_test

import (
	"slices"
	"testing"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// A record is kept 31 years from birth by the services' clock: erasing it is refused until the
// day it may go, listed as due from then, and leaves a tombstone event.
func TestRetentionAndErasure(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(0, func(yp *person.YoungPerson) { yp.DateOfBirth = testkit.Day(2018, 1, 2) })
		e.Referral(yp.ID, nil)
		err := e.App.Privacy.EraseYoungPerson(cwt.As(e.Officer()), yp.ID)
		testkit.AsFault(t, err, fault.Forbidden)
		e.Travel(testkit.Day(2049, 1, 1).Add(12 * 3600e9))
		err = e.App.Privacy.EraseYoungPerson(cwt.As(e.Admin()), yp.ID)
		if fe := testkit.AsFault(t, err, fault.Conflict); fe.CurrentStatus != "retained" {
			t.Errorf("refusal reports %q, want retained", fe.CurrentStatus)
		}
		if due, _, err := e.App.Privacy.RetentionDue(cwt.As(e.Admin()), paging.Page{}); err != nil || len(due) != 0 {
			t.Errorf("due the day before = %+v (%v), want none", due, err)
		}
		e.Travel(testkit.Day(2049, 1, 2))
		due, _, err := e.App.Privacy.RetentionDue(cwt.As(e.Admin()), paging.Page{})
		if err != nil || len(due) != 1 || due[0].YoungPersonID != yp.ID || !due[0].RetainUntil.Equal(testkit.Day(2049, 1, 2)) {
			t.Fatalf("due = %+v (%v), want the child, kept until 2049-01-02", due, err)
		}
		if err := e.App.Privacy.EraseYoungPerson(cwt.As(e.Admin()), yp.ID); err != nil {
			t.Fatal(err)
		}
		e.WantWritten(yp.ID, audit.Delete, outbox.YoungPersonErased)
		_, err = e.App.People.YoungPerson(cwt.As(e.Officer()), yp.ID)
		testkit.AsFault(t, err, fault.NotFound)
	})
}

// The access log is the SEND team's and the family's to read; the family sees who looked (role,
// organisation) but not staff members' own identifiers.
func TestAccessLog(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		other := e.YoungPerson(6, nil)
		cwt.Must(e.App.People.YoungPerson(cwt.As(e.Partner()), c.Child.ID))(t)
		_, _, err := e.App.Privacy.AccessLog(cwt.As(e.Partner()), c.Child.ID, paging.Page{})
		testkit.AsFault(t, err, fault.Forbidden)
		_, _, err = e.App.Privacy.AccessLog(cwt.As(e.Family(other.ID)), c.Child.ID, paging.Page{Limit: 100})
		testkit.AsFault(t, err, fault.NotFound)
		log, _, err := e.App.Privacy.AccessLog(cwt.As(e.Family(c.Child.ID)), c.Child.ID, paging.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var read *audit.Event
		for i, ev := range log {
			if ev.Action == audit.Read && ev.ActorOrgID == e.School.ID {
				read = &log[i]
			}
			if ev.ActorKeyID != "" || ev.ActorSubject != "" || ev.IP != "" || ev.RequestID != "" {
				t.Errorf("the family sees staff identifiers: %+v", ev)
			}
		}
		if read == nil {
			t.Fatalf("the school's read is not in the family's access log: %+v", log)
		}
		full, _, err := e.App.Privacy.AccessLog(cwt.As(e.Officer()), c.Child.ID, paging.Page{Limit: 100})
		if err != nil || !slices.ContainsFunc(full, func(ev audit.Event) bool { return ev.ActorKeyID == e.Partner().KeyID }) {
			t.Errorf("the SEND team's access log (%d events, %v) does not name the school's key", len(full), err)
		}
	})
}

// A subject access export holds the child's records, is dated by the clock and is itself recorded.
func TestExportYoungPerson(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		c := e.Case(8)
		_, err := e.App.Privacy.ExportYoungPerson(cwt.As(e.Partner()), c.Child.ID)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Privacy.ExportYoungPerson(cwt.As(e.Family(e.YoungPerson(6, nil).ID)), c.Child.ID)
		testkit.AsFault(t, err, fault.NotFound)
		x, err := e.App.Privacy.ExportYoungPerson(cwt.As(e.Family(c.Child.ID)), c.Child.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !x.ExportedAt.Equal(cwt.Now) || x.YoungPerson.ID != c.Child.ID || len(x.Referrals) != 1 || len(x.Consents) != 1 || len(x.Involvements) < 3 {
			t.Errorf("export at %v: %d referrals, %d consents, %d involvements", x.ExportedAt, len(x.Referrals), len(x.Consents), len(x.Involvements))
		}
		e.WantWritten(c.Child.ID, audit.Export, outbox.YoungPersonExported)
	})
}
