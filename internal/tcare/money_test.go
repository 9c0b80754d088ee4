package tcare

import (
	"math"
	"testing"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/money"
)

// TestBudgetMoneyBounds: no part, payment or total can wrap round an int64. Two payments of
// MaxInt64 pence once made spent_pence {"education": -2}.
func TestBudgetMoneyBounds(t *testing.T) {
	today := d("2026-06-01")
	b, err := NewBudget(Budget{RequestedOn: d("2026-04-01"), RequestedBy: "parent"}, today)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		part Part
	}{
		{"MaxInt64 a year", Part{Stream: "education", Arrangement: "notional", AmountPence: math.MaxInt64, Period: "year"}},
		{"over the maximum a year", Part{Stream: "education", Arrangement: "notional", AmountPence: money.MaxPence + 1, Period: "year"}},
		// Allowed as a year's amount, but 52 of them are not: section J shows the year.
		{"a week's worth over the maximum a year", Part{Stream: "education", Arrangement: "notional", AmountPence: money.MaxPence/52 + 1, Period: "week"}},
	} {
		err := b.Decide(true, d("2026-04-21"), "", []Part{c.part}, d("2027-04-21"), today)
		var fe *fault.Error
		if !asFault(err, &fe) || fe.Kind != fault.Invalid || fe.Fields[0].Pointer != "/parts/0/amount_pence" {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if err := b.Decide(true, d("2026-04-21"), "", []Part{{Stream: "education", Arrangement: "notional", AmountPence: money.MaxPence / 52, Period: "week"}},
		d("2027-04-21"), today); err != nil {
		t.Fatal(err)
	}
	if j := b.PlanJ(); j.Lines[0].AmountPence != money.MaxPence/52*52 {
		t.Fatalf("J line: %v", j.Lines)
	}
	pay := func(pence int64) error {
		return b.Pay(Payment{Stream: "education", PaidOn: d("2026-05-01"), AmountPence: pence}, today)
	}
	var fe *fault.Error
	if err := pay(math.MaxInt64); !asFault(err, &fe) || fe.Kind != fault.Invalid || fe.Fields[0].Pointer != "/amount_pence" {
		t.Fatalf("MaxInt64 payment: %v", err)
	}
	if err := pay(money.MaxPence); err != nil {
		t.Fatal(err)
	}
	if err := pay(money.MaxPence); err != nil {
		t.Fatal(err)
	}
	if got := b.Spent()["education"]; got != 2*money.MaxPence {
		t.Fatalf("spent %d", got)
	}
	// Amounts stored before the maximum was enforced: the total is checked, never wrapped.
	b.Payments = append(b.Payments, Payment{Stream: "education", PaidOn: d("2026-05-01"), AmountPence: math.MaxInt64})
	if got := b.Spent()["education"]; got != math.MaxInt64 {
		t.Fatalf("spent with a stored huge payment: %d (wrapped)", got)
	}
	n := len(b.Payments)
	if err := pay(1); fault.KindOf(err) != fault.Unprocessable || !asFault(err, &fe) || fe.Fields[0].Pointer != "/amount_pence" || len(b.Payments) != n {
		t.Fatalf("payment past what a total can hold: %v (%d payments)", err, len(b.Payments))
	}
	b.Parts[0].AmountPence, b.Parts[0].Period = math.MaxInt64, "week"
	if j := b.PlanJ(); j.Lines[0].AmountPence != math.MaxInt64 {
		t.Fatalf("J from a stored huge part wrapped: %v", j.Lines)
	}
}
