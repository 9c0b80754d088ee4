package store_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
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

// TestWaitingWritesHoldNoConnection: on SQLite a write waiting for the one writer held one of the
// pool's four connections for as long as it waited (up to the busy timeout, 10 s). While an import
// held the writer, the server's own writers waiting beside it took every connection, and reads
// waited for one: the import's own cancel check (20,000 referrals through the API took 3 min
// instead of 8 s) and the readiness probe. Now writes wait for their turn holding none.
func TestWaitingWritesHoldNoConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		release := holdWriter(t, st)
		const waiting = 4 // as many as SQLite's pool has connections
		writes := make(chan error, waiting)
		for range waiting {
			go func() { writes <- st.InTx(ctx, func(*store.Tx) error { return nil }) }()
		}
		if st.Dialect() == store.SQLite {
			for store.WaitingWriters(st) < waiting {
				time.Sleep(time.Millisecond)
			}
		}
		// Ping waits 3 s for a connection: before, the waiting writes held all of them for 10 s.
		pinged := st.Ping(ctx)
		release()
		for range waiting {
			if err := <-writes; err != nil {
				t.Fatalf("a waiting write, once the long one ended: %v", err)
			}
		}
		if pinged != nil {
			t.Fatalf("a read while %d writes waited behind a long one: %v", waiting, pinged)
		}
	})
}

// TestWriteWaitRunsOut: a write that waits its whole patience for this process's other writes (an
// import holding SQLite's writer) is answered 503 with Retry-After, as SQLite's own busy timeout is.
func TestWriteWaitRunsOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.SQLite {
			t.Skip("PostgreSQL's writers lock rows, not the database")
		}
		store.SetWriteWait(st, 50*time.Millisecond)
		ctx := context.Background()
		release := holdWriter(t, st)
		err := st.InTx(ctx, func(*store.Tx) error { return nil })
		release()
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Unavailable || fe.RetryAfter == 0 || !strings.Contains(fe.Detail, "busy") {
			t.Fatalf("a write that waited out its turn: %v, want unavailable, busy, with a Retry-After", err)
		}
		if err := st.InTx(ctx, func(*store.Tx) error { return nil }); err != nil {
			t.Fatalf("the next write, with the writer free: %v", err)
		}
	})
}

// holdWriter begins a write transaction (on SQLite, holding its one writer) and keeps it open until
// the function it returns is called, which fails t if the transaction then failed.
func holdWriter(t *testing.T, st *store.Store) (release func()) {
	t.Helper()
	holding, done := make(chan struct{}), make(chan struct{})
	long := make(chan error, 1)
	go func() {
		long <- st.InTx(context.Background(), func(*store.Tx) error { close(holding); <-done; return nil })
	}()
	<-holding
	return func() {
		t.Helper()
		close(done)
		if err := <-long; err != nil {
			t.Fatalf("the long write: %v", err)
		}
	}
}
