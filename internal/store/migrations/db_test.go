package migrations_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// openRaw opens dsn (a storetest DSN) with a bare gorm handle, closed when the test ends. SQLite
// gets foreign keys on, as the store opens it, so that references bite here too.
func openRaw(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	var dialector gorm.Dialector
	if store.DialectOf(dsn) == store.Postgres {
		dialector = postgres.Open(dsn)
	} else {
		dialector = sqlite.Open("file:" + dsn + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	}
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("open %s: %v", store.DialectOf(dsn), err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

// queryRows runs q and returns every row as text (NULL as "NULL").
func queryRows(t testing.TB, db *gorm.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer func() { _ = rows.Close() }()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// dumpSchema describes everything the migrations made, in a stable order: the catalogue on
// SQLite; columns, indexes, constraints, triggers and functions on PostgreSQL; then the
// migrations recorded and the survey instruments seeded.
func dumpSchema(t testing.TB, db *gorm.DB) string {
	t.Helper()
	var b strings.Builder
	section := func(title, q string) {
		fmt.Fprintf(&b, "== %s\n", title)
		for _, r := range queryRows(t, db, q) {
			b.WriteString(strings.Join(r, " | ") + "\n")
		}
	}
	ts := func(col string) string { return col }
	if db.Name() == "postgres" {
		section("columns", `SELECT table_name, ordinal_position, column_name, data_type, COALESCE(character_maximum_length, 0),
			is_nullable, COALESCE(column_default, '') FROM information_schema.columns WHERE table_schema = 'public'
			ORDER BY table_name, ordinal_position`)
		section("indexes", `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`)
		section("constraints", `SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
			WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`)
		section("triggers", `SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`)
		section("functions", `SELECT proname, pg_get_functiondef(oid) FROM pg_proc p WHERE pronamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1`)
		ts = func(col string) string {
			return `to_char(` + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
		}
	} else {
		section("catalogue", `SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`)
	}
	section("migrations", `SELECT id FROM schema_migrations ORDER BY id`)
	section("survey_templates", `SELECT id, code, name, description, audience, built_in, `+ts("created_at")+`, `+ts("updated_at")+`, version
		FROM survey_templates ORDER BY id`)
	section("survey_template_versions", `SELECT template_id, number, questions, `+ts("created_at")+` FROM survey_template_versions
		ORDER BY template_id, number`)
	return b.String()
}
