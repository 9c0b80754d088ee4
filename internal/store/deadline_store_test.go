package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestDeadlineNoticeClaim: a warning is claimed once per deadline and kind, also by two
// transactions racing for it; a moved due day or the other kind is a new claim.
func TestDeadlineNoticeClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rec := uuid.Must(uuid.NewV7()).String()
		d := deadline.Deadline{Clock: deadline.FinalPlan, RecordType: "ehc_request", RecordID: rec, DueOn: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)}
		claim := func(d deadline.Deadline, kind deadline.Status) bool {
			t.Helper()
			var got bool
			if err := st.InTx(ctx, func(tx *store.Tx) (err error) {
				got, err = tx.DeadlineNotices().Claim(deadline.Notice{ID: uuid.Must(uuid.NewV7()).String(), EventID: uuid.Must(uuid.NewV7()).String(),
					Kind: kind, Deadline: d, SentAt: time.Now().UTC()})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return got
		}
		if !claim(d, deadline.DueSoon) || claim(d, deadline.DueSoon) {
			t.Fatal("due_soon claimed other than once")
		}
		if !claim(d, deadline.Missed) {
			t.Fatal("missed is a claim of its own")
		}
		moved := d
		moved.DueOn = d.DueOn.AddDate(0, 0, 14)
		if !claim(moved, deadline.DueSoon) {
			t.Fatal("a moved due day is a new deadline")
		}
		// Two at once: exactly one wins.
		race := d
		race.Clock = deadline.Advice
		var wg sync.WaitGroup
		wins := make([]bool, 4)
		for i := range wins {
			wg.Add(1)
			go func() { defer wg.Done(); wins[i] = claim(race, deadline.DueSoon) }()
		}
		wg.Wait()
		n := 0
		for _, w := range wins {
			if w {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d of 4 racing claims won", n)
		}
	})
}
