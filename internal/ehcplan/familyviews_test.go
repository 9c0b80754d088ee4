package ehcplan

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestGiveViews(t *testing.T) {
	served := d(2026, 11, 2) // comments due 16 November (15 days beginning with the 2nd)
	draft := func() Plan {
		p, err := New("yp", "", child, complete(), now, served)
		if err != nil {
			t.Fatal(err)
		}
		p.ID = "plan"
		return p
	}
	servedDraft := func() Plan {
		p := draft()
		if err := p.ServeDraft(served, served); err != nil {
			t.Fatal(err)
		}
		return p
	}
	issued := func() Plan {
		p := servedDraft()
		if _, err := p.Issue(IssueInput{IssuedOn: d(2026, 11, 17), Placement: &school}, child, now, d(2026, 11, 17)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	revised := func() Plan { // served, then revised: the new draft is not yet served
		p := servedDraft()
		if err := p.ReviseDraft(complete(), child, now, d(2026, 11, 5)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	setting := &PreferredSetting{Name: " Oak Primary ", URN: "123456", Type: "mainstream_school"}
	cases := []struct {
		name     string
		plan     Plan
		views    string
		setting  *PreferredSetting
		today    time.Time
		kind     fault.Kind
		pointers []string
		version  int
	}{
		{name: "the day the draft is served", plan: servedDraft(), views: "Agreed.", today: served, version: 1},
		{name: "the last day of the period", plan: servedDraft(), views: "Agreed.", setting: setting, today: d(2026, 11, 16), version: 1},
		{name: "the day after the period", plan: servedDraft(), views: "Agreed.", today: d(2026, 11, 17), kind: fault.Conflict},
		{name: "before the draft is served", plan: draft(), views: "Agreed.", today: served, kind: fault.Conflict},
		{name: "a revision not yet served", plan: revised(), views: "Agreed.", today: d(2026, 11, 6), kind: fault.Conflict},
		{name: "the plan is final", plan: issued(), views: "Agreed.", today: d(2026, 11, 17), kind: fault.Conflict},
		{name: "blank views", plan: servedDraft(), views: "  ", today: served, kind: fault.Unprocessable, pointers: []string{"/views"}},
		{name: "a setting without a name", plan: servedDraft(), views: "Agreed.", setting: &PreferredSetting{URN: "123456"}, today: served,
			kind: fault.Unprocessable, pointers: []string{"/preferred_setting/name"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := c.plan.GiveViews(c.views, c.setting, true, GivenByFamily, c.today)
			if c.kind != 0 {
				testkit.WantFault(t, err, c.kind, c.pointers...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.DraftVersion != c.version || v.PlanID != "plan" || v.YoungPersonID != "yp" || !v.GivenOn.Equal(c.today) ||
				!v.CommentsDueOn.Equal(d(2026, 11, 16)) || !v.WantsMeeting || v.GivenBy != GivenByFamily {
				t.Fatalf("views = %+v", v)
			}
			if c.setting != nil && v.PreferredSetting.Name != "Oak Primary" {
				t.Fatalf("setting = %+v", v.PreferredSetting)
			}
		})
	}
	if v, _ := servedDraft().GiveViews("Told us on the phone.", nil, false, "anything else", served); v.GivenBy != GivenByOfficer {
		t.Fatalf("given by %q, want officer", v.GivenBy)
	}
}
