package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestFoldEarly: the server folds wholly on its first look and once each period is over, and in
// between folds the counts alone when the deltas pile up past the mark.
func TestFoldEarly(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			mustRun(t, "seed", "--demo")
			ctx := context.Background()
			st, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			pending := func() bool {
				t.Helper()
				over, err := st.UnfoldedAtLeast(ctx, 1)
				if err != nil {
					t.Fatal(err)
				}
				return over
			}
			if !pending() {
				t.Fatal("no report deltas after the demo seed: the test proves nothing")
			}
			f := folder{st: st, logger: slog.New(slog.NewTextHandler(io.Discard, nil)), every: time.Hour, earlyAt: 1 << 30}
			t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
			f.last = t0
			if got := f.step(ctx, t0.Add(5*time.Second)); got != foldNone || !pending() {
				t.Fatalf("fold %q within the period with fewer deltas than the mark", got)
			}
			f.earlyAt = 1
			if got := f.step(ctx, t0.Add(10*time.Second)); got != foldCounts || pending() {
				t.Fatalf("fold %q of deltas past the mark (left some: %v)", got, pending())
			}
			if got := f.step(ctx, t0.Add(15*time.Second)); got != foldNone {
				t.Fatalf("fold %q with nothing to fold, within the period", got)
			}
			if got := f.step(ctx, t0.Add(2*time.Hour)); got != foldWhole || !f.last.Equal(t0.Add(2*time.Hour)) {
				t.Fatalf("fold %q once the period was over", got)
			}
			first := folder{st: st, logger: f.logger, every: time.Hour, earlyAt: 1 << 30}
			if got := first.step(ctx, t0); got != foldWhole {
				t.Fatalf("fold %q on the first look", got)
			}
		})
	}
}
