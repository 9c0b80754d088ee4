package report

import (
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

// TransformingCare is a kind of report: the dynamic support register, C(E)TRs, children in
// 52/38-week residential placements and inpatient units, and personal budgets.
const TransformingCare = "transforming-care"

// HeldReview is a C(E)TR held: its register entry, the day and the outcome.
type HeldReview struct {
	EntryID string
	HeldOn  time.Time
	Outcome string
}

// TransformingCareData is what the transforming-care report is computed from, for the children
// the filter selects, up to a period's last day: the register entries with their rating history,
// the C(E)TRs held, the placements in residential and inpatient settings, and the personal
// budgets decided.
type TransformingCareData struct {
	Entries    []tcare.Entry
	Reviews    []HeldReview
	Placements []tcare.Placement
	Budgets    []tcare.Budget
}

const dateOnly = "2006-01-02"

// Snapshots are the days a trend is shown on: the last day of each month ending within p, and
// p's last day.
func Snapshots(p Period) []time.Time {
	var out []time.Time
	from, to := statutory.Civil(p.From), statutory.Civil(p.To)
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); ; m = m.AddDate(0, 1, 0) {
		end := m.AddDate(0, 1, -1)
		if !end.Before(to) {
			break
		}
		if !end.Before(from) {
			out = append(out, end)
		}
	}
	return append(out, to)
}

// ratingsOn counts the young people on the register on day d by their rating then.
func (d TransformingCareData) ratingsOn(day time.Time) Counts {
	out := Counts{}
	for _, e := range d.Entries {
		if then, ok := e.AsOf(day, time.Time{}); ok {
			out[string(then.Current().Rating)]++
		}
	}
	return out
}

// placementTypes are the settings the report counts, in priority order: a child in more than one
// on a day is counted once, in the first.
var placementTypes = []Category{{Key: tcare.Inpatient, Label: "Inpatient unit"},
	{Key: tcare.Residential52, Label: "Residential, 52 weeks a year"}, {Key: tcare.Residential38, Label: "Residential, 38 weeks a year"}}

// placedOn counts the children in each kind of placement on day d, each child once.
func (d TransformingCareData) placedOn(day time.Time) Counts {
	best := map[string]int{}
	for _, p := range d.Placements {
		i := slices.IndexFunc(placementTypes, func(c Category) bool { return c.Key == p.Type })
		if i < 0 || !p.CurrentOn(day) {
			continue
		}
		if j, ok := best[p.YoungPersonID]; !ok || i < j {
			best[p.YoungPersonID] = i
		}
	}
	out := Counts{}
	for _, i := range best {
		out[placementTypes[i].Key]++
	}
	return out
}

// ctrFigures are the C(E)TRs held in a period and the children overdue one on its last day.
type ctrFigures struct {
	held, onTime, overdue int64
	byOutcome             Counts
}

func (d TransformingCareData) ctrs(p Period, pol tcare.Policy) ctrFigures {
	out := ctrFigures{byOutcome: Counts{}}
	held := map[string][]time.Time{}
	for _, r := range d.Reviews {
		held[r.EntryID] = append(held[r.EntryID], statutory.Civil(r.HeldOn))
	}
	for _, ds := range held {
		slices.SortFunc(ds, func(a, b time.Time) int { return a.Compare(b) })
	}
	// latest is the latest review of entry e held on or before day (before day when strictly),
	// including one recorded only on the entry.
	latest := func(e tcare.Entry, day time.Time, strictly bool) time.Time {
		var last time.Time
		ds := held[e.ID]
		if !e.LastCTROn.IsZero() {
			ds = append(slices.Clone(ds), statutory.Civil(e.LastCTROn))
		}
		for _, h := range ds {
			if (h.Before(day) || (!strictly && h.Equal(day))) && h.After(last) {
				last = h
			}
		}
		return last
	}
	entries := map[string]tcare.Entry{}
	for _, e := range d.Entries {
		entries[e.ID] = e
	}
	for _, r := range d.Reviews {
		if !p.Contains(r.HeldOn) {
			continue
		}
		out.held++
		out.byOutcome[r.Outcome]++
		e, ok := entries[r.EntryID]
		if !ok || e.HeldOnTime(r.HeldOn, latest(e, statutory.Civil(r.HeldOn), true), pol) {
			out.onTime++
		}
	}
	end := statutory.Civil(p.To)
	for _, e := range d.Entries {
		if then, ok := e.AsOf(end, latest(e, end, false)); ok && then.Overdue(pol, end) {
			out.overdue++
		}
	}
	return out
}

// budgetFigures are the personal budget decisions in a period, and the agreed budgets' parts by
// stream and arrangement.
type budgetFigures struct {
	agreed, refused int64
	byArrangement   map[string]Counts // by stream, then arrangement
}

func (d TransformingCareData) budgets(p Period) budgetFigures {
	out := budgetFigures{byArrangement: map[string]Counts{}}
	for _, s := range tcare.Streams {
		out.byArrangement[s] = Counts{}
	}
	for _, b := range d.Budgets {
		if b.DecidedOn.IsZero() || !p.Contains(b.DecidedOn) {
			continue
		}
		if b.Status == tcare.BudgetRefused {
			out.refused++
			continue
		}
		if len(b.Parts) == 0 {
			continue
		}
		out.agreed++
		for _, part := range b.Parts { // each stream appears once in a budget
			if c, ok := out.byArrangement[part.Stream]; ok {
				c[part.Arrangement]++
			}
		}
	}
	return out
}

// TabulateTransformingCare lays out the transforming-care report from one TransformingCareData
// per period (the current one first, then the previous one when comparing).
func TabulateTransformingCare(r *Report, data []TransformingCareData, periods []Period, pol tcare.Policy) {
	r.Title = "Transforming care"
	ratings := make([]Category, len(tcare.Ratings))
	labels := map[tcare.Rating]string{tcare.Blue: "Blue (an inpatient)", tcare.Red: "Red (high or immediate risk)",
		tcare.Amber: "Amber (at risk without timely support)", tcare.Green: "Green (managed in the community)"}
	for i, rt := range tcare.Ratings {
		ratings[i] = Category{Key: string(rt), Label: labels[rt]}
	}

	// The register and placements on the last day, against the previous period's last day, then
	// month by month through the period. A figure for a day is keyed by the day, so the last
	// month's figure and the last day's are one figure when they fall on the same day.
	snapshot := func(name, title, prefix string, cats []Category, counts func(TransformingCareData, time.Time) Counts) {
		key := func(day time.Time, cat string) string { return prefix + ":" + day.Format(dateOnly) + ":" + cat }
		end := periods[0].To
		t := Table{Name: name, Title: title, Dimension: "category"}
		perCat := make([]Counts, len(periods))
		for i := range periods {
			perCat[i] = counts(data[i], periods[i].To)
		}
		add := func(cat, label string, n func(Counts) int64) {
			row := Row{Category: cat, Label: label, Measure: "young_people", Current: Count(key(end, cat), n(perCat[0]))}
			if len(periods) > 1 {
				c := Count(PreviousKey(key(end, cat)), n(perCat[1]))
				row.Previous = &c
			}
			t.Rows = append(t.Rows, row)
		}
		parts := make([]string, len(cats))
		for j, c := range cats {
			add(c.Key, c.Label, func(cs Counts) int64 { return cs[c.Key] })
			parts[j] = key(end, c.Key)
		}
		add(TotalCategory, "Total", sum)
		r.Tables = append(r.Tables, t)
		r.Sums = append(r.Sums, Sum{Total: key(end, TotalCategory), Parts: parts})
		if len(periods) > 1 {
			prev := make([]string, len(parts))
			for j, k := range parts {
				prev[j] = PreviousKey(k)
			}
			r.Sums = append(r.Sums, Sum{Total: PreviousKey(key(end, TotalCategory)), Parts: prev})
		}

		// The trend: one table per category and one for the total, a row per day.
		days := Snapshots(periods[0])
		trend := make([]Counts, len(days))
		for i, day := range days {
			trend[i] = counts(data[0], day)
		}
		for _, c := range append(slices.Clone(cats), Category{Key: TotalCategory, Label: "Total"}) {
			tt := Table{Name: name + "_by_month", Group: c.Key, Title: title + " (" + c.Label + "), month by month", Dimension: "day"}
			for i, day := range days {
				n := trend[i][c.Key]
				if c.Key == TotalCategory {
					n = sum(trend[i])
				}
				tt.Rows = append(tt.Rows, Row{Category: day.Format(dateOnly), Label: day.Format("2 January 2006"), Measure: "young_people",
					Current: Count(key(day, c.Key), n)})
			}
			r.Tables = append(r.Tables, tt)
		}
		for _, day := range days {
			if day.Equal(end) {
				continue // already said
			}
			ps := make([]string, len(cats))
			for j, c := range cats {
				ps[j] = key(day, c.Key)
			}
			r.Sums = append(r.Sums, Sum{Total: key(day, TotalCategory), Parts: ps})
		}
	}
	snapshot("register_by_rating", "Young people on the dynamic support register, by rating on the last day", "dsr", ratings,
		TransformingCareData.ratingsOn)
	snapshot("residential_and_inpatient", "Children and young people in inpatient units and 52/38-week residential placements on the last day",
		"placed", placementTypes, TransformingCareData.placedOn)

	// C(E)TRs held in the period: on time or late, and by outcome; those overdue on the last day.
	cs := make([]ctrFigures, len(periods))
	for i, p := range periods {
		cs[i] = data[i].ctrs(p, pol)
	}
	held := pick(cs, func(c ctrFigures) int64 { return c.held })
	onTime := pick(cs, func(c ctrFigures) int64 { return c.onTime })
	late := pick(cs, func(c ctrFigures) int64 { return c.held - c.onTime })
	r.Tables = append(r.Tables, Table{Name: "ctrs_held", Title: "Care (education) and treatment reviews held in the period", Dimension: "result",
		Rows: []Row{
			row("on_time", "Held by the day due", "reviews", "ctr:on_time", onTime),
			row("late", "Held after the day due", "reviews", "ctr:late", late),
			row(TotalCategory, "Total", "reviews", "ctr:held", held),
			derived("on_time", "Held by the day due", "percent", held, func(i int) Cell {
				return Percent(periodKey("ctr:percent", i), onTime[i], held[i], periodKey("ctr:on_time", i), periodKey("ctr:held", i))
			}),
			row("overdue_on_last_day", "Young people whose C(E)TR was overdue on the last day", "young_people", "ctr:overdue",
				pick(cs, func(c ctrFigures) int64 { return c.overdue })),
		}})
	for i := range periods {
		r.Sums = append(r.Sums, Sum{Total: periodKey("ctr:held", i), Parts: []string{periodKey("ctr:on_time", i), periodKey("ctr:late", i)}})
	}
	outcomes := make([]Category, len(tcare.ReviewOutcomes))
	for i, o := range tcare.ReviewOutcomes {
		outcomes[i] = Category{Key: o, Label: strings.ToUpper(o[:1]) + strings.ReplaceAll(o[1:], "_", " ")}
	}
	breakdown(r, cs, "ctrs_by_outcome", "C(E)TRs held in the period, by outcome", "outcome", "reviews", outcomes,
		func(c ctrFigures) Counts { return c.byOutcome }, "ctr:held", held, true)

	// Personal budgets decided in the period.
	bs := make([]budgetFigures, len(periods))
	for i, p := range periods {
		bs[i] = data[i].budgets(p)
	}
	agreed := pick(bs, func(b budgetFigures) int64 { return b.agreed })
	refused := pick(bs, func(b budgetFigures) int64 { return b.refused })
	decided := pick(bs, func(b budgetFigures) int64 { return b.agreed + b.refused })
	r.Tables = append(r.Tables, Table{Name: "personal_budget_decisions", Title: "Personal budget requests decided in the period",
		Dimension: "decision", Rows: []Row{
			row("agreed", "Agreed", "budgets", "pb:agreed", agreed),
			row("refused", "Refused", "budgets", "pb:refused", refused),
			row(TotalCategory, "Total", "budgets", "pb:decided", decided),
		}})
	for i := range periods {
		r.Sums = append(r.Sums, Sum{Total: periodKey("pb:decided", i), Parts: []string{periodKey("pb:agreed", i), periodKey("pb:refused", i)}})
	}
	// Each stream (a budget counts in every stream it pools, so the streams do not add up to the
	// budgets agreed), then each stream's parts by arrangement (these add up to the stream). The
	// combinations of streams and the number of integrated budgets are not published: with the
	// agreed total they would let a reader recover a withheld stream by subtraction.
	streamKey := func(s string) string { return "pb:stream:" + s }
	streamRows := Table{Name: "personal_budgets_by_stream", Title: "Personal budgets agreed in the period with a part in each funding stream",
		Dimension: "stream"}
	streamNames := map[string]string{"education": "Education", "social_care": "Social care", "health": "Health"}
	arrNames := map[string]string{"notional": "Notional budget", "third_party": "Third-party arrangement", "direct_payment": "Direct payment"}
	for _, s := range tcare.Streams {
		n := pick(bs, func(b budgetFigures) int64 { return sum(b.byArrangement[s]) })
		streamRows.Rows = append(streamRows.Rows, row(s, streamNames[s], "budgets", streamKey(s), n))
	}
	r.Tables = append(r.Tables, streamRows)
	for _, s := range tcare.Streams {
		var arrs []Category
		for _, a := range tcare.Arrangements {
			arrs = append(arrs, Category{Key: a, Label: arrNames[a]})
		}
		n := pick(bs, func(b budgetFigures) int64 { return sum(b.byArrangement[s]) })
		var prev map[string]int64
		if len(bs) > 1 {
			prev = bs[1].byArrangement[s]
		}
		var prevN int64
		if len(n) > 1 {
			prevN = n[1]
		}
		r.Breakdown("personal_budget_parts_by_arrangement", s, streamNames[s]+": parts agreed in the period, by arrangement", "arrangement",
			"budgets", arrs, bs[0].byArrangement[s], prev, streamKey(s), n[0], prevN, true)
	}
}
