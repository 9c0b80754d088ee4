package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestBackgroundGivesWay: the server's own work runs as transactions back to back (a fold of
// thousands of marked children, the event sequencer after an import); on SQLite, whose one writer
// each of them holds, a request's write waiting meanwhile goes in between them, not after the
// whole loop (before, SQLite's busy handler, retrying every few to 100 ms, nearly always found the
// next of the loop's transactions had taken the lock again).
func TestBackgroundGivesWay(t *testing.T) {
	const loop = 120 // background transactions, each holding the writer for hold
	const hold = 10 * time.Millisecond
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		bg := store.Background(context.Background())
		var done atomic.Int32
		finished := make(chan error, 1)
		go func() {
			for range loop {
				if err := st.InTx(bg, func(*store.Tx) error { time.Sleep(hold); return nil }); err != nil {
					finished <- err
					return
				}
				done.Add(1)
			}
			finished <- nil
		}()
		for done.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		if err := st.InTx(context.Background(), func(*store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		at := done.Load()
		if err := <-finished; err != nil {
			t.Fatal(err)
		}
		t.Logf("the request's write went in after %d of %d background transactions", at, loop)
		if at > loop/4 {
			t.Fatalf("the request's write waited for %d of the loop's %d transactions; want it let in between them", at, loop)
		}
	})
}
