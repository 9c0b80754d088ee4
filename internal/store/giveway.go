package store

import (
	"context"
	"errors"
	"sync"
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

// writers counts the requests waiting for SQLite's write lock, and hands this process's writers
// the lock one at a time (nil on PostgreSQL).
//
// A writer waiting in SQLite's busy handler holds one of the pool's four connections while it
// waits. During an import (one transaction for the whole file) the server's own writers (the
// lease's heartbeat, the event sequencer, the folds) each held one that way, and reads waited for
// a connection: the import's own check, every 500 rows, that it had not been cancelled among
// them, so 20,000 referrals imported through the API straight after 20,000 young people took
// 3 min rather than 8 s. Waiting for the turn here holds no connection, and the waiters go in the
// order they came.
type writers struct {
	waiting  atomic.Int32
	turn     chan struct{} // holds a token while a writer of this process writes
	patience time.Duration // the longest a write waits for its turn
}

func newWriters() *writers { return &writers{turn: make(chan struct{}, 1), patience: writeWait} }

// writeWait is how long a write waits for its turn: SQLite's busy timeout (sqliteDSN), which still
// applies to another process writing the same file.
const writeWait = 10 * time.Second

// errTurn is a write that waited writeWait for the others of this process (an import, say).
var errTurn = errors.New("SQLite's one writer stayed busy with this process's other writes")

// take waits for this process's turn to write: at most w.patience, and no longer than ctx; the
// server's own work first gives way to the requests waiting (giveWay). The function it returns
// gives the turn up (more than once is harmless).
func (w *writers) take(ctx context.Context) (release func(), err error) {
	if w == nil {
		return func() {}, nil
	}
	w.giveWay(ctx)
	select {
	case w.turn <- struct{}{}:
	default:
		t := time.NewTimer(w.patience)
		defer t.Stop()
		select {
		case w.turn <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
			return nil, errTurn
		}
	}
	var once sync.Once
	return func() { once.Do(func() { <-w.turn }) }, nil
}

// wait counts a request's write while it waits for the lock and runs; the function it returns
// ends that. The server's own writes are not counted.
func (w *writers) wait(ctx context.Context) (done func()) {
	if w == nil || isBackground(ctx) {
		return func() {}
	}
	w.waiting.Add(1)
	return func() { w.waiting.Add(-1) }
}

// giveWay holds the server's own write back, before it queues for its turn, while requests wait
// to write (at most giveWayFor).
func (w *writers) giveWay(ctx context.Context) {
	if w == nil || !isBackground(ctx) {
		return
	}
	for until := time.Now().Add(giveWayFor); w.waiting.Load() > 0 && time.Now().Before(until) && ctx.Err() == nil; {
		time.Sleep(time.Millisecond)
	}
}

// alone runs fn, one statement that writes on its own (no transaction around it), counted as a
// request's write while it waits and in this process's turn to write on SQLite.
func (w *writers) alone(ctx context.Context, fn func() error) error {
	defer w.wait(ctx)()
	release, err := w.take(ctx)
	if err != nil {
		return err
	}
	defer release()
	return fn()
}

// transaction runs fn in one transaction outside a session (a fold, a rebuild): on SQLite in this
// process's turn to write, and for the server's own work after any request waiting to write.
func (s *Store) transaction(ctx context.Context, fn func(db *gorm.DB) error) error {
	release, err := s.writers.take(ctx)
	if err != nil {
		return err
	}
	defer release()
	return s.db.WithContext(ctx).Transaction(fn)
}
