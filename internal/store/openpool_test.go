package store_test

import (
	"context"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// OpenPool opens every connection the PostgreSQL pool may hold and leaves them idle for the
// first requests; SQLite has nothing to open.
func TestOpenPool(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, b.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = st.Close() }()
			st.SetMaxConns(5)
			n, err := st.OpenPool(ctx)
			if err != nil {
				t.Fatal(err)
			}
			db, err := st.SQL()
			if err != nil {
				t.Fatal(err)
			}
			stats := db.Stats()
			if b.Name != store.Postgres {
				if n != 0 {
					t.Errorf("SQLite: opened %d, want 0", n)
				}
				return
			}
			if n != 5 || stats.OpenConnections != 5 || stats.Idle != 5 {
				t.Errorf("opened %d; pool holds %d open, %d idle; want 5, 5 and 5", n, stats.OpenConnections, stats.Idle)
			}
			// A cancelled start opens nothing more and says why.
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			st.SetMaxConns(7)
			if n, err := st.OpenPool(cancelled); err == nil || n > 5 {
				t.Errorf("cancelled: opened %d, err %v", n, err)
			}
		})
	}
}
