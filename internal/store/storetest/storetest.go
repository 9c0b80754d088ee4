// Package storetest gives tests real databases: a fresh SQLite file for every test, always, and
// a fresh PostgreSQL database for every test when one is reachable (TEST_DATABASE_URL, else
// postgres@127.0.0.1:5432). REQUIRE_POSTGRES=1 turns "unreachable" into a failure, so CI cannot
// skip PostgreSQL silently. Each PostgreSQL test database is cloned from a template migrated once
// per test binary, and dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/store"
)

// Backend is one database the suites run against.
type Backend struct {
	Name string
	// Open returns a freshly migrated, empty database that is removed after the test.
	Open func(t testing.TB) *store.Store
	// DSN returns the connection string of a fresh database (for tests that open it themselves).
	DSN func(t testing.TB) string
	// Empty returns the connection string of a fresh database with no tables at all, not even the
	// migrations' own, for tests that migrate it one step at a time.
	Empty func(t testing.TB) string
}

var (
	pgOnce     sync.Once
	pgAdmin    *gorm.DB
	pgBase     *url.URL
	pgTemplate string
	pgErr      error
	ranMu      sync.Mutex
	ran        = map[string]bool{}
)

func adminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// setupPostgres connects as an administrator and migrates a template database once.
func setupPostgres() {
	pgOnce.Do(func() {
		u, err := url.Parse(adminURL())
		if err != nil {
			pgErr = err
			return
		}
		pgBase = u
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		db, err := gorm.Open(postgres.Open(u.String()), &gorm.Config{Logger: logger.Discard})
		if err == nil {
			var sqlDB interface{ PingContext(context.Context) error }
			if sqlDB, err = db.DB(); err == nil {
				err = sqlDB.PingContext(ctx)
			}
		}
		if err != nil {
			pgErr = fmt.Errorf("PostgreSQL not reachable at %s: %w", u.Redacted(), err)
			return
		}
		pgAdmin = db
		pgTemplate = randomName("oneplan_tpl_")
		if err := db.Exec("CREATE DATABASE " + pgTemplate).Error; err != nil {
			pgErr = err
			return
		}
		st, err := store.Open(ctx, dbURL(pgTemplate))
		if err != nil {
			pgErr = err
			return
		}
		if err := st.Migrate(context.Background()); err != nil {
			pgErr = err
		}
		_ = st.Close()
	})
}

func dbURL(name string) string {
	u := *pgBase
	u.Path = "/" + name
	return u.String()
}

func sqliteBackend() Backend {
	dsn := func(t testing.TB) string {
		mark(store.SQLite)
		return filepath.Join(t.TempDir(), "oneplan.db")
	}
	open := func(t testing.TB) *store.Store {
		path := dsn(t)
		if tpl, err := sqliteTemplate(); err != nil {
			t.Fatalf("migrate the SQLite template: %v", err)
		} else if err := copyFile(tpl, path); err != nil {
			t.Fatalf("copy the SQLite template: %v", err)
		}
		return openMigrated(t, path)
	}
	return Backend{Name: store.SQLite, DSN: dsn, Empty: dsn, Open: open}
}

var (
	sqliteOnce sync.Once
	sqliteTpl  string // a SQLite file migrated once per test binary, copied for each test
	sqliteDir  string
	sqliteErr  error
)

// sqliteTemplate migrates one SQLite file per test binary, as setupPostgres does a template
// database: each test's Open copies it (a copy costs far less than running every migration), and
// Open still runs Migrate on the copy, which finds nothing left to do.
func sqliteTemplate() (string, error) {
	sqliteOnce.Do(func() {
		if sqliteDir, sqliteErr = os.MkdirTemp("", "oneplan-sqlite-tpl-"); sqliteErr != nil {
			return
		}
		path := filepath.Join(sqliteDir, "template.db")
		ctx := context.Background()
		st, err := store.Open(ctx, path)
		if err != nil {
			sqliteErr = err
			return
		}
		defer func() {
			if err := st.Close(); err != nil && sqliteErr == nil {
				sqliteErr = err
			}
		}()
		if sqliteErr = st.Migrate(ctx); sqliteErr != nil {
			return
		}
		// Fold the write-ahead log into the file, so the file alone is the whole database.
		db, err := st.SQL()
		if err != nil {
			sqliteErr = err
			return
		}
		if _, sqliteErr = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); sqliteErr != nil {
			return
		}
		sqliteTpl = path
	})
	return sqliteTpl, sqliteErr
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from) //nolint:gosec // the template this package wrote
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600) //nolint:gosec // a path under the test's own temporary directory
}

func postgresBackend() Backend {
	create := func(t testing.TB, template string) string {
		mark(store.Postgres)
		name := randomName("oneplan_test_")
		if err := pgAdmin.Exec("CREATE DATABASE " + name + " TEMPLATE " + template).Error; err != nil {
			t.Fatalf("create test database: %v", err)
		}
		t.Cleanup(func() { _ = pgAdmin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error })
		return dbURL(name)
	}
	dsn := func(t testing.TB) string { return create(t, pgTemplate) }
	empty := func(t testing.TB) string { return create(t, "template0") }
	return Backend{Name: store.Postgres, DSN: dsn, Empty: empty, Open: func(t testing.TB) *store.Store { return openMigrated(t, dsn(t)) }}
}

func openMigrated(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", store.DialectOf(dsn), err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

func mark(name string) {
	ranMu.Lock()
	ran[name] = true
	ranMu.Unlock()
}

// Backends lists the databases to test against.
func Backends(t testing.TB) []Backend {
	if !inMain {
		// Without it the PostgreSQL template made for the package outlives the run.
		t.Fatal("storetest: the package's TestMain must be storetest.Main (it drops the template database)")
	}
	out := []Backend{sqliteBackend()}
	setupPostgres()
	switch {
	case pgErr == nil:
		out = append(out, postgresBackend())
	case os.Getenv("REQUIRE_POSTGRES") == "1":
		t.Fatalf("REQUIRE_POSTGRES=1 but %v", pgErr)
	}
	return out
}

// Postgres is the PostgreSQL backend, for a test that needs PostgreSQL alone; ok is false when
// none is reachable (the caller fails or skips), and the test fails as Backends does when
// REQUIRE_POSTGRES=1.
func Postgres(t testing.TB) (Backend, bool) {
	for _, b := range Backends(t) {
		if b.Name == store.Postgres {
			return b, true
		}
	}
	return Backend{}, false
}

// Each runs fn as a subtest on every backend, with a fresh database each.
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open(t)) })
	}
}

// inMain says Main runs the package's tests (Backends insists on it).
var inMain bool

// Main runs a package's tests, then drops the template database and records which databases
// the package exercised in $ONEPLAN_TEST_REPORT (a directory), for `make test` to summarise.
// cleanups run after the tests, before it exits (which skips deferred calls).
func Main(m *testing.M, cleanups ...func()) {
	inMain = true
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	if sqliteDir != "" {
		_ = os.RemoveAll(sqliteDir)
	}
	if pgAdmin != nil && pgTemplate != "" {
		_ = pgAdmin.Exec("DROP DATABASE IF EXISTS " + pgTemplate + " WITH (FORCE)").Error
	}
	if dir := os.Getenv("ONEPLAN_TEST_REPORT"); dir != "" {
		ranMu.Lock()
		var names []string
		for _, n := range []string{store.SQLite, store.Postgres} {
			if ran[n] {
				names = append(names, n)
			}
		}
		ranMu.Unlock()
		pkg := filepath.Base(must(os.Getwd()))
		_ = os.WriteFile(filepath.Join(dir, pkg), []byte(strings.Join(names, " ")+"\n"), 0o600) //nolint:gosec // a test report directory the developer chose
	}
	os.Exit(code)
}

func must(s string, err error) string {
	if err != nil {
		return "unknown"
	}
	return s
}
