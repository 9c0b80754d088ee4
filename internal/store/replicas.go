package store

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

// What several server processes on one PostgreSQL share beyond the records themselves: the
// rate-limit buckets, and notifications from one process to the others (a revoked key).

// RateBank is the rate-limit buckets every replica shares (ratelimit.Bank).
type RateBank struct{ s *Store }

// RateBank returns the shared buckets.
func (s *Store) RateBank() RateBank { return RateBank{s: s} }

// Take refills caller's bucket for the time since it was last touched (at perSecond, up to
// burst), then takes up to want whole tokens, in one statement: the bucket's row lock orders the
// replicas. The database's clock times every bucket, so replicas' clocks need not agree.
func (b RateBank) Take(ctx context.Context, caller string, want int, perSecond float64, burst int) (int, time.Duration, error) {
	var q string
	if b.s.dialect == Postgres {
		// Its commit does not wait for the WAL to reach disk (synchronous_commit off for this
		// statement's transaction alone): every request of a caller whose lease ran out waits for
		// this statement, and a bucket lost in a crash only starts full again.
		q = `INSERT INTO rate_buckets AS b (caller, tokens, took, updated_at)
			SELECT $1::text, $4::int - LEAST($2::int, $4::int), LEAST($2::int, $4::int), now()
			WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL
			ON CONFLICT (caller) DO UPDATE SET
				took = LEAST($2::int, FLOOR(LEAST($4::int, b.tokens + $3::float8 * EXTRACT(EPOCH FROM now() - b.updated_at)::float8)))::bigint,
				tokens = LEAST($4::int, b.tokens + $3::float8 * EXTRACT(EPOCH FROM now() - b.updated_at)::float8)
					- LEAST($2::int, FLOOR(LEAST($4::int, b.tokens + $3::float8 * EXTRACT(EPOCH FROM now() - b.updated_at)::float8))),
				updated_at = now()
			RETURNING took, tokens`
	} else {
		// SQLite runs one writer at a time; the same arithmetic with its own clock (julianday is
		// in days).
		q = `INSERT INTO rate_buckets AS b (caller, tokens, took, updated_at)
			VALUES (?1, ?4 - MIN(?2, ?4), MIN(?2, ?4), strftime('%Y-%m-%d %H:%M:%f', 'now'))
			ON CONFLICT (caller) DO UPDATE SET
				took = CAST(MIN(?2, MIN(?4, b.tokens + ?3 * (julianday('now') - julianday(b.updated_at)) * 86400)) AS INTEGER),
				tokens = MIN(?4, b.tokens + ?3 * (julianday('now') - julianday(b.updated_at)) * 86400)
					- CAST(MIN(?2, MIN(?4, b.tokens + ?3 * (julianday('now') - julianday(b.updated_at)) * 86400)) AS INTEGER),
				updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now')
			RETURNING took, tokens`
	}
	var (
		took   int
		tokens float64
	)
	sqlDB, err := b.s.db.DB()
	if err != nil {
		return 0, 0, err
	}
	// database/sql directly: the numbered placeholders are the database's own, not the ORM's.
	if err := sqlDB.QueryRowContext(ctx, q, caller, want, perSecond, burst).Scan(&took, &tokens); err != nil {
		return 0, 0, translate(err)
	}
	if took > 0 {
		return took, 0, nil
	}
	return 0, time.Duration(math.Ceil((1-tokens)/perSecond*1000)) * time.Millisecond, nil
}

// Purge drops the buckets of callers quiet since before: a full bucket is what a new one starts as.
func (b RateBank) Purge(ctx context.Context, before time.Time) (int64, error) {
	res := b.s.db.WithContext(ctx).Exec(`DELETE FROM rate_buckets WHERE updated_at < ?`, before.UTC())
	return res.RowsAffected, translate(res.Error)
}

// Channels for notifications between replicas.
const (
	// KeysChannel carries the id of a revoked key; "*" means any key may have changed, and
	// auth.SignInsChanged that a practitioner sign-in tokens may name has changed.
	KeysChannel = "oneplan_keys"
)

// Shared reports whether other processes can share this database: PostgreSQL. A SQLite file is
// one process's.
func (s *Store) Shared() bool { return s.dialect == Postgres }

// Listen calls fn with the payload of every notification on channel, on a connection of its own,
// until ctx ends; after each (re)connection it first calls fn("*"), since anything sent while it was
// away was missed. live reports whether it is listening now. On SQLite it never is: nothing is
// shared between processes.
func (s *Store) Listen(ctx context.Context, channel string, fn func(payload string)) (live func() bool) {
	if s.dialect != Postgres {
		return func() bool { return false }
	}
	state := make(chan bool, 1)
	state <- false
	set := func(v bool) { <-state; state <- v }
	get := func() bool { v := <-state; state <- v; return v }
	go func() { //nolint:gosec // the listener outlives no request: it runs until ctx, the process's, ends
		for ctx.Err() == nil {
			conn, err := pgx.Connect(ctx, s.dsn)
			if err == nil {
				// channel is one of the constants above, never caller input.
				if _, err = conn.Exec(ctx, "LISTEN "+channel); err == nil {
					set(true)
					fn("*")
					for err == nil {
						n, werr := conn.WaitForNotification(ctx)
						if err = werr; err == nil {
							fn(n.Payload)
						}
					}
				}
				set(false)
				_ = conn.Close(context.Background())
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	return get
}

// notify sends payload on channel to every listener when tx commits (PostgreSQL only).
func notify(tx conn, channel, payload string) error {
	if tx.dialect != Postgres {
		return nil
	}
	return tx.w().Exec("SELECT pg_notify(?, ?)", channel, payload).Error
}
