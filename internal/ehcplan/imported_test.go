package ehcplan

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

func dp(y int, m time.Month, dd int) *time.Time { t := d(y, m, dd); return &t }

// TestImportedPlan: an imported plan keeps its real dates (its first review worked out from the
// issue or the last review as the API works it out), and each bad value is named by its column.
func TestImportedPlan(t *testing.T) {
	good := func() Imported {
		return Imported{Status: Issued, FirstIssuedOn: d(2023, 3, 14), LastReviewedOn: dp(2025, 2, 10), SENTypes: []string{"ASD", "SLCN"},
			Placement: school}
	}
	p, err := good().Plan("yp", child, now, now)
	if err != nil {
		t.Fatal(err)
	}
	if !p.FirstIssuedOn.Equal(d(2023, 3, 14)) || !p.ReviewDueOn.Equal(statutory.NextReviewDue(d(2025, 2, 10))) || p.Status != Issued ||
		p.InForce() == nil || p.InForce().Sections.B[0].SENType != "ASD" || p.InForce().Sections.I.SettingName != "Oak Primary" {
		t.Fatalf("plan: %+v", p)
	}
	first := good()
	first.LastReviewedOn = nil
	if p, _ := first.Plan("yp", child, now, now); !p.ReviewDueOn.Equal(statutory.FirstReviewDue(d(2023, 3, 14))) {
		t.Errorf("first review due %v", p.ReviewDueOn)
	}
	ceased := good()
	ceased.Status, ceased.CeaseReason, ceased.CeasedOn = Ceased, "2", dp(2025, 7, 20)
	if p, err := ceased.Plan("yp", child, now, now); err != nil || p.Cessation == nil || p.ReviewDueOn != nil || p.StatusOn(now) != Ceased {
		t.Errorf("ceased: %+v %v", p, err)
	}
	transfer := good()
	transfer.PhaseTransferKind, transfer.PhaseTransferOn = statutory.TransferBetweenPhases, dp(2027, 9, 1)
	if p, err := transfer.Plan("yp", child, now, now); err != nil || !p.PhaseTransfer.DueOn.Equal(d(2027, 2, 15)) {
		t.Errorf("transfer: %+v %v", p.PhaseTransfer, err)
	}

	for _, tc := range []struct {
		name, pointer string
		change        func(*Imported)
	}{
		{"status", "/status", func(i *Imported) { i.Status = Draft }},
		{"no issue date", "/first_issued_on", func(i *Imported) { i.FirstIssuedOn = time.Time{} }},
		{"issued in the future", "/first_issued_on", func(i *Imported) { i.FirstIssuedOn = d(2027, 1, 1) }},
		{"issued before birth", "/first_issued_on", func(i *Imported) { i.FirstIssuedOn = d(2017, 1, 1) }},
		{"reviewed before issue", "/last_reviewed_on", func(i *Imported) { i.LastReviewedOn = dp(2023, 1, 1) }},
		{"review due too late", "/review_due_on", func(i *Imported) { i.ReviewDueOn = dp(2026, 3, 1) }},
		{"review due before the last", "/review_due_on", func(i *Imported) { i.ReviewDueOn = dp(2025, 1, 1) }},
		{"transfer without kind", "/phase_transfer_kind", func(i *Imported) { i.PhaseTransferOn = dp(2027, 9, 1) }},
		{"transfer without day", "/phase_transfer_on", func(i *Imported) { i.PhaseTransferKind = statutory.TransferBetweenPhases }},
		{"transfer kind", "/phase_transfer_kind", func(i *Imported) { i.PhaseTransferKind, i.PhaseTransferOn = "sideways", dp(2027, 9, 1) }},
		{"cease reason on an issued plan", "/cease_reason", func(i *Imported) { i.CeaseReason = "2" }},
		{"ceased without reason", "/cease_reason", func(i *Imported) { i.Status, i.CeasedOn = Ceased, dp(2025, 7, 20) }},
		{"ceased without day", "/ceased_on", func(i *Imported) { i.Status, i.CeaseReason = Ceased, "2" }},
		{"ceased in the future", "/ceased_on", func(i *Imported) { i.Status, i.CeaseReason, i.CeasedOn = Ceased, "2", dp(2027, 1, 1) }},
		{"no need", "/sen_types", func(i *Imported) { i.SENTypes = nil }},
		{"unknown need", "/sen_types", func(i *Imported) { i.SENTypes = []string{"XYZ"} }},
		{"no setting", "/setting_name", func(i *Imported) { i.Placement = Placement{} }},
		{"setting type", "/setting_type", func(i *Imported) { i.Placement.SettingType = "castle" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			tc.change(&in)
			_, err := in.Plan("yp", child, now, now)
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Invalid {
				t.Fatalf("want Invalid naming %s, got %v", tc.pointer, err)
			}
			for _, f := range fe.Fields {
				if f.Pointer == tc.pointer {
					return
				}
			}
			t.Errorf("want %s named, got %+v", tc.pointer, fe.Fields)
		})
	}
}
