package tcare

import (
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// TestBudgetReviewAndEnd: a refusal is reviewed once (upheld, or overturned and open again for a
// new decision); an agreed budget ends once, after which nothing is paid against it.
func TestBudgetReviewAndEnd(t *testing.T) {
	today := d("2026-06-01")
	refused := func() Budget {
		b := Budget{Status: BudgetRequested, RequestedOn: d("2026-04-01")}
		if err := b.Decide(false, d("2026-04-10"), "No.", nil, d(""), today); err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []struct {
		name, on, outcome string
		kind              fault.Kind
		pointer, status   string
	}{
		{"upheld", "2026-04-20", ReviewUpheld, fault.Unknown, "", BudgetRefused},
		{"overturned", "2026-04-20", ReviewOverturned, fault.Unknown, "", BudgetRequested},
		{"asked before the refusal", "2026-04-09", ReviewUpheld, fault.Invalid, "/requested_on", BudgetRefused},
		{"asked in the future", "2026-06-02", ReviewUpheld, fault.Invalid, "/requested_on", BudgetRefused},
		{"no such outcome", "2026-04-20", "maybe", fault.Invalid, "/outcome", BudgetRefused},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := refused()
			err := b.ReviewRefusal(d(c.on), c.outcome, today)
			var fe *fault.Error
			if fault.KindOf(err) != c.kind || (c.pointer != "" && (!asFault(err, &fe) || fe.Fields[0].Pointer != c.pointer)) || b.Status != c.status {
				t.Fatalf("%v, status %s", err, b.Status)
			}
			if err == nil {
				if err := b.ReviewRefusal(d(c.on), c.outcome, today); fault.KindOf(err) != fault.Conflict {
					t.Fatalf("reviewed twice: %v", err)
				}
			}
		})
	}
	// Overturned: decided anew and agreed.
	b := refused()
	if err := b.ReviewRefusal(d("2026-04-20"), ReviewOverturned, today); err != nil || !b.DecidedOn.IsZero() {
		t.Fatalf("overturn: %v %v", err, b.DecidedOn)
	}
	if err := b.Decide(true, d("2026-04-25"), "", []Part{{Stream: "education", Arrangement: "notional", AmountPence: 100, Period: "year"}}, d(""), today); err != nil {
		t.Fatalf("decide again: %v", err)
	}
	// Ending: not before the decision, not in the future, only once and only when agreed.
	if err := b.End(d("2026-04-24"), today); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("before the decision: %v", err)
	}
	if err := b.End(d("2026-06-02"), today); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("future: %v", err)
	}
	if err := b.End(d("2026-05-31"), today); err != nil || b.Status != BudgetEnded || !strings.HasSuffix(b.SectionJ(), "Ended on 2026-05-31.") {
		t.Fatalf("end: %v %s %q", err, b.Status, b.SectionJ())
	}
	if err := b.End(d("2026-05-31"), today); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("twice: %v", err)
	}
	if err := b.Pay(Payment{Stream: "education", PaidOn: d("2026-05-31"), AmountPence: 1}, today); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("paid after the end: %v", err)
	}
	if r := refused(); fault.KindOf(r.End(d("2026-05-01"), today)) != fault.Conflict {
		t.Fatal("a refused request ended")
	}
}
