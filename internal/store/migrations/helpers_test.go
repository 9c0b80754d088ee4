package migrations_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/migrations"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// checkMigration runs the test of migration id on every backend: a fresh, empty database is
// migrated up to the migration before id, seeded by before (nil when the migration only adds
// schema), migrated through id, and checked by after.
func checkMigration(t *testing.T, id string, before, after func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	checkMigrationAt(t, id, before, func(t *testing.T, db *gorm.DB, _ string) { after(t, db) })
}

// openStore opens the store on dsn, as a server would after the migration checked (every later
// one applied), closed when t ends.
func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// checkMigrationAt is checkMigration whose after is also given the database's DSN, to open the
// store on it.
func checkMigrationAt(t *testing.T, id string, before func(t *testing.T, db *gorm.DB), after func(t *testing.T, db *gorm.DB, dsn string)) {
	t.Helper()
	ids := migrations.IDs()
	i := slices.Index(ids, id)
	if i < 0 {
		t.Fatalf("no migration %s", id)
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.Empty(t)
			db := openRaw(t, dsn)
			if i > 0 {
				if err := migrations.MigrateTo(db, ids[i-1]); err != nil {
					t.Fatalf("migrate to %s: %v", ids[i-1], err)
				}
			}
			if before != nil {
				before(t, db)
			}
			if err := migrations.MigrateTo(db, id); err != nil {
				t.Fatalf("migrate %s: %v", id, err)
			}
			applied, err := migrations.Applied(db)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(applied, ids[:i+1]) {
				t.Fatalf("applied %v, want %v", applied, ids[:i+1])
			}
			after(t, db, dsn)
		})
	}
}

// TestEveryMigrationHasATest: each migration has a TestMigrationNNNN in this package.
func TestEveryMigrationHasATest(t *testing.T) {
	tested := map[string]bool{}
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^func TestMigration(\d{4})\w*\(t \*testing\.T\)`)
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			tested[m[1]] = true
		}
	}
	for _, id := range migrations.IDs() {
		if !tested[id[:4]] {
			t.Errorf("migration %s has no TestMigration%s: every migration is tested on both databases", id, id[:4])
		}
	}
}

// uuid returns a fixed, valid UUID numbered n.
func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

var created = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

func exec(t testing.TB, db *gorm.DB, q string, args ...any) {
	t.Helper()
	if err := db.Exec(q, args...).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// refuses checks that the database rejects q: a constraint or trigger bites.
func refuses(t testing.TB, db *gorm.DB, what, q string, args ...any) {
	t.Helper()
	if err := db.Exec(q, args...).Error; err == nil {
		t.Errorf("%s: accepted, want refused", what)
	}
}

// value returns the one value q selects, as text ("NULL" for NULL).
func value(t testing.TB, db *gorm.DB, q string, args ...any) string {
	t.Helper()
	rows := queryRows(t, db, q, args...)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("%s: %v, want one value", q, rows)
	}
	return rows[0][0]
}

func wantValue(t testing.TB, db *gorm.DB, want, q string, args ...any) {
	t.Helper()
	if got := value(t, db, q, args...); got != want {
		t.Errorf("%s %v = %q, want %q", q, args, got, want)
	}
}

// wantBool is wantValue for a boolean, which SQLite reads as 0 or 1 and PostgreSQL as true or false.
func wantBool(t testing.TB, db *gorm.DB, want bool, q string, args ...any) {
	t.Helper()
	got := value(t, db, q, args...)
	if (got == "1" || got == "true") != want || (got != "0" && got != "false" && got != "1" && got != "true") {
		t.Errorf("%s %v = %q, want %v", q, args, got, want)
	}
}

func isPostgres(db *gorm.DB) bool { return db.Name() == "postgres" }

func column(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[0]
	}
	return out
}

func tables(t testing.TB, db *gorm.DB) []string {
	if isPostgres(db) {
		return column(queryRows(t, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`))
	}
	return column(queryRows(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`))
}

func columns(t testing.TB, db *gorm.DB, table string) []string {
	if isPostgres(db) {
		return column(queryRows(t, db, `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?`, table))
	}
	return column(queryRows(t, db, `SELECT name FROM pragma_table_info(?)`, table))
}

func indexes(t testing.TB, db *gorm.DB) []string {
	if isPostgres(db) {
		return column(queryRows(t, db, `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`))
	}
	return column(queryRows(t, db, `SELECT name FROM sqlite_master WHERE type = 'index'`))
}

// has checks that got holds every one of want.
func has(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s lacks %s (has %v)", what, w, got)
		}
	}
}

// lacks checks that got holds none of gone.
func lacks(t testing.TB, what string, got []string, gone ...string) {
	t.Helper()
	for _, g := range gone {
		if slices.Contains(got, g) {
			t.Errorf("%s still has %s", what, g)
		}
	}
}

// The rows below are written with the columns their tables had when 0001 created them (later
// migrations add only columns that may be NULL or have a default), so they can seed a database
// at any point of the history. Like the migrations, they must not follow later models.

func addOrganisation(t testing.TB, db *gorm.DB, id, urn string) {
	t.Helper()
	var u any
	if urn != "" {
		u = urn
	}
	exec(t, db, `INSERT INTO organisations (id, name, search_name, type, urn, created_at, updated_at, version)
		VALUES (?, 'Oak Academy', 'oak academy', 'school', ?, ?, ?, 1)`, id, u, created, created)
}

func addPractitioner(t testing.TB, db *gorm.DB, id, org, email string) {
	t.Helper()
	exec(t, db, `INSERT INTO practitioners (id, organisation_id, name, search_name, email, role, active, created_at, updated_at, version)
		VALUES (?, ?, 'Sam Lee', 'sam lee', ?, 'caseworker', true, ?, ?, 1)`, id, org, email, created, created)
}

func addPerson(t testing.TB, db *gorm.DB, id, org, locality string) {
	t.Helper()
	var loc, key any
	if locality != "" {
		loc, key = locality, "key:"+locality
	}
	exec(t, db, `INSERT INTO young_people (id, given_name, family_name, search_name, date_of_birth, locality, locality_key, contacts,
		recorded_by_org_id, created_at, updated_at, version) VALUES (?, 'Ada', 'Byron', 'ada byron', '2015-06-01', ?, ?, '[]', ?, ?, ?, 1)`,
		id, loc, key, org, created, created)
}

// addInvolvement puts organisation org in the team around person, as a setting since 2024.
func addInvolvement(t testing.TB, db *gorm.DB, id, person, org string) {
	t.Helper()
	exec(t, db, `INSERT INTO involvements (id, young_person_id, organisation_id, role, started_on, created_at, updated_at, version)
		VALUES (?, ?, ?, 'setting', '2024-01-01', ?, ?, 1)`, id, person, org, created, created)
}

func addReferral(t testing.TB, db *gorm.DB, id, reference, person, practitioner, org, status, reasons, main, received string) {
	t.Helper()
	exec(t, db, `INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id,
		reasons, main_reason, services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility,
		created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', 0, false, ?, true, '{}', ?, ?, 1)`,
		id, reference, status, person, practitioner, org, reasons, main, received, created, created)
}

// addRequest writes an EHC needs assessment request with the columns 0004 created.
func addRequest(t testing.TB, db *gorm.DB, id, person, received, exceptions string) {
	t.Helper()
	exec(t, db, `INSERT INTO ehc_requests (id, young_person_id, received_on, requested_by, status, request_outcome, exceptions,
		decision_due_on, no_plan_notice_due_on, final_plan_due_on, created_at, updated_at, version)
		VALUES (?, ?, ?, 'parent', 'received', 'pending', ?, '2000-01-01', '2000-01-01', '2000-01-01', ?, ?, 1)`,
		id, person, received, exceptions, created, created)
}

// usesIndex fails t unless PostgreSQL, with sequential scans off, plans q to read index: the
// check that a partial index still serves the statements written against it.
func usesIndex(t testing.TB, db *gorm.DB, index, q string) {
	t.Helper()
	var plan string
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
			return err
		}
		return tx.Raw("EXPLAIN (FORMAT JSON) " + q).Scan(&plan).Error
	})
	if err != nil || !strings.Contains(plan, `"Index Name": "`+index+`"`) {
		t.Errorf("%s: not used (%v): %s", index, err, plan)
	}
}

// wantNullFree fails t unless each named index leaves out NULLs (WHERE ... IS NOT NULL), on
// either database.
func wantNullFree(t testing.TB, db *gorm.DB, names ...string) {
	t.Helper()
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ? AND sql LIKE '%WHERE%IS NOT NULL%'`
	if isPostgres(db) {
		q = `SELECT COUNT(*) FROM pg_indexes WHERE indexname IN ? AND indexdef LIKE '%WHERE%IS NOT NULL%'`
	}
	wantValue(t, db, strconv.Itoa(len(names)), q, names)
}
