package main

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// evenStart against a real PostgreSQL (the benchmark's administrator connection): a run with no
// checkpoint in it says nothing, one with a checkpoint in it says so, and CHECKPOINT refused
// (a role without the right) is said once, the runs going on.
func TestEvenStart(t *testing.T) {
	cfg, err := configFrom(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", cfg.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("REQUIRE_POSTGRES=1 but %v", err)
		}
		t.Skipf("no PostgreSQL at the benchmark's administrator URL: %v", err)
	}

	e := &evenStart{db: db}
	during := e.begin(ctx)
	if during() {
		t.Fatal("a run with no checkpoint in it is said to have had one")
	}
	if e.refused != nil {
		t.Fatalf("CHECKPOINT refused to the administrator: %v", e.refused)
	}
	if note := e.note(false, false); note != "" {
		t.Errorf("a quiet run's note is %q", note)
	}
	during = e.begin(ctx)
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	if !during() {
		t.Fatal("a checkpoint during the run went unnoticed")
	}
	for _, c := range []struct {
		http, sql bool
		want      string
	}{{true, false, "during the HTTP run"}, {false, true, "during the pgbench run"}, {true, true, "during both runs"}} {
		if note := e.note(c.http, c.sql); !strings.Contains(note, c.want) {
			t.Errorf("note(%v, %v) = %q, want %q", c.http, c.sql, note, c.want)
		}
	}

	// A role that may not checkpoint: said once, and begin still answers.
	role := "oneplan_bench_test_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	if _, err := db.ExecContext(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD 'bench'"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = db.ExecContext(context.Background(), "DROP ROLE "+role) }()
	u, err := url.Parse(cfg.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "bench") // whether the server trusts local TCP or asks
	asRole, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = asRole.Close() }()
	refused := &evenStart{db: asRole}
	refused.begin(ctx)()
	var pgErr *pgconn.PgError
	if !errors.As(refused.refused, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("CHECKPOINT by a role without the right: %v, want insufficient privilege (42501)", refused.refused)
	}
	first, second := refused.note(false, false), refused.note(false, false)
	if !strings.Contains(first, "runs not started after a checkpoint") || second != "" {
		t.Errorf("the refusal is said %q then %q; want it once", first, second)
	}
}
