package main

import (
	"context"
	"iter"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/planimports"
	"github.com/oneplan-send/oneplan/internal/importfile"
)

// planImportKinds are the ehc-plans and transition-plans imports (issue 18), imported as the
// council's SEND service.
func planImportKinds(a *deployment, enums importfile.Enums) map[string]importKind {
	systems := a.app.Organisations.Systems
	today := a.app.Clock.Today()
	return map[string]importKind{
		importfile.EHCPlans.Type: {role: auth.RoleSENDOfficer, keyColumn: "external_id",
			parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				pl, key, yp, nhs, problems := importfile.EHCPlan(rec, enums, systems, today)
				return planimports.EHCPlanRow{Row: rec.Row, Key: key, Child: planimports.Child{Key: yp, NHSNumber: nhs}, Plan: pl}, keyText(key), problems
			},
			write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return a.app.PlanImports.ImportEHCPlans(ctx, rowsOf[planimports.EHCPlanRow](rows), dryRun, done)
			}},
		importfile.TransitionPlans.Type: {role: auth.RoleSENDOfficer, keyColumn: "started_on",
			parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				tp, yp, nhs, problems := importfile.TransitionPlan(rec, enums, systems, today)
				key := ""
				if child := nhs; yp != nil || child != "" {
					if yp != nil {
						child = keyText(*yp)
					}
					key = child + "@" + tp.StartedOn.Format(time.DateOnly)
				}
				return planimports.TransitionPlanRow{Row: rec.Row, Child: planimports.Child{Key: yp, NHSNumber: nhs}, Plan: tp}, key, problems
			},
			write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return a.app.PlanImports.ImportTransitionPlans(ctx, rowsOf[planimports.TransitionPlanRow](rows), dryRun, done)
			}},
	}
}
