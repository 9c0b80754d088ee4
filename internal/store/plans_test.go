package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/benchload"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestListPlans holds the query plans of the big lists (referrals, young people, the audit
// trail), with each of their filters, on a realistically sized, analysed PostgreSQL database: a
// planner regression (a page read by walking the primary key and filtering, which grows with
// every new record, or a scan of the table) fails here rather than in a council's production.
// Plans are judged by what they read, not by how long they took: each page of 50 may discard at
// most a few hundred rows and never scan a big table.
//
// The data: benchload's referrals with planExtras' external ids and audit trail, then as many
// referrals again, newer, all still received (what a busy front door looks like, and what made
// the status page slow: the newest rows are unlike the rest). BenchmarkListPages times the same
// pages at the benchmark's size (make bench-store).
func TestListPlans(t *testing.T) {
	var pg *storetest.Backend
	for _, b := range storetest.Backends(t) {
		if b.Name == store.Postgres {
			pg = &b
		}
	}
	if pg == nil {
		t.Fatal("the plan test needs PostgreSQL")
	}
	ctx := context.Background()
	dsn := pg.DSN(t)
	const n = 40_000
	start := time.Now()
	if err := benchload.LoadRows(ctx, dsn, n); err != nil {
		t.Fatal(err)
	}
	loaded := time.Since(start)
	if err := shapeForPlans(ctx, dsn, n); err != nil {
		t.Fatal(err)
	}
	t.Logf("data set: benchload %s, shaped and analysed in %s", loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	sent := store.RecordSQL(st)
	for _, c := range listCases(n) {
		t.Run(c.name, func(t *testing.T) {
			list := listSQL(t, ctx, st, sent, c)
			raw, err := store.RawString(st, "EXPLAIN (ANALYSE, FORMAT JSON) "+list)
			if err != nil {
				t.Fatal(err)
			}
			var plans []struct{ Plan planNode }
			if err := json.Unmarshal([]byte(raw), &plans); err != nil || len(plans) != 1 {
				t.Fatalf("plan: %v %s", err, raw)
			}
			var discarded float64
			var scans, used []string
			plans[0].Plan.walk(func(p planNode) {
				if p.Index != "" {
					used = append(used, p.Index)
				}
				discarded += (p.RemovedByFilter + p.RemovedByJoinFilter + p.RemovedByIndexRecheck) * max(p.Loops, 1)
				if p.NodeType == "Seq Scan" && bigTables[p.Relation] {
					scans = append(scans, p.Relation)
				}
			})
			t.Logf("indexes read: %s", strings.Join(used, ", "))
			bad := ""
			if c.index != "" && !slices.Contains(used, c.index) {
				bad = fmt.Sprintf("the page is not read through %s", c.index)
			}
			if len(scans) > 0 {
				bad = fmt.Sprintf("the page scans the whole of %s", strings.Join(scans, ", "))
			} else if discarded > 2000 {
				bad = fmt.Sprintf("the page discards %.0f rows to find 50", discarded)
			}
			switch {
			case bad != "" && c.known != "":
				t.Logf("known: %s: %s", c.known, bad)
			case bad != "":
				t.Errorf("%s:\n%s\nquery: %s", bad, raw, list)
			case c.known != "":
				t.Errorf("marked known (%s) but the plan is now good: drop the mark", c.known)
			}
		})
	}
}

// bigTables grow with the council's caseload: a page may never read one whole.
var bigTables = map[string]bool{"referrals": true, "young_people": true, "audit_events": true, "involvements": true,
	"referral_reasons": true, "external_ids": true, "referral_stages": true}

// listSQL runs c and returns the list statement it sent (the page's other statements, such as
// a merged child's ids, are not the list).
func listSQL(t *testing.T, ctx context.Context, st *store.Store, sent func() []string, c listCase) string {
	t.Helper()
	sent()
	if err := st.Read(ctx, c.run); err != nil {
		t.Fatal(err)
	}
	var list string
	for _, q := range sent() {
		if strings.Contains(q, `FROM "`+c.table+`"`) {
			list = q
		}
	}
	if list == "" {
		t.Fatal("no list query sent")
	}
	return list
}

type planNode struct {
	NodeType              string     `json:"Node Type"`
	Relation              string     `json:"Relation Name"`
	Index                 string     `json:"Index Name"`
	RemovedByFilter       float64    `json:"Rows Removed by Filter"`
	RemovedByJoinFilter   float64    `json:"Rows Removed by Join Filter"`
	RemovedByIndexRecheck float64    `json:"Rows Removed by Index Recheck"`
	Loops                 float64    `json:"Actual Loops"`
	Plans                 []planNode `json:"Plans"`
}

func (p planNode) walk(fn func(planNode)) {
	fn(p)
	for _, c := range p.Plans {
		c.walk(fn)
	}
}

// shapeForPlans adds planExtras' external ids and audit trail to benchload's n referrals, then
// as many referrals again, newer, all still received, and analyses the lists' tables once. The
// rows go in on one connection with the report triggers off, as benchload's do (a delta per row
// the plans never read: three times the time of the rows themselves).
func shapeForPlans(ctx context.Context, dsn string, n int) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	_, _ = c.ExecContext(ctx, "SET session_replication_role = replica") // refused to all but a superuser: then slower
	extras := planExtras(n)
	for _, q := range append(extras[:len(extras)-1:len(extras)-1],
		// The newest referrals: received, later ids than any loaded (benchload's ids are small).
		// Each copies the loaded referral of the same number (all n of them).
		`INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id, reasons,
			main_reason, services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility, created_at, updated_at,
			version, locality, locality_key)
		SELECT ('ffff0000-0000-4000-8000-' || right(r.id::text, 12))::uuid, 'REF-NEW-' || ('x' || right(r.id::text, 12))::bit(48)::bigint,
			'received', r.young_person_id, r.referrer_practitioner_id, r.referrer_organisation_id, r.reasons, r.main_reason, r.services_involved,
			r.services_count, false, '2026-11-30', true, r.eligibility, now(), now(), 1, r.locality, r.locality_key
		FROM referrals r`,
		`RESET session_replication_role`,
		// The tables the list pages read (the referral stages, the biggest, are not among them):
		// their statistics, and visibility maps for index-only scans.
		`VACUUM ANALYSE referrals, young_people, audit_events, external_ids, involvements, referral_reasons, meetings,
			merged_young_people, organisations, practitioners`,
	) {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return nil
}
