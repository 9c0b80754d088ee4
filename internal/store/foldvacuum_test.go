package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestFoldGivesBackDeadDeltaPages: a fold whose VACUUM ran while another transaction still saw
// the deltas it deleted leaves their pages in the delta tables, which every report reads whole.
// The next fold, with nothing to move (the writes have stopped), vacuums them all the same, so
// the tables are empty files again. PostgreSQL alone: SQLite deletes in place and has no VACUUM
// to run here.
func TestFoldGivesBackDeadDeltaPages(t *testing.T) {
	b, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("PostgreSQL not reachable (REQUIRE_POSTGRES=1 makes this a failure)")
	}
	ctx := context.Background()
	dsn := b.DSN(t)
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	rcSeed(t, st)
	pages := func() int64 {
		t.Helper()
		n, err := store.RawCount(st, `SELECT (pg_relation_size('report_deltas') + pg_relation_size('report_org_deltas')) / 8192`)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// A transaction that saw the deltas before the fold deleted them: its VACUUM cannot remove them.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	holder, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	var seen int
	if err := holder.QueryRowContext(ctx, `SELECT count(*) FROM report_deltas`).Scan(&seen); err != nil || seen == 0 {
		t.Fatalf("deltas before the fold: %d, %v (want some)", seen, err)
	}
	if moved, err := st.FoldReportDeltas(ctx); err != nil || moved == 0 {
		t.Fatalf("fold: moved %d, %v", moved, err)
	}
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	left := pages()
	if left == 0 {
		t.Fatal("the delta tables hold no pages after a fold whose VACUUM another transaction held back: the test proves nothing")
	}

	moved, err := st.FoldReportDeltas(ctx)
	if err != nil || moved != 0 {
		t.Fatalf("second fold: moved %d, %v (want nothing to move)", moved, err)
	}
	if n := pages(); n != 0 {
		t.Errorf("after a fold with nothing to move the delta tables still hold %d pages (%d before it): every report reads them", n, left)
	}
}
