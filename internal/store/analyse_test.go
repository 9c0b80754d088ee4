package store_test

import (
	"context"
	"strconv"
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

// TestImportsAnalyseAtALowTarget: an import's ANALYSE samples at default_statistics_target 10
// (a most-common-values list of at most 10 where the server's default would keep 100), and the
// setting is the server's again for the rest of the import's transaction.
func TestImportsAnalyseAtALowTarget(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != store.Postgres {
			continue // SQLite's planner needs no ANALYSE: the import runs none there
		}
		st := b.Open(t)
		before, err := store.RawString(st, "SELECT current_setting('default_statistics_target')")
		if err != nil {
			t.Fatal(err)
		}
		err = st.InTx(context.Background(), func(tx *store.Tx) error {
			// 5,000 identifiers under 1,275 systems, some given many times and most a few, so
			// that a sample at the default target keeps a hundred most common systems.
			if _, err := store.TxString(tx, `WITH w AS (INSERT INTO external_ids (record_type, record_id, system, value, created_at)
				SELECT 'young_person', gen_random_uuid(), 'sys' || (i % 50) || '-' || (i % (1 + i % 50)), 'v' || i, now()
				FROM generate_series(1, 5000) i RETURNING 1) SELECT count(*)::text FROM w`); err != nil {
				return err
			}
			if err := tx.ExternalIDs().AnalysePeople(); err != nil {
				return err
			}
			mcv, err := store.TxString(tx, `SELECT coalesce(array_length(most_common_vals::text::text[], 1), 0)::text
				FROM pg_stats WHERE tablename = 'external_ids' AND attname = 'system'`)
			if err != nil {
				return err
			}
			if n, _ := strconv.Atoi(mcv); n < 1 || n > 10 {
				t.Errorf("the system column's most common values after the import's ANALYSE: %s, want 1-10", mcv)
			}
			after, err := store.TxString(tx, "SELECT current_setting('default_statistics_target')")
			if err != nil {
				return err
			}
			if after != before {
				t.Errorf("default_statistics_target after the import's ANALYSE: %s, want the server's %s", after, before)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
