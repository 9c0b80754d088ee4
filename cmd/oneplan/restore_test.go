package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/migrations"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestBackupAndRestore is the restore drill docs/deploy.md describes, on PostgreSQL: a database
// with the demo data is backed up with pg_dump (custom format), restored with pg_restore into an
// empty database, and the restored copy holds every row of every table, is at the latest
// migration, still refuses changes to the audit trail, and serves.
func TestBackupAndRestore(t *testing.T) {
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("the restore drill needs PostgreSQL (set REQUIRE_POSTGRES=1 to make it mandatory)")
	}
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the restore drill needs %s on PATH (Debian: postgresql-client)", tool)
		}
	}
	source := pg.DSN(t)
	setEnv(t, source)
	t.Setenv("ONEPLAN_ALLOW_TEST_NHS_NUMBERS", "true")
	mustRun(t, "seed", "--demo")

	backup := filepath.Join(t.TempDir(), "oneplan.dump")
	if out, err := exec.Command("pg_dump", "--format=custom", "--no-owner", "--file="+backup, source).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	restored := pg.Empty(t)
	if out, err := exec.Command("pg_restore", "--no-owner", "--exit-on-error", "--dbname="+restored, backup).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}

	want, got := tableCounts(t, source), tableCounts(t, restored)
	if len(want) < 20 {
		t.Fatalf("only %d tables in the source: %v", len(want), want)
	}
	for table, n := range want {
		if got[table] != n {
			t.Errorf("%s: %d rows restored, want %d", table, got[table], n)
		}
	}
	if want["young_people"] == 0 || want["audit_events"] == 0 {
		t.Errorf("the demo data did not reach the backup: %v", want)
	}

	setEnv(t, restored)
	ids := migrations.IDs()
	if out := mustRun(t, "migrate"); !strings.Contains(out, "at migration "+ids[len(ids)-1]) {
		t.Errorf("migrate on the restored copy: %s", out)
	}
	st, err := store.Open(context.Background(), restored)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := st.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DELETE FROM audit_events"); err == nil {
		t.Error("the restored audit trail can be deleted: its triggers were not restored")
	}
	// The operator's commands work on the restored copy.
	if out := mustRun(t, "orgs", "list", "--type", "local_authority_send"); !strings.Contains(out, "Council SEND service") {
		t.Errorf("orgs list on the restored copy:\n%s", out)
	}
}

// tableCounts counts the rows of every table in the public schema.
func tableCounts(t *testing.T, dsn string) map[string]int64 {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := st.SQL()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := db.QueryRow(`SELECT COUNT(*) FROM "` + table + `"`).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	return counts
}
