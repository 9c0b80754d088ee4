package store

import "time"

// Timeliness counts, computed in the database for a period.
type Timeliness struct {
	// Decisions whether to assess notified in the period: within 6 weeks of receipt (raw) and
	// within the exception-adjusted date.
	Decisions, DecisionsWithin, DecisionsWithinAdjusted int
	// Final plans issued in the period (first plans from a request): within 20 weeks (raw), within
	// the exception-adjusted date, and among those with no exception applying to the 20 weeks
	// (SEN2 Week20 = 0, the DfE's headline measure).
	Plans, PlansWithin, PlansWithinAdjusted, PlansNoExceptions, PlansNoExceptionsWithin int
	// Annual reviews decided in the period: meeting held by the due date; decision within 4 weeks
	// of the meeting.
	Reviews, ReviewsHeldOnTime, ReviewsDecidedOnTime int
}

// EHCTimeliness counts the statutory timeliness of decisions, plans and reviews completed in
// [from, to]. Dates are YYYY-MM-DD text, so comparisons are plain string comparisons on both
// databases.
func (tx *Tx) EHCTimeliness(from, to time.Time) (Timeliness, error) {
	f, t := fromDate(from), fromDate(to)
	var out Timeliness
	var dec struct{ N, Within, Adjusted int }
	err := tx.db.Table("ehc_requests").Select(`COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN decided_on <= decision_raw_due_on THEN 1 ELSE 0 END), 0) AS within,
		COALESCE(SUM(CASE WHEN decided_on <= decision_due_on THEN 1 ELSE 0 END), 0) AS adjusted`).
		Where("decided_on >= ? AND decided_on <= ?", f, t).Scan(&dec).Error
	if err != nil {
		return out, translate(err)
	}
	out.Decisions, out.DecisionsWithin, out.DecisionsWithinAdjusted = dec.N, dec.Within, dec.Adjusted
	var plans struct{ N, Within, Adjusted, Plain, PlainWithin int }
	err = tx.db.Table("ehc_requests").Select(`COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN plan_issued_on <= final_plan_raw_due_on THEN 1 ELSE 0 END), 0) AS within,
		COALESCE(SUM(CASE WHEN plan_issued_on <= final_plan_due_on THEN 1 ELSE 0 END), 0) AS adjusted,
		COALESCE(SUM(CASE WHEN NOT week20 THEN 1 ELSE 0 END), 0) AS plain,
		COALESCE(SUM(CASE WHEN NOT week20 AND plan_issued_on <= final_plan_raw_due_on THEN 1 ELSE 0 END), 0) AS plain_within`).
		Where("plan_issued_on >= ? AND plan_issued_on <= ?", f, t).Scan(&plans).Error
	if err != nil {
		return out, translate(err)
	}
	out.Plans, out.PlansWithin, out.PlansWithinAdjusted = plans.N, plans.Within, plans.Adjusted
	out.PlansNoExceptions, out.PlansNoExceptionsWithin = plans.Plain, plans.PlainWithin
	var rev struct{ N, Held, Decided int }
	err = tx.db.Table("annual_reviews").Select(`COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN meeting_on <= due_on THEN 1 ELSE 0 END), 0) AS held,
		COALESCE(SUM(CASE WHEN decided_on <= decision_due_on THEN 1 ELSE 0 END), 0) AS decided`).
		Where("status = ? AND decided_on >= ? AND decided_on <= ?", "decided", f, t).Scan(&rev).Error
	if err != nil {
		return out, translate(err)
	}
	out.Reviews, out.ReviewsHeldOnTime, out.ReviewsDecidedOnTime = rev.N, rev.Held, rev.Decided
	return out, nil
}
