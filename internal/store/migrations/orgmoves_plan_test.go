package migrations_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/migrations"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// recorder keeps the statements run through it.
type recorder struct{ sql []string }

func (r *recorder) LogMode(logger.LogLevel) logger.Interface { return r }
func (r *recorder) Info(context.Context, string, ...any)     {}
func (r *recorder) Warn(context.Context, string, ...any)     {}
func (r *recorder) Error(context.Context, string, ...any)    {}
func (r *recorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	r.sql = append(r.sql, s)
}

// TestReportOrgMovesPlanSQLite: on SQLite every statement of the organisations' fold
// (AddReportOrgMoves) reads the children moving first and each table's rows by the child's index:
// none scans a table of records. SQLite has no statistics to go by, and without the join order and
// the index written in it scanned every reason and stage (and read the annual reviews by status)
// for each batch of children, so a fold cost as much as the council's records.
func TestReportOrgMovesPlanSQLite(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != store.SQLite {
			continue
		}
		db := openRaw(t, b.Empty(t))
		ids := migrations.IDs()
		if err := migrations.MigrateTo(db, ids[len(ids)-1]); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		if err := db.Transaction(func(tx *gorm.DB) error {
			return migrations.AddReportOrgMoves(tx.Session(&gorm.Session{Logger: rec}))
		}); err != nil {
			t.Fatal(err)
		}
		if len(rec.sql) < 8 {
			t.Fatalf("recorded %d statements of the fold", len(rec.sql))
		}
		for _, s := range rec.sql {
			var plan []struct{ Detail string }
			if err := db.Raw("EXPLAIN QUERY PLAN " + s).Scan(&plan).Error; err != nil {
				t.Fatal(err)
			}
			for _, p := range plan {
				if strings.HasPrefix(p.Detail, "SCAN ") && p.Detail != "SCAN m" {
					t.Errorf("%s\nreads %q", s[:min(len(s), 200)], p.Detail)
				}
			}
		}
	}
}
