package migrations

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// all is every migration in the order applied. Append only: a shipped migration is never edited,
// renamed, reordered or removed.
var all = []*gormigrate.Migration{
	m0001,
	m0002,
	m0003,
	m0004,
	m0005,
	m0006,
	m0007,
	m0008,
	m0009,
	m0010,
	m0011,
	m0012,
	m0013,
	m0014,
	m0015,
	m0016,
	m0020,
	m0021,
	m0022,
	m0023,
	m0024,
	m0030,
	m0040,
	m0041,
	m0043,
	m0050,
	m0051,
	m0052,
	m0053,
	m0060,
	m0070,
	m0071,
	m0080,
	m0081,
	m0082,
	m0083,
	m0084,
	m0090,
	m0091,
	m0100,
	m0101,
	m0102,
	m0103,
	m0104,
	m0105,
	m0108,
	m0109,
	m0110,
	m0112,
	m0113,
	m0114,
	m0115,
	m0116,
	m0117,
	m0119,
	m0120,
	m0121,
	m0122,
	m0123,
}

// Table records the IDs of the migrations applied.
const Table = "schema_migrations"

func migrator(db *gorm.DB) *gormigrate.Gormigrate {
	return gormigrate.New(db, &gormigrate.Options{
		TableName:                 Table,
		IDColumnName:              "id",
		IDColumnSize:              255,
		UseTransaction:            true,
		ValidateUnknownMigrations: true,
	}, all)
}

// Migrate applies every migration not yet recorded in db, each in its own transaction.
func Migrate(db *gorm.DB) error { return migrator(db).Migrate() }

// MigrateTo applies the migrations not yet recorded up to and including the one with id, so a
// test can stop just before the migration it checks.
func MigrateTo(db *gorm.DB, id string) error { return migrator(db).MigrateTo(id) }

// Applied lists the IDs of the migrations recorded in db, oldest first.
func Applied(db *gorm.DB) ([]string, error) {
	var ids []string
	err := db.Table(Table).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// IDs lists every migration's ID in order.
func IDs() []string {
	ids := make([]string, len(all))
	for i, m := range all {
		ids[i] = m.ID
	}
	return ids
}

// The helpers below are shared by migrations that have shipped, so they are frozen like the
// migrations themselves: changing one would change what an old migration does. A migration that
// needs something different gets its own helper in its own file.

// Dialect names as gorm reports them (db.Name()).
const (
	dialectPostgres = "postgres"
	dialectSQLite   = "sqlite"
)

// typeNames maps the column types used in the DDL to each dialect's.
var typeNames = map[string]map[string]string{
	dialectPostgres: {"{uuid}": "uuid", "{ts}": "timestamptz", "{text}": "text", "{bool}": "boolean", "{int}": "bigint"},
	dialectSQLite:   {"{uuid}": "text", "{ts}": "datetime", "{text}": "text", "{bool}": "boolean", "{int}": "integer"},
}

// ddl runs a dialect-neutral script statement by statement (statements end with ";\n"), then the
// dialect's extras. The script is written once for both databases; typeNames is the only place
// the dialects differ.
func ddl(script string, extras map[string][]string) gormigrate.MigrateFunc {
	return func(db *gorm.DB) error {
		dialect := db.Name()
		if dialect != dialectPostgres {
			dialect = dialectSQLite
		}
		// Substitute into a copy: the closure outlives one database (tests open several).
		sql := script
		for name, typ := range typeNames[dialect] {
			sql = strings.ReplaceAll(sql, name, typ)
		}
		for _, stmt := range strings.Split(sql, ";\n") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if err := db.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%s: %w", firstLine(stmt), err)
			}
		}
		for _, stmt := range extras[dialect] {
			if err := db.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%s: %w", firstLine(stmt), err)
			}
		}
		return nil
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// then runs steps one after the other, in the migration's one transaction.
func then(steps ...gormigrate.MigrateFunc) gormigrate.MigrateFunc {
	return func(db *gorm.DB) error {
		for _, step := range steps {
			if err := step(db); err != nil {
				return err
			}
		}
		return nil
	}
}

// Dates are stored as YYYY-MM-DD text on both databases. A value that does not parse reads as
// the zero time, as the store read it when these migrations shipped.
const dateLayout = "2006-01-02"

func dateText(t time.Time) string { return t.Format(dateLayout) }

func parseDate(s string) time.Time {
	t, _ := time.Parse(dateLayout, s)
	return t
}

// decodeJSON reads a JSON column; NULL or bad JSON reads as T's zero value, as the store read it
// when these migrations shipped.
func decodeJSON[T any](s *string) T {
	var v T
	if s != nil {
		_ = json.Unmarshal([]byte(*s), &v)
	}
	return v
}
