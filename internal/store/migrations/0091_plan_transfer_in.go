package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0091 is plain DDL: the transfer of a plan in from another authority (Reg 15), kept on the plan.
var m0091 = &gormigrate.Migration{ID: "0091_plan_transfer_in", Migrate: ddl(schema0091, nil)}

// schema0091: transfer_in holds the move, the old authority's awareness, the transfer, the old
// authority's made date and last review, and the day the family was told, as JSON (like
// phase_transfer). The due dates are computed on read.
const schema0091 = `
ALTER TABLE ehc_plans ADD COLUMN transfer_in {text}
`
