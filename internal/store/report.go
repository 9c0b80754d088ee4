package store

import (
	"time"

	"gorm.io/gorm"
)

// Reports are grouped queries: the database counts, Go only adds up the groups it returns. Dates
// are YYYY-MM-DD text on both databases, so period bounds are plain string comparisons.

// ReportFilter narrows a report to the children living in a locality, or known to an
// organisation (anyone it is or was in the team around, as referrer, setting or otherwise).
type ReportFilter struct {
	Locality, OrganisationID string
}

// children restricts q, whose young person id column is col, to the filter.
func (f ReportFilter) children(q *gorm.DB, col string) *gorm.DB {
	if f.Locality != "" {
		q = q.Where(col+" IN (SELECT id FROM young_people WHERE locality_key = ?)", key(f.Locality))
	}
	if f.OrganisationID != "" {
		q = q.Where(col+" IN (SELECT young_person_id FROM involvements WHERE organisation_id = ?)", f.OrganisationID)
	}
	return q
}

// referrals restricts q over a table carrying a referral's dimensions (referrals, and the
// referral_reasons and referral_stages kept beside them), aliased a, to the filter: the child's
// locality when referred, and the organisations that know the child.
func (f ReportFilter) referrals(q *gorm.DB, a string) *gorm.DB {
	if f.Locality != "" {
		q = q.Where(a+".locality_key = ?", key(f.Locality))
	}
	if f.OrganisationID != "" {
		q = q.Where(a+".young_person_id IN (SELECT young_person_id FROM involvements WHERE organisation_id = ?)", f.OrganisationID)
	}
	return q
}

// between is the condition "col falls in [from, to]".
func between(q *gorm.DB, col string, from, to time.Time) *gorm.DB {
	return q.Where(col+" >= ? AND "+col+" <= ?", fromDate(from), fromDate(to))
}

// Counts are figures by category.
type Counts map[string]int64

// countBy runs q (selecting a category column k and a count n) into Counts.
func countBy(q *gorm.DB) (Counts, error) {
	var rows []struct {
		K string
		N int64
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := Counts{}
	for _, r := range rows {
		out[r.K] += r.N
	}
	return out, nil
}

// Activity is what the pathway received and did in a period.
type Activity struct {
	Referrals int64
	// By any reason given (a referral may give several), by main reason, by the type of the
	// referring organisation, by the child's locality (key; LocalityNames holds a name as
	// recorded) and by route ("" when not accepted).
	ByReason, ByMainReason, BySettingType, ByLocality, ByRoute Counts
	LocalityNames                                              map[string]string
	// Settings counts the distinct organisations that referred, by type.
	Settings Counts
	Meetings Counts // held, by type
	// EHC needs assessment requests received, assessments started (decisions to assess) and
	// refused (decisions not to assess), and first plans issued.
	EHCRequests, AssessmentsStarted, AssessmentsRefused, PlansIssued int64
	Disputes                                                         Counts // received, by kind
}

// Activity counts the pathway's activity in [from, to].
func (tx *Tx) Activity(from, to time.Time, f ReportFilter) (a Activity, err error) {
	referrals := func() *gorm.DB {
		return f.referrals(between(tx.db.Table("referrals r"), "r.received_on", from, to), "r")
	}
	// One pass over the period's referrals (one covering index) gives every single-valued
	// breakdown; the organisations joined are a few hundred rows.
	var cube []struct {
		MainReason, SettingType, Locality, LocalityName, Route string
		N                                                      int64
	}
	err = referrals().Select(`r.main_reason, o.type AS setting_type, COALESCE(r.locality_key, '') AS locality,
		COALESCE(MIN(r.locality), '') AS locality_name, COALESCE(r.route, '') AS route, COUNT(*) AS n`).
		Joins("JOIN organisations o ON o.id = r.referrer_organisation_id").
		Group("r.main_reason, o.type, COALESCE(r.locality_key, ''), COALESCE(r.route, '')").Scan(&cube).Error
	if err != nil {
		return a, translate(err)
	}
	a.ByMainReason, a.BySettingType, a.ByLocality, a.ByRoute, a.LocalityNames = Counts{}, Counts{}, Counts{}, Counts{}, map[string]string{}
	for _, c := range cube {
		a.Referrals += c.N
		a.ByMainReason[c.MainReason] += c.N
		a.BySettingType[c.SettingType] += c.N
		a.ByLocality[c.Locality] += c.N
		a.ByRoute[c.Route] += c.N
		if c.LocalityName != "" {
			a.LocalityNames[c.Locality] = c.LocalityName
		}
	}
	if a.ByReason, err = countBy(f.referrals(between(tx.db.Table("referral_reasons rr"), "rr.received_on", from, to), "rr").
		Select("rr.reason AS k, COUNT(*) AS n").Group("rr.reason")); err != nil {
		return a, err
	}
	// Distinct settings first, then their types: cheaper than COUNT(DISTINCT) per type.
	settings := referrals().Distinct("r.referrer_organisation_id")
	if a.Settings, err = countBy(tx.db.Table("(?) d", settings).Select("o.type AS k, COUNT(*) AS n").
		Joins("JOIN organisations o ON o.id = d.referrer_organisation_id").Group("o.type")); err != nil {
		return a, err
	}
	if a.Meetings, err = countBy(f.children(between(tx.db.Table("meetings m"), "m.held_on", from, to), "m.young_person_id").
		Select("m.type AS k, COUNT(*) AS n").Group("m.type")); err != nil {
		return a, err
	}
	if a.Disputes, err = countBy(f.children(between(tx.db.Table("disputes d"), "d.received_on", from, to), "d.young_person_id").
		Select("d.kind AS k, COUNT(*) AS n").Group("d.kind")); err != nil {
		return a, err
	}
	var ehc struct{ Received, Started, Refused, Issued int64 }
	f0, t0 := fromDate(from), fromDate(to)
	err = f.children(tx.db.Table("ehc_requests e"), "e.young_person_id").Select(`
		COALESCE(SUM(CASE WHEN e.received_on >= ? AND e.received_on <= ? THEN 1 ELSE 0 END), 0) AS received,
		COALESCE(SUM(CASE WHEN e.decision = 'assess' AND e.decided_on >= ? AND e.decided_on <= ? THEN 1 ELSE 0 END), 0) AS started,
		COALESCE(SUM(CASE WHEN e.decision = 'not_assess' AND e.decided_on >= ? AND e.decided_on <= ? THEN 1 ELSE 0 END), 0) AS refused,
		COALESCE(SUM(CASE WHEN e.plan_issued_on >= ? AND e.plan_issued_on <= ? THEN 1 ELSE 0 END), 0) AS issued`,
		f0, t0, f0, t0, f0, t0, f0, t0).
		Where("(e.received_on >= ? AND e.received_on <= ?) OR (e.decided_on >= ? AND e.decided_on <= ?) OR (e.plan_issued_on >= ? AND e.plan_issued_on <= ?)",
			f0, t0, f0, t0, f0, t0).Scan(&ehc).Error
	if err != nil {
		return a, translate(err)
	}
	a.EHCRequests, a.AssessmentsStarted, a.AssessmentsRefused, a.PlansIssued = ehc.Received, ehc.Started, ehc.Refused, ehc.Issued
	return a, nil
}

// AnswerCount is how many answers a question got with one score or choice, from one group of
// respondents. Text answers have neither score nor choice: they are only counted.
type AnswerCount struct {
	TemplateID, Audience, ProfessionalRole, QuestionID, QuestionType string
	Score                                                            *int
	Choice                                                           string
	N                                                                int64
}

// SurveyAnswerCounts groups the answers submitted in [from, to], optionally for one template and
// one point in the pathway. Anonymous answers belong to no child, so a locality or organisation
// filter leaves them out.
func (tx *Tx) SurveyAnswerCounts(from, to time.Time, f ReportFilter, templateID, point string) ([]AnswerCount, error) {
	q := f.children(between(tx.db.Table("survey_answers a"), "a.submitted_on", from, to), "a.young_person_id")
	if templateID != "" {
		q = q.Where("a.template_id = ?", templateID)
	}
	if point != "" {
		q = q.Where("a.point = ?", point)
	}
	var out []AnswerCount
	err := q.Select(`a.template_id, a.audience, COALESCE(a.professional_role, '') AS professional_role, a.question_id, a.question_type,
		a.score, COALESCE(a.choice, '') AS choice, COUNT(*) AS n`).
		Group("a.template_id, a.audience, COALESCE(a.professional_role, ''), a.question_id, a.question_type, a.score, COALESCE(a.choice, '')").
		Scan(&out).Error
	return out, translate(err)
}

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
// [from, to], for the children the filter selects.
func (tx *Tx) EHCTimeliness(from, to time.Time, f ReportFilter) (Timeliness, error) {
	var out Timeliness
	var dec struct{ N, Within, Adjusted int }
	err := f.children(between(tx.db.Table("ehc_requests"), "decided_on", from, to), "young_person_id").Select(`COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN decided_on <= decision_raw_due_on THEN 1 ELSE 0 END), 0) AS within,
		COALESCE(SUM(CASE WHEN decided_on <= decision_due_on THEN 1 ELSE 0 END), 0) AS adjusted`).Scan(&dec).Error
	if err != nil {
		return out, translate(err)
	}
	out.Decisions, out.DecisionsWithin, out.DecisionsWithinAdjusted = dec.N, dec.Within, dec.Adjusted
	var plans struct{ N, Within, Adjusted, Plain, PlainWithin int }
	err = f.children(between(tx.db.Table("ehc_requests"), "plan_issued_on", from, to), "young_person_id").Select(`COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN plan_issued_on <= final_plan_raw_due_on THEN 1 ELSE 0 END), 0) AS within,
		COALESCE(SUM(CASE WHEN plan_issued_on <= final_plan_due_on THEN 1 ELSE 0 END), 0) AS adjusted,
		COALESCE(SUM(CASE WHEN NOT week20 THEN 1 ELSE 0 END), 0) AS plain,
		COALESCE(SUM(CASE WHEN NOT week20 AND plan_issued_on <= final_plan_raw_due_on THEN 1 ELSE 0 END), 0) AS plain_within`).Scan(&plans).Error
	if err != nil {
		return out, translate(err)
	}
	out.Plans, out.PlansWithin, out.PlansWithinAdjusted = plans.N, plans.Within, plans.Adjusted
	out.PlansNoExceptions, out.PlansNoExceptionsWithin = plans.Plain, plans.PlainWithin
	var rev struct{ N, Held, Decided int }
	err = f.children(between(tx.db.Table("annual_reviews").Where("status = ?", "decided"), "decided_on", from, to), "young_person_id").Select(`COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN meeting_on <= due_on THEN 1 ELSE 0 END), 0) AS held,
		COALESCE(SUM(CASE WHEN decided_on <= decision_due_on THEN 1 ELSE 0 END), 0) AS decided`).Scan(&rev).Error
	if err != nil {
		return out, translate(err)
	}
	out.Reviews, out.ReviewsHeldOnTime, out.ReviewsDecidedOnTime = rev.N, rev.Held, rev.Decided
	return out, nil
}

// TransitionSnapshot is the transition report's counts on one day.
type TransitionSnapshot struct {
	// Young people in the age range with an open referral or an EHC plan in force, with and
	// without a current transition plan.
	WithPlan, WithoutPlan int64
	// EHC plans in force expected to end in the window, by why: the transition plan's expected
	// end, or the upper age limit; Ending counts each plan once.
	Ending, EndingExpected, EndingMaxAge int64
}

// Transitions counts the snapshot for the children the filter selects.
func (tx *Tx) Transitions(q GapQuery, ending UpcomingQuery, f ReportFilter) (TransitionSnapshot, error) {
	var out TransitionSnapshot
	on := fromDate(q.AsOf)
	col := "young_people.id"
	var pop struct{ With, Total int64 }
	err := f.children(tx.db.Table("young_people"), col).Select(`COALESCE(SUM(CASE WHEN `+transitionPlanOn(col)+` THEN 1 ELSE 0 END), 0) AS with,
		COUNT(*) AS total`, on, on).
		Where("young_people.date_of_birth <= ? AND young_people.date_of_birth > ?", fromDate(q.BornBy), fromDate(q.BornAfter)).
		Where("("+openReferralOn(col)+" OR "+ehcPlanOn(col)+")", closedReferralStatuses, on, on, on).Scan(&pop).Error
	if err != nil {
		return out, translate(err)
	}
	out.WithPlan, out.WithoutPlan = pop.With, pop.Total-pop.With
	through := fromDate(ending.Through)
	expected := `EXISTS (SELECT 1 FROM transition_plans t WHERE t.young_person_id = p.young_person_id AND t.started_on <= ? AND (t.ended_on IS NULL OR t.ended_on > ?)
		AND t.ehc_plan_expected_end_on > ? AND t.ehc_plan_expected_end_on <= ?)`
	maxAge := "1 = 0"
	var maxAgeArgs []any
	if !ending.MaxAgeEnd.Empty() {
		maxAge = "(yp.date_of_birth >= ? AND yp.date_of_birth <= ?)"
		maxAgeArgs = []any{fromDate(ending.MaxAgeEnd.From), fromDate(ending.MaxAgeEnd.Through)}
	}
	// Each plan in force is flagged once for each reason, then the flags are added up.
	plans := f.children(tx.db.Table("ehc_plans p"), "p.young_person_id").Joins("JOIN young_people yp ON yp.id = p.young_person_id").
		Select(`CASE WHEN `+expected+` THEN 1 ELSE 0 END AS expected, CASE WHEN `+maxAge+` THEN 1 ELSE 0 END AS max_age`,
			append([]any{on, on, on, through}, maxAgeArgs...)...).
		Where(planInForce+" AND (p.first_issued_on IS NULL OR p.first_issued_on <= ?)", on, on)
	var end struct{ Ending, Expected, MaxAge int64 }
	err = tx.db.Table("(?) x", plans).Select(`COALESCE(SUM(x.expected), 0) AS expected, COALESCE(SUM(x.max_age), 0) AS max_age,
		COALESCE(SUM(CASE WHEN x.expected = 1 OR x.max_age = 1 THEN 1 ELSE 0 END), 0) AS ending`).Scan(&end).Error
	if err != nil {
		return out, translate(err)
	}
	out.Ending, out.EndingExpected, out.EndingMaxAge = end.Ending, end.Expected, end.MaxAge
	return out, nil
}

// Funnel holds, for the referrals received in a period, how many reached each stage and the
// spread of whole days it took each of them: from receipt, and from the stage before (counts of
// referrals by number of days), from which the caller takes medians.
type Funnel struct {
	Reached                  Counts
	FromReceived, FromBefore map[string]map[int]int64
}

// Funnel groups the stages of the referrals received in [from, to] by stage and days. Each
// grouping reads one covering index over the period.
func (tx *Tx) Funnel(from, to time.Time, f ReportFilter) (Funnel, error) {
	out := Funnel{Reached: Counts{}, FromReceived: map[string]map[int]int64{}, FromBefore: map[string]map[int]int64{}}
	for _, g := range []struct {
		col  string
		into map[string]map[int]int64
	}{{"s.days_from_received", out.FromReceived}, {"s.days_from_previous", out.FromBefore}} {
		var rows []struct {
			Stage string
			Days  *int
			N     int64
		}
		err := f.referrals(between(tx.db.Table("referral_stages s"), "s.received_on", from, to), "s").
			Select("s.stage, " + g.col + " AS days, COUNT(*) AS n").Group("s.stage, " + g.col).Scan(&rows).Error
		if err != nil {
			return out, translate(err)
		}
		for _, r := range rows {
			if g.col == "s.days_from_received" {
				out.Reached[r.Stage] += r.N
			}
			if r.Days == nil {
				continue
			}
			if g.into[r.Stage] == nil {
				g.into[r.Stage] = map[int]int64{}
			}
			g.into[r.Stage][*r.Days] += r.N
		}
	}
	return out, nil
}
