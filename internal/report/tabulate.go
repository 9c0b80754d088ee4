package report

import (
	"cmp"
	"slices"

	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/survey"
)

// perPeriod is one figure per period: the current one and, when comparing, the previous one.
type perPeriod []int64

// row makes a report row for one count keyed key.
func row(category, label, measure, key string, n perPeriod) Row {
	out := Row{Category: category, Label: label, Measure: measure, Current: Count(key, n[0])}
	if len(n) > 1 {
		c := Count(PreviousKey(key), n[1])
		out.Previous = &c
	}
	return out
}

// pick gathers one number from each period's result.
func pick[T any](in []T, f func(T) int64) perPeriod {
	out := make(perPeriod, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// breakdown adds a table of counts by category, current against previous.
func breakdown[T any](r *Report, in []T, name, title, dimension, measure string, cats []Category, counts func(T) Counts,
	totalKey string, total perPeriod, additive bool) {
	var prev map[string]int64
	var prevTotal int64
	if len(in) > 1 {
		prev, prevTotal = counts(in[1]), total[1]
	}
	r.Breakdown(name, "", title, dimension, measure, cats, counts(in[0]), prev, totalKey, total[0], prevTotal, additive)
}

// TabulateActivity lays out what the pathway received and did, one ActivityFigures per period
// (the current one first, then the previous one when comparing).
func TabulateActivity(r *Report, acts []ActivityFigures) {
	r.Title = "Activity"
	referrals := pick(acts, func(a ActivityFigures) int64 { return a.Referrals })
	settings := pick(acts, func(a ActivityFigures) int64 { return sum(a.Settings) })
	meetings := pick(acts, func(a ActivityFigures) int64 { return sum(a.Meetings) })
	disputes := func(k dispute.Kind) perPeriod {
		return pick(acts, func(a ActivityFigures) int64 { return a.Disputes[string(k)] })
	}
	r.Tables = append(r.Tables, Table{Name: "summary", Title: "Activity in the period", Dimension: "measure", Rows: []Row{
		row("referrals", "Referrals received", "referrals", "referrals", referrals),
		row("referring_settings", "Settings that referred", "settings", "settings", settings),
		row("meetings", "Meetings held", "meetings", "meetings", meetings),
		row("ehc_requests", "EHC needs assessment requests received", "requests", "ehc:requests",
			pick(acts, func(a ActivityFigures) int64 { return a.EHCRequests })),
		row("ehc_assessments_started", "EHC needs assessments started (decisions to assess)", "assessments", "ehc:started",
			pick(acts, func(a ActivityFigures) int64 { return a.AssessmentsStarted })),
		row("ehc_assessments_refused", "Decisions not to assess", "requests", "ehc:refused",
			pick(acts, func(a ActivityFigures) int64 { return a.AssessmentsRefused })),
		row("ehc_plans_issued", "First EHC plans issued", "plans", "ehc:issued", pick(acts, func(a ActivityFigures) int64 { return a.PlansIssued })),
		// The dispute perPeriod are the breakdown's cells below, so they share its keys.
		row("tribunals", "Tribunal appeals received", "disputes", "disputes_by_kind:disputes:tribunal", disputes(dispute.Tribunal)),
		row("mediations", "Mediations received", "disputes", "disputes_by_kind:disputes:mediation", disputes(dispute.Mediation)),
		row("complaints", "Complaints received", "disputes", "disputes_by_kind:disputes:complaint", disputes(dispute.Complaint)),
	}})

	var reasons []Category
	for _, rs := range referral.Reasons {
		reasons = append(reasons, Category{Key: rs.Code, Label: rs.Label})
	}
	// A referral may give several reasons, so these do not add up to the total.
	breakdown(r, acts, "referrals_by_reason", "Referrals by reason given", "reason", "referrals", reasons,
		func(a ActivityFigures) Counts { return a.ByReason }, "referrals", referrals, false)
	breakdown(r, acts, "referrals_by_main_reason", "Referrals by main reason", "reason", "referrals", reasons,
		func(a ActivityFigures) Counts { return a.ByMainReason }, "referrals", referrals, true)
	var types []Category
	for _, t := range directory.OrganisationTypes {
		types = append(types, Category{Key: t.Code, Label: t.Label})
	}
	breakdown(r, acts, "referrals_by_setting_type", "Referrals by the type of setting that referred", "setting_type", "referrals", types,
		func(a ActivityFigures) Counts { return a.BySettingType }, "referrals", referrals, true)
	breakdown(r, acts, "settings_by_type", "Settings that referred, by type", "setting_type", "settings", types,
		func(a ActivityFigures) Counts { return a.Settings }, "settings", settings, true)
	// Exact, a locality is labelled as recorded; pooled for disclosure control (PoolLocalities),
	// only the council's localities are named and the row keyed "" holds every other.
	var localities []Category
	unnamed := "Not recorded"
	for _, a := range acts {
		for k, name := range a.LocalityNames {
			if k != "" && !slices.ContainsFunc(localities, func(c Category) bool { return c.Key == k }) {
				localities = append(localities, Category{Key: k, Label: name})
			}
		}
		if a.PooledLocalities != "" {
			unnamed = a.PooledLocalities
		}
	}
	slices.SortFunc(localities, func(a, b Category) int { return cmp.Compare(a.Key, b.Key) })
	localities = append(localities, Category{Key: "", Label: unnamed})
	breakdown(r, acts, "referrals_by_locality", "Referrals by the child's locality", "locality", "referrals", localities,
		func(a ActivityFigures) Counts { return a.ByLocality }, "referrals", referrals, true)
	routes := []Category{{Key: referral.RouteFamilyAssessment, Label: "Family assessment"},
		{Key: referral.RouteSafeguardingAssessment, Label: "Safeguarding assessment (CAFA)"}, {Key: "", Label: "Not accepted (yet)"}}
	breakdown(r, acts, "referrals_by_route", "Referrals by route after triage", "route", "referrals", routes,
		func(a ActivityFigures) Counts { return a.ByRoute }, "referrals", referrals, true)
	var meetingTypes []Category
	for _, t := range meeting.Types {
		meetingTypes = append(meetingTypes, Category{Key: t, Label: meeting.Label(t)})
	}
	breakdown(r, acts, "meetings_by_type", "Meetings held, by type", "meeting_type", "meetings", meetingTypes,
		func(a ActivityFigures) Counts { return a.Meetings }, "meetings", meetings, true)
	kinds := []Category{{Key: string(dispute.Tribunal), Label: "Tribunal appeals"}, {Key: string(dispute.Mediation), Label: "Mediations"},
		{Key: string(dispute.Complaint), Label: "Complaints"}}
	disputeTotal := pick(acts, func(a ActivityFigures) int64 { return sum(a.Disputes) })
	breakdown(r, acts, "disputes_by_kind", "Tribunal appeals, mediations and complaints received", "kind", "disputes", kinds,
		func(a ActivityFigures) Counts { return a.Disputes }, "disputes", disputeTotal, true)
}

func sum(c Counts) int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// TabulateExperience lays out the answer counts: a "scores" table per template and respondent
// group, with a distribution table per question whose answers are counted by value.
func TabulateExperience(r *Report, templates map[string]survey.Template, counts [][]AnswerCount) {
	r.Tables = append(r.Tables, experienceTables(templates, counts)...)
}

func experienceTables(templates map[string]survey.Template, counts [][]AnswerCount) []Table {
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
	var out []Table
	for _, g := range keys {
		t := templates[g.template]
		group := t.Code + "/" + g.respondent
		scores := Table{Name: "scores", Group: group, Title: t.Name + ": " + survey.RespondentLabel(g.respondent), Dimension: "question"}
		var dists []Table
		for _, qn := range t.AllQuestions() {
			tl := groups[g][qn.ID]
			if tl == nil {
				continue
			}
			base := "scores:" + group + ":" + qn.ID
			nKey := base + ":responses"
			scores.Rows = append(scores.Rows, row(qn.ID, qn.Text, "responses", nKey, perPeriod(tl.n)))
			switch qn.Type {
			case survey.Likert5:
				scores.Rows = append(scores.Rows, derived(qn.ID, qn.Text, "mean_score", tl.n, func(i int) Cell {
					return Mean(periodKey(base+":mean", i), tl.sum[i], tl.n[i], periodKey(nKey, i), 2)
				}))
			case survey.YesNo:
				scores.Rows = append(scores.Rows, derived(qn.ID, qn.Text, "percent_yes", tl.n, func(i int) Cell {
					return Percent(periodKey(base+":yes_percent", i), tl.byVal[i]["yes"], tl.n[i],
						periodKey("answers:"+group+":"+qn.ID+":responses:yes", i), periodKey(nKey, i))
				}))
			}
			if qn.Type == survey.Text {
				continue
			}
			d := Table{Name: "answers:" + qn.ID, Group: group, Title: qn.Text, Dimension: "answer", AllOrNothing: true}
			for _, v := range qn.Values() {
				d.Rows = append(d.Rows, row(v, v, "responses", "answers:"+group+":"+qn.ID+":responses:"+v, pickTally(tl.byVal, v)))
			}
			d.Rows = append(d.Rows, row(TotalCategory, "Total", "responses", nKey, perPeriod(tl.n)))
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
	return PreviousKey(key)
}

func derived(category, label, measure string, n []int64, cell func(i int) Cell) Row {
	out := Row{Category: category, Label: label, Measure: measure, Current: cell(0)}
	if len(n) > 1 {
		c := cell(1)
		out.Previous = &c
	}
	return out
}

func pickTally(byVal []map[string]int64, v string) perPeriod {
	out := make(perPeriod, len(byVal))
	for i, m := range byVal {
		out[i] = m[v]
	}
	return out
}

// timelinessReport: the statutory time limits met, as on time, late, all and the share on time.
// TabulateTimeliness lays out the statutory time limits met, as on time, late, all and the share
// on time, one TimelinessFigures per period.
func TabulateTimeliness(r *Report, ts []TimelinessFigures) {
	r.Title = "EHC timeliness"
	measure := func(name, title string, total, within func(TimelinessFigures) int) {
		all := pick(ts, func(t TimelinessFigures) int64 { return int64(total(t)) })
		on := pick(ts, func(t TimelinessFigures) int64 { return int64(within(t)) })
		late := make(perPeriod, len(all))
		for i := range all {
			late[i] = all[i] - on[i]
		}
		k := func(c string) string { return name + ":" + c }
		t := Table{Name: name, Title: title, Dimension: "result", Rows: []Row{
			row("on_time", "On time", "count", k("on_time"), on),
			row("late", "Late", "count", k("late"), late),
			row(TotalCategory, "Total", "count", k("total"), all),
			derived("on_time", "On time", "percent", all, func(i int) Cell {
				return Percent(periodKey(k("percent"), i), on[i], all[i], periodKey(k("on_time"), i), periodKey(k("total"), i))
			}),
		}}
		r.Tables = append(r.Tables, t)
		for i := range ts {
			r.Sums = append(r.Sums, Sum{Total: periodKey(k("total"), i), Parts: []string{periodKey(k("on_time"), i), periodKey(k("late"), i)}})
		}
	}
	measure("decisions_to_assess", "Decisions whether to assess within 6 weeks (Reg 5)",
		func(t TimelinessFigures) int { return t.Decisions }, func(t TimelinessFigures) int { return t.DecisionsWithin })
	measure("decisions_to_assess_adjusted", "Decisions whether to assess by the exception-adjusted date",
		func(t TimelinessFigures) int { return t.Decisions }, func(t TimelinessFigures) int { return t.DecisionsWithinAdjusted })
	measure("plans_issued", "First EHC plans issued within 20 weeks (Reg 13(2))",
		func(t TimelinessFigures) int { return t.Plans }, func(t TimelinessFigures) int { return t.PlansWithin })
	measure("plans_issued_adjusted", "First EHC plans issued by the exception-adjusted date",
		func(t TimelinessFigures) int { return t.Plans }, func(t TimelinessFigures) int { return t.PlansWithinAdjusted })
	measure("plans_issued_excluding_exceptions", "First EHC plans issued within 20 weeks, where no exception applied (SEN2 Week20 = 0)",
		func(t TimelinessFigures) int { return t.PlansNoExceptions }, func(t TimelinessFigures) int { return t.PlansNoExceptionsWithin })
	measure("annual_reviews_held", "Annual review meetings held by the due date",
		func(t TimelinessFigures) int { return t.Reviews }, func(t TimelinessFigures) int { return t.ReviewsHeldOnTime })
	measure("annual_reviews_decided", "Annual review decisions within 4 weeks of the meeting (Reg 20)",
		func(t TimelinessFigures) int { return t.Reviews }, func(t TimelinessFigures) int { return t.ReviewsDecidedOnTime })
}

// TransitionAge is the age from which the transition report counts young people (the seed's
// "from age 14").
const TransitionAge = 14

// TabulateTransitions lays out a snapshot on each period's last day: who aged 14 to 25 has a
// transition plan, and which EHC plans end in the next 12 months.
func TabulateTransitions(r *Report, snaps []TransitionSnapshot) {
	r.Title = "Transitions"
	with := pick(snaps, func(t TransitionSnapshot) int64 { return t.WithPlan })
	without := pick(snaps, func(t TransitionSnapshot) int64 { return t.WithoutPlan })
	all := make(perPeriod, len(with))
	for i := range with {
		all[i] = with[i] + without[i]
	}
	r.Tables = append(r.Tables, Table{Name: "transition_plans", Title: "Young people aged 14 to 25 with an open referral or an EHC plan, on the last day",
		Dimension: "transition_plan", Rows: []Row{
			row("with_plan", "With a current transition plan", "young_people", "tp:with", with),
			row("without_plan", "Without a transition plan", "young_people", "tp:without", without),
			row(TotalCategory, "Total", "young_people", "tp:total", all),
			derived("with_plan", "With a current transition plan", "percent", all, func(i int) Cell {
				return Percent(periodKey("tp:percent", i), with[i], all[i], periodKey("tp:with", i), periodKey("tp:total", i))
			}),
		}})
	for i := range snaps {
		r.Sums = append(r.Sums, Sum{Total: periodKey("tp:total", i), Parts: []string{periodKey("tp:with", i), periodKey("tp:without", i)}})
	}
	// A plan can end for both reasons, so the reasons do not add up to the total.
	r.Tables = append(r.Tables, Table{Name: "ehc_plans_ending", Title: "EHC plans in force expected to end in the 12 months after the last day",
		Dimension: "why", Rows: []Row{
			row("expected_end", "The transition plan's expected end", "plans", "ending:expected", pick(snaps, func(t TransitionSnapshot) int64 { return t.EndingExpected })),
			row("upper_age_limit", "End of the academic year in which the young person turns 25", "plans", "ending:max_age",
				pick(snaps, func(t TransitionSnapshot) int64 { return t.EndingMaxAge })),
			row(TotalCategory, "Total", "plans", "ending:total", pick(snaps, func(t TransitionSnapshot) int64 { return t.Ending })),
		}})
}

// TabulateFunnel lays out how far the referrals received in the period got, and how long each
// step took, one FunnelFigures per period.
func TabulateFunnel(r *Report, fs []FunnelFigures) {
	r.Title = "Pathway funnel"
	t := Table{Name: "stages", Title: "Referrals received in the period, by the stages they reached", Dimension: "stage"}
	for _, st := range referral.Statuses {
		stage := string(st)
		nKey := "funnel:" + stage + ":referrals"
		n := pick(fs, func(f FunnelFigures) int64 { return f.Reached[stage] })
		t.Rows = append(t.Rows, row(stage, stage, "referrals", nKey, n))
		median := func(measure string, days func(FunnelFigures) map[string]map[int]int64) {
			t.Rows = append(t.Rows, derived(stage, stage, measure, n, func(i int) Cell {
				m, ok := MedianOf(days(fs[i])[stage])
				return Median(periodKey("funnel:"+stage+":"+measure, i), m, ok, periodKey(nKey, i))
			}))
		}
		if st != referral.Received {
			median("median_days_from_received", func(f FunnelFigures) map[string]map[int]int64 { return f.FromReceived })
			median("median_days_from_previous_stage", func(f FunnelFigures) map[string]map[int]int64 { return f.FromBefore })
		}
	}
	r.Tables = append(r.Tables, t)
}
