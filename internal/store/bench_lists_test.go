package store_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
)

var listExtras sync.Once

// BenchmarkListPages times a page of 50 of each big list with each of its filters (listCases,
// the pages TestListPlans holds the plans of) on the loaded database, shaped by planExtras, and
// reports the 99th percentile of a page's time (p99-ms) beside the mean: issue 13 asks for
// under 50 ms at a million referrals. A report, not a check.
func BenchmarkListPages(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	listExtras.Do(func() {
		start := time.Now()
		for _, q := range planExtras(benchReferrals()) {
			if _, err := store.RawExec(st, q); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("shaped the data set for the lists in %s", time.Since(start).Round(time.Second))
	})
	for _, c := range listCases(benchReferrals()) {
		b.Run(c.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				if err := st.Read(ctx, c.run); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			b.ReportMetric(float64(took[(len(took)-1)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
