package importjob

import (
	"context"
	"iter"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/planimports"
	"github.com/oneplan-send/oneplan/internal/importfile"
)

// planKinds are the ehc-plans and transition-plans imports (issue 18), imported as the council's
// SEND service.
func planKinds(s Services, enums importfile.Enums) map[string]Kind {
	systems := s.Organisations.Systems
	today := s.Today()
	return map[string]Kind{
		importfile.EHCPlans.Type: {Role: auth.RoleSENDOfficer, KeyColumn: "external_id",
			Parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				pl, key, yp, nhs, problems := importfile.EHCPlan(rec, enums, systems, today)
				return planimports.EHCPlanRow{Row: rec.Row, Key: key, Child: planimports.Child{Key: yp, NHSNumber: nhs}, Plan: pl}, keyText(key), problems
			},
			Write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return s.PlanImports.ImportEHCPlans(ctx, RowsOf[planimports.EHCPlanRow](rows), dryRun, done)
			}},
		// A transition plan has no external id: a row is matched on its child and start day.
		importfile.TransitionPlans.Type: {Role: auth.RoleSENDOfficer, KeyColumn: "started_on",
			Parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				tp, yp, nhs, orgs, problems := importfile.TransitionPlan(rec, enums, systems, today)
				key := ""
				if child := nhs; yp != nil || child != "" {
					if yp != nil {
						child = keyText(*yp)
					}
					key = child + "@" + tp.StartedOn.Format(time.DateOnly)
				}
				return planimports.TransitionPlanRow{Row: rec.Row, Child: planimports.Child{Key: yp, NHSNumber: nhs}, Plan: tp,
					ContactOrganisations: orgs}, key, problems
			},
			Write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return s.PlanImports.ImportTransitionPlans(ctx, RowsOf[planimports.TransitionPlanRow](rows), dryRun, done)
			}},
	}
}
