package store

import (
	"context"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// SQLite has one writer, and a writer that finds it taken waits in SQLite's busy handler, retrying
// at intervals growing to 100 ms, for at most the busy timeout (10 s). The server's own work runs
// in loops of short transactions back to back (the report folds, the event sequencer, the
// worklist's refresh, an import continuing on error): each next BEGIN takes the lock again in the
// microseconds after the last COMMIT, before a waiting request's next retry, so a request waited
// for the whole loop. After an import of 150,000 young people the loops ran for minutes (the
// organisations' fold then also scanned, see refreshReportOrgs), and every write the API was asked
// for in them was answered 503 after its 10 s; after 20,000, writes waited about a second each, one
// in two, for half a minute (the early fold's budget). So on SQLite the
// server's own transactions give way: each first waits, up to giveWayFor, while a request is
// waiting to write. PostgreSQL's writers lock rows, not the database, and never wait on these.

// giveWayFor bounds a background transaction's wait for requests, so that under a steady stream
// of writes the server's own work still goes on, a transaction at a time.
const giveWayFor = 500 * time.Millisecond

type backgroundKey struct{}

// Background marks ctx as the server's own work, not a request's: on SQLite its transactions give
// way to requests waiting to write.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

func isBackground(ctx context.Context) bool { return ctx.Value(backgroundKey{}) != nil }

// writers counts the requests waiting for SQLite's write lock (nil on PostgreSQL).
type writers struct{ waiting atomic.Int32 }

// wait counts a request's write while it waits for the lock and runs; the function it returns
// ends that. The server's own writes are not counted.
func (w *writers) wait(ctx context.Context) (done func()) {
	if w == nil || isBackground(ctx) {
		return func() {}
	}
	w.waiting.Add(1)
	return func() { w.waiting.Add(-1) }
}

// giveWay holds a background transaction back, before it begins, while requests wait to write
// (at most giveWayFor).
func (w *writers) giveWay(ctx context.Context) {
	if w == nil || !isBackground(ctx) {
		return
	}
	for until := time.Now().Add(giveWayFor); w.waiting.Load() > 0 && time.Now().Before(until) && ctx.Err() == nil; {
		time.Sleep(time.Millisecond)
	}
}

// transaction runs fn in one transaction of the server's own (a fold), after any request waiting
// to write on SQLite.
func (s *Store) transaction(ctx context.Context, fn func(db *gorm.DB) error) error {
	s.writers.giveWay(ctx)
	return s.db.WithContext(ctx).Transaction(fn)
}
