package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/benchload"
)

// What the Lua script's done() prints after a run with refusals, amid wrk's own summary.
const wrkOutput = `Running 2s test @ http://127.0.0.1:40000
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.11ms   10.00ms 100.00ms   80.00%
  1600 requests in 2.00s, 1.00MB read
  Non-2xx or 3xx responses: 4
Requests/sec:    800.00
oneplan-bench requests 1600
oneplan-bench duration_us 2000000
oneplan-bench p50_us 16000
oneplan-bench p99_us 88000
oneplan-bench socket_errors 1
oneplan-bench non2xx_wrk 4
oneplan-bench status 409 3
oneplan-bench status 500 1
oneplan-bench sample 409 {"title":"Conflict"}
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 1600 || r.Duration != 2*time.Second || r.P50 != 16*time.Millisecond || r.P99 != 88*time.Millisecond {
		t.Errorf("parsed %+v", r)
	}
	if r.RPS() != 800 {
		t.Errorf("RPS = %v, want 800", r.RPS())
	}
	if r.NonOK() != 4 || r.SocketErrors != 1 || r.StatusSummary() != "409x3 500x1" || r.Sample != `409 {"title":"Conflict"}` {
		t.Errorf("failures: %d non-2xx (%s), %d socket errors, sample %q", r.NonOK(), r.StatusSummary(), r.SocketErrors, r.Sample)
	}
	// wrk's own count stands when the script's is lower, so no refusal goes unreported.
	r, err = parseWrk(strings.Replace(wrkOutput, "non2xx_wrk 4", "non2xx_wrk 9", 1))
	if err != nil || r.NonOK() != 9 {
		t.Errorf("NonOK = %d (%v), want wrk's 9", r.NonOK(), err)
	}
	// A run whose script printed nothing (a Lua error) is an error, not a zero.
	if _, err := parseWrk("Running 2s test @ http://127.0.0.1:40000\nRequests/sec: 0.00\n"); err == nil {
		t.Error("output without the script's lines parsed")
	}
}

const pgbenchOutput = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: /tmp/x/scripts/read.sql
scaling factor: 1
query mode: prepared
number of clients: 16
number of threads: 2
maximum number of tries: 1
duration: 10 s
number of transactions actually processed: 27861
number of failed transactions: 2 (0.007%)
latency average = 5.743 ms
initial connection time = 32.005 ms
tps = 2786.127503 (without initial connection time)
`

func TestParsePgbench(t *testing.T) {
	r, err := parsePgbench(pgbenchOutput)
	if err != nil {
		t.Fatal(err)
	}
	if r.TPS != 2786.127503 || r.Processed != 27861 || r.Failed != 2 || r.LatencyAvg != 5743*time.Microsecond || r.Connect != 32005*time.Microsecond {
		t.Errorf("parsed %+v", r)
	}
	if _, err := parsePgbench("pgbench: error: Run was aborted; the above results are incomplete.\n"); err == nil {
		t.Error("an aborted run parsed")
	}
}

// pgbench's per-transaction log, as pgbench 15 writes it with -l (latency in the third field; a
// failed transaction's line says how it failed there instead).
const pgbenchLog = `0 1 5120 0 1733455200 123456
1 1 880 0 1733455200 124001
0 2 40100 0 1733455200 164100
1 2 failed 0 1733455200 165000
0 3 2300 0 1733455200 166000
`

func TestPgbenchLatencies(t *testing.T) {
	took, err := pgbenchLatencies([]byte(pgbenchLog), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(took) != 4 {
		t.Fatalf("read %d latencies, want 4 (the failed transaction left out): %v", len(took), took)
	}
	// Two threads' logs add up; the percentiles are nearest-rank over both.
	if took, err = pgbenchLatencies([]byte("2 1 1000 0 1733455200 1\n"), took); err != nil || len(took) != 5 {
		t.Fatalf("second log: %v, %d latencies", err, len(took))
	}
	if p50, p99 := percentile(took, 50), percentile(took, 99); p50 != 2300*time.Microsecond || p99 != 40100*time.Microsecond {
		t.Errorf("p50 %v, p99 %v; want 2.3ms, 40.1ms", p50, p99)
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100-i) * time.Millisecond
	}
	if p50, p99 := percentile(hundred, 50), percentile(hundred, 99); p50 != 50*time.Millisecond || p99 != 99*time.Millisecond {
		t.Errorf("of 1..100 ms: p50 %v, p99 %v; want 50ms, 99ms", p50, p99)
	}
	if percentile(nil, 99) != 0 {
		t.Error("the percentile of no transactions is not 0")
	}
	if _, err := pgbenchLatencies([]byte("garbage\n"), nil); err == nil {
		t.Error("a line that is not pgbench's log was read")
	}
}

func TestMedianAndRatios(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	// The row's ratio is the median of the same-round ratios, not the ratio of the medians.
	r := row{rounds: []pair{
		{http: httpResult{Requests: 100, Duration: time.Second}, sql: sqlResult{TPS: 1000, P99: 77 * time.Millisecond}}, // 0.10
		{http: httpResult{Requests: 300, Duration: time.Second}, sql: sqlResult{TPS: 1000, P99: 20 * time.Millisecond}}, // 0.30
		{http: httpResult{Requests: 200, Duration: time.Second}, sql: sqlResult{TPS: 400, P99: 31 * time.Millisecond}},  // 0.50
	}}
	if got := r.medianOf(pair.Ratio); got != 0.3 {
		t.Errorf("median ratio = %v, want 0.3", got)
	}
	if r.failed() {
		t.Error("a row without errors failed")
	}
	r.rounds[1].http.Statuses = map[int]int{412: 2}
	if !r.failed() {
		t.Error("a row with non-2xx answers did not fail")
	}
	var out bytes.Buffer
	printThroughput(&out, []row{{op: operations[0], conns: 16, rounds: r.rounds}})
	if !strings.Contains(out.String(), "FAILURES") || !strings.Contains(out.String(), "412x2") {
		t.Errorf("the table does not shout about the refusals:\n%s", out.String())
	}
	// pgbench's own TPS round by round, so a ceiling that moved is seen.
	if !strings.Contains(out.String(), "pgbench TPS per round") || !strings.Contains(out.String(), "1000 1000 400") {
		t.Errorf("the table does not show pgbench's TPS per round:\n%s", out.String())
	}
	// pgbench's tail beside the server's (the median of the rounds': 77, 20 and 31 ms).
	if !strings.Contains(out.String(), "SQL p99") || !strings.Contains(out.String(), " 31 ms") || strings.Contains(out.String(), "77 ms") {
		t.Errorf("the table does not show pgbench's p99 as the median of the rounds':\n%s", out.String())
	}
	if (reportResult{took: 100 * time.Millisecond, ceiling: 10 * time.Millisecond}).Ratio() != 0.1 {
		t.Error("report ratio is not ceiling / report")
	}
}

func TestConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := configFrom(env())
	if err != nil || c.referrals != 1_000_000 || c.duration != 10*time.Second || c.warmup != 3*time.Second || c.rounds != 3 || len(c.connections) != 2 || len(c.ops) != 5 {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	c, err = configFrom(env("ONEPLAN_BENCH_SHORT", "1"))
	if err != nil || !c.short || c.referrals != 20_000 || c.duration != 2*time.Second || c.warmup != time.Second || c.rounds != 1 {
		t.Errorf("short: %+v, %v", c, err)
	}
	c, err = configFrom(env("ONEPLAN_BENCH_SHORT", "1", "ONEPLAN_BENCH_REFERRALS", "50000", "ONEPLAN_BENCH_OPERATIONS", "read,update",
		"ONEPLAN_BENCH_CONNECTIONS", "8", "ONEPLAN_BENCH_WARMUP", "0s", "TEST_DATABASE_URL", "postgres://u@h/db"))
	if err != nil || c.referrals != 50_000 || c.warmup != 0 || len(c.ops) != 2 || c.ops[1].name != "update" || c.connections[0] != 8 || c.adminURL != "postgres://u@h/db" {
		t.Errorf("overrides: %+v, %v", c, err)
	}
	if len(c.reportFilters) != 4 {
		t.Errorf("report filters by default: %+v", c.reportFilters)
	}
	c, err = configFrom(env("ONEPLAN_BENCH_REPORT_FILTERS", "org_large, org_small"))
	if err != nil || len(c.reportFilters) != 2 || c.reportFilters[0].query != "organisation_id="+benchload.CouncilID ||
		c.reportFilters[1].query != "organisation_id="+benchload.SettingID(7) {
		t.Errorf("report filters: %+v, %v", c.reportFilters, err)
	}
	for _, bad := range [][]string{
		{"ONEPLAN_BENCH_REPORT_FILTERS", "school"},
		{"ONEPLAN_BENCH_DURATION", "1.5s"},
		{"ONEPLAN_BENCH_WARMUP", "-1s"},
		{"ONEPLAN_BENCH_WARMUP", "500ms"},
		{"ONEPLAN_BENCH_OPERATIONS", "delete"},
		{"ONEPLAN_BENCH_CONNECTIONS", "0"},
		{"ONEPLAN_BENCH_REFERRALS", "700", "ONEPLAN_BENCH_CONNECTIONS", "32"}, // 100 received: too few to patch without races
		{"ONEPLAN_BENCH_CONNECTIONS", "1"},                                    // fewer than the 2 threads
	} {
		if _, err := configFrom(env(bad...)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// The scripts name generated records by the same ids and statuses as package benchload.
func TestScriptsMatchTheDataSet(t *testing.T) {
	read := func(name string) string {
		b, err := scripts.ReadFile("scripts/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	lua := read("oneplan.lua")
	for _, want := range []string{benchload.ReferralPrefix, benchload.YoungPersonPrefix, benchload.PractitionerPrefix, "settings = 500", "7 * k", "n / 7"} {
		if !strings.Contains(lua, want) {
			t.Errorf("oneplan.lua does not contain %q", want)
		}
	}
	for _, op := range operations {
		sql := read(op.name + ".sql")
		if !strings.Contains(lua, `"`+op.name+`"`) {
			t.Errorf("oneplan.lua has no operation %q", op.name)
		}
		if !strings.Contains(sql, "BEGIN;") || !strings.Contains(sql, "COMMIT;") || !strings.Contains(sql, "INSERT INTO audit_events") {
			t.Errorf("%s.sql is not one audited transaction", op.name)
		}
	}
	if benchload.Settings != 500 || benchload.Statuses[0] != "received" || benchload.Statuses[2] != "assessing" {
		t.Error("benchload changed the numbers the scripts rely on: update the scripts with it")
	}
	for name, prefix := range map[string]string{"create.sql": benchload.YoungPersonPrefix, "read.sql": benchload.ReferralPrefix,
		"update.sql": benchload.ReferralPrefix} {
		if !strings.Contains(read(name), prefix) {
			t.Errorf("%s does not name records by %s", name, prefix)
		}
	}
	if !strings.Contains(read("create.sql"), benchload.PractitionerPrefix) || !strings.Contains(read("update.sql"), "\\set i 7 * :k") {
		t.Error("create.sql or update.sql no longer follows the data set's ids")
	}
}

func TestProgressLineShoutsAboutFailures(t *testing.T) {
	h := httpResult{Requests: 10, Duration: time.Second, Statuses: map[int]int{409: 1}}
	line := progressLine(1, 3, "update", 16, h, nil, sqlResult{TPS: 100, Failed: 2, P50: 4 * time.Millisecond, P99: 61 * time.Millisecond}, nil, 12.5, 20)
	for _, want := range []string{"!!! 1 non-2xx: 409x1", "!!! 2 failed pgbench", "pgbench    100.0 TPS (p50 4.0 ms, p99 61 ms)", "load 12.5->20.0"} {
		if !strings.Contains(line, want) {
			t.Errorf("%q lacks %q", line, want)
		}
	}
	if line := progressLine(1, 3, "read", 16, httpResult{}, errors.New("boom"), sqlResult{TPS: 100, Processed: 1000}, nil, 1, 1); !strings.Contains(line, "HTTP FAILED") ||
		strings.Contains(line, "understated") {
		t.Errorf("%q does not say HTTP failed, or doubts a ceiling of 1,000 transactions", line)
	}
	// A pgbench run that spent itself connecting (32 clients, 32 transactions) says so.
	line = progressLine(1, 1, "read", 32, h, nil, sqlResult{TPS: 16, Processed: 32, Connect: 1900 * time.Millisecond}, nil, 20, 20)
	if !strings.Contains(line, "!!! pgbench connected its clients in 1.90 s and ran 32 transactions") {
		t.Errorf("%q does not doubt the ceiling", line)
	}
}

// A warm-up says it was not measured, and a failed one says so with the error's first line.
func TestWarmupLine(t *testing.T) {
	line := warmupLine("list", 32, httpResult{Requests: 300, Duration: 3 * time.Second}, nil)
	if !strings.Contains(line, "list") || !strings.Contains(line, "c=32") || !strings.Contains(line, "100.0 req/s (not measured)") {
		t.Errorf("%q", line)
	}
	line = warmupLine("update", 16, httpResult{Requests: 10, Duration: time.Second, Statuses: map[int]int{409: 2}, SocketErrors: 1}, nil)
	if !strings.Contains(line, "!!! 2 non-2xx: 409x2") || !strings.Contains(line, "!!! 1 socket errors") {
		t.Errorf("%q does not shout about the refusals", line)
	}
	line = warmupLine("read", 16, httpResult{}, errors.New("wrk read: exit status 1\nmore"))
	if !strings.Contains(line, "HTTP failed: wrk read: exit status 1") || strings.Contains(line, "more") {
		t.Errorf("%q", line)
	}
}

// The report table gives each filter a block of its own and names each filter's slowest report,
// so a filtered report that is slow is not lost among the unfiltered ones.
func TestReportTableByFilter(t *testing.T) {
	var out bytes.Buffer
	printReports(&out, []reportResult{
		{report: "activity", period: "year", filter: "-", took: 2 * time.Millisecond, ceiling: 10 * time.Millisecond},
		{report: "activity", period: "year", filter: "org: council (all)", took: 900 * time.Millisecond, ceiling: 10 * time.Millisecond},
		{report: "funnel", period: "decade", filter: "org: council (all)", took: 1500 * time.Millisecond, ceiling: 10 * time.Millisecond},
		{report: "funnel", period: "decade", filter: "org: setting (1/500)", err: errors.New("GET /v1/reports/funnel: 500")},
	})
	flat := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"org: council (all) 900 ms 10 ms 0.01x", "FAILED: GET /v1/reports/funnel: 500",
		"Slowest report by filter: - 2.0 ms (activity year) org: council (all) 1.50 s (funnel decade) org: setting (1/500) FAILED"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the report table lacks %q:\n%s", want, out.String())
		}
	}
}
