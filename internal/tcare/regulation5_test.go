package tcare

import (
	"errors"
	"testing"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// TestRegulation5: a personal budget may be requested only for a young person with a plan in force
// or an EHC needs assessment under way; the budget is the plan's section J when there is one.
func TestRegulation5(t *testing.T) {
	cases := []struct {
		name     string
		basis    EHCBasis
		named    string
		wantPlan string
		pointer  string // "" when allowed
	}{
		{"nothing: refused", EHCBasis{}, "", "", "/young_person_id"},
		{"only a draft, no assessment under way: refused", EHCBasis{DraftPlans: []string{"d"}}, "", "", "/young_person_id"},
		{"assessment under way", EHCBasis{AssessmentsUnderWay: []string{"r"}}, "", "", ""},
		{"plan in force: linked", EHCBasis{PlansInForce: []string{"p"}}, "", "p", ""},
		{"plan in force named", EHCBasis{PlansInForce: []string{"p"}}, "p", "p", ""},
		{"plan in force and a new assessment", EHCBasis{PlansInForce: []string{"p"}, AssessmentsUnderWay: []string{"r"}}, "", "p", ""},
		{"draft named while assessing", EHCBasis{AssessmentsUnderWay: []string{"r"}, DraftPlans: []string{"d"}}, "d", "d", ""},
		{"draft named, no assessment under way", EHCBasis{DraftPlans: []string{"d"}}, "d", "", "/ehc_plan_id"},
		{"a plan not in force named (ceased)", EHCBasis{AssessmentsUnderWay: []string{"r"}}, "ceased", "", "/ehc_plan_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, err := Regulation5(c.basis, c.named)
			if c.pointer == "" {
				if err != nil || plan != c.wantPlan {
					t.Fatalf("got %q, %v; want %q", plan, err, c.wantPlan)
				}
				return
			}
			var f *fault.Error
			if !errors.As(err, &f) || f.Kind != fault.Unprocessable || len(f.Fields) != 1 || f.Fields[0].Pointer != c.pointer {
				t.Fatalf("got %q, %v; want 422 on %s", plan, err, c.pointer)
			}
		})
	}
}
