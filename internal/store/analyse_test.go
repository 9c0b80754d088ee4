package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestImportsAnalyseWithoutWaiting: an import's ANALYSE skips the tables another import's
// transaction is analysing rather than waiting for it to commit (an ANALYSE holds its tables to
// the end of its transaction, and two imports waiting on each other's rows and statistics could
// deadlock). Both imports' forms, each beside the other; without SKIP_LOCKED each waits its
// whole 5 s (checked).
func TestImportsAnalyseWithoutWaiting(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != store.Postgres {
			continue // SQLite's planner needs no ANALYSE: the import runs none there
		}
		st := b.Open(t)
		analyses := map[string]func(*store.Tx) error{
			"people":    func(tx *store.Tx) error { return tx.ExternalIDs().AnalysePeople() },
			"referrals": func(tx *store.Tx) error { return tx.ExternalIDs().AnalyseReferrals() },
			"plans":     func(tx *store.Tx) error { return tx.ExternalIDs().AnalysePlans() },
		}
		for first, holding := range analyses {
			for second, other := range analyses {
				held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
				go func() {
					done <- st.InTx(context.Background(), func(tx *store.Tx) error {
						if err := holding(tx); err != nil {
							return err
						}
						close(held)
						<-release
						return nil
					})
				}()
				<-held
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				err := st.InTx(ctx, other)
				cancel()
				close(release)
				if err := <-done; err != nil {
					t.Fatalf("%s's analysing transaction: %v", first, err)
				}
				if err != nil {
					t.Errorf("%s's ANALYSE beside %s's open transaction: %v, want it done at once", second, first, err)
				}
			}
		}
	}
}
