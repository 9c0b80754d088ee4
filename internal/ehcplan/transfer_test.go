package ehcplan

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// A plan transferred in keeps the old authority's made date and is reviewed by Reg 15(5)'s date,
// the later of the s.44 period's end and the 3 months from the transfer; until a review here
// is decided.
func TestRecordTransferIn(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return statutory.Date(y, m, day) }
	today := d(2026, 12, 1)
	issuedHere := d(2026, 4, 22)
	for _, c := range []struct {
		name               string
		made, lastReviewed time.Time
		reviewBy           time.Time
	}{
		{"the 12 months from the making end later", d(2025, 9, 15), time.Time{}, d(2026, 9, 14)},
		{"the 3 months from the transfer end later", d(2025, 6, 2), time.Time{}, d(2026, 7, 19)},
		{"12 months from the old authority's review", d(2025, 9, 15), d(2026, 1, 12), d(2027, 1, 11)},
	} {
		p := Plan{Status: Issued, FirstIssuedOn: &issuedHere}
		due := statutory.FirstReviewDue(issuedHere)
		p.ReviewDueOn = &due
		tr := TransferIn{FromLA: "352", MovedOn: d(2026, 4, 20), AwareOn: d(2026, 3, 2), TransferredOn: d(2026, 4, 20), MadeOn: c.made}
		if !c.lastReviewed.IsZero() {
			tr.LastReviewedOn = &c.lastReviewed
		}
		if err := p.RecordTransferIn(tr, today); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !p.FirstIssuedOn.Equal(c.made) || !p.ReviewDueOn.Equal(c.reviewBy) || p.TransferredFromLA != "352" || !p.FirstReviewPending() {
			t.Errorf("%s: made %v, review due %v", c.name, p.FirstIssuedOn, p.ReviewDueOn)
		}
		p.Reviewed(d(2026, 6, 1))
		if p.FirstReviewPending() {
			t.Errorf("%s: a review here was decided", c.name)
		}
		if err := p.RecordTransferIn(tr, today); fault.KindOf(err) != fault.Conflict {
			t.Errorf("%s: corrected after a review here: %v", c.name, err)
		}
	}
	own := Plan{Status: Draft, RequestID: "r"}
	if err := own.RecordTransferIn(TransferIn{FromLA: "352"}, today); fault.KindOf(err) != fault.Conflict {
		t.Errorf("a plan made here: %v", err)
	}
}
