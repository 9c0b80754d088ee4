package casework

import (
	"cmp"
	"context"
	"slices"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// EHCTimeliness reports the statutory timeliness of what was completed in [from, to]. It holds
// exact counts, so it is for the SEND team; reading it is not audited per child.
func (s *Service) EHCTimeliness(ctx context.Context, from, to timeDay) (out report.TimelinessFigures, err error) {
	if _, err := allow(ctx, auth.ReadExactReports); err != nil {
		return out, err
	}
	if to.Before(from) {
		return out, fault.Field(fault.Invalid, "/to", "must not be before from")
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		out, err = tx.Reports().EHCTimeliness(from, to, report.Filter{})
		return err
	})
	return out, err
}

// Report kinds.
const (
	ReportActivity    = report.Activity
	ReportExperience  = report.Experience
	ReportTimeliness  = report.Timeliness
	ReportTransitions = report.Transitions
	ReportFunnel      = report.Funnel
)

// Disclosure modes a caller may ask for.
const (
	DisclosureExact = "exact"
	DisclosureOpen  = "open"
)

// ReportQuery is what a caller asks a report for.
type ReportQuery struct {
	From, To   timeDay
	Filter     report.Filter
	Compare    bool   // also the previous period of equal length
	Disclosure string // "", DisclosureExact or DisclosureOpen
	// Experience only: one template, one point in the pathway.
	TemplateID, Point string
}

// Report computes one report for a signed-in caller. The SEND team gets exact figures unless it
// asks for open output; analysts only ever get disclosure-controlled output. Reports hold counts,
// never a child, so reading one is not audited per child.
func (s *Service) Report(ctx context.Context, kind string, q ReportQuery) (report.Report, error) {
	p, err := allow(ctx, auth.ReadReports)
	if err != nil {
		return report.Report{}, err
	}
	exact := p.Can(auth.ReadExactReports)
	switch q.Disclosure {
	case DisclosureOpen:
		exact = false
	case DisclosureExact:
		if !exact {
			return report.Report{}, fault.New(fault.Forbidden, "Your role ("+string(p.Role)+") receives disclosure-controlled figures only; ask for disclosure=open.")
		}
	}
	return s.buildReport(ctx, kind, q, !exact)
}

// OpenDataReport computes a report for anyone, without credentials: only the reports the council
// publishes, and always disclosure-controlled.
func (s *Service) OpenDataReport(ctx context.Context, kind string, q ReportQuery) (report.Report, error) {
	if !slices.Contains(s.opts.OpenData, kind) {
		return report.Report{}, fault.New(fault.NotFound, "This council does not publish this report as open data.")
	}
	return s.buildReport(ctx, kind, q, true)
}

func (s *Service) buildReport(ctx context.Context, kind string, q ReportQuery, controlled bool) (r report.Report, err error) {
	period, err := report.NewPeriod(q.From, q.To)
	if err != nil {
		return r, err
	}
	build, ok := reportBuilders[kind]
	if !ok {
		return r, fault.New(fault.NotFound, "No such report.")
	}
	r = report.Report{Kind: kind, Period: period}
	periods := []report.Period{period}
	if q.Compare {
		prev := period.Previous()
		r.Previous = &prev
		periods = append(periods, prev)
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error { return build(s, tx, &r, periods, q) })
	if err != nil {
		return r, err
	}
	if controlled {
		r.Apply(s.opts.Disclosure)
	} else {
		// Exact figures; the council's policy is shown for what open output would withhold.
		d := s.opts.Disclosure
		r.Control = report.Control{Threshold: d.Threshold, Rounding: d.Rounding, ShowZeros: d.ShowZeros}
	}
	return r, nil
}

// A reportBuilder fills r's tables from the database for each period (the current one first,
// then the previous one when comparing).
type reportBuilder func(s *Service, tx *store.Tx, r *report.Report, periods []report.Period, q ReportQuery) error

var reportBuilders = map[string]reportBuilder{
	ReportActivity:    (*Service).activityReport,
	ReportExperience:  (*Service).experienceReport,
	ReportTimeliness:  (*Service).timelinessReport,
	ReportTransitions: (*Service).transitionsReport,
	ReportFunnel:      (*Service).funnelReport,
}

// figures is one figure per period: the current one and, when comparing, the previous one.
type figures []int64

// row makes a report row for one count keyed key.
func row(category, label, measure, key string, n figures) report.Row {
	out := report.Row{Category: category, Label: label, Measure: measure, Current: report.Count(key, n[0])}
	if len(n) > 1 {
		c := report.Count(report.PreviousKey(key), n[1])
		out.Previous = &c
	}
	return out
}

// each runs f for every period, collecting what it returns.
func each[T any](periods []report.Period, f func(report.Period) (T, error)) ([]T, error) {
	out := make([]T, len(periods))
	for i, p := range periods {
		var err error
		if out[i], err = f(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pick gathers one number from each period's result.
func pick[T any](in []T, f func(T) int64) figures {
	out := make(figures, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// breakdown adds a table of counts by category, current against previous.
func breakdown[T any](r *report.Report, in []T, name, title, dimension, measure string, cats []report.Category, counts func(T) report.Counts,
	totalKey string, total figures, additive bool) {
	var prev map[string]int64
	var prevTotal int64
	if len(in) > 1 {
		prev, prevTotal = counts(in[1]), total[1]
	}
	r.Breakdown(name, "", title, dimension, measure, cats, counts(in[0]), prev, totalKey, total[0], prevTotal, additive)
}

func (s *Service) activityReport(tx *store.Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	r.Title = "Activity"
	acts, err := each(periods, func(p report.Period) (report.ActivityFigures, error) {
		return tx.Reports().Activity(p.From, p.To, q.Filter)
	})
	if err != nil {
		return err
	}
	referrals := pick(acts, func(a report.ActivityFigures) int64 { return a.Referrals })
	settings := pick(acts, func(a report.ActivityFigures) int64 { return sum(a.Settings) })
	meetings := pick(acts, func(a report.ActivityFigures) int64 { return sum(a.Meetings) })
	disputes := func(k dispute.Kind) figures {
		return pick(acts, func(a report.ActivityFigures) int64 { return a.Disputes[string(k)] })
	}
	r.Tables = append(r.Tables, report.Table{Name: "summary", Title: "Activity in the period", Dimension: "measure", Rows: []report.Row{
		row("referrals", "Referrals received", "referrals", "referrals", referrals),
		row("referring_settings", "Settings that referred", "settings", "settings", settings),
		row("meetings", "Meetings held", "meetings", "meetings", meetings),
		row("ehc_requests", "EHC needs assessment requests received", "requests", "ehc:requests",
			pick(acts, func(a report.ActivityFigures) int64 { return a.EHCRequests })),
		row("ehc_assessments_started", "EHC needs assessments started (decisions to assess)", "assessments", "ehc:started",
			pick(acts, func(a report.ActivityFigures) int64 { return a.AssessmentsStarted })),
		row("ehc_assessments_refused", "Decisions not to assess", "requests", "ehc:refused",
			pick(acts, func(a report.ActivityFigures) int64 { return a.AssessmentsRefused })),
		row("ehc_plans_issued", "First EHC plans issued", "plans", "ehc:issued", pick(acts, func(a report.ActivityFigures) int64 { return a.PlansIssued })),
		// The dispute figures are the breakdown's cells below, so they share its keys.
		row("tribunals", "Tribunal appeals received", "disputes", "disputes_by_kind:disputes:tribunal", disputes(dispute.Tribunal)),
		row("mediations", "Mediations received", "disputes", "disputes_by_kind:disputes:mediation", disputes(dispute.Mediation)),
		row("complaints", "Complaints received", "disputes", "disputes_by_kind:disputes:complaint", disputes(dispute.Complaint)),
	}})

	var reasons []report.Category
	for _, rs := range referral.Reasons {
		reasons = append(reasons, report.Category{Key: rs.Code, Label: rs.Label})
	}
	// A referral may give several reasons, so these do not add up to the total.
	breakdown(r, acts, "referrals_by_reason", "Referrals by reason given", "reason", "referrals", reasons,
		func(a report.ActivityFigures) report.Counts { return a.ByReason }, "referrals", referrals, false)
	breakdown(r, acts, "referrals_by_main_reason", "Referrals by main reason", "reason", "referrals", reasons,
		func(a report.ActivityFigures) report.Counts { return a.ByMainReason }, "referrals", referrals, true)
	var types []report.Category
	for _, t := range directory.OrganisationTypes {
		types = append(types, report.Category{Key: t.Code, Label: t.Label})
	}
	breakdown(r, acts, "referrals_by_setting_type", "Referrals by the type of setting that referred", "setting_type", "referrals", types,
		func(a report.ActivityFigures) report.Counts { return a.BySettingType }, "referrals", referrals, true)
	breakdown(r, acts, "settings_by_type", "Settings that referred, by type", "setting_type", "settings", types,
		func(a report.ActivityFigures) report.Counts { return a.Settings }, "settings", settings, true)
	var localities []report.Category
	for _, a := range acts {
		for k, name := range a.LocalityNames {
			if !slices.ContainsFunc(localities, func(c report.Category) bool { return c.Key == k }) {
				localities = append(localities, report.Category{Key: k, Label: name})
			}
		}
	}
	slices.SortFunc(localities, func(a, b report.Category) int { return cmp.Compare(a.Key, b.Key) })
	localities = append(localities, report.Category{Key: "", Label: "Not recorded"})
	breakdown(r, acts, "referrals_by_locality", "Referrals by the child's locality", "locality", "referrals", localities,
		func(a report.ActivityFigures) report.Counts { return a.ByLocality }, "referrals", referrals, true)
	routes := []report.Category{{Key: referral.RouteFamilyAssessment, Label: "Family assessment"},
		{Key: referral.RouteSafeguardingAssessment, Label: "Safeguarding assessment (CAFA)"}, {Key: "", Label: "Not accepted (yet)"}}
	breakdown(r, acts, "referrals_by_route", "Referrals by route after triage", "route", "referrals", routes,
		func(a report.ActivityFigures) report.Counts { return a.ByRoute }, "referrals", referrals, true)
	var meetingTypes []report.Category
	for _, t := range meeting.Types {
		meetingTypes = append(meetingTypes, report.Category{Key: t, Label: meeting.Label(t)})
	}
	breakdown(r, acts, "meetings_by_type", "Meetings held, by type", "meeting_type", "meetings", meetingTypes,
		func(a report.ActivityFigures) report.Counts { return a.Meetings }, "meetings", meetings, true)
	kinds := []report.Category{{Key: string(dispute.Tribunal), Label: "Tribunal appeals"}, {Key: string(dispute.Mediation), Label: "Mediations"},
		{Key: string(dispute.Complaint), Label: "Complaints"}}
	disputeTotal := pick(acts, func(a report.ActivityFigures) int64 { return sum(a.Disputes) })
	breakdown(r, acts, "disputes_by_kind", "Tribunal appeals, mediations and complaints received", "kind", "disputes", kinds,
		func(a report.ActivityFigures) report.Counts { return a.Disputes }, "disputes", disputeTotal, true)
	return nil
}

func sum(c report.Counts) int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// experienceReport: per template and respondent group, each question's responses, mean score
// (Likert) or share answering yes, and the distribution of answers.
func (s *Service) experienceReport(tx *store.Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	r.Title = "Experience"
	counts, err := each(periods, func(p report.Period) ([]report.AnswerCount, error) {
		return tx.Reports().SurveyAnswerCounts(p.From, p.To, q.Filter, q.TemplateID, q.Point)
	})
	if err != nil {
		return err
	}
	templates := map[string]survey.Template{}
	for _, cs := range counts {
		for _, c := range cs {
			if _, ok := templates[c.TemplateID]; !ok {
				t, err := tx.Surveys().Template(c.TemplateID)
				if err != nil {
					return err
				}
				templates[c.TemplateID] = t
			}
		}
	}
	if q.TemplateID != "" {
		if _, ok := templates[q.TemplateID]; !ok {
			t, err := tx.Surveys().Template(q.TemplateID)
			if fault.KindOf(err) == fault.NotFound {
				return fault.Field(fault.Invalid, "/query/template_id", "no such survey template")
			}
			if err != nil {
				return err
			}
			templates[q.TemplateID] = t
		}
	}
	r.Tables = append(r.Tables, experienceTables(templates, counts)...)
	return nil
}

// experienceTables lays out the answer counts: a "scores" table per template and respondent
// group, with a distribution table per question whose answers are counted by value.
func experienceTables(templates map[string]survey.Template, counts [][]report.AnswerCount) []report.Table {
	type groupKey struct{ template, respondent string }
	type tally struct {
		n     []int64            // responses per period
		sum   []float64          // sum of scores per period
		byVal []map[string]int64 // answers per value per period
	}
	periods := len(counts)
	groups := map[groupKey]map[string]*tally{}
	for i, cs := range counts {
		for _, c := range cs {
			g := groupKey{c.TemplateID, survey.Respondent(c.Audience, c.ProfessionalRole)}
			if groups[g] == nil {
				groups[g] = map[string]*tally{}
			}
			t := groups[g][c.QuestionID]
			if t == nil {
				t = &tally{n: make([]int64, periods), sum: make([]float64, periods), byVal: make([]map[string]int64, periods)}
				for j := range t.byVal {
					t.byVal[j] = map[string]int64{}
				}
				groups[g][c.QuestionID] = t
			}
			t.n[i] += c.N
			switch {
			case c.Score != nil:
				t.sum[i] += float64(*c.Score) * float64(c.N)
				t.byVal[i][survey.ScoreValue(c.QuestionType, *c.Score)] += c.N
			case c.Choice != "":
				t.byVal[i][c.Choice] += c.N
			}
		}
	}
	var keys []groupKey
	for g := range groups {
		keys = append(keys, g)
	}
	slices.SortFunc(keys, func(a, b groupKey) int {
		if c := cmp.Compare(templates[a.template].Code, templates[b.template].Code); c != 0 {
			return c
		}
		return cmp.Compare(a.respondent, b.respondent)
	})
	var out []report.Table
	for _, g := range keys {
		t := templates[g.template]
		group := t.Code + "/" + g.respondent
		scores := report.Table{Name: "scores", Group: group, Title: t.Name + ": " + survey.RespondentLabel(g.respondent), Dimension: "question"}
		var dists []report.Table
		for _, qn := range t.AllQuestions() {
			tl := groups[g][qn.ID]
			if tl == nil {
				continue
			}
			base := "scores:" + group + ":" + qn.ID
			nKey := base + ":responses"
			scores.Rows = append(scores.Rows, row(qn.ID, qn.Text, "responses", nKey, figures(tl.n)))
			switch qn.Type {
			case survey.Likert5:
				scores.Rows = append(scores.Rows, derived(qn.ID, qn.Text, "mean_score", tl.n, func(i int) report.Cell {
					return report.Mean(periodKey(base+":mean", i), tl.sum[i], tl.n[i], periodKey(nKey, i), 2)
				}))
			case survey.YesNo:
				scores.Rows = append(scores.Rows, derived(qn.ID, qn.Text, "percent_yes", tl.n, func(i int) report.Cell {
					return report.Percent(periodKey(base+":yes_percent", i), tl.byVal[i]["yes"], tl.n[i],
						periodKey("answers:"+group+":"+qn.ID+":responses:yes", i), periodKey(nKey, i))
				}))
			}
			if qn.Type == survey.Text {
				continue
			}
			d := report.Table{Name: "answers:" + qn.ID, Group: group, Title: qn.Text, Dimension: "answer", AllOrNothing: true}
			for _, v := range qn.Values() {
				d.Rows = append(d.Rows, row(v, v, "responses", "answers:"+group+":"+qn.ID+":responses:"+v, pickTally(tl.byVal, v)))
			}
			d.Rows = append(d.Rows, row(report.TotalCategory, "Total", "responses", nKey, figures(tl.n)))
			dists = append(dists, d)
		}
		out = append(out, scores)
		out = append(out, dists...)
	}
	return out
}

// periodKey is a figure's key in period i (0 current, 1 previous).
func periodKey(key string, i int) string {
	if i == 0 {
		return key
	}
	return report.PreviousKey(key)
}

func derived(category, label, measure string, n []int64, cell func(i int) report.Cell) report.Row {
	out := report.Row{Category: category, Label: label, Measure: measure, Current: cell(0)}
	if len(n) > 1 {
		c := cell(1)
		out.Previous = &c
	}
	return out
}

func pickTally(byVal []map[string]int64, v string) figures {
	out := make(figures, len(byVal))
	for i, m := range byVal {
		out[i] = m[v]
	}
	return out
}

// timelinessReport: the statutory time limits met, as on time, late, all and the share on time.
func (s *Service) timelinessReport(tx *store.Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	r.Title = "EHC timeliness"
	ts, err := each(periods, func(p report.Period) (report.TimelinessFigures, error) {
		return tx.Reports().EHCTimeliness(p.From, p.To, q.Filter)
	})
	if err != nil {
		return err
	}
	measure := func(name, title string, total, within func(report.TimelinessFigures) int) {
		all := pick(ts, func(t report.TimelinessFigures) int64 { return int64(total(t)) })
		on := pick(ts, func(t report.TimelinessFigures) int64 { return int64(within(t)) })
		late := make(figures, len(all))
		for i := range all {
			late[i] = all[i] - on[i]
		}
		k := func(c string) string { return name + ":" + c }
		t := report.Table{Name: name, Title: title, Dimension: "result", Rows: []report.Row{
			row("on_time", "On time", "count", k("on_time"), on),
			row("late", "Late", "count", k("late"), late),
			row(report.TotalCategory, "Total", "count", k("total"), all),
			derived("on_time", "On time", "percent", all, func(i int) report.Cell {
				return report.Percent(periodKey(k("percent"), i), on[i], all[i], periodKey(k("on_time"), i), periodKey(k("total"), i))
			}),
		}}
		r.Tables = append(r.Tables, t)
		for i := range periods {
			r.Sums = append(r.Sums, report.Sum{Total: periodKey(k("total"), i), Parts: []string{periodKey(k("on_time"), i), periodKey(k("late"), i)}})
		}
	}
	measure("decisions_to_assess", "Decisions whether to assess within 6 weeks (Reg 5)",
		func(t report.TimelinessFigures) int { return t.Decisions }, func(t report.TimelinessFigures) int { return t.DecisionsWithin })
	measure("decisions_to_assess_adjusted", "Decisions whether to assess by the exception-adjusted date",
		func(t report.TimelinessFigures) int { return t.Decisions }, func(t report.TimelinessFigures) int { return t.DecisionsWithinAdjusted })
	measure("plans_issued", "First EHC plans issued within 20 weeks (Reg 13(2))",
		func(t report.TimelinessFigures) int { return t.Plans }, func(t report.TimelinessFigures) int { return t.PlansWithin })
	measure("plans_issued_adjusted", "First EHC plans issued by the exception-adjusted date",
		func(t report.TimelinessFigures) int { return t.Plans }, func(t report.TimelinessFigures) int { return t.PlansWithinAdjusted })
	measure("plans_issued_excluding_exceptions", "First EHC plans issued within 20 weeks, where no exception applied (SEN2 Week20 = 0)",
		func(t report.TimelinessFigures) int { return t.PlansNoExceptions }, func(t report.TimelinessFigures) int { return t.PlansNoExceptionsWithin })
	measure("annual_reviews_held", "Annual review meetings held by the due date",
		func(t report.TimelinessFigures) int { return t.Reviews }, func(t report.TimelinessFigures) int { return t.ReviewsHeldOnTime })
	measure("annual_reviews_decided", "Annual review decisions within 4 weeks of the meeting (Reg 20)",
		func(t report.TimelinessFigures) int { return t.Reviews }, func(t report.TimelinessFigures) int { return t.ReviewsDecidedOnTime })
	return nil
}

// transitionReportAge is the age from which the transition report counts young people (the seed's
// "from age 14").
const transitionReportAge = 14

// transitionsReport is a snapshot on each period's last day: who aged 14 to 25 has a transition
// plan, and which EHC plans end in the next 12 months.
func (s *Service) transitionsReport(tx *store.Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	r.Title = "Transitions"
	snaps, err := each(periods, func(p report.Period) (report.TransitionSnapshot, error) {
		on := p.To
		gaps := transition.GapQuery{AsOf: on, BornBy: transition.TurnedBy(on, transitionReportAge), BornAfter: transition.TurnedBy(on, transition.MaxAge+1)}
		through := on.AddDate(1, 0, 0)
		ending := transition.UpcomingQuery{AsOf: on, Through: through, MaxAgeEnd: transition.EndOfYearTurningIn(on, through, transition.MaxAge)}
		return tx.Reports().Transitions(gaps, ending, q.Filter)
	})
	if err != nil {
		return err
	}
	with := pick(snaps, func(t report.TransitionSnapshot) int64 { return t.WithPlan })
	without := pick(snaps, func(t report.TransitionSnapshot) int64 { return t.WithoutPlan })
	all := make(figures, len(with))
	for i := range with {
		all[i] = with[i] + without[i]
	}
	r.Tables = append(r.Tables, report.Table{Name: "transition_plans", Title: "Young people aged 14 to 25 with an open referral or an EHC plan, on the last day",
		Dimension: "transition_plan", Rows: []report.Row{
			row("with_plan", "With a current transition plan", "young_people", "tp:with", with),
			row("without_plan", "Without a transition plan", "young_people", "tp:without", without),
			row(report.TotalCategory, "Total", "young_people", "tp:total", all),
			derived("with_plan", "With a current transition plan", "percent", all, func(i int) report.Cell {
				return report.Percent(periodKey("tp:percent", i), with[i], all[i], periodKey("tp:with", i), periodKey("tp:total", i))
			}),
		}})
	for i := range periods {
		r.Sums = append(r.Sums, report.Sum{Total: periodKey("tp:total", i), Parts: []string{periodKey("tp:with", i), periodKey("tp:without", i)}})
	}
	// A plan can end for both reasons, so the reasons do not add up to the total.
	r.Tables = append(r.Tables, report.Table{Name: "ehc_plans_ending", Title: "EHC plans in force expected to end in the 12 months after the last day",
		Dimension: "why", Rows: []report.Row{
			row("expected_end", "The transition plan's expected end", "plans", "ending:expected", pick(snaps, func(t report.TransitionSnapshot) int64 { return t.EndingExpected })),
			row("upper_age_limit", "End of the academic year in which the young person turns 25", "plans", "ending:max_age",
				pick(snaps, func(t report.TransitionSnapshot) int64 { return t.EndingMaxAge })),
			row(report.TotalCategory, "Total", "plans", "ending:total", pick(snaps, func(t report.TransitionSnapshot) int64 { return t.Ending })),
		}})
	return nil
}

// funnelReport: how far the referrals received in the period got, and how long each step took.
func (s *Service) funnelReport(tx *store.Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	r.Title = "Pathway funnel"
	fs, err := each(periods, func(p report.Period) (report.FunnelFigures, error) {
		return tx.Reports().Funnel(p.From, p.To, q.Filter)
	})
	if err != nil {
		return err
	}
	t := report.Table{Name: "stages", Title: "Referrals received in the period, by the stages they reached", Dimension: "stage"}
	for _, st := range referral.Statuses {
		stage := string(st)
		nKey := "funnel:" + stage + ":referrals"
		n := pick(fs, func(f report.FunnelFigures) int64 { return f.Reached[stage] })
		t.Rows = append(t.Rows, row(stage, stage, "referrals", nKey, n))
		median := func(measure string, days func(report.FunnelFigures) map[string]map[int]int64) {
			t.Rows = append(t.Rows, derived(stage, stage, measure, n, func(i int) report.Cell {
				m, ok := report.MedianOf(days(fs[i])[stage])
				return report.Median(periodKey("funnel:"+stage+":"+measure, i), m, ok, periodKey(nKey, i))
			}))
		}
		if st != referral.Received {
			median("median_days_from_received", func(f report.FunnelFigures) map[string]map[int]int64 { return f.FromReceived })
			median("median_days_from_previous_stage", func(f report.FunnelFigures) map[string]map[int]int64 { return f.FromBefore })
		}
	}
	r.Tables = append(r.Tables, t)
	return nil
}
