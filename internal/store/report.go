package store

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/transition"
	"gorm.io/gorm"
)

// Reports are grouped queries: the database counts, Go only adds up the groups it returns. Dates
// are YYYY-MM-DD text on both databases, so period bounds are plain string comparisons.

// reportScope is a report's filter as the queries apply it.
type reportScope struct {
	report.Filter
	// driven: an organisation's children are found from its involvements and their records
	// through the indexes by child (reasons and stages, which have none, through their
	// referrals), so that a query reads the organisation's children's records, not the period's.
	driven bool
	// orgCounted: the organisation's maintained totals are read for whole months (migration
	// 0110), corrected for the children still marked.
	orgCounted bool
}

// scopeOf is the scope of the filter: driven by the organisation's children unless the reports
// are made to scan.
func scopeOf(f report.Filter) reportScope {
	return reportScope{Filter: f, driven: f.OrganisationID != "" && !scanReports.Load()}
}

// organisation restricts q, whose young person id column is col, to the organisation's children.
func (sc reportScope) organisation(q *gorm.DB, col string) *gorm.DB {
	if sc.OrganisationID == "" {
		return q
	}
	if sc.orgCounted && strings.Contains(col, ".") { // qualified, or the probe would compare the involvement with itself
		// Only the days at the ends of the period are scanned: a probe of the organisation's
		// involvements for each of their few records (OFFSET keeps PostgreSQL from turning it into
		// a join that hashes all of the council's children, once per query; it drops a bare LIMIT).
		return q.Where("EXISTS (SELECT 1 FROM involvements i WHERE i.organisation_id = ? AND i.young_person_id = "+col+" LIMIT 1 OFFSET 0)", sc.OrganisationID)
	}
	return q.Where(col+" IN (SELECT young_person_id FROM involvements WHERE organisation_id = ?)", sc.OrganisationID)
}

// reportChildren restricts q, whose young person id column is col, to the filter.
func reportChildren(f report.Filter, q *gorm.DB, col string) *gorm.DB {
	return scopeChildren(reportScope{Filter: f}, q, col)
}

// scopeChildren restricts q, whose young person id column is col, to the scope: the child's
// locality now, and the organisations that know the child.
func scopeChildren(sc reportScope, q *gorm.DB, col string) *gorm.DB {
	if sc.Locality != "" {
		q = q.Where(col+" IN (SELECT id FROM young_people WHERE locality_key = ?)", localityKey(sc.Locality))
	}
	return sc.organisation(q, col)
}

// scopeReferrals restricts q over a table carrying a referral's dimensions (referrals, and the
// referral_reasons and referral_stages kept beside them), aliased a, to the scope: the child's
// locality when referred, and the organisations that know the child. byReferral says a is a
// reason or a stage, which has no index by child: when driven, the organisation's children are
// then found through their referrals.
func scopeReferrals(sc reportScope, q *gorm.DB, a string, byReferral bool) *gorm.DB {
	if sc.Locality != "" {
		q = q.Where(a+".locality_key = ?", localityKey(sc.Locality))
	}
	if byReferral && sc.driven {
		return q.Where(a+".referral_id IN (SELECT k.id FROM referrals k WHERE k.young_person_id IN "+
			"(SELECT young_person_id FROM involvements WHERE organisation_id = ?))", sc.OrganisationID)
	}
	return sc.organisation(q, a+".young_person_id")
}

// between is the condition "col falls in [from, to]".
func between(q *gorm.DB, col string, from, to time.Time) *gorm.DB {
	return q.Where(col+" >= ? AND "+col+" <= ?", fromDate(from), fromDate(to))
}

// countBy runs q (selecting a category column k and a count n) into report.Counts.
func countBy(q *gorm.DB) (report.Counts, error) {
	var rows []struct {
		K string
		N int64
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := report.Counts{}
	for _, r := range rows {
		out[r.K] += r.N
	}
	return out, nil
}

// Activity counts the pathway's activity in [from, to].
func (tx reportRepo) Activity(from, to time.Time, f report.Filter) (a report.ActivityFigures, err error) {
	sc, err := tx.scopeFor(f)
	if err != nil {
		return a, err
	}
	a = report.ActivityFigures{ByReason: report.Counts{}, ByMainReason: report.Counts{}, BySettingType: report.Counts{}, ByLocality: report.Counts{},
		ByRoute: report.Counts{}, LocalityNames: map[string]string{}, Settings: report.Counts{}, Meetings: report.Counts{}, Disputes: report.Counts{}}
	// A setting counts once however many parts of the period it referred in.
	settings := map[string]string{}
	for _, sp := range spansOf(from, to, sc) {
		var part report.ActivityFigures
		var set map[string]string
		if sp.months {
			part, set, err = tx.activityFromCounts(sp.monthFrom(), sp.monthTo(), sc)
		} else {
			part, set, err = tx.activityScan(sp.from, sp.to, sc)
		}
		if err != nil {
			return a, err
		}
		addActivity(&a, part)
		for id, typ := range set {
			settings[id] = typ
		}
	}
	for _, typ := range settings {
		a.Settings[typ]++
	}
	return a, nil
}

// addActivity adds part's figures to a's.
func addActivity(a *report.ActivityFigures, part report.ActivityFigures) {
	a.Referrals += part.Referrals
	for _, c := range [][2]report.Counts{{a.ByReason, part.ByReason}, {a.ByMainReason, part.ByMainReason}, {a.BySettingType, part.BySettingType},
		{a.ByLocality, part.ByLocality}, {a.ByRoute, part.ByRoute}, {a.Meetings, part.Meetings}, {a.Disputes, part.Disputes}} {
		for k, n := range c[1] {
			c[0][k] += n
		}
	}
	for k, name := range part.LocalityNames {
		localityName(a.LocalityNames, k, name)
	}
	a.EHCRequests += part.EHCRequests
	a.AssessmentsStarted += part.AssessmentsStarted
	a.AssessmentsRefused += part.AssessmentsRefused
	a.PlansIssued += part.PlansIssued
}

// activityScan computes the activity in [from, to] from the records, with the settings that
// referred (id to type).
func (tx reportRepo) activityScan(from, to time.Time, sc reportScope) (a report.ActivityFigures, settings map[string]string, err error) {
	referrals := func() *gorm.DB {
		return scopeReferrals(sc, between(tx.q().Table("referrals r"), "r.received_on", from, to), "r", false)
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
		return a, nil, translate(err)
	}
	a.ByMainReason, a.BySettingType, a.ByLocality, a.ByRoute, a.LocalityNames = report.Counts{}, report.Counts{}, report.Counts{}, report.Counts{}, map[string]string{}
	for _, c := range cube {
		a.Referrals += c.N
		a.ByMainReason[c.MainReason] += c.N
		a.BySettingType[c.SettingType] += c.N
		a.ByLocality[c.Locality] += c.N
		a.ByRoute[c.Route] += c.N
		if c.LocalityName != "" {
			localityName(a.LocalityNames, c.Locality, c.LocalityName)
		}
	}
	if a.ByReason, err = countBy(scopeReferrals(sc, between(tx.q().Table("referral_reasons rr"), "rr.received_on", from, to), "rr", true).
		Select("rr.reason AS k, COUNT(*) AS n").Group("rr.reason")); err != nil {
		return a, nil, err
	}
	// Distinct settings first, then their types.
	var set []struct{ ID, Type string }
	if err = tx.q().Table("(?) d", referrals().Distinct("r.referrer_organisation_id")).
		Select("CAST(d.referrer_organisation_id AS text) AS id, o.type AS type").
		Joins("JOIN organisations o ON o.id = d.referrer_organisation_id").Scan(&set).Error; err != nil {
		return a, nil, translate(err)
	}
	settings = map[string]string{}
	for _, s := range set {
		settings[s.ID] = s.Type
	}
	if a.Meetings, err = countBy(scopeChildren(sc, between(tx.q().Table("meetings m"), "m.held_on", from, to), "m.young_person_id").
		Select("m.type AS k, COUNT(*) AS n").Group("m.type")); err != nil {
		return a, nil, err
	}
	if a.Disputes, err = countBy(scopeChildren(sc, between(tx.q().Table("disputes d"), "d.received_on", from, to), "d.young_person_id").
		Select("d.kind AS k, COUNT(*) AS n").Group("d.kind")); err != nil {
		return a, nil, err
	}
	var ehc struct{ Received, Started, Refused, Issued int64 }
	f0, t0 := fromDate(from), fromDate(to)
	err = scopeChildren(sc, tx.q().Table("ehc_requests e"), "e.young_person_id").Select(`
		COALESCE(SUM(CASE WHEN e.received_on >= ? AND e.received_on <= ? THEN 1 ELSE 0 END), 0) AS received,
		COALESCE(SUM(CASE WHEN e.decision = 'assess' AND e.decided_on >= ? AND e.decided_on <= ? THEN 1 ELSE 0 END), 0) AS started,
		COALESCE(SUM(CASE WHEN e.decision = 'not_assess' AND e.decided_on >= ? AND e.decided_on <= ? THEN 1 ELSE 0 END), 0) AS refused,
		COALESCE(SUM(CASE WHEN e.plan_issued_on >= ? AND e.plan_issued_on <= ? THEN 1 ELSE 0 END), 0) AS issued`,
		f0, t0, f0, t0, f0, t0, f0, t0).
		Where("(e.received_on >= ? AND e.received_on <= ?) OR (e.decided_on >= ? AND e.decided_on <= ?) OR (e.plan_issued_on >= ? AND e.plan_issued_on <= ?)",
			f0, t0, f0, t0, f0, t0).Scan(&ehc).Error
	if err != nil {
		return a, nil, translate(err)
	}
	a.EHCRequests, a.AssessmentsStarted, a.AssessmentsRefused, a.PlansIssued = ehc.Received, ehc.Started, ehc.Refused, ehc.Issued
	return a, settings, nil
}

// answerKey is one group of survey answers.
type answerKey struct {
	TemplateID, Audience, ProfessionalRole, QuestionID, QuestionType, Choice string
	Score                                                                    int
	HasScore                                                                 bool
}

// SurveyAnswerCounts groups the answers submitted in [from, to], optionally for one template and
// one point in the pathway. Anonymous answers belong to no child, so a locality or organisation
// filter leaves them out. The groups come back in a fixed order, whichever way they were counted.
func (tx reportRepo) SurveyAnswerCounts(from, to time.Time, f report.Filter, templateID, point string) ([]report.AnswerCount, error) {
	sc, err := tx.scopeFor(f)
	if err != nil {
		return nil, err
	}
	groups := map[answerKey]int64{}
	for _, sp := range spansOf(from, to, sc) {
		if sp.months {
			err = tx.answersFromCounts(sp.monthFrom(), sp.monthTo(), sc, templateID, point, groups)
		} else {
			err = tx.answersScan(sp.from, sp.to, sc, templateID, point, groups)
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]report.AnswerCount, 0, len(groups))
	for k, n := range groups {
		c := report.AnswerCount{TemplateID: k.TemplateID, Audience: k.Audience, ProfessionalRole: k.ProfessionalRole, QuestionID: k.QuestionID,
			QuestionType: k.QuestionType, Choice: k.Choice, N: n}
		if k.HasScore {
			score := k.Score
			c.Score = &score
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b report.AnswerCount) int {
		return cmp.Or(cmp.Compare(a.TemplateID, b.TemplateID), cmp.Compare(a.Audience, b.Audience), cmp.Compare(a.ProfessionalRole, b.ProfessionalRole),
			cmp.Compare(a.QuestionID, b.QuestionID), cmp.Compare(a.QuestionType, b.QuestionType), cmp.Compare(scoreOf(a.Score), scoreOf(b.Score)),
			cmp.Compare(a.Choice, b.Choice))
	})
	return out, nil
}

func scoreOf(s *int) int {
	if s == nil {
		return math.MinInt
	}
	return *s
}

// SurveyTemplates loads the templates with the ids given, with their question sets.
func (tx reportRepo) SurveyTemplates(ids []string) (map[string]survey.Template, error) {
	out := map[string]survey.Template{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []surveyTemplateRow
	if err := tx.q().Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	var versions []surveyTemplateVersionRow
	if err := tx.q().Where("template_id IN ?", ids).Order("template_id, number").Find(&versions).Error; err != nil {
		return nil, translate(err)
	}
	byTemplate := map[string][]surveyTemplateVersionRow{}
	for _, v := range versions {
		byTemplate[v.TemplateID] = append(byTemplate[v.TemplateID], v)
	}
	for _, r := range rows {
		out[r.ID] = r.toDomain(byTemplate[r.ID])
	}
	return out, nil
}

// answersScan adds the answers submitted in [from, to] to into, counted from the records.
func (tx reportRepo) answersScan(from, to time.Time, sc reportScope, templateID, point string, into map[answerKey]int64) error {
	q := scopeChildren(sc, between(tx.q().Table("survey_answers a"), "a.submitted_on", from, to), "a.young_person_id")
	if templateID != "" {
		q = q.Where("a.template_id = ?", templateID)
	}
	if point != "" {
		q = q.Where("a.point = ?", point)
	}
	var rows []report.AnswerCount
	err := q.Select(`a.template_id, a.audience, COALESCE(a.professional_role, '') AS professional_role, a.question_id, a.question_type,
		a.score, COALESCE(a.choice, '') AS choice, COUNT(*) AS n`).
		Group("a.template_id, a.audience, COALESCE(a.professional_role, ''), a.question_id, a.question_type, a.score, COALESCE(a.choice, '')").
		Scan(&rows).Error
	if err != nil {
		return translate(err)
	}
	for _, r := range rows {
		k := answerKey{TemplateID: r.TemplateID, Audience: r.Audience, ProfessionalRole: r.ProfessionalRole, QuestionID: r.QuestionID,
			QuestionType: r.QuestionType, Choice: r.Choice}
		if r.Score != nil {
			k.Score, k.HasScore = *r.Score, true
		}
		into[k] += r.N
	}
	return nil
}

// EHCTimeliness counts the statutory timeliness of decisions, plans and reviews completed in
// [from, to], for the children the filter selects.
func (tx reportRepo) EHCTimeliness(from, to time.Time, f report.Filter) (out report.TimelinessFigures, err error) {
	sc, err := tx.scopeFor(f)
	if err != nil {
		return out, err
	}
	for _, sp := range spansOf(from, to, sc) {
		var part report.TimelinessFigures
		if sp.months {
			part, err = tx.timelinessFromCounts(sp.monthFrom(), sp.monthTo(), sc)
		} else {
			part, err = tx.timelinessScan(sp.from, sp.to, sc)
		}
		if err != nil {
			return out, err
		}
		out = addTimeliness(out, part)
	}
	return out, nil
}

func addTimeliness(a, b report.TimelinessFigures) report.TimelinessFigures {
	a.Decisions += b.Decisions
	a.DecisionsWithin += b.DecisionsWithin
	a.DecisionsWithinAdjusted += b.DecisionsWithinAdjusted
	a.Plans += b.Plans
	a.PlansWithin += b.PlansWithin
	a.PlansWithinAdjusted += b.PlansWithinAdjusted
	a.PlansNoExceptions += b.PlansNoExceptions
	a.PlansNoExceptionsWithin += b.PlansNoExceptionsWithin
	a.Reviews += b.Reviews
	a.ReviewsHeldOnTime += b.ReviewsHeldOnTime
	a.ReviewsDecidedOnTime += b.ReviewsDecidedOnTime
	return a
}

// timelinessScan computes EHCTimeliness over [from, to] from the records.
func (tx reportRepo) timelinessScan(from, to time.Time, sc reportScope) (report.TimelinessFigures, error) {
	var out report.TimelinessFigures
	var dec struct{ N, Within, Adjusted int }
	err := scopeChildren(sc, between(tx.q().Table("ehc_requests"), "decided_on", from, to), "ehc_requests.young_person_id").Select(`COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN decided_on <= decision_raw_due_on THEN 1 ELSE 0 END), 0) AS within,
		COALESCE(SUM(CASE WHEN decided_on <= decision_due_on THEN 1 ELSE 0 END), 0) AS adjusted`).Scan(&dec).Error
	if err != nil {
		return out, translate(err)
	}
	out.Decisions, out.DecisionsWithin, out.DecisionsWithinAdjusted = dec.N, dec.Within, dec.Adjusted
	var plans struct{ N, Within, Adjusted, Plain, PlainWithin int }
	err = scopeChildren(sc, between(tx.q().Table("ehc_requests"), "plan_issued_on", from, to), "ehc_requests.young_person_id").Select(`COUNT(*) AS n,
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
	err = scopeChildren(sc, between(tx.q().Table("annual_reviews").Where("status = ?", "decided"), "decided_on", from, to), "annual_reviews.young_person_id").Select(`COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN meeting_on <= due_on THEN 1 ELSE 0 END), 0) AS held,
		COALESCE(SUM(CASE WHEN decided_on <= decision_due_on THEN 1 ELSE 0 END), 0) AS decided`).Scan(&rev).Error
	if err != nil {
		return out, translate(err)
	}
	out.Reviews, out.ReviewsHeldOnTime, out.ReviewsDecidedOnTime = rev.N, rev.Held, rev.Decided
	return out, nil
}

// Transitions counts the snapshot for the children the filter selects: the report's own snapshot
// (report.TransitionQueries) from the stored spans (transitionsFromSpans), any other by scanning.
func (tx reportRepo) Transitions(q transition.GapQuery, ending transition.UpcomingQuery, f report.Filter) (out report.TransitionSnapshot, err error) {
	if !scanReports.Load() && report.IsTransitionQueries(q, ending) {
		// Unless so many young people are still marked (after an upgrade, or in a burst of
		// writes the fold has not caught up with) that correcting for each would cost more than
		// the scan.
		marks, above, err := tx.transitionMarks()
		if err != nil {
			return out, err
		}
		if marks <= above {
			return tx.transitionsFromSpans(q.AsOf, f)
		}
	}
	err = tx.withoutJIT(func(db *gorm.DB) error {
		out, err = transitionsIn(db, q, ending, f)
		return err
	})
	return out, err
}

// transitionMarks counts the young people marked for the transitions report, up to one more than
// above, the most it corrects for rather than scanning. Correcting costs about 50 microseconds a
// young person marked and the scan about 2 a young person (1.9 s at 1,000,000 referrals), so on
// PostgreSQL above is the young people's number (as last analysed) over transitionScanPer, and
// never less than transitionScanAbove (a small council's few thousand marks cost a fraction of
// a second either way; SQLite always uses it).
func (tx reportRepo) transitionMarks() (marks, above int64, err error) {
	var n struct{ Above, Marks int64 }
	if tx.dialect == Postgres {
		err = tx.q().Raw(`SELECT t.above, (SELECT COUNT(*) FROM (SELECT 1 FROM transition_dirty LIMIT t.above + 1) x) AS marks
			FROM (SELECT GREATEST(?, CAST((SELECT reltuples FROM pg_class WHERE oid = 'young_people'::regclass) AS bigint) / ?) AS above) t`,
			transitionScanAbove, transitionScanPer).Scan(&n).Error
	} else {
		n.Above = int64(transitionScanAbove)
		err = tx.q().Raw(`SELECT COUNT(*) FROM (SELECT 1 FROM transition_dirty LIMIT ?) x`, transitionScanAbove+1).Scan(&n.Marks).Error
	}
	return n.Marks, n.Above, translate(err)
}

// withoutJIT runs fn with PostgreSQL's JIT compilation off for its queries: the transitions
// snapshot's correlated EXISTS over a whole age cohort is costed high enough to be compiled, and
// compiling it took longer than running it (about 1.9 s of 3.2 s at 200,000 referrals). Outside a
// transaction fn runs in one of its own, so that SET LOCAL lasts for fn and no longer; inside
// one the setting lasts to its end.
func (tx reportRepo) withoutJIT(fn func(db *gorm.DB) error) error {
	q := tx.q() // begins the transaction first if writes are waiting to be sent
	if tx.dialect != Postgres {
		return fn(q)
	}
	if tx.tx != nil {
		if err := q.Exec("SET LOCAL jit = off").Error; err != nil {
			return translate(err)
		}
		return fn(q)
	}
	return translate(q.Transaction(func(db *gorm.DB) error {
		if err := db.Exec("SET LOCAL jit = off").Error; err != nil {
			return err
		}
		return fn(db)
	}))
}

// transitionsIn is Transitions on db.
func transitionsIn(db *gorm.DB, q transition.GapQuery, ending transition.UpcomingQuery, f report.Filter) (report.TransitionSnapshot, error) {
	var out report.TransitionSnapshot
	on := fromDate(q.AsOf)
	col := "young_people.id"
	var pop struct{ With, Total int64 }
	err := reportChildren(f, db.Table("young_people"), col).Select(`COALESCE(SUM(CASE WHEN `+transitionPlanOn(col)+` THEN 1 ELSE 0 END), 0) AS with,
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
	plans := reportChildren(f, db.Table("ehc_plans p"), "p.young_person_id").Joins("JOIN young_people yp ON yp.id = p.young_person_id").
		Select(`CASE WHEN `+expected+` THEN 1 ELSE 0 END AS expected, CASE WHEN `+maxAge+` THEN 1 ELSE 0 END AS max_age`,
			append([]any{on, on, on, through}, maxAgeArgs...)...).
		Where(planInForce+" AND (p.first_issued_on IS NULL OR p.first_issued_on <= ?)", on, on)
	var end struct{ Ending, Expected, MaxAge int64 }
	err = db.Table("(?) x", plans).Select(`COALESCE(SUM(x.expected), 0) AS expected, COALESCE(SUM(x.max_age), 0) AS max_age,
		COALESCE(SUM(CASE WHEN x.expected = 1 OR x.max_age = 1 THEN 1 ELSE 0 END), 0) AS ending`).Scan(&end).Error
	if err != nil {
		return out, translate(err)
	}
	out.Ending, out.EndingExpected, out.EndingMaxAge = end.Ending, end.Expected, end.MaxAge
	return out, nil
}

// Funnel groups the stages of the referrals received in [from, to] by stage and days. Each
// grouping reads one covering index over the period.
func (tx reportRepo) Funnel(from, to time.Time, f report.Filter) (report.FunnelFigures, error) {
	out := report.FunnelFigures{Reached: report.Counts{}, FromReceived: map[string]map[int]int64{}, FromBefore: map[string]map[int]int64{}}
	sc, err := tx.scopeFor(f)
	if err != nil {
		return out, err
	}
	for _, sp := range spansOf(from, to, sc) {
		if sp.months {
			err = tx.funnelFromCounts(sp.monthFrom(), sp.monthTo(), sc, out)
		} else {
			err = tx.funnelScan(sp.from, sp.to, sc, out)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// funnelScan adds the stages of the referrals received in [from, to] to out, from the records.
func (tx reportRepo) funnelScan(from, to time.Time, sc reportScope, out report.FunnelFigures) error {
	for _, g := range []struct {
		col  string
		into map[string]map[int]int64
	}{{"s.days_from_received", out.FromReceived}, {"s.days_from_previous", out.FromBefore}} {
		var rows []struct {
			Stage string
			Days  *int
			N     int64
		}
		err := scopeReferrals(sc, between(tx.q().Table("referral_stages s"), "s.received_on", from, to), "s", true).
			Select("s.stage, " + g.col + " AS days, COUNT(*) AS n").Group("s.stage, " + g.col).Scan(&rows).Error
		if err != nil {
			return translate(err)
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
	return nil
}
