package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

// seedTransformingCare puts a few children on the dynamic support register with a rating history,
// holds C(E)TRs, records their placements (52-week, 38-week, inpatient) and two personal budgets
// (seedBudgets) (issue 17). All fictional.
func seedTransformingCare(ctx context.Context, svc *app.App, res *Result, people []person.YoungPerson, today time.Time) error {
	day := func(daysAgo int) time.Time { return today.AddDate(0, 0, -daysAgo) }
	type rate struct {
		r        tcare.Rating
		ago      int
		reason   string
		admitted bool
	}
	cases := []struct {
		history   []rate
		placement string
		ctrAgo    int // a C(E)TR held this many days ago (0: none)
	}{
		{[]rate{{tcare.Amber, 150, "escalating distress at home", false}, {tcare.Red, 95, "placement breakdown risk", false},
			{tcare.Blue, 60, "admitted to a CAMHS inpatient unit", true}}, tcare.Inpatient, 50},
		{[]rate{{tcare.Red, 40, "school exclusion and self-injury", false}}, tcare.Residential52, 0},
		{[]rate{{tcare.Red, 120, "family crisis", false}, {tcare.Amber, 60, "intensive support in place", false},
			{tcare.Green, 20, "settled with support", false}}, tcare.Residential38, 110},
		{[]rate{{tcare.Amber, 30, "anxiety and school refusal", false}}, tcare.Special, 0},
		{[]rate{{tcare.Green, 10, "managed in the community", false}}, "", 0},
	}
	n := 0
	for i, yp := range people {
		if n == len(cases) {
			break
		}
		if today.Sub(yp.DateOfBirth) < 5*365*24*time.Hour {
			continue // older children only
		}
		c := cases[n]
		n++
		first := c.history[0]
		e, err := svc.TransformingCare.CreateEntry(ctx, tcare.Entry{YoungPersonID: yp.ID, Conditions: []string{tcare.Autism, tcare.LearningDisability}[:1+i%2],
			Consent: tcare.ConsentGiven, Keyworker: "Keyworker, Community CAMHS",
			Actions: []tcare.Action{{Description: "Refer to the intensive support service", Owner: "Community CAMHS", DueOn: day(first.ago - 14)}}},
			tcare.RatingChange{Rating: first.r, Reasons: []string{first.reason}, Evidence: "Register meeting minutes", DecidedOn: day(first.ago)})
		if err != nil {
			return fmt.Errorf("register entry: %w", err)
		}
		res.RegisterEntries++
		for _, h := range c.history[1:] {
			rc := tcare.RatingChange{Rating: h.r, Reasons: []string{h.reason}, DecidedOn: day(h.ago)}
			if h.admitted {
				rc.AdmittedOn = day(h.ago)
			}
			if e, err = svc.TransformingCare.Rate(ctx, e.ID, nil, rc, nil); err != nil {
				return fmt.Errorf("rating: %w", err)
			}
		}
		if c.ctrAgo > 0 {
			r, err := svc.TransformingCare.ScheduleReview(ctx, tcare.Review{EntryID: e.ID, Kind: tcare.CETR, Setting: tcare.Community, ScheduledOn: day(c.ctrAgo)})
			if err != nil {
				return fmt.Errorf("C(E)TR: %w", err)
			}
			if _, err := svc.TransformingCare.HoldReview(ctx, r.ID, nil, tcare.Review{HeldOn: day(c.ctrAgo), Outcome: "community_support_increased",
				Panel:       tcare.Panel{Chair: "ICB commissioner", ClinicalExpert: "Consultant psychiatrist", ExpertByExperience: "Parent carer"},
				FamilyViews: "The family want support at home.", YoungPersonViews: "Wants to stay near friends.",
				Recommendations: []tcare.Recommendation{{Description: "Weekly intensive support visits", Owner: "Intensive support service", DueOn: day(c.ctrAgo - 28)}}}); err != nil {
				return fmt.Errorf("C(E)TR held: %w", err)
			}
			res.CTRs++
		}
		if c.placement != "" {
			cost, km := int64(9000000+n*2500000), float64(15+n*40)
			p := tcare.Placement{YoungPersonID: yp.ID, Type: c.placement, SettingName: fmt.Sprintf("Demo %s setting", c.placement), StartOn: day(90 + n*30),
				DistanceKm: &km, AnnualCostPence: &cost, EducationPct: 60, SocialCarePct: 25, HealthPct: 15}
			if c.placement == tcare.Inpatient {
				p.StartOn, p.EducationPct, p.SocialCarePct, p.HealthPct = day(60), 0, 0, 100
			}
			if _, err := svc.TransformingCare.CreatePlacement(ctx, p); err != nil {
				return fmt.Errorf("placement: %w", err)
			}
			res.Placements++
		}
	}
	return seedBudgets(ctx, svc, res, today)
}

// seedBudgets records two personal budgets, each for a young person with an EHC plan in force (a
// budget may be requested only then or while the needs assessment is under way: regulation 5 of
// the SEN (Personal Budgets) Regulations 2014): one integrated across three streams with payments,
// which is its plan's section J, and one refused.
func seedBudgets(ctx context.Context, svc *app.App, res *Result, today time.Time) error {
	day := func(daysAgo int) time.Time { return today.AddDate(0, 0, -daysAgo) }
	inForce, _, err := svc.Plans.EHCPlans(ctx, ehcplan.Filter{Status: string(ehcplan.Issued)}, paging.Page{Limit: 2})
	if err != nil {
		return fmt.Errorf("plans for personal budgets: %w", err)
	}
	for n, pl := range inForce {
		b, err := svc.TransformingCare.RequestBudget(ctx, tcare.Budget{YoungPersonID: pl.YoungPersonID, EHCPlanID: pl.ID, RequestedOn: day(80), RequestedBy: "parent"})
		if err != nil {
			return fmt.Errorf("personal budget: %w", err)
		}
		res.PersonalBudgets++
		if n == 1 {
			if _, err := svc.TransformingCare.DecideBudget(ctx, b.ID, nil, false, day(70), "A direct payment for the school place would affect other pupils' provision.",
				nil, time.Time{}); err != nil {
				return fmt.Errorf("refuse budget: %w", err)
			}
			continue
		}
		parts := []tcare.Part{{Stream: "education", Arrangement: "notional", AmountPence: 600000, Period: "year"},
			{Stream: "social_care", Arrangement: "direct_payment", AmountPence: 45000, Period: "month", AgreementSignedOn: day(72), Monitoring: "Quarterly statements"},
			{Stream: "health", Arrangement: "third_party", AmountPence: 240000, Period: "year"}}
		if _, err := svc.TransformingCare.DecideBudget(ctx, b.ID, nil, true, day(70), "", parts, today.AddDate(1, 0, -70)); err != nil {
			return fmt.Errorf("agree budget: %w", err)
		}
		for _, ago := range []int{60, 30} {
			if _, err := svc.TransformingCare.PayBudget(ctx, b.ID, nil, tcare.Payment{Stream: "social_care", PaidOn: day(ago), AmountPence: 45000}); err != nil {
				return fmt.Errorf("payment: %w", err)
			}
		}
	}
	return nil
}
