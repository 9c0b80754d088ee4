package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// The built-in instruments are frozen in migration 0010 as data, and must be exactly what the
// survey package says they are, on every database: the same ids, codes, text, audience,
// questions (types, required, no options) and creation time.
func TestSurveyBuiltInsMigrated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		want := survey.BuiltIns()
		if len(want) != 2 {
			t.Fatalf("survey.BuiltIns has %d templates", len(want))
		}
		for _, w := range want {
			got := read(t, st, func(tx *store.Tx) (survey.Template, error) { return tx.Surveys().Template(w.ID) })
			wantEqual(t, "built-in "+w.Code, got, w)
		}
		listed, next, err := listSurveyTemplates(st, "")
		if err != nil || next != "" {
			t.Fatalf("list: %v, next %q", err, next)
		}
		// Newest id first: the professional instrument's id sorts after the parent one's.
		wantEqual(t, "listed built-ins", listed, []survey.Template{want[1], want[0]})
		for _, a := range survey.Audiences {
			got, _, err := listSurveyTemplates(st, a)
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs []string
			for _, w := range want {
				if w.Audience == a {
					wantIDs = append(wantIDs, w.ID)
				}
			}
			if ids := ids(got, func(t survey.Template) string { return t.ID }); !slices.Equal(ids, wantIDs) {
				t.Fatalf("audience %s: %v, want %v", a, ids, wantIDs)
			}
		}
	})
}

func listSurveyTemplates(st *store.Store, audience string) (out []survey.Template, next string, err error) {
	err = readErr(st, func(tx *store.Tx) error {
		out, next, err = tx.Surveys().Templates(audience, paging.Page{Limit: 50})
		return err
	})
	return out, next, err
}

// A council template round-trips with every question set; a new set is stored only on top of
// the version it was made from; a taken code is a conflict on /code.
func TestSurveyTemplateVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		at := now()
		tpl, err := survey.NewTemplate("transition_engagement", "Transition", "Asked at 14+", survey.ChildYoungPerson, []survey.Question{
			{ID: "ready", Text: "Ready?", Type: survey.Likert5, Required: true},
			{ID: "next", Text: "Next?", Type: survey.Choice, Options: []string{"college", "work"}},
		}, at)
		if err != nil {
			t.Fatal(err)
		}
		tpl.ID = newID(t)
		write(t, st, func(tx *store.Tx) error { return tx.Surveys().CreateTemplate(tpl) })
		wantEqual(t, "template", read(t, st, func(tx *store.Tx) (survey.Template, error) { return tx.Surveys().Template(tpl.ID) }), tpl)

		dup := tpl
		dup.ID = newID(t)
		fe := testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Surveys().CreateTemplate(dup) }), fault.Conflict)
		if len(fe.Fields) != 1 || fe.Fields[0].Pointer != "/code" {
			t.Fatalf("duplicate code: %+v", fe)
		}

		v2 := tpl
		v2.Versions = slices.Clone(tpl.Versions)
		if err := v2.AddVersion([]survey.Question{{ID: "ready", Text: "Ready now?", Type: survey.Likert5}}, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		write(t, st, func(tx *store.Tx) error { return tx.Surveys().AddQuestionSet(v2) })
		got := read(t, st, func(tx *store.Tx) (survey.Template, error) { return tx.Surveys().Template(tpl.ID) })
		wantEqual(t, "template at version 2", got, v2)

		// A set made from version 1 again is stale: version 2 stands, and no third set appears.
		again := tpl
		again.Versions = slices.Clone(tpl.Versions)
		if err := again.AddVersion([]survey.Question{{ID: "other", Text: "Other", Type: survey.Text}}, at.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		fe = testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Surveys().AddQuestionSet(again) }), fault.PreconditionFailed)
		if fe.CurrentVersion != 2 {
			t.Fatalf("stale: current version %d", fe.CurrentVersion)
		}
		wantEqual(t, "template after a stale set", read(t, st, func(tx *store.Tx) (survey.Template, error) { return tx.Surveys().Template(tpl.ID) }), v2)
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Surveys().Template(newID(t)); return err }))
	})
}

// Invitations: found by their token's hash only, answered once under their row version, and
// filtered by status at an instant exactly as Invitation.Status judges it, on every database.
func TestSurveyInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		org := mkOrg(t, st, nil)
		yp := mkPerson(t, st, org.ID, nil)
		pr := mkPractitioner(t, st, org.ID, nil)
		ref := mkReferral(t, st, yp, pr, nil)
		tpl := survey.BuiltIns()[0]
		made := now()
		mk := func(lastDay time.Time) (survey.Invitation, string) {
			inv, token, err := survey.NewInvitation(tpl, "after_mam", ref.ID, "", lastDay, made)
			if err != nil {
				t.Fatal(err)
			}
			inv.ID, inv.YoungPersonID, inv.CreatedByOrgID = newID(t), yp.ID, org.ID
			write(t, st, func(tx *store.Tx) error { return tx.Surveys().CreateInvitation(inv) })
			return inv, token
		}
		today := time.Date(made.Year(), made.Month(), made.Day(), 0, 0, 0, 0, time.UTC)
		soon, soonToken := mk(today.AddDate(0, 0, 1))
		later, _ := mk(today.AddDate(0, 0, 30))
		answered, _ := mk(today.AddDate(0, 0, 1))

		got := read(t, st, func(tx *store.Tx) (survey.Invitation, error) {
			return tx.Surveys().InvitationByToken(survey.HashToken(soonToken))
		})
		wantEqual(t, "invitation by token", got, soon)
		wantNotFound(t, readErr(st, func(tx *store.Tx) error {
			_, err := tx.Surveys().InvitationByToken(soonToken) // the token itself is never a key
			return err
		}))

		second := answered // a second answer, made from the same read
		if err := answered.MarkAnswered(newID(t), made.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		write(t, st, func(tx *store.Tx) error { return tx.Surveys().UpdateInvitation(answered) })
		wantEqual(t, "answered invitation", read(t, st, func(tx *store.Tx) (survey.Invitation, error) {
			return tx.Surveys().InvitationByToken(answered.TokenHash)
		}), answered)
		if err := second.MarkAnswered(newID(t), made.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if fe := testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Surveys().UpdateInvitation(second) }), fault.PreconditionFailed); fe.CurrentVersion != 2 {
			t.Fatalf("second answer: current version %d", fe.CurrentVersion)
		}

		status := func(s string, at time.Time) []string {
			t.Helper()
			out := read(t, st, func(tx *store.Tx) ([]survey.Invitation, error) {
				list, _, err := tx.Surveys().Invitations(survey.InvitationFilter{Status: s, Now: at}, access.Scope{}, paging.Page{Limit: 50})
				return list, err
			})
			return ids(out, func(i survey.Invitation) string { return i.ID })
		}
		for _, at := range []time.Time{made, soon.ExpiresAt.Add(-time.Microsecond), soon.ExpiresAt, soon.ExpiresAt.Add(time.Microsecond), later.ExpiresAt} {
			all := []survey.Invitation{soon, later, answered}
			for _, s := range []string{survey.InvitationPending, survey.InvitationExpired, survey.InvitationAnswered} {
				var want []string
				for _, inv := range all {
					if inv.Status(at) == s {
						want = append(want, inv.ID)
					}
				}
				if got := status(s, at); !slices.Equal(got, newestFirst(want...)) {
					t.Errorf("at %s, status %s: %v, want %v", at.Format(time.RFC3339Nano), s, got, newestFirst(want...))
				}
			}
		}

		// The family's scope sees their child's invitations; another family's does not.
		other := mkPerson(t, st, org.ID, func(p *person.YoungPerson) { p.GivenName = "Other" })
		for scope, want := range map[string]int{yp.ID: 3, other.ID: 0} {
			got := read(t, st, func(tx *store.Tx) ([]survey.Invitation, error) {
				list, _, err := tx.Surveys().Invitations(survey.InvitationFilter{Now: made}, access.Scope{Restricted: true, YoungPersonIDs: []string{scope}, On: today},
					paging.Page{Limit: 50})
				return list, err
			})
			if len(got) != want {
				t.Errorf("scope %s: %d invitations, want %d", scope, len(got), want)
			}
		}
	})
}
