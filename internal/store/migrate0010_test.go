package store_test

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/timeline"
)

// TestMigration0010Backfill: referrals recorded before 0010 get one referral_reasons row per
// reason (the main one marked) and the stages the timeline shows they reached, each on its first day.
func TestMigration0010Backfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		org := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, org.ID, nil)
		yp := mkPerson(t, st, org.ID, nil)
		r := mkReferral(t, st, yp, pr, func(r *referral.Referral) {
			r.Reasons, r.MainReason = []string{"sen", "social_care"}, "social_care"
		})
		event := func(kind, on string) {
			d, _ := time.Parse("2006-01-02", on)
			write(t, st, func(tx *store.Tx) error {
				return tx.AddTimeline(timeline.Event{ID: newID(t), YoungPersonID: yp.ID, ReferralID: r.ID, OccurredOn: d, RecordedAt: now(),
					Kind: kind, RecordType: "referral", RecordID: r.ID, Summary: kind})
			})
		}
		event("referral.triaged", "2026-03-04")
		event("referral.assessing", "2026-03-09")
		event("referral.mam_held", "2026-03-20")
		event("referral.panel", "2026-03-25")
		event("referral.mam_held", "2026-04-02") // back from the panel: the first day stands
		if _, err := store.RawExec(st, "UPDATE referrals SET status = 'mam_held' WHERE id = ?", r.ID); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"referral_reasons", "referral_stages"} {
			if _, err := store.RawExec(st, "DELETE FROM "+table); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.Backfill0010(st); err != nil {
			t.Fatal(err)
		}
		for reason, main := range map[string]int64{"sen": 0, "social_care": 1} {
			n, err := store.RawCount(st, "SELECT COUNT(*) FROM referral_reasons WHERE referral_id = ? AND reason = ? AND main = ?", r.ID, reason, main == 1)
			if err != nil || n != 1 {
				t.Errorf("reason %s (main %d): %d rows, %v", reason, main, n, err)
			}
		}
		for stage, on := range map[string]string{"received": "2026-03-02", "accepted": "2026-03-04", "assessing": "2026-03-09",
			"mam_held": "2026-03-20", "panel": "2026-03-25"} {
			got, err := store.RawString(st, "SELECT reached_on FROM referral_stages WHERE referral_id = ? AND stage = ?", r.ID, stage)
			if err != nil || got != on {
				t.Errorf("stage %s reached %q, %v; want %s", stage, got, err, on)
			}
		}
		if n, _ := store.RawCount(st, "SELECT COUNT(*) FROM referral_stages WHERE referral_id = ?", r.ID); n != 5 {
			t.Errorf("%d stages, want 5", n)
		}
		// Running it again changes nothing.
		if err := store.Backfill0010(st); err != nil {
			t.Fatalf("backfill twice: %v", err)
		}
		if n, _ := store.RawCount(st, "SELECT COUNT(*) FROM referral_reasons WHERE referral_id = ?", r.ID); n != 2 {
			t.Errorf("%d reasons after a second run, want 2", n)
		}
	})
}
