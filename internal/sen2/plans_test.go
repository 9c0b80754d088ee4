package sen2_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/sen2"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// newPlan is a plan issued in P on request r1, which was received and assessed in P.
func newPlan() (sen2.Request, sen2.Plan) {
	q := sen2.Request{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 2, 3), Decision: "assess", DecidedOn: pd(2025, 3, 10),
		IssueDecision: "issue", IssueDecidedOn: pd(2025, 5, 1), PlanIssuedOn: pd(2025, 6, 20)}
	p := sen2.Plan{ID: "p1", PersonID: "yp-1", RequestID: "r1", FirstIssuedOn: d(2025, 6, 20), Placement: school(),
		Needs: []sen2.Need{{Type: "ASD", Rank: 1}}}
	return q, p
}

// TestNamedPlan: a plan issued in P hangs from its request's Y assessment; the personal budget
// and placement flags.
func TestNamedPlan(t *testing.T) {
	cases := []struct {
		budget     string
		pb, oa, dp string
	}{
		{"", "0", "0", "0"},
		{"notional", "1", "1", "0"},
		{"direct_payment", "1", "0", "1"},
		{"third_party", "1", "1", "0"},
		{"mixed", "1", "1", "1"},
	}
	for _, c := range cases {
		t.Run("budget "+c.budget, func(t *testing.T) {
			q, p := newPlan()
			p.BudgetType = c.budget
			p.Placement.Residential, p.Placement.WorkBased = ptr(true), ptr(false)
			r := sen2.Build(snapshot(yp, []sen2.Request{q}, []sen2.Plan{p}))
			check(t, "request", only(t, r, "requests"), map[string]string{"requestoutcome": "Y", "requestoutcomedate": "2025-03-10"})
			check(t, "assessment", only(t, r, "assessment"), map[string]string{"assessmentoutcome": "Y", "assessmentoutcomedate": "2025-06-20", "week20": "0"})
			check(t, "named plan", only(t, r, "namedplan"), map[string]string{"namedplantableid": "1", "assessmenttableid": "1",
				"startdate": "2025-06-20", "planres": "1", "planwbp": "0", "pb": c.pb, "oa": c.oa, "dp": c.dp, "ceasedate": "", "ceasereason": ""})
			check(t, "active plan", only(t, r, "activeplans"), map[string]string{"requeststableid": "1", "transferla": ""})
			if len(r.Issues) != 0 {
				t.Errorf("issues: %v", r.Issues)
			}
		})
	}
	t.Run("issued and ceased in P", func(t *testing.T) {
		q, p := newPlan()
		p.CeasedOn, p.CeaseReason = pd(2025, 12, 1), "7"
		r := sen2.Build(snapshot(yp, []sen2.Request{q}, []sen2.Plan{p}))
		check(t, "named plan", only(t, r, "namedplan"), map[string]string{"ceasedate": "2025-12-01", "ceasereason": "7"})
		if n := len(rows(t, r, "activeplans")); n != 0 {
			t.Errorf("%d active plans", n)
		}
	})
	t.Run("issued in P, ceased after P but by R", func(t *testing.T) {
		q, p := newPlan()
		p.CeasedOn, p.CeaseReason = pd(2026, 1, 10), "2"
		r := sen2.Build(snapshot(yp, []sen2.Request{q}, []sen2.Plan{p}))
		check(t, "named plan", only(t, r, "namedplan"), map[string]string{"ceasedate": "2026-01-10", "ceasereason": "2"})
	})
	t.Run("issued in P, ceased after R", func(t *testing.T) {
		q, p := newPlan()
		p.CeasedOn, p.CeaseReason = pd(2026, 3, 1), "2"
		r := sen2.Build(snapshot(yp, []sen2.Request{q}, []sen2.Plan{p}))
		check(t, "named plan", only(t, r, "namedplan"), map[string]string{"ceasedate": "", "ceasereason": ""})
		only(t, r, "activeplans")
	})
	t.Run("issued after P but by R: active, not named", func(t *testing.T) {
		q, p := newPlan()
		q.PlanIssuedOn, p.FirstIssuedOn = pd(2026, 1, 12), d(2026, 1, 12)
		r := sen2.Build(snapshot(yp, []sen2.Request{q}, []sen2.Plan{p}))
		check(t, "assessment", only(t, r, "assessment"), map[string]string{"assessmentoutcome": "Y", "assessmentoutcomedate": "2026-01-12"})
		if n := len(rows(t, r, "namedplan")); n != 0 {
			t.Errorf("%d named plans", n)
		}
		only(t, r, "activeplans")
	})
}

// TestSetting: the URN/UKPRN or SENsetting and the indicators, in plan detail and placement detail.
func TestSetting(t *testing.T) {
	cases := []struct {
		name                string
		pl                  sen2.Placement
		urn, ukprn, setting string
		unit, resourced     string
		missing             bool
	}{
		{"school with URN", sen2.Placement{SettingType: "special_school", URN: "123456"}, "123456", "", "", "0", "0", false},
		{"college with UKPRN", sen2.Placement{SettingType: "further_education", UKPRN: "10001234"}, "", "10001234", "", "0", "0", false},
		{"both identifiers", sen2.Placement{SettingType: "specialist_post16", URN: "140001", UKPRN: "10005555"}, "140001", "10005555", "", "0", "0", false},
		{"SEN unit", sen2.Placement{SettingType: "sen_unit", URN: "100001"}, "100001", "", "", "1", "0", false},
		{"resourced provision", sen2.Placement{SettingType: "resourced_provision", URN: "100002"}, "100002", "", "", "0", "1", false},
		{"EOTAS", sen2.Placement{SettingType: "OLA"}, "", "", "OLA", "0", "0", false},
		{"home education", sen2.Placement{SettingType: "EHE"}, "", "", "EHE", "0", "0", false},
		{"early years without URN", sen2.Placement{SettingType: "early_years"}, "", "", "EYP", "0", "0", false},
		{"special school not named", sen2.Placement{SettingType: "special_school"}, "", "", "OTH", "0", "0", false},
		{"other", sen2.Placement{SettingType: "other"}, "", "", "OTH", "0", "0", false},
		{"unknown type", sen2.Placement{SettingType: "spaceship"}, "", "", "", "0", "0", true},
		{"no type", sen2.Placement{}, "", "", "", "0", "0", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, p := newPlan()
			pl := c.pl
			pl.Residential, pl.WorkBased, pl.From = ptr(false), ptr(true), d(2025, 6, 20)
			p.Placement = &pl
			r := sen2.Build(snapshot(yp, []sen2.Request{q}, []sen2.Plan{p}))
			want := map[string]string{"urn": c.urn, "ukprn": c.ukprn, "sensetting": c.setting, "sensettingother": "",
				"placementrank": "1", "senunitindicator": c.unit, "resourcedprovisionindicator": c.resourced}
			check(t, "plan detail", only(t, r, "plandetail"), want)
			want["entrydate"], want["leavingdate"], want["res"], want["wbp"] = "2025-06-20", "", "0", "1"
			check(t, "placement detail", only(t, r, "placementdetail"), want)
			if hasIssue(r, "plandetail", "urn/ukprn/sensetting") != c.missing || hasIssue(r, "placementdetail", "urn/ukprn/sensetting") != c.missing {
				t.Errorf("setting issues = %v, want missing=%v", r.Issues, c.missing)
			}
		})
	}
}

// TestActivePlan: the review items (with decisions after R not yet made), the phase transfer date,
// placement detail and needs by rank.
func TestActivePlan(t *testing.T) {
	cases := []struct {
		name                     string
		meeting                  string
		decision                 string
		decided                  string
		wantMeeting, wantOutcome string
		wantLast                 string
	}{
		{"no review yet", "", "", "", "", "", ""},
		{"maintain", "2025-10-01", "maintain", "2025-10-20", "2025-10-01", "M", "2025-10-20"},
		{"amend", "2025-10-01", "amend", "2025-10-20", "2025-10-01", "A", "2025-10-20"},
		{"cease", "2025-10-01", "cease", "2025-10-20", "2025-10-01", "C", "2025-10-20"},
		{"held, undecided", "2026-01-05", "", "", "2026-01-05", "", ""},
		{"decided after R", "2026-01-05", "amend", "2026-01-20", "2026-01-05", "", ""},
		{"meeting after R", "2026-01-16", "", "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := oldPlan("p1", "r1")
			p.LastReviewMeetingOn, p.LastReviewDecision, p.LastReviewDecidedOn = parse(t, c.meeting), c.decision, parse(t, c.decided)
			p.PhaseTransferDueOn = pd(2026, 2, 15) // a deadline: after R is fine
			p.Placement.Residential, p.Placement.WorkBased = nil, ptr(true)
			p.Needs = []sen2.Need{{Type: "SEMH", Rank: 3}, {Type: "ASD", Rank: 1}, {Type: "SLCN", Rank: 2}}
			r := sen2.Build(snapshot(yp, []sen2.Request{oldRequest("r1")}, []sen2.Plan{p}))
			check(t, "active plan", only(t, r, "activeplans"), map[string]string{"activeplanstableid": "1", "requeststableid": "1",
				"transferla": "", "reviewmeeting": c.wantMeeting, "reviewoutcome": c.wantOutcome, "lastreview": c.wantLast,
				"phasetransferduedate": "2026-02-15"})
			check(t, "placement", only(t, r, "placementdetail"), map[string]string{"placementdetailtableid": "1", "activeplanstableid": "1",
				"urn": "105432", "entrydate": "2023-09-01", "leavingdate": "", "res": "", "wbp": "1"})
			var needs []string
			for i, n := range rows(t, r, "senneed") {
				if n["senneedtableid"] != strconv.Itoa(i+1) || n["activeplanstableid"] != "1" {
					t.Errorf("need row %d ids: %v", i, n)
				}
				needs = append(needs, n["sentype"]+n["sentyperank"])
			}
			if want := []string{"ASD1", "SLCN2", "SEMH3"}; !slices.Equal(needs, want) {
				t.Errorf("needs = %v, want %v", needs, want)
			}
		})
	}
}

// parse is testkit.Date as a pointer; "" is no date.
func parse(t *testing.T, s string) *time.Time {
	t.Helper()
	if s == "" {
		return nil
	}
	v := testkit.Date(t, s)
	return &v
}
