package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework/people"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/importfile"
	"github.com/oneplan-send/oneplan/internal/person"
)

// TestImportThroughput measures the same young people's records (an NHS number each, an
// external id each) loaded by the import (CSV read, checked, written in one transaction through
// the people service, as `oneplan import` does) and sent one POST at a time through the real HTTP
// stack with the same key, on each database, and reports the rows per second of each and their
// ratio. It runs only when ONEPLAN_BENCH_IMPORT_ROWS sets the rows per side (make bench-import);
// ONEPLAN_BENCH_IMPORT_ONLY=1 skips the POSTs (to measure a large import's memory alone). It also
// prints the import's CPU time per row (this process: the server's, on PostgreSQL, is not in it),
// steadier than rows per second on a shared machine, and the peak live heap while it ran.
func TestImportThroughput(t *testing.T) {
	rows, err := strconv.Atoi(os.Getenv("ONEPLAN_BENCH_IMPORT_ROWS"))
	if err != nil || rows < 1 {
		t.Skip("set ONEPLAN_BENCH_IMPORT_ROWS to measure")
	}
	each(t, func(t *testing.T, e *env) {
		b := t
		{
			var importRate, postRate float64
			for i := 0; i < 1; i++ {
				ctx := auth.WithPrincipal(context.Background(), auth.Principal{Role: auth.RoleSENDOfficer, OrganisationID: e.council})

				var csv strings.Builder
				csv.WriteString("external_system,external_id,given_name,family_name,date_of_birth,nhs_number,primary_sen_need\n")
				for r := range rows {
					fmt.Fprintf(&csv, "bridge,I%d-%d,Child,Imported,2015-03-01,%s,ASD\n", i, r, newNHSNumber())
				}
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				stopHeap := peakHeap()
				start, cpu := time.Now(), cpuTime()
				rd, problems, err := importfile.NewReader(strings.NewReader(csv.String()), importfile.YoungPeople)
				if err != nil || len(problems) > 0 {
					b.Fatal(err, problems)
				}
				rules := person.Rules{AllowTestNHSNumbers: true, ExternalIDSystems: externalid.Systems{"bridge"}}
				enums := importfile.Enums{"SenNeed": {"ASD"}}
				today := time.Now().UTC().Truncate(24 * time.Hour)
				var scanErr error
				imported := 0
				err = e.app.People.ImportYoungPeople(ctx, func(yield func(people.ImportRow) bool) {
					for {
						rec, err := rd.Next()
						if errors.Is(err, io.EOF) {
							return
						}
						if err != nil {
							scanErr = err
							return
						}
						yp, key, problems := importfile.YoungPerson(rec, enums, rules, today)
						if len(problems) > 0 {
							scanErr = fmt.Errorf("%v", problems)
							return
						}
						if !yield(people.ImportRow{Row: rec.Row, Key: key, Person: yp}) {
							return
						}
					}
				}, false, func(people.ImportResult) { imported++ })
				if err != nil || scanErr != nil || imported != rows {
					b.Fatalf("import: %v %v %d", err, scanErr, imported)
				}
				importRate += float64(rows) / time.Since(start).Seconds()
				importCPU := cpuTime() - cpu
				peak := stopHeap()
				fmt.Printf("BENCH import-cost %s rows=%d cpu=%.0fus/row heap=%.1fMB before, peak %.1fMB (the CSV held in memory: %.1fMB)\n", e.st.Dialect(), rows,
					importCPU.Seconds()*1e6/float64(rows), float64(before.HeapAlloc)/(1<<20), float64(peak)/(1<<20), float64(csv.Len())/(1<<20))

				start = time.Now()
				for r := range rows {
					if os.Getenv("ONEPLAN_BENCH_IMPORT_ONLY") != "" {
						break
					}
					body := kidWith("bridge", fmt.Sprintf("P%d-%d", i, r))
					body["nhs_number"] = newNHSNumber()
					body["primary_sen_need"] = "ASD"
					if res := e.do(http.MethodPost, "/v1/young-people", e.officer, body); res.status != http.StatusCreated {
						b.Fatalf("POST: %d %s", res.status, res.body)
					}
				}
				postRate += float64(rows) / time.Since(start).Seconds()
			}
			t.Logf("%d young people each way: import %.0f rows/s, one POST at a time %.0f rows/s: the import is %.1f times faster",
				rows, importRate, postRate, importRate/postRate)
			fmt.Printf("BENCH import-vs-post %s rows=%d import=%.0f/s post=%.0f/s ratio=%.1f\n", e.st.Dialect(), rows, importRate, postRate, importRate/postRate)
		}
	}, withSystems("bridge"))
}

// cpuTime is the CPU time this process has spent (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakHeap samples the live heap until the function it returns is called, which gives the
// highest seen.
func peakHeap() func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak.Load()
	}
}
