package store_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// BenchmarkDeadlineWorklist times a page of the stored worklist (issue 14) on PostgreSQL with
// ONEPLAN_BENCH_DEADLINES open deadlines (default 300,000: a county's several times over) of
// 30,000 young people and 600 owners, against the PostgreSQL ceiling for the same page: the bare
// keyset SELECT of 51 rows by the same index, through database/sql (ceiling-ratio 1 would be as
// fast as that). Each page shape the API serves: the council's first page, a page deep in it (by
// cursor), a caseworker's (owner), one child's, and the council's missed ones.
func BenchmarkDeadlineWorklist(b *testing.B) {
	var dsn string
	for _, be := range storetest.Backends(b) {
		if be.Name == store.Postgres {
			dsn = be.DSN(b)
		}
	}
	if dsn == "" {
		b.Skip("measured on PostgreSQL (set TEST_DATABASE_URL)")
	}
	n := 300_000
	if v, err := strconv.Atoi(os.Getenv("ONEPLAN_BENCH_DEADLINES")); err == nil && v > 0 {
		n = v
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	// Keys are record:clock:day as the service writes them; days spread over two years.
	if _, err := db.Exec(`INSERT INTO deadline_worklist (deadline_key, clock, record_type, record_id, young_person_id, due_on, part, owner_id, changed_at)
		SELECT 'ehc_request:' || md5(i::text)::uuid || ':' || c || ':' || d, c, 'ehc_request', md5(i::text)::uuid,
			md5('yp' || (i % 30000))::uuid, d, '', CASE WHEN i % 7 = 0 THEN NULL ELSE md5('o' || (i % 600))::uuid END, now()
		FROM (SELECT i, (ARRAY['final_plan','annual_review','advice','review_report','chc_refer'])[1 + i % 5] AS c,
			to_char(date '2026-01-01' + (i::bigint * 7919 % 730)::int, 'YYYY-MM-DD') AS d FROM generate_series(1, $1) AS i) AS g`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYSE deadline_worklist`); err != nil {
		b.Fatal(err)
	}
	var owner, child, deepDay, deepKey string
	if err := db.QueryRow(`SELECT md5('o1')::uuid::text, md5('yp1')::uuid::text`).Scan(&owner, &child); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow(`SELECT due_on, deadline_key FROM deadline_worklist ORDER BY due_on, deadline_key OFFSET $1 LIMIT 1`, n/2).Scan(&deepDay, &deepKey); err != nil {
		b.Fatal(err)
	}
	asOf := testkit.Day(2026, 12, 3)
	// The cursor the API would have issued after that row.
	cursor := base64.RawURLEncoding.EncodeToString([]byte("d1:" + deepDay + "|" + deepKey))
	for _, c := range []struct {
		name    string
		q       deadline.Query
		pg      paging.Page
		ceiling string
		args    []any
	}{
		{"council", deadline.Query{AsOf: asOf}, paging.Page{Limit: 50},
			`SELECT * FROM deadline_worklist ORDER BY due_on, deadline_key LIMIT 51`, nil},
		{"council-deep", deadline.Query{AsOf: asOf}, paging.Page{Limit: 50, Cursor: cursor},
			`SELECT * FROM deadline_worklist WHERE (due_on, deadline_key) > ($1, $2) ORDER BY due_on, deadline_key LIMIT 51`, []any{deepDay, deepKey}},
		{"owner", deadline.Query{AsOf: asOf, Owner: owner}, paging.Page{Limit: 50},
			`SELECT * FROM deadline_worklist WHERE owner_id = $1 ORDER BY due_on, deadline_key LIMIT 51`, []any{owner}},
		{"child", deadline.Query{AsOf: asOf, YoungPersonID: child}, paging.Page{Limit: 50},
			`SELECT * FROM deadline_worklist WHERE young_person_id = $1 ORDER BY due_on, deadline_key LIMIT 51`, []any{child}},
		{"missed", deadline.Query{AsOf: asOf, Status: deadline.Missed}, paging.Page{Limit: 50},
			`SELECT * FROM deadline_worklist WHERE due_on < $1 ORDER BY due_on, deadline_key LIMIT 51`, []any{"2026-12-03"}},
	} {
		var ceiling time.Duration
		b.Run(c.name+"/ceiling", func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				rows, err := db.Query(c.ceiling, c.args...)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				_ = rows.Close()
			}
			ceiling = time.Since(start) / time.Duration(b.N)
		})
		b.Run(c.name, func(b *testing.B) {
			start := time.Now()
			got := 0
			for b.Loop() {
				if err := st.Read(context.Background(), func(tx *store.Tx) error {
					items, _, err := tx.DeadlineWorklist().Page(c.q, deadline.DefaultLeads(), access.Scope{}, c.pg)
					got = len(items)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
			if got == 0 {
				b.Fatal("an empty page")
			}
			if ceiling > 0 {
				b.ReportMetric(float64(ceiling)/float64(time.Since(start)/time.Duration(b.N)), "ceiling-ratio")
			}
		})
	}
}
