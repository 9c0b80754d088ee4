package feedback

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestValidate(t *testing.T) {
	ratings := func(rs ...Rating) []Rating { return rs }
	many := make([]Rating, MaxRatings+1)
	for i := range many {
		many[i] = Rating{Outcome: "Outcome " + strings.Repeat("x", i), Rating: 3}
	}
	cases := []struct {
		name string
		f    Feedback
		want []string // pointers of the 400; none means valid
	}{
		{"family text only", Feedback{From: FromFamily, WorkingWell: "We feel listened to."}, nil},
		{"child ratings only", Feedback{From: FromChildYoungPerson, OutcomeRatings: ratings(Rating{"Talks with friends", 4})}, nil},
		{"professional with practitioner", Feedback{From: FromProfessional, PractitionerID: "p1", NextSteps: "Review in 6 weeks."}, nil},
		{"every field", Feedback{From: FromFamily, WorkingWell: "a", NotWorking: "b", NextSteps: "c",
			OutcomeRatings: ratings(Rating{"Speech", 1}, Rating{"Sleep", 5})}, nil},
		{"nothing said", Feedback{From: FromFamily}, []string{""}},
		{"blank text is nothing said", Feedback{From: FromFamily, WorkingWell: "  ", NotWorking: "\n", NextSteps: "\t"}, []string{""}},
		{"empty ratings list is nothing said", Feedback{From: FromChildYoungPerson, OutcomeRatings: []Rating{}}, []string{""}},
		{"professional without practitioner", Feedback{From: FromProfessional, WorkingWell: "x"}, []string{"/practitioner_id"}},
		{"family naming a practitioner", Feedback{From: FromFamily, PractitionerID: "p1", WorkingWell: "x"}, []string{"/practitioner_id"}},
		{"child naming a practitioner", Feedback{From: FromChildYoungPerson, PractitionerID: "p1", WorkingWell: "x"}, []string{"/practitioner_id"}},
		{"unknown source", Feedback{From: "neighbour", WorkingWell: "x"}, []string{"/from"}},
		{"duplicate outcome", Feedback{From: FromFamily, OutcomeRatings: ratings(Rating{"Speech", 2}, Rating{"Sleep", 3}, Rating{"Speech", 4})},
			[]string{"/outcome_ratings/2/outcome"}},
		{"duplicate differs only in case and spaces", Feedback{From: FromFamily, OutcomeRatings: ratings(Rating{"Speech", 2}, Rating{" speech ", 4})},
			[]string{"/outcome_ratings/1/outcome"}},
		{"blank outcome", Feedback{From: FromFamily, OutcomeRatings: ratings(Rating{" ", 2})}, []string{"/outcome_ratings/0/outcome"}},
		{"long outcome", Feedback{From: FromFamily, OutcomeRatings: ratings(Rating{strings.Repeat("é", MaxOutcome+1), 2})},
			[]string{"/outcome_ratings/0/outcome"}},
		{"ratings out of range", Feedback{From: FromFamily, OutcomeRatings: ratings(Rating{"A", 0}, Rating{"B", 6}, Rating{"C", 1}, Rating{"D", 5})},
			[]string{"/outcome_ratings/0/rating", "/outcome_ratings/1/rating"}},
		{"too many ratings", Feedback{From: FromFamily, OutcomeRatings: many}, []string{"/outcome_ratings"}},
		{"long text", Feedback{From: FromFamily, WorkingWell: strings.Repeat("a", MaxText+1), NextSteps: strings.Repeat("é", MaxText)},
			[]string{"/working_well"}},
		{"several problems at once", Feedback{From: FromProfessional, OutcomeRatings: ratings(Rating{"A", 9}, Rating{"a", 1})},
			[]string{"/practitioner_id", "/outcome_ratings/0/rating", "/outcome_ratings/1/outcome"}},
	}
	for _, c := range cases {
		err := c.f.Validate()
		kind, got := testkit.KindOf(t, err), testkit.Pointers(err)
		if c.want == nil {
			if kind != fault.Unknown {
				t.Errorf("%s: unexpected error %v", c.name, got)
			}
			continue
		}
		if kind != fault.Invalid {
			t.Errorf("%s: kind = %v, want Invalid", c.name, kind)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: pointers = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestTidy(t *testing.T) {
	f := Feedback{From: FromFamily, WorkingWell: "  Good. ", NotWorking: " ", OutcomeRatings: []Rating{{" Speech ", 3}}}.Tidy()
	if f.WorkingWell != "Good." || f.NotWorking != "" || f.OutcomeRatings[0].Outcome != "Speech" || f.OutcomeRatings[0].Rating != 3 {
		t.Fatalf("tidy: %+v", f)
	}
	orig := []Rating{{" A ", 1}}
	_ = Feedback{OutcomeRatings: orig}.Tidy()
	if orig[0].Outcome != " A " {
		t.Error("Tidy must not change the caller's ratings")
	}
	if (Feedback{}).Tidy().OutcomeRatings != nil {
		t.Error("no ratings stay none")
	}
}

func TestFamilyMayGive(t *testing.T) {
	for _, c := range []struct {
		from string
		ok   bool
	}{{FromFamily, true}, {FromChildYoungPerson, true}, {FromProfessional, false}, {"", false}} {
		err := FamilyMayGive(c.from)
		if (err == nil) != c.ok {
			t.Errorf("%q: %v", c.from, err)
		}
		if err != nil && !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("%q: kind %v, want Forbidden", c.from, fault.KindOf(err))
		}
	}
}

func TestRoleOf(t *testing.T) {
	for _, c := range []struct{ practitioner, lead, want string }{
		{"p1", "p1", RoleEngagementLead},
		{"p1", "p2", RoleOther},
		{"p1", "", RoleOther}, // no lead allocated yet
		{"", "", RoleOther},
	} {
		if got := RoleOf(c.practitioner, c.lead); got != c.want {
			t.Errorf("RoleOf(%q, %q) = %q, want %q", c.practitioner, c.lead, got, c.want)
		}
	}
}

func TestSummaryHoldsNoFreeText(t *testing.T) {
	secret := "Mum says the new school is awful"
	cases := []struct {
		f    Feedback
		want string
	}{
		{Feedback{From: FromFamily, WorkingWell: secret, OutcomeRatings: []Rating{{secret, 4}, {"Sleep", 2}, {"Play", 5}}},
			"Feedback from family: 3 outcomes rated"},
		{Feedback{From: FromChildYoungPerson, OutcomeRatings: []Rating{{secret, 4}}}, "Feedback from child or young person: 1 outcome rated"},
		{Feedback{From: FromProfessional, ProfessionalRole: RoleEngagementLead, NextSteps: secret, MeetingID: "m1"},
			"Feedback from professional (engagement lead): no outcomes rated, given at a meeting"},
		{Feedback{From: FromProfessional, ProfessionalRole: RoleOther, NotWorking: secret}, "Feedback from professional: no outcomes rated"},
	}
	for _, c := range cases {
		got := c.f.Summary()
		if got != c.want {
			t.Errorf("Summary = %q, want %q", got, c.want)
		}
		if strings.Contains(got, "school") || strings.Contains(got, "Sleep") {
			t.Errorf("summary leaks free text: %q", got)
		}
	}
}
