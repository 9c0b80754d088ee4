package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0023 is plain DDL: the index that finds a caseworker's children for their deadline worklist.
var m0023 = &gormigrate.Migration{ID: "0023_referral_lead_index", Migrate: ddl(schema0023, nil)}

// schema0023: GET /v1/deadlines?owner= first finds the young people whose referrals have the
// practitioner as engagement lead, then reads only their records; without this index that is a
// scan of every referral.
const schema0023 = `
CREATE INDEX referrals_engagement_lead ON referrals (engagement_lead_id, young_person_id)
`
