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
// between folds the marked children, the counts or the transition spans alone when they pile up
// past their mark; its second folder folds the counts alone, never wholly.
func TestFoldEarly(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx, st := demoStore(t, b)
			unfolded := func() store.Pending {
				t.Helper()
				due, err := st.Unfolded(ctx, 1, 1, 1)
				if err != nil {
					t.Fatal(err)
				}
				return due
			}
			pending := func() bool { return unfolded().Deltas }
			marked := func() bool { return unfolded().Marks }
			children := func() bool { return unfolded().Children }
			if !pending() || !marked() || !children() {
				t.Fatalf("after the demo seed, waiting to be folded: %+v; the test proves nothing without all three", unfolded())
			}
			never := foldMarks{deltas: 1 << 30, marks: 1 << 30, children: 1 << 30}
			f := folder{st: st, logger: slog.New(slog.NewTextHandler(io.Discard, nil)), every: time.Hour, at: never}
			t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
			f.last = t0
			if got := f.step(ctx, t0.Add(5*time.Second)); got != foldNone || !pending() {
				t.Fatalf("fold %q within the period with fewer deltas than the mark", got)
			}
			f.at.children = 1
			if got := f.step(ctx, t0.Add(7*time.Second)); got != foldChildren || children() || !marked() {
				t.Fatalf("fold %q of marked children past the mark (left some: %v; spans folded: %v)", got, children(), !marked())
			}
			if got := (&folder{st: st, logger: f.logger}).step(ctx, t0.Add(9*time.Second)); got != foldNone || !pending() {
				t.Fatalf("fold %q by a folder with every early fold off and no whole fold", got)
			}
			// The server's second folder: the counts alone, never whole.
			counts := folder{st: st, logger: f.logger, at: foldMarks{deltas: 1}}
			if got := counts.step(ctx, t0.Add(10*time.Second)); got != foldCounts || pending() || !marked() || !counts.last.IsZero() {
				t.Fatalf("counts' fold %q of deltas past the mark (left some: %v; spans folded: %v; whole: %v)", got, pending(), !marked(), !counts.last.IsZero())
			}
			f.at.marks = 1
			if got := f.step(ctx, t0.Add(12*time.Second)); got != foldSpans || marked() {
				t.Fatalf("fold %q of transition marks past the mark (left some: %v)", got, marked())
			}
			if got := f.step(ctx, t0.Add(15*time.Second)); got != foldNone {
				t.Fatalf("fold %q with nothing to fold, within the period", got)
			}
			if got := f.step(ctx, t0.Add(2*time.Hour)); got != foldWhole || !f.last.Equal(t0.Add(2*time.Hour)) {
				t.Fatalf("fold %q once the period was over", got)
			}
			first := folder{st: st, logger: f.logger, every: time.Hour, at: never}
			if got := first.step(ctx, t0); got != foldWhole {
				t.Fatalf("fold %q on the first look", got)
			}
			if got := (&folder{st: st, logger: f.logger, at: foldMarks{deltas: 1}}).step(ctx, t0); got != foldNone {
				t.Fatalf("counts' fold %q on its first look, with nothing to fold", got)
			}
		})
	}
}

// TestServerFoldersSpansAlone: the server folds the transition spans on a loop of their own, so
// that neither the whole fold nor the marked children's hold them up in a burst of writes; that
// loop folds the marks and nothing else.
func TestServerFoldersSpansAlone(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx, st := demoStore(t, b)
			var spans []*folder
			for _, f := range serverFolders(st, slog.New(slog.NewTextHandler(io.Discard, nil))) {
				if f.at.marks > 0 {
					spans = append(spans, f)
				}
			}
			if len(spans) != 1 || spans[0].every != 0 || spans[0].at.deltas != 0 || spans[0].at.children != 0 {
				t.Fatalf("folders folding the transition spans: %d, want one that folds them alone (%+v)", len(spans), spans)
			}
			due, err := st.Unfolded(ctx, 1, 1, 1)
			if err != nil || !due.Deltas || !due.Marks || !due.Children {
				t.Fatalf("after the demo seed, waiting to be folded: %+v (%v); the test proves nothing without all three", due, err)
			}
			f := *spans[0]
			f.at.marks = 1 // the demo marks fewer than the server's mark
			if got := f.step(ctx, time.Now()); got != foldSpans {
				t.Fatalf("the spans' folder ran %q", got)
			}
			if due, err = st.Unfolded(ctx, 1, 1, 1); err != nil || due.Marks || !due.Deltas || !due.Children {
				t.Fatalf("after the spans' folder, waiting to be folded: %+v (%v); want the deltas and children only", due, err)
			}
		})
	}
}

// demoStore opens a store on a new database of backend b, seeded with the demo data as `seed
// --demo` seeds it (which leaves deltas, transition marks and marked children to fold).
func demoStore(t *testing.T, b storetest.Backend) (context.Context, *store.Store) {
	t.Helper()
	dsn := b.DSN(t)
	setEnv(t, dsn)
	mustRun(t, "seed", "--demo")
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return context.Background(), st
}
