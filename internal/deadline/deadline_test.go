package deadline

import (
	"testing"
	"time"
)

func day(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }

func TestParseLeads(t *testing.T) {
	for _, c := range []struct {
		in   string
		want map[Clock]int
		bad  bool
	}{
		{in: "", want: map[Clock]int{FinalPlan: 14, NoPlanNotice: 14, Advice: 7, DecisionToAssess: 7, DraftComments: 5, AnnualReview: 28, PhaseTransfer: 28, CHCInPlace: 56, CareAct: 56, TransitionYear9: 56}},
		{in: "20w=14d,advice=7d", want: map[Clock]int{FinalPlan: 14, Advice: 7}},
		{in: "20w=3w, 16w=10", want: map[Clock]int{FinalPlan: 21, NoPlanNotice: 10}},
		{in: "final_plan=0d,15d=2d,17.5=12w", want: map[Clock]int{FinalPlan: 0, DraftComments: 2, CareAct: 84}},
		{in: "chc=4w", want: map[Clock]int{CHCIdentify: 28, CHCRefer: 28, CHCEligibility: 28, CHCInPlace: 28, CareAct: 56}},
		{in: "transition=1w", want: map[Clock]int{TransitionYear9: 7, CareAct: 7, CHCInPlace: 7, AnnualReview: 28}},
		{in: "20w", bad: true},
		{in: "21w=1d", bad: true},
		{in: "20w=-1d", bad: true},
		{in: "20w=2y", bad: true},
		{in: "20w=60w", bad: true},
	} {
		got, err := ParseLeads(c.in)
		if (err != nil) != c.bad {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		for k, v := range c.want {
			if got.Lead(k) != v {
				t.Errorf("%q: %s lead %d, want %d", c.in, k, got.Lead(k), v)
			}
		}
	}
	for _, i := range Clocks {
		if !Known(i.Clock) || DefaultLeads().Lead(i.Clock) != i.DefaultLead {
			t.Errorf("%s", i.Clock)
		}
	}
}

func TestStatusOn(t *testing.T) {
	d := Deadline{Clock: FinalPlan, RecordType: "ehc_request", RecordID: "r", DueOn: day("2026-05-25")}
	for _, c := range []struct {
		on   string
		lead int
		want Status
	}{
		{"2026-05-10", 14, Upcoming},
		{"2026-05-11", 14, DueSoon},
		{"2026-05-25", 14, DueSoon},
		{"2026-05-25", 0, DueSoon},
		{"2026-05-24", 0, Upcoming},
		{"2026-05-26", 14, Missed},
	} {
		if got := d.StatusOn(day(c.on), c.lead); got != c.want {
			t.Errorf("%s lead %d: %s, want %s", c.on, c.lead, got, c.want)
		}
	}
}

func TestKeyAndSort(t *testing.T) {
	a := Deadline{Clock: Advice, RecordType: "ehc_request", RecordID: "r", DueOn: day("2026-03-01"), Part: "x"}
	b := Deadline{Clock: Advice, RecordType: "ehc_request", RecordID: "r", DueOn: day("2026-03-01"), Part: "y"}
	c := Deadline{Clock: FinalPlan, RecordType: "ehc_request", RecordID: "r", DueOn: day("2026-02-01")}
	if a.Key() == b.Key() || a.Key() != "ehc_request:r:advice:2026-03-01:x" {
		t.Fatalf("keys %s %s", a.Key(), b.Key())
	}
	moved := c
	moved.DueOn = day("2026-02-08")
	if moved.Key() == c.Key() {
		t.Fatal("a moved due date must be a new deadline")
	}
	ds := []Deadline{b, a, c}
	Sort(ds)
	if ds[0].Clock != FinalPlan || ds[1].Part != "x" || ds[2].Part != "y" {
		t.Fatalf("order %+v", ds)
	}
}

// TestOwner: the adviser named on the record first, then the lead of the record's own referral,
// then the young person's latest lead; nobody when no lead was ever allocated.
func TestOwner(t *testing.T) {
	for _, c := range []struct{ named, referral, youngPerson, want string }{
		{"adviser", "lead", "latest", "adviser"},
		{"", "lead", "latest", "lead"},
		{"", "", "latest", "latest"},
		{"adviser", "", "", "adviser"},
		{"", "", "", ""},
	} {
		if got := Owner(c.named, c.referral, c.youngPerson); got != c.want {
			t.Errorf("Owner(%q, %q, %q) = %q, want %q", c.named, c.referral, c.youngPerson, got, c.want)
		}
	}
}
