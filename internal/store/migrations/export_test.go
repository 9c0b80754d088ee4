package migrations

import "gorm.io/gorm"

// Backfill0010 runs migration 0010's data steps again, for the test that they change nothing the
// second time (a migration interrupted after them is retried whole).
func Backfill0010(db *gorm.DB) error {
	if err := m0010BackfillReferralReasons(db); err != nil {
		return err
	}
	return m0010BackfillReferralStages(db)
}

// Fix0011 runs migration 0011's data steps again, for the test that they change nothing the
// second time.
func Fix0011(db *gorm.DB) error {
	if err := m0011FixPlanReviewDue(db); err != nil {
		return err
	}
	return m0011FixAnnualReviewDue(db)
}
