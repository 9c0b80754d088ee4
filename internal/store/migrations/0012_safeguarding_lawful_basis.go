package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0012 is plain DDL: a safeguarding concern raised after a referral was received, and the lawful
// bases other than consent on which an organisation is involved with a child.
var m0012 = &gormigrate.Migration{ID: "0012_safeguarding_lawful_basis", Migrate: ddl(schema0012, nil)}

// schema0012:
//   - referrals.safeguarding_raised: the concern found after receipt (JSON: reason, raised_on,
//     route_before); NULL for referrals with none, or whose concern came with the referral.
//   - involvements.lawful_basis and statutory_duty: a UK GDPR Art 6(1)(c) or (e) basis with the
//     duty it rests on, so an involvement can outlast the withdrawal of a consent; NULL for those
//     recorded before, which rest on consent, safeguarding or the organisation's own role.
//   - involvements.review_needed: why a practitioner must decide whether an involvement continues
//     after the consent it rested on was withdrawn; NULL when nothing waits.
const schema0012 = `
ALTER TABLE referrals ADD COLUMN safeguarding_raised {text};
ALTER TABLE involvements ADD COLUMN lawful_basis {text} CHECK (lawful_basis IN ('legal_obligation', 'public_task'));
ALTER TABLE involvements ADD COLUMN statutory_duty {text};
ALTER TABLE involvements ADD COLUMN review_needed {text}
`
