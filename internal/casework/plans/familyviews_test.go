package plans_test

import (
	"slices"
	"testing"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// The family's views: only while the served draft's 15 days run (judged on the service's clock),
// by the family for their own child or by the pathway for them; a partner may not, another family
// is told not found; each is audited, announced on the plan and listed within need-to-know.
func TestGiveFamilyViews(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		r := request(t, e, yp.ID, true)
		officer := cwt.As(e.Officer())
		pl := cwt.Must(e.App.Plans.CreateEHCPlan(officer, plans.EHCPlanInput{YoungPersonID: yp.ID, RequestID: r.ID}))(t)
		in := plans.FamilyViewsInput{Views: "We agree.", PreferredSetting: &ehcplan.PreferredSetting{Name: "Oak Primary"}, WantsMeeting: true}

		_, err := e.App.Plans.GiveFamilyViews(cwt.As(e.Family(yp.ID)), pl.ID, in)
		testkit.AsFault(t, err, fault.Conflict) // not served yet
		cwt.Must(e.App.Plans.ServeEHCPlanDraft(officer, pl.ID, nil, cwt.Today))(t)

		_, err = e.App.Plans.GiveFamilyViews(cwt.As(e.Partner()), pl.ID, in)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Plans.GiveFamilyViews(cwt.As(e.Family(e.YoungPerson(6, nil).ID)), pl.ID, in)
		testkit.AsFault(t, err, fault.NotFound)

		v := cwt.Must(e.App.Plans.GiveFamilyViews(cwt.As(e.Family(yp.ID)), pl.ID, in))(t)
		if v.GivenBy != ehcplan.GivenByFamily || v.DraftVersion != 1 || !v.GivenOn.Equal(cwt.Today) || !v.CreatedAt.Equal(cwt.Now) {
			t.Errorf("views = %+v", v)
		}
		if got := e.Actions(v.ID); !slices.Contains(got, audit.Create) {
			t.Errorf("audit on the views = %q", got)
		}
		if got := e.NoticeTypes(pl.ID); !slices.Contains(got, outbox.EHCPlanFamilyViewsGiven.Name) {
			t.Errorf("outbox on the plan = %q", got)
		}
		o := cwt.Must(e.App.Plans.GiveFamilyViews(officer, pl.ID, plans.FamilyViewsInput{Views: "Rang us."}))(t)
		if o.GivenBy != ehcplan.GivenByOfficer {
			t.Errorf("recorded by the officer: %+v", o)
		}

		yes := true
		meetings := listed(e.App.Plans.FamilyViews(officer, ehcplan.FamilyViewsFilter{WantsMeeting: &yes}, paging.Page{Limit: 50}))(t)
		if len(meetings) != 1 || meetings[0].ID != v.ID {
			t.Errorf("worklist = %+v", meetings)
		}
		if got := listed(e.App.Plans.FamilyViews(cwt.As(e.Outsider()), ehcplan.FamilyViewsFilter{PlanID: pl.ID}, paging.Page{Limit: 50}))(t); len(got) != 0 {
			t.Errorf("an outsider lists %d views", len(got))
		}

		// The 15 days beginning with the day served end on day 14 after it.
		e.Travel(cwt.Now.AddDate(0, 0, 15))
		_, err = e.App.Plans.GiveFamilyViews(cwt.As(e.Family(yp.ID)), pl.ID, in)
		testkit.AsFault(t, err, fault.Conflict)
	})
}

// listed is a page's items, failing the test on an error.
func listed(items []ehcplan.FamilyViews, _ string, err error) func(testing.TB) []ehcplan.FamilyViews {
	return func(t testing.TB) []ehcplan.FamilyViews {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
}
