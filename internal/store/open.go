// Package store keeps OnePlan's records with GORM, on PostgreSQL in production or an embedded,
// pure-Go SQLite file by default. Row structs never leave this package: repositories take and
// return domain types, and database errors come out as fault categories.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/secretseal"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Store is an open database.
type Store struct {
	db      *gorm.DB
	dialect string
	dsn     string
	// sealer encrypts the secrets the server must read back (webhook signing secrets).
	sealer *secretseal.Sealer
	// writers: SQLite's requests waiting to write, to which the server's own work gives way (nil
	// on PostgreSQL; see giveway.go).
	writers *writers
}

// SealSecrets makes the store keep webhook signing secrets encrypted with sealer from now on
// (ONEPLAN_SECRETS_KEY); without it they are stored as given.
func (s *Store) SealSecrets(sealer *secretseal.Sealer) { s.sealer = sealer }

// DialectOf names the database a DSN selects: postgres:// and postgresql:// select PostgreSQL;
// anything else (a path, file:..., sqlite:...) is a SQLite file.
func DialectOf(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open connects to dsn and sizes the connection pool.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg := &gorm.Config{
		// Writes open their own transaction (record + audit + outbox); reads need none.
		SkipDefaultTransaction: true,
		TranslateError:         true,
		// SQL carries personal data in its arguments: never log it.
		Logger:  logger.Discard,
		NowFunc: func() time.Time { return time.Now().UTC() },
	}
	var (
		db  *gorm.DB
		err error
	)
	dialect := DialectOf(dsn)
	switch dialect {
	case Postgres:
		db, err = gorm.Open(postgres.Open(dsn), cfg)
	default:
		db, err = gorm.Open(sqlite.Open(sqliteDSN(dsn)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// database/sql keeps 2 idle connections by default, which made PostgreSQL open a new session
	// for most requests under load (see TOOLING.md): keep as many idle as may be open.
	if dialect == Postgres {
		sqlDB.SetMaxOpenConns(defaultMaxConns)
		sqlDB.SetMaxIdleConns(defaultMaxConns)
	} else {
		// One writer at a time in SQLite anyway; a few connections let reads run beside it.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(4)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, dialect: dialect, dsn: dsn}
	if dialect == SQLite {
		s.writers = newWriters()
	}
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// defaultMaxConns is how many PostgreSQL connections a store holds unless SetMaxConns says
// otherwise (ONEPLAN_DATABASE_MAX_CONNS has its own default, which the server uses).
const defaultMaxConns = 16

// SetMaxConns sets how many PostgreSQL connections the store may hold open, all of them kept
// idle between requests (a request that finds none idle would otherwise open a new session).
// A request waits for a connection beyond that; SQLite keeps its own few.
func (s *Store) SetMaxConns(n int) {
	if s.dialect != Postgres || n < 1 {
		return
	}
	if sqlDB, err := s.db.DB(); err == nil {
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
	}
}

// OpenPool opens the PostgreSQL pool's connections ahead of the first requests, all at once,
// and keeps them idle; it returns how many it opened (SQLite: none) and the first error met.
// Opened on demand instead, the first burst after a start (a deploy under load) waited for the
// sessions to be set up: reads at 32 connections on 200,000 referrals, the first 14 s, had a p99
// of 552 ms, against 194-199 ms with the pool opened first. Connections it cannot open are left
// to be opened on demand, as before.
func (s *Store) OpenPool(ctx context.Context) (int, error) {
	if s.dialect != Postgres {
		return 0, nil
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return 0, err
	}
	n := sqlDB.Stats().MaxOpenConnections
	conns := make([]*sql.Conn, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if conns[i], errs[i] = sqlDB.Conn(ctx); errs[i] == nil {
				errs[i] = conns[i].PingContext(ctx)
			}
		})
	}
	wg.Wait()
	opened, first := 0, error(nil)
	for i, c := range conns {
		if errs[i] == nil {
			opened++
		} else if first == nil {
			first = errs[i]
		}
		if c != nil {
			_ = c.Close() // back to the pool, which keeps as many idle as may be open
		}
	}
	return opened, first
}

// sqliteDSN turns a path or sqlite: URL into a modernc DSN with WAL, a busy timeout, foreign
// keys and immediate transactions (so a read-then-write transaction never fails to upgrade).
func sqliteDSN(dsn string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
	path = strings.TrimPrefix(path, "file:")
	query := ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	q, _ := url.ParseQuery(query)
	for _, p := range []string{"journal_mode(WAL)", fmt.Sprintf("busy_timeout(%d)", writeWait.Milliseconds()), "foreign_keys(1)", "synchronous(NORMAL)",
		// A multi-row statement's rollback journal (an import's thousand-row INSERTs) in memory,
		// not spilled to a temporary file: that was a tenth of an import's CPU on SQLite.
		"temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Dialect names the database in use.
func (s *Store) Dialect() string { return s.dialect }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		return outage(err)
	}
	return nil
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// conn is a database handle inside or outside a transaction, shared by Tx and its repositories.
type conn struct{ *session }

// Tx is one database transaction. Each area's repository hangs off it, so a service's writes to
// several areas, their audit events and their outbox events commit together.
type Tx struct{ conn }

// InTx runs fn in one transaction, committed only when fn returns nil (see session for how few
// round trips that takes on PostgreSQL).
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	ss := &session{ctx: ctx, pool: s.db.WithContext(ctx), dialect: s.dialect, deferWrites: s.dialect == Postgres, canBegin: true, sealer: s.sealer,
		writers: s.writers}
	if !ss.deferWrites {
		// SQLite: the transaction from the start (BEGIN IMMEDIATE), as the single writer, in this
		// process's turn (the server's own after any request waiting to write).
		if err := ss.begin(); err != nil {
			return translate(err)
		}
	}
	return translate(ss.run(func(tx *Tx) error {
		if err := fn(tx); err != nil || len(tx.touched) == 0 {
			return err
		}
		// Taken first: a batch marks what is left touched when it ends (Tx.Batch), and these
		// marks may go as one.
		touched := tx.touched
		tx.touched = nil
		return tx.markStale(touched, time.Now().UTC())
	}, &Tx{conn{ss}}))
}

// Read runs fn outside a transaction, for reads; the only writes it may make are audit events of
// what it read, sent when fn returns.
func (s *Store) Read(ctx context.Context, fn func(tx *Tx) error) error {
	ss := &session{ctx: ctx, pool: s.db.WithContext(ctx), dialect: s.dialect, deferWrites: s.dialect == Postgres, sealer: s.sealer,
		writers: s.writers}
	return translate(ss.run(fn, &Tx{conn{ss}}))
}

// translate maps database errors to fault categories, leaving fault errors as they are.
func translate(err error) error {
	var fe *fault.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w", fault.New(fault.NotFound, "No such record."))
	case pgCode(err) == "23505", errors.Is(err, gorm.ErrDuplicatedKey):
		return &fault.Error{Kind: fault.Conflict, Detail: "A record with the same unique value already exists.", Cause: fault.ErrDuplicate}
	case pgCode(err) == "23503":
		return fault.New(fault.Unprocessable, "The record refers to another record that does not exist.")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return fault.New(fault.Unprocessable, "The record refers to another record that does not exist.")
	case errors.Is(err, context.Canceled):
		return err
	case unavailable(err):
		return outage(err)
	}
	return err
}

// pgCode is the SQLSTATE of a PostgreSQL error, for the statements GORM does not translate (the
// kept writes a session sends as one statement).
func pgCode(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// Unit is a service's view of the store: what it sees of each transaction.
type Unit[T any] struct {
	s    *Store
	view func(*Tx) T
}

// Bind gives a service its view of the store. view turns a transaction into the interface the
// service declares; writing it as func(tx *store.Tx) svc.Tx { return tx } makes the compiler check
// that the store provides everything the service needs.
func Bind[T any](s *Store, view func(*Tx) T) Unit[T] { return Unit[T]{s: s, view: view} }

// InTx runs fn in one transaction.
func (u Unit[T]) InTx(ctx context.Context, fn func(T) error) error {
	return u.s.InTx(ctx, func(tx *Tx) error { return fn(u.view(tx)) })
}

// Read runs fn outside a transaction.
func (u Unit[T]) Read(ctx context.Context, fn func(T) error) error {
	return u.s.Read(ctx, func(tx *Tx) error { return fn(u.view(tx)) })
}

// SQL is the database handle itself, for operators' tools and tests that must reach past the
// repositories (set up a state no operation produces). Application code never uses it.
func (s *Store) SQL() (*sql.DB, error) { return s.db.DB() }
