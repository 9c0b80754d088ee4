package report

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/fault"
)

func TestLocalitiesPool(t *testing.T) {
	council := Localities{" South", "north ", "SOUTH", ""}
	counts := Counts{"south": 12, "north": 3, "jane smith's house": 1, "souht": 2, "": 4}
	pooled, names := council.Pool(counts)
	if want := (Counts{"south": 12, "north": 3, "": 7}); !reflect.DeepEqual(pooled, want) {
		t.Errorf("pooled = %v, want %v", pooled, want)
	}
	// The council's spelling, the first listed for a key; every one of its localities.
	if want := map[string]string{"south": "South", "north": "north"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
	if council.PooledLabel() != OtherLocalities {
		t.Errorf("label %q", council.PooledLabel())
	}

	// A council listing none publishes no locality by name: everything is pooled.
	pooled, names = Localities(nil).Pool(counts)
	if want := (Counts{"": 22}); !reflect.DeepEqual(pooled, want) || len(names) != 0 {
		t.Errorf("no localities: pooled %v, names %v", pooled, names)
	}
	if Localities(nil).PooledLabel() != AllLocalities || (Localities{" "}).PooledLabel() != AllLocalities {
		t.Error("with no localities listed the pooled row is all of them")
	}
	// A locality with nothing counted is still a row.
	pooled, names = council.Pool(nil)
	if len(pooled) != 0 || len(names) != 2 {
		t.Errorf("nothing counted: pooled %v, names %v", pooled, names)
	}
}

func TestLocalitiesCheckFilter(t *testing.T) {
	council := Localities{"South", "North"}
	for _, ok := range []string{"", "South", " south ", "NORTH"} {
		if err := council.CheckFilter(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, ls := range []Localities{council, nil} {
		err := ls.CheckFilter("Jane Smith's house")
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Pointer != "/query/locality" {
			t.Errorf("%v: %v", ls, err)
		}
	}
}

// TestActivityLocalitiesUnderControl: controlled, a locality typed per child never reaches the
// report, not even as the label of a withheld row; its referrals count in the pooled row, which
// is itself controlled. Exact, the SEND team sees the localities as recorded.
func TestActivityLocalitiesUnderControl(t *testing.T) {
	// unrecorded referrals have no locality; one was typed with a family's name.
	figures := func(unrecorded int64) ActivityFigures {
		return ActivityFigures{Referrals: 19 + unrecorded,
			ByLocality:    Counts{"south": 12, "north": 6, "jane smith's house": 1, "": unrecorded},
			LocalityNames: map[string]string{"south": "South", "north": "North", "jane smith's house": "Jane Smith's house"}}
	}
	council := Localities{"South", "North"}
	text := func(r Report) string {
		var b strings.Builder
		for _, tb := range r.Tables {
			b.WriteString(tb.Name + " " + tb.Title + " " + tb.Group + "\n")
			for _, row := range tb.Rows {
				b.WriteString(row.Category + " " + row.Label + " " + row.Current.Key + "\n")
			}
		}
		for _, s := range r.Sums {
			b.WriteString(s.Total + " " + strings.Join(s.Parts, " ") + "\n")
		}
		return strings.ToLower(b.String())
	}
	rowsOf := func(r Report) map[string]Row {
		out := map[string]Row{}
		for _, tb := range r.Tables {
			if tb.Name == "referrals_by_locality" {
				for _, row := range tb.Rows {
					out[row.Category] = row
				}
			}
		}
		return out
	}
	shown := func(row Row) any {
		if v, ok := row.Current.Shown(); ok {
			return v
		}
		return "withheld"
	}

	var exact Report
	TabulateActivity(&exact, []ActivityFigures{figures(1)})
	if !strings.Contains(text(exact), "jane smith") {
		t.Fatal("the exact report shows the locality as recorded")
	}
	if rows := rowsOf(exact); rows[""].Label != "Not recorded" || rows["jane smith's house"].Current.Value != 1 {
		t.Errorf("exact rows %+v", rows)
	}

	for _, c := range []struct {
		unrecorded  int64
		north, pool any
	}{
		{4, 6.0, 5.0}, // pooled 1+4: published
		// pooled 1+1: withheld, and North with it, or the total would give it away
		{1, "withheld", "withheld"},
	} {
		for _, previous := range []bool{false, true} {
			acts := []ActivityFigures{figures(c.unrecorded)}
			if previous {
				acts = append(acts, figures(c.unrecorded))
			}
			for i := range acts {
				acts[i] = acts[i].PoolLocalities(council)
			}
			var r Report
			TabulateActivity(&r, acts)
			r.Apply(Policy{Threshold: 5})
			if s := text(r); strings.Contains(s, "jane") || strings.Contains(s, "smith") {
				t.Fatalf("controlled report carries the typed locality:\n%s", s)
			}
			rows := rowsOf(r)
			if len(rows) != 4 || rows["south"].Label != "South" || rows["north"].Label != "North" || rows[""].Label != OtherLocalities {
				t.Errorf("rows %+v: want South, North, the pooled row and the total", rows)
			}
			if shown(rows["south"]) != 12.0 || shown(rows["north"]) != c.north || shown(rows[""]) != c.pool {
				t.Errorf("unrecorded %d: south %v, north %v, pooled %v; want 12, %v, %v", c.unrecorded, shown(rows["south"]),
					shown(rows["north"]), shown(rows[""]), c.north, c.pool)
			}
			if previous && (rows[""].Previous == nil || rows[""].Previous.Value != rows[""].Current.Value) {
				t.Errorf("previous period not pooled alike: %+v", rows[""])
			}
			if len(r.Exposed()) != 0 {
				t.Errorf("exposed %v", r.Exposed())
			}
		}
	}
}
