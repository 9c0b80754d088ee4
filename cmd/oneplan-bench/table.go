package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// pair is one round of one operation at one connection count: HTTP, then pgbench, with the
// machine's one-minute load average before the first and after the second (the machine is
// shared: a ceiling that moved shows in pgbench's own TPS and in the load).
type pair struct {
	http               httpResult
	sql                sqlResult
	loadStart, loadEnd float64
	// httpCPU and sqlCPU: what one request and one transaction cost each process (printCPU).
	httpCPU, sqlCPU cpuCost
}

// Ratio is the server's requests per second over pgbench's transactions per second.
func (p pair) Ratio() float64 {
	if p.sql.TPS <= 0 {
		return 0
	}
	return p.http.RPS() / p.sql.TPS
}

// row collects the rounds of one operation at one connection count.
type row struct {
	op     operation
	conns  int
	rounds []pair
	errs   []string // failed runs, said in full in the table's notes
}

// Failures counts what makes the row untrustworthy: non-2xx answers, socket errors, failed
// pgbench transactions, and runs that did not complete.
func (r row) Failures() (non2xx, socket, sqlFailed int) {
	for _, p := range r.rounds {
		non2xx += p.http.NonOK()
		socket += p.http.SocketErrors
		sqlFailed += p.sql.Failed
	}
	return non2xx, socket, sqlFailed
}

func (r row) failed() bool {
	a, b, c := r.Failures()
	return a+b+c > 0 || len(r.errs) > 0
}

func (r row) medianOf(f func(pair) float64) float64 {
	v := make([]float64, len(r.rounds))
	for i, p := range r.rounds {
		v[i] = f(p)
	}
	return median(v)
}

// median of v (the mean of the middle two for an even count); 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
}

// printThroughput writes the throughput table: per operation and connection count the medians
// over rounds of HTTP req/s and pgbench TPS, the median of the same-round ratios (with each
// round's ratio), the latency of both (pgbench's says what tail the machine gives the minimal
// SQL itself), and every failure.
func printThroughput(w io.Writer, rows []row) {
	fmt.Fprintln(w, "Throughput: the server (wrk) against the minimal SQL for the same work (pgbench, prepared), same database, same run")
	fmt.Fprintln(w, "(medians over rounds; pgbench's own TPS each round shows whether the ceiling moved, the load average before and after each")
	fmt.Fprintln(w, "round is in the progress lines above)")
	fmt.Fprintf(w, "%-12s %5s %11s %12s %8s  %-20s %-26s %9s %9s %9s %9s %8s\n",
		"operation", "conns", "HTTP req/s", "pgbench TPS", "ratio", "ratio per round", "pgbench TPS per round", "HTTP p50", "HTTP p99",
		"SQL p50", "SQL p99", "non-2xx")
	var notes []string
	for _, r := range rows {
		if len(r.rounds) == 0 {
			fmt.Fprintf(w, "%-12s %5d %11s %12s %8s  %-20s %-26s %9s %9s %9s %9s %8s\n", r.op.name, r.conns, "-", "-", "-", "-", "-", "-", "-", "-", "-",
				"FAILED")
		} else {
			per := make([]string, len(r.rounds))
			tps := make([]string, len(r.rounds))
			for i, p := range r.rounds {
				per[i] = fmt.Sprintf("%.2f", p.Ratio())
				tps[i] = fmt.Sprintf("%.0f", p.sql.TPS)
			}
			non2xx, _, _ := r.Failures()
			fmt.Fprintf(w, "%-12s %5d %11.1f %12.1f %7.2fx  %-20s %-26s %9s %9s %9s %9s %8d\n", r.op.name, r.conns,
				r.medianOf(func(p pair) float64 { return p.http.RPS() }), r.medianOf(func(p pair) float64 { return p.sql.TPS }),
				r.medianOf(pair.Ratio), strings.Join(per, " "), strings.Join(tps, " "),
				ms(time.Duration(r.medianOf(func(p pair) float64 { return float64(p.http.P50) }))),
				ms(time.Duration(r.medianOf(func(p pair) float64 { return float64(p.http.P99) }))),
				ms(time.Duration(r.medianOf(func(p pair) float64 { return float64(p.sql.P50) }))),
				ms(time.Duration(r.medianOf(func(p pair) float64 { return float64(p.sql.P99) }))), non2xx)
		}
		if r.failed() {
			notes = append(notes, failureNote(r))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Repeat("!", 100))
		fmt.Fprintln(w, "!!! FAILURES: the rows below measured errors, not work. Their figures are worthless until fixed.")
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
		fmt.Fprintln(w, strings.Repeat("!", 100))
	}
}

func failureNote(r row) string {
	non2xx, socket, sqlFailed := r.Failures()
	var b strings.Builder
	fmt.Fprintf(&b, "!!! %s at %d connections:", r.op.name, r.conns)
	if non2xx > 0 {
		var statuses []string
		sample := ""
		for _, p := range r.rounds {
			if p.http.NonOK() > 0 {
				statuses = append(statuses, p.http.StatusSummary())
				if sample == "" {
					sample = p.http.Sample
				}
			}
		}
		fmt.Fprintf(&b, " %d non-2xx answers (%s)", non2xx, strings.Join(statuses, "; "))
		if sample != "" {
			fmt.Fprintf(&b, "\n!!!   first: %s", truncate(sample, 300))
		}
	}
	if socket > 0 {
		fmt.Fprintf(&b, " %d socket errors or timeouts", socket)
	}
	if sqlFailed > 0 {
		fmt.Fprintf(&b, " %d failed pgbench transactions", sqlFailed)
	}
	for _, e := range r.errs {
		fmt.Fprintf(&b, "\n!!!   %s", strings.ReplaceAll(strings.TrimSpace(e), "\n", "\n!!!     "))
	}
	return b.String()
}

// printReports writes the report table.
func printReports(w io.Writer, results []reportResult) {
	fmt.Fprintln(w, "Reports: one request at a time through the API, median of the runs, against the PostgreSQL ceiling")
	fmt.Fprintln(w, "(a bare COUNT(*) of the period's referrals; ratio = ceiling / report, 1 would be as fast as the count)")
	fmt.Fprintln(w, "Each filter has a block of its own, timed against the same unfiltered ceiling (filter \"-\" is the report's default).")
	fmt.Fprintf(w, "%-15s %-7s %-20s %10s %10s %8s\n", "report", "period", "filter", "report", "ceiling", "ratio")
	last := ""
	type worst struct {
		took  time.Duration
		where string
	}
	slowest := map[string]worst{}
	var order []string
	for _, r := range results {
		if r.filter != last && last != "" {
			fmt.Fprintln(w)
		}
		last = r.filter
		if _, ok := slowest[r.filter]; !ok {
			order = append(order, r.filter)
			slowest[r.filter] = worst{}
		}
		if r.err != nil {
			fmt.Fprintf(w, "%-15s %-7s %-20s FAILED: %s\n", r.report, r.period, r.filter, truncate(r.err.Error(), 200))
			slowest[r.filter] = worst{-1, "FAILED"}
			continue
		}
		fmt.Fprintf(w, "%-15s %-7s %-20s %10s %10s %7.2fx\n", r.report, r.period, r.filter, ms(r.took), ms(r.ceiling), r.Ratio())
		if s := slowest[r.filter]; s.took >= 0 && r.took > s.took {
			slowest[r.filter] = worst{r.took, r.report + " " + r.period}
		}
	}
	fmt.Fprintln(w, "Slowest report by filter:")
	for _, f := range order {
		if s := slowest[f]; s.took < 0 {
			fmt.Fprintf(w, "  %-20s FAILED (see above)\n", f)
		} else {
			fmt.Fprintf(w, "  %-20s %10s  (%s)\n", f, ms(s.took), s.where)
		}
	}
	fmt.Fprintln(w, reportCaveats)
}

// reportCaveats say where the common ceiling does not bound a report, so that no one chases a ratio
// that cannot mean what the others do.
const reportCaveats = `Where the ceiling does not bound the report:
  experience      reads survey answers (about 0.8 per referral), not referrals
  transitions     a snapshot of every young person on the period's last day, whatever the period's length
  timeliness and  read EHC requests, a tenth as many rows as referrals, so they can beat the count
  ehc-timeliness`
