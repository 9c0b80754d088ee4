package report

import (
	"reflect"
	"slices"
	"testing"
)

func TestApplyPrimary(t *testing.T) {
	tests := []struct {
		name       string
		value      int64
		policy     Policy
		suppressed bool
	}{
		{"4 below 5", 4, Policy{Threshold: 5}, true},
		{"5 at the threshold", 5, Policy{Threshold: 5}, false},
		{"1", 1, Policy{Threshold: 5}, true},
		{"zero", 0, Policy{Threshold: 5}, true},
		{"zero under ShowZeros", 0, Policy{Threshold: 5, ShowZeros: true}, false},
		{"1 under ShowZeros", 1, Policy{Threshold: 5, ShowZeros: true}, true},
		{"default threshold suppresses 4", 4, Policy{}, true},
		{"default threshold shows 5", 5, Policy{Threshold: -1}, false},
		{"threshold 10 suppresses 9", 9, Policy{Threshold: 10}, true},
		{"threshold 10 shows 10", 10, Policy{Threshold: 10}, false},
		{"threshold 1 shows 1", 1, Policy{Threshold: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{Tables: []Table{summary("s", Count("n", tt.value))}}
			r.Apply(tt.policy)
			v, ok := shownAs(t, &r, "n")
			if ok == tt.suppressed || r.Tables[0].Rows[0].Current.Suppressed != tt.suppressed {
				t.Fatalf("value %d: shown %v, want suppressed %v", tt.value, ok, tt.suppressed)
			}
			if ok && v != float64(tt.value) {
				t.Errorf("shown %v, want %d", v, tt.value)
			}
			if c := r.Tables[0].Rows[0].Current; c.Suppressed && c.Value != 0 {
				t.Errorf("suppressed cell keeps value %v", c.Value)
			}
		})
	}
}

func TestApplySecondary(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
		policy Policy
		want   []string // suppressed categories; "total" for the total
	}{
		{"one small part forces the next smallest", []int64{3, 8, 6, 20}, Policy{}, []string{"a", "c"}},
		{"ties go to the first part", []int64{3, 6, 6, 20}, Policy{}, []string{"a", "b"}},
		{"two small parts protect each other", []int64{3, 2, 10}, Policy{}, []string{"a", "b"}},
		{"a suppressed zero protects", []int64{3, 0, 9}, Policy{}, []string{"a", "b"}},
		{"a non-zero part is withheld before a published zero", []int64{3, 0, 9}, Policy{ShowZeros: true}, []string{"a", "c"}},
		{"published zeros count as known", []int64{9, 0, 3, 0}, Policy{ShowZeros: true}, []string{"a", "c"}},
		{"two parts, one small", []int64{3, 30}, Policy{}, []string{"a", "b"}},
		{"complement is the smallest, not the next", []int64{4, 100, 50, 7}, Policy{}, []string{"a", "d"}},
		{"nothing small", []int64{5, 6, 7}, Policy{}, nil},
		{"higher threshold", []int64{9, 12, 40, 11}, Policy{Threshold: 10}, []string{"a", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			_, total := counts(&r, "t", "", tt.values...)
			r.Apply(tt.policy)
			if got, want := suppressedKeys(&r), keys("t", tt.want...); !slices.Equal(got, want) {
				t.Errorf("suppressed %v, want %v", got, want)
			}
			if v, ok := shownAs(t, &r, "t:n:total"); !ok || v != float64(total) {
				t.Errorf("total shown %v %v, want %d", v, ok, total)
			}
			checkSafe(t, &r)
		})
	}
}

func TestApplyTotalBelowThreshold(t *testing.T) {
	t.Run("everything small", func(t *testing.T) {
		var r Report
		counts(&r, "t", "", 1, 2)
		r.Tables = append(r.Tables, summary("s", Percent("pct_a", 1, 3, "t:n:a", "t:n:total")))
		r.Apply(Policy{Threshold: 5})
		want := []string{"pct_a", "t:n:a", "t:n:b", "t:n:total"}
		if got := suppressedKeys(&r); !slices.Equal(got, want) {
			t.Errorf("suppressed %v, want %v", got, want)
		}
		checkSafe(t, &r)
	})
	t.Run("zeros shown beside a small total", func(t *testing.T) {
		var r Report
		counts(&r, "t", "", 0, 3, 0)
		r.Apply(Policy{Threshold: 5, ShowZeros: true})
		if got, want := suppressedKeys(&r), keys("t", "b", "total"); !slices.Equal(got, want) {
			t.Errorf("suppressed %v, want %v", got, want)
		}
		if v, ok := shownAs(t, &r, "t:n:a"); !ok || v != 0 {
			t.Errorf("zero shown as %v %v", v, ok)
		}
		checkSafe(t, &r)
	})
}

// The exposing Sum has no published part: B is not in the report but computed from its own
// breakdown, so the total is what must go.
func TestApplyComplementIsTotalWhenNoPartPublished(t *testing.T) {
	r := Report{
		Tables: []Table{
			summary("t", Count("T", 25), Count("A", 3), Count("B1", 10), Count("B2", 12)),
		},
		Sums: []Sum{{Total: "B", Parts: []string{"B1", "B2"}}, {Total: "T", Parts: []string{"A", "B"}}},
	}
	r.Apply(Policy{Threshold: 5})
	if got, want := suppressedKeys(&r), []string{"A", "T"}; !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
	checkSafe(t, &r)
}

// Neither the part nor the total of the exposing Sum is published: the total T is computed
// from a higher Sum G = T + C, whose published part must go.
func TestApplyComplementThroughComputedFigure(t *testing.T) {
	r := Report{
		Tables: []Table{
			summary("t", Count("G", 40), Count("C", 15), Count("A", 3), Count("B1", 10), Count("B2", 12)),
		},
		Sums: []Sum{
			{Total: "B", Parts: []string{"B1", "B2"}},
			{Total: "T", Parts: []string{"A", "B"}},
			{Total: "G", Parts: []string{"T", "C"}},
		},
	}
	r.Apply(Policy{Threshold: 5})
	if got, want := suppressedKeys(&r), []string{"A", "C"}; !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
	checkSafe(t, &r)
}

func TestApplySharedTotal(t *testing.T) {
	t.Run("published in both", func(t *testing.T) {
		var r Report
		counts(&r, "reason", "referrals:total", 3, 12, 15)
		counts(&r, "age", "referrals:total", 10, 20)
		r.Tables = append(r.Tables, summary("summary", Count("referrals:total", 30)))
		r.Apply(Policy{Threshold: 5})
		if got, want := suppressedKeys(&r), keys("reason", "a", "b"); !slices.Equal(got, want) {
			t.Errorf("suppressed %v, want %v", got, want)
		}
		if v, ok := shownAs(t, &r, "referrals:total"); !ok || v != 30 {
			t.Errorf("total shown %v %v", v, ok)
		}
		checkSafe(t, &r)
	})
	t.Run("suppressed in both", func(t *testing.T) {
		var r Report
		counts(&r, "reason", "referrals:total", 1, 3)
		counts(&r, "age", "referrals:total", 4, 0)
		r.Tables = append(r.Tables, summary("summary", Count("referrals:total", 4)))
		r.Apply(Policy{Threshold: 5, ShowZeros: true})
		n := 0
		cells(&r, func(c *Cell) {
			if c.Key == "referrals:total" {
				n++
				if !c.Suppressed {
					t.Errorf("a cell of the shared total is published")
				}
			}
		})
		if n != 3 {
			t.Fatalf("%d cells keyed referrals:total, want 3", n)
		}
		want := append(keys("reason", "a", "b"), "age:n:a", "referrals:total")
		slices.Sort(want)
		if got := suppressedKeys(&r); !slices.Equal(got, want) {
			t.Errorf("suppressed %v, want %v", got, want)
		}
		checkSafe(t, &r)
	})
}

// A part of table A (ADHD referrals) is also a part of table B (neurodevelopmental referrals):
// protecting it in A is not enough, B must not give it away either.
func TestApplySharedPartNotRecoverableThroughAnotherTable(t *testing.T) {
	r := Report{
		Tables: []Table{
			summary("by_reason", Count("adhd", 3), Count("sensory", 12), Count("other", 15), Count("all", 30)),
			summary("neurodevelopmental", Count("adhd", 3), Count("autism", 20), Count("nd", 23)),
		},
		Sums: []Sum{
			{Total: "all", Parts: []string{"adhd", "sensory", "other"}},
			{Total: "nd", Parts: []string{"adhd", "autism"}},
		},
	}
	r.Apply(Policy{Threshold: 5})
	if got, want := suppressedKeys(&r), []string{"adhd", "autism", "sensory"}; !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
	checkSafe(t, &r)
}

// A small total in table A is a part of table B's total.
func TestApplySuppressedTotalNotRecoverableThroughAnotherTable(t *testing.T) {
	var r Report
	counts(&r, "tribunal", "appeals", 1, 3)
	r.Tables = append(r.Tables, summary("disputes", Count("appeals", 4), Count("mediations", 20), Count("disputes", 24)))
	r.Sums = append(r.Sums, Sum{Total: "disputes", Parts: []string{"appeals", "mediations"}})
	r.Apply(Policy{Threshold: 5})
	want := []string{"appeals", "mediations", "tribunal:n:a", "tribunal:n:b"}
	if got := suppressedKeys(&r); !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
	if v, ok := shownAs(t, &r, "disputes"); !ok || v != 24 {
		t.Errorf("disputes shown %v %v", v, ok)
	}
	checkSafe(t, &r)
}

func TestApplyPreviousPeriodIndependent(t *testing.T) {
	var r Report
	cats := []Category{{"a", "A"}, {"b", "B"}, {"c", "C"}}
	r.Breakdown("t", "", "T", "letter", "n", cats,
		map[string]int64{"a": 3, "b": 10, "c": 12}, map[string]int64{"a": 30, "b": 2, "c": 9}, "", 25, 41, true)
	r.Apply(Policy{Threshold: 5})
	want := []string{"prev:t:n:b", "prev:t:n:c", "t:n:a", "t:n:b"}
	if got := suppressedKeys(&r); !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
	for key, wantV := range map[string]float64{"t:n:c": 12, "prev:t:n:a": 30, "t:n:total": 25, "prev:t:n:total": 41} {
		if v, ok := shownAs(t, &r, key); !ok || v != wantV {
			t.Errorf("%s shown %v %v, want %v", key, v, ok, wantV)
		}
	}
	if r.Control.Suppressed != 4 {
		t.Errorf("Control.Suppressed = %d, want 4", r.Control.Suppressed)
	}
	checkSafe(t, &r)
}

func TestApplyDerived(t *testing.T) {
	r := Report{Tables: []Table{summary("s",
		Count("responses", 4),
		Mean("mean", 15, 4, "responses", 2),
		Mean("mean_none", 0, 0, "responses", 2),
		Count("answered", 12),
		Count("agreed", 3),
		Percent("pct_agreed", 3, 12, "agreed", "answered"),
		Count("completed", 12),
		Count("in_time", 9),
		Percent("pct_in_time", 9, 12, "in_time", "completed"),
		Median("median_days", 102, true, "completed"),
		Median("median_unknown_base", 40, true, "not_in_report"),
		Cell{Key: "no_bases", Value: 1.5, Decimals: 1},
		Cell{Key: "change_in_mean", Value: 0.2, Decimals: 1, Bases: []string{"mean"}},
	)}}
	r.Apply(Policy{Threshold: 5})
	want := []string{"agreed", "change_in_mean", "mean", "median_unknown_base", "no_bases", "pct_agreed", "responses"}
	if got := suppressedKeys(&r); !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
	for key, wantV := range map[string]float64{"pct_in_time": 75, "median_days": 102, "answered": 12} {
		if v, ok := shownAs(t, &r, key); !ok || v != wantV {
			t.Errorf("%s shown %v %v, want %v", key, v, ok, wantV)
		}
	}
	for _, row := range r.Tables[0].Rows {
		if row.Current.Key == "mean_none" && (!row.Current.Missing || row.Current.Suppressed) {
			t.Errorf("a missing mean must stay missing, not suppressed: %+v", row.Current)
		}
	}
	checkSafe(t, &r)
}

func TestApplyAllOrNothing(t *testing.T) {
	cats := []Category{{"1", "Strongly disagree"}, {"2", "Disagree"}, {"3", "Neither"}, {"4", "Agree"}, {"5", "Strongly agree"}}
	cur := map[string]int64{"1": 2, "2": 10, "3": 20, "4": 15, "5": 8}
	prev := map[string]int64{"1": 6, "2": 9, "3": 12, "4": 10, "5": 7}
	build := func(aon bool) Report {
		var r Report
		tb := r.Breakdown("q3", "parent_carer", "Q3", "answer", "responses", cats, cur, prev, "", 55, 44, true)
		tb.AllOrNothing = aon
		tb.Rows = append(tb.Rows, Row{Category: "mean", Label: "Mean", Measure: "mean_score",
			Current: Mean("q3:mean", 182, 55, "q3:parent_carer:responses:total", 2)})
		r.Breakdown("q4", "parent_carer", "Q4", "answer", "responses", cats,
			map[string]int64{"1": 7, "2": 10, "3": 20, "4": 15, "5": 8}, nil, "", 60, 0, true).AllOrNothing = aon
		return r
	}
	tests := []struct {
		name string
		aon  bool
		want []string
	}{
		{"off: primary and one complement", false, []string{"q3:parent_carer:responses:1", "q3:parent_carer:responses:5"}},
		{"on: the whole distribution", true, []string{
			"q3:parent_carer:responses:1", "q3:parent_carer:responses:2", "q3:parent_carer:responses:3",
			"q3:parent_carer:responses:4", "q3:parent_carer:responses:5",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := build(tt.aon)
			r.Apply(Policy{Threshold: 5})
			if got := suppressedKeys(&r); !slices.Equal(got, tt.want) {
				t.Errorf("suppressed %v, want %v", got, tt.want)
			}
			for key, wantV := range map[string]float64{
				"q3:parent_carer:responses:total": 55, "q3:mean": 3.31,
				// The previous distribution of q3 and all of q4 are published in full.
				"prev:q3:parent_carer:responses:1": 6, "q4:parent_carer:responses:1": 7,
			} {
				if v, ok := shownAs(t, &r, key); !ok || v != wantV {
					t.Errorf("%s shown %v %v, want %v", key, v, ok, wantV)
				}
			}
			checkSafe(t, &r)
		})
	}
}

func TestApplyRounding(t *testing.T) {
	tests := []struct {
		name     string
		rounding int
		cell     Cell
		want     float64
		wantOK   bool
	}{
		{"5 stays 5", 5, Count("n", 5), 5, true},
		{"7 down to 5", 5, Count("n", 7), 5, true},
		{"8 up to 10", 5, Count("n", 8), 10, true},
		{"12 down to 10", 5, Count("n", 12), 10, true},
		{"13 up to 15", 5, Count("n", 13), 15, true},
		{"12.5 half up to 15", 5, Cell{Key: "n", Value: 12.5, Count: true}, 15, true},
		{"153 up to 155", 5, Count("n", 153), 155, true},
		{"4 suppressed on its exact value", 5, Count("n", 4), 0, false},
		{"15 half up to 20", 10, Count("n", 15), 20, true},
		{"14 down to 10", 10, Count("n", 14), 10, true},
		{"6 half up to 8", 4, Count("n", 6), 8, true},
		{"no rounding at 1", 1, Count("n", 7), 7, true},
		{"no rounding at 0", 0, Count("n", 7), 7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{Tables: []Table{summary("s", tt.cell)}}
			r.Apply(Policy{Threshold: 5, Rounding: tt.rounding})
			if v, ok := shownAs(t, &r, "n"); v != tt.want || ok != tt.wantOK {
				t.Errorf("shown %v %v, want %v %v", v, ok, tt.want, tt.wantOK)
			}
		})
	}

	t.Run("shared keys and derived figures", func(t *testing.T) {
		var r Report
		counts(&r, "t", "", 7, 9, 12) // total 28
		r.Tables = append(r.Tables, summary("s", Count("t:n:total", 28), Percent("pct_a", 7, 28, "t:n:a", "t:n:total")))
		r.Apply(Policy{Threshold: 5, Rounding: 5})
		for key, want := range map[string]float64{"t:n:a": 5, "t:n:b": 10, "t:n:c": 10, "t:n:total": 30, "pct_a": 25} {
			if v, ok := shownAs(t, &r, key); !ok || v != want {
				t.Errorf("%s shown %v %v, want %v", key, v, ok, want)
			}
		}
	})
}

func TestApplyControl(t *testing.T) {
	var r Report
	counts(&r, "reason", "referrals:total", 1, 2)
	counts(&r, "age", "referrals:total", 3, 0)
	r.Tables = append(r.Tables, summary("summary", Count("referrals:total", 3)))
	r.Apply(Policy{Rounding: 5})
	// Seven cells withheld, five figures: the total's three cells count once.
	want := Control{Applied: true, Threshold: DefaultThreshold, Rounding: 5, ShowZeros: false, Suppressed: 5}
	if r.Control != want {
		t.Errorf("Control = %+v, want %+v", r.Control, want)
	}
	n := 0
	cells(&r, func(c *Cell) {
		if c.Suppressed {
			n++
		}
	})
	if n != 7 {
		t.Errorf("%d suppressed cells, want 7", n)
	}
}

func TestExactReportLeavesEverythingShown(t *testing.T) {
	var r Report
	cats := []Category{{"a", "A"}, {"b", "B"}}
	r.Breakdown("t", "", "T", "letter", "n", cats, map[string]int64{"a": 1, "b": 0}, map[string]int64{"a": 2}, "", 1, 2, true)
	r.Tables = append(r.Tables, summary("s", Mean("mean", 3, 1, "t:n:total", 2)))
	want := map[string]float64{"t:n:a": 1, "t:n:b": 0, "t:n:total": 1, "prev:t:n:a": 2, "prev:t:n:b": 0, "prev:t:n:total": 2, "mean": 3}
	got := map[string]float64{}
	cells(&r, func(c *Cell) {
		v, ok := c.Shown()
		if !ok {
			t.Errorf("%s not shown in an exact report", c.Key)
		}
		got[c.Key] = v
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("shown %v, want %v", got, want)
	}
	if r.Control.Applied || r.Control != (Control{}) {
		t.Errorf("Control = %+v", r.Control)
	}
	if e := r.Exposed(); len(e) != 0 {
		t.Errorf("Exposed() = %v", e)
	}
}

func TestApplyConflictingValuesSuppressed(t *testing.T) {
	r := Report{Tables: []Table{summary("a", Count("x", 7)), summary("b", Count("x", 9)), summary("c", Count("y", 7))}}
	r.Apply(Policy{})
	if got, want := suppressedKeys(&r), []string{"x"}; !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
}

func TestApplyKeepsPresetSuppression(t *testing.T) {
	var r Report
	tb, _ := counts(&r, "t", "", 10, 12, 20)
	tb.Rows[0].Current.Suppressed = true
	r.Apply(Policy{})
	if got, want := suppressedKeys(&r), keys("t", "a", "b"); !slices.Equal(got, want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
	checkSafe(t, &r)
}

func TestExposed(t *testing.T) {
	tests := []struct {
		name string
		r    Report
		want []string
	}{
		{
			"a lone suppressed part",
			Report{
				Tables: []Table{summary("t", Cell{Key: "a", Value: 3, Count: true, Suppressed: true}, Count("b", 10), Count("T", 13))},
				Sums:   []Sum{{Total: "T", Parts: []string{"a", "b"}}},
			},
			[]string{"a"},
		},
		{
			"two suppressed parts",
			Report{
				Tables: []Table{summary("t",
					Cell{Key: "a", Value: 3, Count: true, Suppressed: true},
					Cell{Key: "b", Value: 4, Count: true, Suppressed: true},
					Count("T", 7))},
				Sums: []Sum{{Total: "T", Parts: []string{"a", "b"}}},
			},
			nil,
		},
		{
			"published under the same key elsewhere",
			Report{Tables: []Table{
				summary("t", Cell{Key: "x", Value: 3, Count: true, Suppressed: true}),
				summary("u", Count("x", 3)),
			}},
			[]string{"x"},
		},
		{
			"through a figure not in the report",
			Report{
				Tables: []Table{summary("t", Count("G", 40), Count("C", 15), Cell{Key: "A", Value: 3, Count: true, Suppressed: true}, Count("B", 22))},
				Sums:   []Sum{{Total: "G", Parts: []string{"T", "C"}}, {Total: "T", Parts: []string{"A", "B"}}},
			},
			[]string{"A"},
		},
		{"a sum with no parts says nothing", Report{
			Tables: []Table{summary("t", Cell{Key: "a", Value: 0, Count: true, Suppressed: true})},
			Sums:   []Sum{{Total: "a"}},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Exposed(); !slices.Equal(got, tt.want) {
				t.Errorf("Exposed() = %v, want %v", got, tt.want)
			}
			tt.r.Apply(Policy{})
			checkSafe(t, &tt.r)
		})
	}
}

// The Salford pilot's referrals by main reason for one year, published with threshold 5. The
// four small reasons hide each other: with four unknowns the total cannot give any of them away,
// so no secondary suppression is needed.
func TestApplySalfordPilot(t *testing.T) {
	reasons := []struct {
		key, label string
		n          int64
	}{
		{"adhd", "ADHD", 4},
		{"anxiety", "Anxiety", 15},
		{"attachment", "Attachment", 2},
		{"autism", "Autism", 20},
		{"behaviour", "Behaviour", 6},
		{"cognition_learning", "Cognition and learning", 7},
		{"emotional_wellbeing", "Emotional wellbeing", 7},
		{"hearing", "Hearing", 3},
		{"medical", "Medical", 6},
		{"moderate_learning", "Moderate learning difficulty", 15},
		{"physical", "Physical", 22},
		{"semh", "Social, emotional and mental health", 31},
		{"speech_language", "Speech and language", 12},
		{"visual", "Visual", 3},
	}
	cats := make([]Category, len(reasons))
	cur := map[string]int64{}
	var total int64
	for i, x := range reasons {
		cats[i] = Category{x.key, x.label}
		cur[x.key] = x.n
		total += x.n
	}
	if total != 153 {
		t.Fatalf("total %d, want 153", total)
	}
	var r Report
	r.Breakdown("referrals_by_reason", "", "Referrals by main reason", "reason", "referrals", cats, cur, nil,
		"referrals:total", total, 0, true)
	r.Apply(Policy{Threshold: 5})

	var hidden []string
	for _, row := range r.Tables[0].Rows {
		if row.Current.Suppressed {
			hidden = append(hidden, row.Label)
		}
	}
	if want := []string{"ADHD", "Attachment", "Hearing", "Visual"}; !slices.Equal(hidden, want) {
		t.Errorf("suppressed %v, want %v", hidden, want)
	}
	if v, ok := shownAs(t, &r, "referrals:total"); !ok || v != 153 {
		t.Errorf("total shown %v %v, want 153", v, ok)
	}
	if v, ok := shownAs(t, &r, "referrals_by_reason:referrals:behaviour"); !ok || v != 6 {
		t.Errorf("behaviour shown %v %v, want 6", v, ok)
	}
	if r.Control.Suppressed != 4 {
		t.Errorf("Control.Suppressed = %d, want 4", r.Control.Suppressed)
	}
	checkSafe(t, &r)
}
