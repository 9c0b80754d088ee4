package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0053 is plain DDL (issues 16 and 17): what a family asks for when they request a personal
// budget, and whether they made the request themselves.
var m0053 = &gormigrate.Migration{ID: "0053_budget_requests", Migrate: ddl(schema0053, nil)}

// schema0053: the streams asked for are a JSON list; the outcomes the budget is for are the
// family's words; requested_through says who recorded the request (the council, or the family
// themselves). Requests recorded before this migration were the council's.
const schema0053 = `
ALTER TABLE personal_budgets ADD COLUMN requested_streams {text};
ALTER TABLE personal_budgets ADD COLUMN outcomes_sought {text};
ALTER TABLE personal_budgets ADD COLUMN preferred_arrangement {text} CHECK (preferred_arrangement IN ('notional', 'third_party', 'direct_payment'));
ALTER TABLE personal_budgets ADD COLUMN requested_through {text} NOT NULL DEFAULT 'council' CHECK (requested_through IN ('council', 'family'))
`
