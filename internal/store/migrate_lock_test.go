package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/migrations"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestConcurrentMigrate: two replicas starting together on a fresh database (two stores, as two
// processes would have) both migrate without error, and each migration is applied once.
func TestConcurrentMigrate(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.Empty(t)
			const replicas = 3
			stores := make([]*store.Store, replicas)
			for i := range stores {
				st, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = st.Close() })
				stores[i] = st
			}
			var wg sync.WaitGroup
			errs := make([]error, replicas)
			start := make(chan struct{})
			for i, st := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = st.Migrate(context.Background())
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("replica %d: migrate: %v", i, err)
				}
			}
			applied, err := stores[0].AppliedMigrations(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			wantEqual(t, "migrations applied", applied, migrations.IDs())
			n, err := store.RawCount(stores[0], "SELECT COUNT(*) FROM "+migrations.Table)
			if err != nil || n != int64(len(migrations.IDs())) {
				t.Errorf("%s holds %d rows (%v), want one per migration (%d)", migrations.Table, n, err, len(migrations.IDs()))
			}
		})
	}
}

// TestSetUpWithOnePoolConnection: a store allowed one connection (ONEPLAN_DATABASE_MAX_CONNS=1)
// migrates an empty database and runs work that uses the pool under the set-up lock: the lock is
// held on a connection of its own. When the lock took a pool connection, both waited for ever.
func TestSetUpWithOnePoolConnection(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st, err := store.Open(context.Background(), b.Empty(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			st.SetMaxConns(1)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if err := st.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			var n int64
			err = st.Alone(ctx, func() (err error) {
				n, err = store.RawCount(st, "SELECT COUNT(*) FROM "+migrations.Table)
				return err
			})
			if err != nil || n != int64(len(migrations.IDs())) {
				t.Fatalf("under the lock: %d migrations counted (%v), want %d", n, err, len(migrations.IDs()))
			}
		})
	}
}
