package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/oneplan-send/oneplan/internal/store/migrations"
)

// migrationLock is the PostgreSQL advisory lock held while migrating (the single-key space, apart
// from the identifier locks' two-key one).
const migrationLock = 0x4f504d494752 // "OPMIGR"

// Migrate brings the schema up to date, recording each migration applied. The migrations
// themselves, and how to add one, are in package migrations.
//
// On PostgreSQL it holds a session advisory lock throughout, so replicas started together
// migrate one after the other: the first applies what is pending, the others wait and then find
// nothing to do. (SQLite's immediate transactions already let one writer in at a time.)
func (s *Store) Migrate(ctx context.Context) error {
	if s.dialect == Postgres {
		unlock, err := s.lockMigrations(ctx)
		if err != nil {
			return fmt.Errorf("migrate: wait for other processes migrating: %w", err)
		}
		defer unlock()
	}
	if err := migrations.Migrate(s.db.WithContext(ctx)); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// Work out the transition spans of the young people a migration marked (0102 marks them
	// all), so that the first reports do not; but a bounded number, so that a large council's
	// upgrade does not keep the server from serving for minutes. The periodic fold does the rest
	// and reports are exact meanwhile.
	if _, _, err := s.foldTransitionBatch(ctx, transitionStartupFold); err != nil {
		return fmt.Errorf("migrate: transition spans: %w", err)
	}
	return nil
}

// Alone runs fn, a process's setting up of an empty database (the council's organisation and first
// admin key, the demo data), while no other process migrates or sets up: on PostgreSQL under the
// migrations' advisory lock, so that replicas started together do not each find the database
// empty and each make a council (or load the demo twice and stop on its unique names). SQLite is
// one server's database: fn just runs.
func (s *Store) Alone(ctx context.Context, fn func() error) error {
	if s.dialect != Postgres {
		return fn()
	}
	unlock, err := s.lockMigrations(ctx)
	if err != nil {
		return fmt.Errorf("wait for other processes setting up: %w", err)
	}
	defer unlock()
	return fn()
}

// AppliedMigrations lists the migrations recorded in the database, oldest first.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	return migrations.Applied(s.db.WithContext(ctx))
}

// lockMigrations takes the migration lock on a connection of its own, outside the pool: what runs
// under the lock uses the pool, and with ONEPLAN_DATABASE_MAX_CONNS at 1 a pool connection held
// here left it none (the server waited for itself at start, for ever). Closing the connection
// ends its session, which drops the lock whether or not the unlock got through.
func (s *Store) lockMigrations(ctx context.Context) (unlock func(), err error) {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLock))
		_ = conn.Close(context.WithoutCancel(ctx))
	}, nil
}
