package report

import (
	"reflect"
	"testing"
)

func TestBreakdown(t *testing.T) {
	cats := []Category{{"speech_language", "Speech and language"}, {"autism", "Autism"}, {"hearing", ""}, {"autism", "Duplicate"}}
	cur := map[string]int64{"speech_language": 31, "autism": 20, "other": 2, "attachment": 1}
	prev := map[string]int64{"autism": 18, "visual": 3}

	var r Report
	tb := r.Breakdown("referrals_by_reason", "", "Referrals by main reason", "reason", "referrals", cats, cur, prev,
		"referrals:total", 54, 21, true)

	if tb != &r.Tables[0] {
		t.Fatal("Breakdown must return the table it added")
	}
	if tb.Name != "referrals_by_reason" || tb.Title != "Referrals by main reason" || tb.Dimension != "reason" || tb.Group != "" || tb.AllOrNothing {
		t.Errorf("table = %+v", tb)
	}
	type line struct {
		cat, label, key string
		cur, prev       float64
	}
	want := []line{
		{"speech_language", "Speech and language", "referrals_by_reason:referrals:speech_language", 31, 0},
		{"autism", "Autism", "referrals_by_reason:referrals:autism", 20, 18},
		{"hearing", "hearing", "referrals_by_reason:referrals:hearing", 0, 0},
		// In the data but not listed: after the listed ones, by key.
		{"attachment", "attachment", "referrals_by_reason:referrals:attachment", 1, 0},
		{"other", "other", "referrals_by_reason:referrals:other", 2, 0},
		{"visual", "visual", "referrals_by_reason:referrals:visual", 0, 3},
		{"total", "Total", "referrals:total", 54, 21},
	}
	var got []line
	for _, row := range tb.Rows {
		if row.Measure != "referrals" || !row.Current.Count || row.Previous == nil || !row.Previous.Count {
			t.Errorf("row %+v", row)
			continue
		}
		if row.Previous.Key != PreviousKey(row.Current.Key) {
			t.Errorf("previous key %q for %q", row.Previous.Key, row.Current.Key)
		}
		got = append(got, line{row.Category, row.Label, row.Current.Key, row.Current.Value, row.Previous.Value})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}

	parts := []string{
		"referrals_by_reason:referrals:speech_language", "referrals_by_reason:referrals:autism",
		"referrals_by_reason:referrals:hearing", "referrals_by_reason:referrals:attachment",
		"referrals_by_reason:referrals:other", "referrals_by_reason:referrals:visual",
	}
	prevParts := make([]string, len(parts))
	for i, k := range parts {
		prevParts[i] = PreviousKey(k)
	}
	wantSums := []Sum{{"referrals:total", parts}, {PreviousKey("referrals:total"), prevParts}}
	if !reflect.DeepEqual(r.Sums, wantSums) {
		t.Errorf("Sums:\n got %+v\nwant %+v", r.Sums, wantSums)
	}
}

func TestBreakdownWithoutComparison(t *testing.T) {
	var r Report
	tb := r.Breakdown("settings_by_phase", "", "Settings", "phase", "settings",
		[]Category{{"primary", "Primary"}, {"secondary", "Secondary"}}, map[string]int64{"primary": 9}, nil,
		"", 9, 0, false)
	if len(tb.Rows) != 3 {
		t.Fatalf("rows = %+v", tb.Rows)
	}
	for _, row := range tb.Rows {
		if row.Previous != nil {
			t.Errorf("row %q has a previous figure without a comparison", row.Category)
		}
	}
	if k := tb.Rows[2].Current.Key; k != "settings_by_phase:settings:total" || tb.Rows[2].Category != TotalCategory {
		t.Errorf("total row = %+v, want default key settings_by_phase:settings:total", tb.Rows[2])
	}
	if v := tb.Rows[1].Current.Value; v != 0 {
		t.Errorf("absent category = %v, want 0", v)
	}
	if len(r.Sums) != 0 {
		t.Errorf("a breakdown that is not additive added Sums %+v", r.Sums)
	}
}

func TestBreakdownGroupsHaveDistinctKeys(t *testing.T) {
	var r Report
	cats := []Category{{"1", "Strongly disagree"}, {"2", "Disagree"}}
	a := r.Breakdown("q1", "parent_carer", "Q1", "answer", "responses", cats, map[string]int64{"1": 6, "2": 7}, nil, "", 13, 0, true)
	keyA := a.Rows[0].Current.Key
	b := r.Breakdown("q1", "young_person", "Q1", "answer", "responses", cats, map[string]int64{"1": 8, "2": 9}, nil, "", 17, 0, true)
	if keyA != "q1:parent_carer:responses:1" || b.Rows[0].Current.Key != "q1:young_person:responses:1" {
		t.Errorf("keys %q and %q", keyA, b.Rows[0].Current.Key)
	}
	if b.Rows[2].Current.Key != "q1:young_person:responses:total" || r.Sums[0].Total != "q1:parent_carer:responses:total" {
		t.Errorf("total keys %q and %q", b.Rows[2].Current.Key, r.Sums[0].Total)
	}
}
