package main

import (
	"context"
	"database/sql"
	"fmt"
)

// evenStart begins each measured run, the server's and pgbench's alike, just after an immediate
// CHECKPOINT, and says afterwards whether a checkpoint completed during the run all the same.
//
// Why: with PostgreSQL's default max_wal_size a checkpoint began every 13-80 s during the runs of
// a 1,000,000-referral benchmark (every 13-30 s during creates: 6 December 2026), so it fell in
// some runs and not in others, and the run it fell in paid its writes and fsyncs and then a
// full-page image in the WAL for each page it touched first, while the other side of its ratio
// did not. Started just after one, both sides pay the same first touches, and a run of seconds
// writes far less WAL than it takes to start the next (about half of max_wal_size).
type evenStart struct {
	db *sql.DB
	// refused is why CHECKPOINT could not be run (a role without pg_checkpoint): runs then start
	// as they come, and the first progress line says so.
	refused error
	told    bool
}

// begin checkpoints (unless refused before) and returns a function to call when the run has
// ended: whether a checkpoint completed during it (false too when the last checkpoint cannot be
// read, as by a role that may not read pg_control_checkpoint).
func (e *evenStart) begin(ctx context.Context) (during func() bool) {
	if e.refused == nil {
		if _, err := e.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			e.refused = err
		}
	}
	before, ok := lastCheckpoint(ctx, e.db)
	return func() bool {
		after, ok2 := lastCheckpoint(ctx, e.db)
		return ok && ok2 && after != before
	}
}

// note is what the progress line adds about checkpoints: one that completed during either run, or
// (once) that runs could not be started after one.
func (e *evenStart) note(httpRun, sqlRun bool) string {
	s := ""
	switch {
	case httpRun && sqlRun:
		s = "  !! a checkpoint completed during both runs"
	case httpRun:
		s = "  !! a checkpoint completed during the HTTP run"
	case sqlRun:
		s = "  !! a checkpoint completed during the pgbench run"
	}
	if e.refused != nil && !e.told {
		e.told = true
		s += fmt.Sprintf("  !! runs not started after a checkpoint (CHECKPOINT refused: %v)", e.refused)
	}
	return s
}

// lastCheckpoint reads the location of the last completed checkpoint, which changes when another
// completes.
func lastCheckpoint(ctx context.Context, db *sql.DB) (string, bool) {
	var lsn string
	err := db.QueryRowContext(ctx, "SELECT checkpoint_lsn::text FROM pg_control_checkpoint()").Scan(&lsn)
	return lsn, err == nil
}
