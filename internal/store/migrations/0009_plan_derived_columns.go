package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0009 is plain DDL: drops derived plan columns.
var m0009 = &gormigrate.Migration{ID: "0009_plan_derived_columns", Migrate: ddl(schema0009, nil)}

// schema0009: drops plan columns that only repeated what the versions say (which version is
// latest or in force, the pending amendment's dates); nothing queried them.
const schema0009 = `
ALTER TABLE ehc_plans DROP COLUMN latest_version;
ALTER TABLE ehc_plans DROP COLUMN in_force_version;
ALTER TABLE ehc_plans DROP COLUMN amendment_notice_on;
ALTER TABLE ehc_plans DROP COLUMN amendment_final_due_on
`
