package people_test

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

// "Today" is the injected clock's: a child born tomorrow is refused, one born today is not.
func TestCreateYoungPersonDatesFromTheClock(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		in := person.YoungPerson{GivenName: "Ada", FamilyName: "Test", DateOfBirth: cwt.Today.AddDate(0, 0, 1)}
		_, err := e.App.People.CreateYoungPerson(cwt.As(e.Officer()), in)
		testkit.WantFault(t, err, fault.Invalid, "/date_of_birth")
		in.DateOfBirth = cwt.Today
		yp, err := e.App.People.CreateYoungPerson(cwt.As(e.Partner()), in)
		if err != nil {
			t.Fatal(err)
		}
		if yp.RecordedByOrgID != e.School.ID || !yp.CreatedAt.Equal(cwt.Now) || yp.Version != 1 {
			t.Errorf("recorded by %s at %v v%d, want the caller's organisation at the clock's instant, v1", yp.RecordedByOrgID, yp.CreatedAt, yp.Version)
		}
		e.WantWritten(yp.ID, audit.Create, outbox.YoungPersonCreated)
		// The recording partner is now in the team around the child and may read the record.
		if _, err := e.App.People.YoungPerson(cwt.As(e.Partner()), yp.ID); err != nil {
			t.Errorf("the recording organisation cannot read its record: %v", err)
		}
	})
}

// Only casework writers record children; a refused record is not written.
func TestCreateYoungPersonRefusedForTheWrongRole(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		in := person.YoungPerson{GivenName: "Ada", FamilyName: "Test", DateOfBirth: cwt.Today.AddDate(-3, 0, 0)}
		for _, ctx := range []struct {
			name string
			kind fault.Kind
			p    func() error
		}{
			{"analyst", fault.Forbidden, func() error { _, err := e.App.People.CreateYoungPerson(cwt.As(e.Analyst()), in); return err }},
			{"panel", fault.Forbidden, func() error { _, err := e.App.People.CreateYoungPerson(cwt.As(e.Panel()), in); return err }},
			{"family", fault.Forbidden, func() error { _, err := e.App.People.CreateYoungPerson(cwt.As(e.Family()), in); return err }},
			{"nobody", fault.Unauthenticated, func() error { _, err := e.App.People.CreateYoungPerson(cwt.Anonymous(), in); return err }},
		} {
			if testkit.KindOf(t, ctx.p()) != ctx.kind {
				t.Errorf("%s: want kind %d", ctx.name, ctx.kind)
			}
		}
		got, _, err := e.App.People.YoungPeople(cwt.As(e.Officer()), person.Filter{}, paging.Page{})
		if err != nil || len(got) != 0 {
			t.Errorf("%d young people after refusals (%v), want none", len(got), err)
		}
	})
}

// Need-to-know: the child's school, the council and the family see the record; an unrelated
// partner, and another family, are told it does not exist.
func TestYoungPersonNeedToKnow(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		sibling := e.YoungPerson(5, nil)
		for name, p := range map[string]func() error{
			"officer": func() error { _, err := e.App.People.YoungPerson(cwt.As(e.Officer()), yp.ID); return err },
			"school":  func() error { _, err := e.App.People.YoungPerson(cwt.As(e.Partner()), yp.ID); return err },
			"family":  func() error { _, err := e.App.People.YoungPerson(cwt.As(e.Family(yp.ID)), yp.ID); return err },
		} {
			if err := p(); err != nil {
				t.Errorf("%s cannot read the record: %v", name, err)
			}
		}
		_, err := e.App.People.YoungPerson(cwt.As(e.Outsider()), yp.ID)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.People.YoungPerson(cwt.As(e.Family(sibling.ID)), yp.ID)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.People.UpdateYoungPerson(cwt.As(e.Outsider()), yp.ID, nil, func(cur person.YoungPerson) (person.YoungPerson, []string, error) {
			cur.PreferredName = "Millie"
			return cur, []string{"preferred_name"}, nil
		})
		testkit.AsFault(t, err, fault.NotFound)
	})
}

// Moving a child's school moves who may see them, with If-Match guarding the change.
func TestUpdateYoungPersonMovesTheSetting(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		move := func(cur person.YoungPerson) (person.YoungPerson, []string, error) {
			cur.EducationSettingID = e.Other.ID
			return cur, []string{"education_setting_id"}, nil
		}
		_, err := e.App.People.UpdateYoungPerson(cwt.As(e.Officer()), yp.ID, cwt.Ptr(2), move)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		if _, err := e.App.People.YoungPerson(cwt.As(e.Outsider()), yp.ID); fault.KindOf(err) != fault.NotFound {
			t.Fatalf("a refused move let the new setting see the child: %v", err)
		}
		got, err := e.App.People.UpdateYoungPerson(cwt.As(e.Officer()), yp.ID, cwt.Ptr(1), move)
		if err != nil || got.Version != 2 || got.RecordedByOrgID != yp.RecordedByOrgID {
			t.Fatalf("move = v%d recorded by %s, %v", got.Version, got.RecordedByOrgID, err)
		}
		e.WantWritten(yp.ID, audit.Update, outbox.YoungPersonUpdated)
		if _, err := e.App.People.YoungPerson(cwt.As(e.Outsider()), yp.ID); err != nil {
			t.Errorf("the new setting cannot see the child: %v", err)
		}
		_, err = e.App.People.YoungPerson(cwt.As(e.Partner()), yp.ID)
		testkit.AsFault(t, err, fault.NotFound)
	})
}

// One child, one record: a caller who can see the record holding an NHS number is sent to it; a
// caller who cannot records the child as new (learning nothing), and the pair goes to the SEND
// team, who merge the two under If-Match; the merged record's id then answers Moved.
func TestDuplicatesAndMerging(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		nhs := func(yp *person.YoungPerson) { yp.NHSNumber = "9434765919" }
		first := e.YoungPerson(8, nhs)
		_, err := e.App.People.CreateYoungPerson(cwt.As(e.Officer()), person.YoungPerson{GivenName: "Amy", FamilyName: "Okonkwo-Test",
			DateOfBirth: first.DateOfBirth, NHSNumber: "9434765919"})
		if fe := testkit.AsFault(t, err, fault.Conflict); fe.Related == nil || fe.Related.ID != first.ID || !slices.Equal(testkit.Pointers(err), []string{"/nhs_number"}) {
			t.Errorf("conflict = %+v, want it to name the existing record and /nhs_number", fe)
		}
		second, err := e.App.People.CreateYoungPerson(cwt.As(e.Outsider()), person.YoungPerson{GivenName: "Amy", FamilyName: "Okonkwo-Test",
			DateOfBirth: first.DateOfBirth, NHSNumber: "9434765919"})
		if err != nil {
			t.Fatalf("a partner who cannot see the first record was refused: %v", err)
		}
		_, _, err = e.App.People.PossibleDuplicates(cwt.As(e.Outsider()), person.DuplicateFilter{}, paging.Page{})
		testkit.AsFault(t, err, fault.Forbidden)
		pairs, _, err := e.App.People.PossibleDuplicates(cwt.As(e.Officer()), person.DuplicateFilter{}, paging.Page{})
		if err != nil || len(pairs) != 1 || pairs[0].YoungPersonIDs != [2]string{first.ID, second.ID} {
			t.Fatalf("possible duplicates = %+v (%v), want the pair", pairs, err)
		}
		e.WantWritten(pairs[0].ID, audit.Create, outbox.PossibleDuplicateFound)

		_, err = e.App.People.MergeYoungPeople(cwt.As(e.Outsider()), first.ID, nil, second.ID)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.People.MergeYoungPeople(cwt.As(e.Officer()), first.ID, cwt.Ptr(first.Version+1), second.ID)
		testkit.AsFault(t, err, fault.PreconditionFailed)
		res, err := e.App.People.MergeYoungPeople(cwt.As(e.Officer()), first.ID, cwt.Ptr(first.Version), second.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Kept.ID != first.ID || res.Kept.Version != first.Version+1 {
			t.Errorf("kept = %s v%d", res.Kept.ID, res.Kept.Version)
		}
		_, err = e.App.People.YoungPerson(cwt.As(e.Officer()), second.ID)
		if fe := testkit.AsFault(t, err, fault.Moved); fe.Related == nil || fe.Related.ID != first.ID {
			t.Errorf("the merged record answers %+v, want Moved to the kept one", fe)
		}
	})
}
