package reports

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/sen2"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// SEN2's EHCPlan budget type is section J as the plan shows it: the type computed from a linked
// personal budget wins over the J typed into the version in force.
func TestSEN2BudgetTypeFollowsComputedJ(t *testing.T) {
	issued := testkit.Day(2025, 6, 2)
	plan := func(budget *ehcplan.PersonalBudget) ehcplan.Plan {
		return ehcplan.Plan{ID: "p", YoungPersonID: "yp", Status: ehcplan.Issued, BudgetJ: budget,
			Versions: []ehcplan.Version{{Number: 1, Kind: ehcplan.KindFinal, IssuedOn: &issued,
				Sections: ehcplan.Sections{J: &ehcplan.PersonalBudget{Type: "notional"}}}}}
	}
	ref := testkit.Day(2026, 1, 15)
	for _, c := range []struct {
		name   string
		budget *ehcplan.PersonalBudget
		want   string
	}{
		{"typed J only", nil, "notional"},
		{"a linked budget", &ehcplan.PersonalBudget{Type: "direct_payment", Source: ehcplan.JPersonalBudget, BudgetID: "b"}, "direct_payment"},
	} {
		if got := sen2Plan(plan(c.budget), sen2.Candidates{}, ref).BudgetType; got != c.want {
			t.Errorf("%s: budget type %q, want %q", c.name, got, c.want)
		}
	}
}
