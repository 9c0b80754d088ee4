package caseworktest_test

import (
	"slices"
	"testing"

	"github.com/oneplan-send/oneplan/internal/auth"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// The fixture offers a principal for every role there is, and its services read its clock.
func TestFixture(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		var roles []auth.Role
		for _, p := range []auth.Principal{e.Admin(), e.Officer(), e.Partner(), e.Outsider(), e.Lead(), e.Panel(), e.Analyst(), e.Family()} {
			roles = append(roles, p.Role)
		}
		for _, r := range auth.Roles {
			if !slices.Contains(roles, r) {
				t.Errorf("no principal of role %s", r)
			}
		}
		c := e.Case(8)
		if !c.Child.CreatedAt.Equal(cwt.Now) || !cwt.Today.Equal(testkit.Day(2026, 3, 2)) {
			t.Errorf("child created %v, today %v: the services do not read the fixture's clock", c.Child.CreatedAt, cwt.Today)
		}
		later := testkit.Day(2026, 6, 1)
		e.Travel(later)
		if r := e.Referral(c.Child.ID, nil); !r.ReceivedOn.Equal(later) {
			t.Errorf("after Travel a referral is received %v, want %v", r.ReceivedOn, later)
		}
		inv, _, err := e.App.Team.Involvements(cwt.As(e.Lead()), c.Child.ID, true, paging.Page{})
		if err != nil || len(inv) < 3 {
			t.Errorf("the case's team = %d involvements (%v), want the setting, the referrer and health", len(inv), err)
		}
	})
}
