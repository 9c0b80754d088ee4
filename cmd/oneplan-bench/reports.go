package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/benchload"
)

// period is a span of the loaded history (referrals received 2016-01-01 to 2025-12-28).
type period struct{ name, from, to string }

var periods = []period{
	{"month", "2025-03-01", "2025-03-31"},
	{"year", "2024-09-01", "2025-08-31"}, // one school year
	{"decade", "2016-01-01", "2025-12-31"},
}

// reports are the report endpoints, each asked for over a period with each filter it takes.
var reports = []string{"activity", "funnel", "experience", "timeliness", "transitions", "ehc-timeliness"}

// unfiltered are the reports whose operation takes no locality or organisation (the SEN2-style
// EHC timeliness is the whole council's by definition).
var unfiltered = map[string]bool{"ehc-timeliness": true}

// reportFilter is one way of narrowing a report: none, a locality, or an organisation (only the
// children it is or was involved with).
type reportFilter struct {
	name, label, query string
}

// reportFilters: the whole council; one of the eight localities (an eighth of the children); the
// largest organisation, the council's SEND service, in the team around every child; and a small
// one, a setting that referred one child in 500.
var reportFilters = []reportFilter{
	{"none", "-", ""},
	{"locality", "locality 3", "locality=" + url.QueryEscape("Locality 3")},
	{"org_large", "org: council (all)", "organisation_id=" + benchload.CouncilID},
	{"org_small", "org: setting (1/500)", "organisation_id=" + benchload.SettingID(7)},
}

// reportResult is one report over one period with one filter: the median time of the HTTP
// request, and of the PostgreSQL ceiling for the same period, a bare COUNT(*) of its referrals
// (the same ceiling whatever the filter).
type reportResult struct {
	report, period, filter string
	took, ceiling          time.Duration
	err                    error
}

// Ratio is the ceiling's time over the report's: 1 would be as fast as the bare count.
func (r reportResult) Ratio() float64 {
	if r.took <= 0 {
		return 0
	}
	return float64(r.ceiling) / float64(r.took)
}

// timeReports asks for every report over every period with every filter, one request at a time
// (runs after a warm-up each), and times the ceiling the same way through database/sql. The
// results come filter by filter, so each filter's block reads against the unfiltered one.
func timeReports(ctx context.Context, baseURL, key string, db *sql.DB, runs int, filters []reportFilter, progress io.Writer) []reportResult {
	client := &http.Client{Timeout: 10 * time.Minute}
	ceilings := map[string]time.Duration{}
	ceilingErrs := map[string]error{}
	for _, p := range periods {
		ceilings[p.name], ceilingErrs[p.name] = medianOf(runs, func() error {
			var n int64
			return db.QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals WHERE received_on >= $1 AND received_on <= $2", p.from, p.to).Scan(&n)
		})
	}
	var out []reportResult
	for _, f := range filters {
		for _, p := range periods {
			for _, name := range reports {
				if f.query != "" && unfiltered[name] {
					continue
				}
				r := reportResult{report: name, period: p.name, filter: f.label, ceiling: ceilings[p.name], err: ceilingErrs[p.name]}
				if r.err == nil {
					r.took, r.err = medianOf(runs, func() error {
						return getReport(ctx, client, baseURL, key, name, p, f.query)
					})
				}
				fmt.Fprintf(progress, "  report %-15s %-6s %-20s %s\n", name, p.name, f.label, describe(r))
				out = append(out, r)
			}
		}
	}
	return out
}

func describe(r reportResult) string {
	if r.err != nil {
		return "FAILED: " + r.err.Error()
	}
	return fmt.Sprintf("%s (ceiling %s, %.2fx)", ms(r.took), ms(r.ceiling), r.Ratio())
}

// getReport asks for one report and insists on a 200.
func getReport(ctx context.Context, client *http.Client, baseURL, key, name string, p period, filter string) error {
	u := fmt.Sprintf("%s/v1/reports/%s?from=%s&to=%s", baseURL, name, p.from, p.to)
	if filter != "" {
		u += "&" + filter
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", strings.TrimPrefix(u, baseURL), resp.StatusCode, truncate(string(body), 300))
	}
	return nil
}

// medianOf runs fn once to warm up, then runs more times, and returns the median duration.
func medianOf(runs int, fn func() error) (time.Duration, error) {
	if err := fn(); err != nil {
		return 0, err
	}
	times := make([]float64, 0, runs)
	for range runs {
		start := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		times = append(times, float64(time.Since(start)))
	}
	return time.Duration(median(times)), nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// unfolded is what the server's fold has still to count, as it was at one moment: the report
// delta rows, the children marked for the organisations' totals (and those marked for the
// council's, whose reports correct for each), and the young people marked for the transitions
// report; -1 each when they could not be counted.
type unfolded struct{ deltas, marked, councilMarked, transitionMarked int64 }

func unfoldedNow(ctx context.Context, db *sql.DB) unfolded {
	var u unfolded
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM report_deltas) + (SELECT count(*) FROM report_org_deltas),
		(SELECT count(DISTINCT young_person_id) FROM report_org_dirty),
		(SELECT count(DISTINCT young_person_id) FROM report_org_dirty WHERE organisation_id = $1),
		(SELECT count(DISTINCT young_person_id) FROM transition_dirty)`, benchload.CouncilID).Scan(
		&u.deltas, &u.marked, &u.councilMarked, &u.transitionMarked); err != nil {
		return unfolded{-1, -1, -1, -1}
	}
	return u
}

func (u unfolded) String() string {
	return fmt.Sprintf("%d delta rows unfolded, %d children marked for the organisations' totals (%d for the council's), %d young people for the transitions report",
		u.deltas, u.marked, u.councilMarked, u.transitionMarked)
}

// waitFolded waits until the server's fold has emptied the report delta tables and the
// organisations' marks (the runs' writes counted into the totals) and vacuumed the delta tables
// (their pages released: a report reads them whole), or the time is up.
func waitFolded(ctx context.Context, db *sql.DB, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var pending bool
		err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM report_deltas) OR EXISTS (SELECT 1 FROM report_org_deltas)
			OR EXISTS (SELECT 1 FROM report_org_dirty)
			OR pg_relation_size('report_deltas') + pg_relation_size('report_org_deltas') > 0`).Scan(&pending)
		if err != nil {
			return err
		}
		if !pending {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("deltas still unfolded, or their tables not vacuumed, after %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}
