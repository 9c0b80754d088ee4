package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/tcare"
	"pgregory.net/rapid"
)

func tcDay(s string) time.Time {
	d, err := time.Parse(dateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// tcFixture: three young people on the register and one off it again, two reviews, three
// placements, two budget decisions.
func tcFixture() TransformingCareData {
	rate := func(r tcare.Rating, on string) tcare.RatingChange {
		return tcare.RatingChange{Rating: r, DecidedOn: tcDay(on)}
	}
	blue := rate(tcare.Blue, "2026-04-10")
	blue.AdmittedOn = blue.DecidedOn
	return TransformingCareData{
		Entries: []tcare.Entry{
			{ID: "e1", YoungPersonID: "c1", History: []tcare.RatingChange{rate(tcare.Red, "2026-03-02"), blue}},
			{ID: "e2", YoungPersonID: "c2", History: []tcare.RatingChange{rate(tcare.Red, "2026-03-02")}},
			{ID: "e3", YoungPersonID: "c3", History: []tcare.RatingChange{rate(tcare.Amber, "2026-02-01")}},
			{ID: "e4", YoungPersonID: "c4", History: []tcare.RatingChange{rate(tcare.Green, "2025-11-01")}, ClosedOn: tcDay("2026-01-15")},
		},
		Reviews: []HeldReview{
			{EntryID: "e1", HeldOn: tcDay("2026-03-31"), Outcome: "admission_recommended"}, // red since 2 March: due 30 March, late
			{EntryID: "e1", HeldOn: tcDay("2026-04-24"), Outcome: "continued_inpatient_care"},
		},
		Placements: []tcare.Placement{
			{YoungPersonID: "c1", Type: tcare.Inpatient, StartOn: tcDay("2026-04-10")},
			{YoungPersonID: "c1", Type: tcare.Residential52, StartOn: tcDay("2025-09-01")}, // counted once, as an inpatient
			{YoungPersonID: "c2", Type: tcare.Residential38, StartOn: tcDay("2025-09-01"), EndOn: tcDay("2026-05-31")},
		},
		Budgets: []tcare.Budget{
			{Status: tcare.BudgetAgreed, DecidedOn: tcDay("2026-04-21"), Parts: []tcare.Part{{Stream: "health", Arrangement: "direct_payment"},
				{Stream: "education", Arrangement: "notional"}}},
			{Status: tcare.BudgetRefused, DecidedOn: tcDay("2026-04-10")},
		},
	}
}

func tcFigure(t *testing.T, r *Report, table, group, category string) (cur float64, prev *float64) {
	t.Helper()
	for _, tb := range r.Tables {
		if tb.Name != table || tb.Group != group {
			continue
		}
		for _, row := range tb.Rows {
			if row.Category == category && row.Current.Count {
				if row.Previous != nil {
					prev = &row.Previous.Value
				}
				return row.Current.Value, prev
			}
		}
	}
	t.Fatalf("no %s/%s/%s", table, group, category)
	return 0, nil
}

func TestTabulateTransformingCare(t *testing.T) {
	cur := Period{From: tcDay("2026-01-01"), To: tcDay("2026-06-30")}
	periods := []Period{cur, cur.Previous()}
	d := tcFixture()
	var r Report
	TabulateTransformingCare(&r, []TransformingCareData{d, d}, periods, tcare.DefaultPolicy)
	cases := []struct {
		table, group, category string
		want, prev             float64
	}{
		{"register_by_rating", "", "blue", 1, 0},
		{"register_by_rating", "", "red", 1, 0},
		{"register_by_rating", "", "amber", 1, 0},
		{"register_by_rating", "", "green", 0, 1}, // on 31 December, before it closed
		{"register_by_rating", "", "total", 3, 1},
		{"residential_and_inpatient", "", "inpatient", 1, 0},
		{"residential_and_inpatient", "", "residential_52", 0, 1},
		{"residential_and_inpatient", "", "residential_38", 0, 1},
		{"residential_and_inpatient", "", "total", 1, 2},
		{"ctrs_held", "", "on_time", 1, 0},
		{"ctrs_held", "", "late", 1, 0},
		{"ctrs_held", "", "total", 2, 0},
		{"ctrs_held", "", "overdue_on_last_day", 1, 0}, // e2, red since March; e1 reviewed in April, next due in July
		{"ctrs_by_outcome", "", "continued_inpatient_care", 1, 0},
		{"personal_budget_decisions", "", "agreed", 1, 0},
		{"personal_budget_decisions", "", "refused", 1, 0},
		{"personal_budgets_by_stream", "", "health", 1, 0},
		{"personal_budgets_by_stream", "", "social_care", 0, 0},
		{"personal_budget_parts_by_arrangement", "health", "direct_payment", 1, 0},
	}
	for _, c := range cases {
		got, prev := tcFigure(t, &r, c.table, c.group, c.category)
		if got != c.want || prev == nil || *prev != c.prev {
			t.Errorf("%s/%s/%s = %v (previous %v), want %v (%v)", c.table, c.group, c.category, got, prev, c.want, c.prev)
		}
	}
	// The trend: a figure for the last day of each month, the last being the period's end.
	trend := map[string]float64{"2026-01-31": 0, "2026-02-28": 1, "2026-03-31": 3, "2026-04-30": 3, "2026-06-30": 3}
	for day, want := range trend {
		if got, _ := tcFigure(t, &r, "register_by_rating_by_month", "total", day); got != want {
			t.Errorf("register on %s = %v, want %v", day, got, want)
		}
	}
	if got, _ := tcFigure(t, &r, "register_by_rating_by_month", "red", "2026-03-31"); got != 2 {
		t.Errorf("red on 31 March = %v", got)
	}
	if got, _ := tcFigure(t, &r, "residential_and_inpatient_by_month", "residential_38", "2026-05-31"); got != 1 {
		t.Errorf("38-week on 31 May = %v", got)
	}
	// Every Sum the report declares holds on the exact figures.
	values := map[string]float64{}
	cells(&r, func(c *Cell) { values[c.Key] = c.Value })
	for _, s := range r.Sums {
		var total float64
		for _, p := range s.Parts {
			v, ok := values[p]
			if !ok {
				t.Fatalf("sum %s: part %s is not in the report", s.Total, p)
			}
			total += v
		}
		if total != values[s.Total] {
			t.Errorf("sum %s = %v, parts add to %v", s.Total, values[s.Total], total)
		}
	}
}

func TestSnapshots(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     []string
	}{
		{"2026-01-01", "2026-03-31", []string{"2026-01-31", "2026-02-28", "2026-03-31"}},
		{"2026-01-15", "2026-03-10", []string{"2026-01-31", "2026-02-28", "2026-03-10"}},
		{"2026-03-01", "2026-03-10", []string{"2026-03-10"}},
	} {
		got := Snapshots(Period{From: tcDay(c.from), To: tcDay(c.to)})
		if fmt.Sprint(dates(got)) != fmt.Sprint(c.want) {
			t.Errorf("%s..%s: %v, want %v", c.from, c.to, dates(got), c.want)
		}
	}
}

func dates(ds []time.Time) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Format(dateOnly)
	}
	return out
}

// Random registers, reviews, placements and budgets under random policies: no count below the
// threshold is published, and no withheld count can be recovered from the published ones through
// the report's additive relations (by Apply's measure or by exact linear algebra).
func TestTransformingCareDisclosureProperty(t *testing.T) {
	ratings := []tcare.Rating{tcare.Red, tcare.Amber, tcare.Green, tcare.Blue}
	rapid.Check(t, func(t *rapid.T) {
		base := tcDay("2025-07-01")
		day := func(label string) time.Time { return base.AddDate(0, 0, rapid.IntRange(0, 364).Draw(t, label)) }
		var d TransformingCareData
		for i := range rapid.IntRange(0, 30).Draw(t, "entries") {
			id := fmt.Sprintf("e%d", i)
			e := tcare.Entry{ID: id, YoungPersonID: id}
			on := day("first")
			for range rapid.IntRange(1, 3).Draw(t, "ratings") {
				rc := tcare.RatingChange{Rating: rapid.SampledFrom(ratings).Draw(t, "rating"), DecidedOn: on}
				if rc.Rating == tcare.Blue {
					rc.AdmittedOn = on
				}
				e.History = append(e.History, rc)
				on = on.AddDate(0, 0, rapid.IntRange(0, 90).Draw(t, "gap"))
			}
			if rapid.Bool().Draw(t, "closed") {
				e.ClosedOn = on
			}
			d.Entries = append(d.Entries, e)
			for range rapid.IntRange(0, 2).Draw(t, "reviews") {
				d.Reviews = append(d.Reviews, HeldReview{EntryID: id, HeldOn: day("held"), Outcome: rapid.SampledFrom(tcare.ReviewOutcomes).Draw(t, "outcome")})
			}
			if rapid.Bool().Draw(t, "placed") {
				d.Placements = append(d.Placements, tcare.Placement{YoungPersonID: id,
					Type: rapid.SampledFrom([]string{tcare.Inpatient, tcare.Residential52, tcare.Residential38}).Draw(t, "type"), StartOn: day("start")})
			}
			if rapid.Bool().Draw(t, "budget") {
				b := tcare.Budget{Status: tcare.BudgetRefused, DecidedOn: day("decided")}
				if rapid.Bool().Draw(t, "agreed") {
					b.Status = tcare.BudgetAgreed
					for _, s := range tcare.Streams {
						if rapid.Bool().Draw(t, "stream") {
							b.Parts = append(b.Parts, tcare.Part{Stream: s, Arrangement: rapid.SampledFrom(tcare.Arrangements).Draw(t, "arrangement")})
						}
					}
				}
				d.Budgets = append(d.Budgets, b)
			}
		}
		cur := Period{From: tcDay("2026-01-01"), To: tcDay("2026-06-30")}
		periods := []Period{cur}
		data := []TransformingCareData{d}
		if rapid.Bool().Draw(t, "compare") {
			periods, data = append(periods, cur.Previous()), append(data, d)
		}
		var r Report
		TabulateTransformingCare(&r, data, periods, tcare.DefaultPolicy)
		exact := map[string]float64{}
		cells(&r, func(c *Cell) { exact[c.Key] = c.Value })
		policy := Policy{Threshold: rapid.IntRange(2, 6).Draw(t, "threshold"), ShowZeros: rapid.Bool().Draw(t, "showZeros")}
		r.Apply(policy)
		checkSafe(t, &r)
		cells(&r, func(c *Cell) {
			if v, ok := c.Shown(); ok && c.Count && !(v == 0 && policy.ShowZeros) && exact[c.Key] < float64(policy.Threshold) {
				t.Fatalf("%s = %v published below the threshold %d", c.Key, exact[c.Key], policy.Threshold)
			}
		})
	})
}
