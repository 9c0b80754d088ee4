package store

import (
	"context"
	"sync"
)

// ReferenceBlocks hands out human reference numbers (REF-2026-000123) from blocks taken from the
// per-scope counter in statements of their own: a create never holds the counter's row lock, which
// would queue every create in the council behind it until its commit. Numbers are never handed out
// twice, across every process; a block a process does not use up (it restarts) leaves a gap, and
// replicas drawing from different blocks hand out numbers a little out of receipt order.
type ReferenceBlocks struct {
	s    *Store
	size int64

	mu     sync.Mutex
	blocks map[string]*referenceBlock
}

type referenceBlock struct{ next, last int64 }

// References returns the allocator, taking size numbers at a time.
func (s *Store) References(size int64) *ReferenceBlocks {
	return &ReferenceBlocks{s: s, size: max(size, 1), blocks: map[string]*referenceBlock{}}
}

// Next is the next number of scope (e.g. "referral:2026").
func (r *ReferenceBlocks) Next(ctx context.Context, scope string) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.blocks[scope]
	if b == nil || b.next > b.last {
		var last int64
		err := r.s.writers.alone(ctx, func() error {
			return r.s.db.WithContext(ctx).Raw(r.s.takeBlockSQL(), scope, r.size, r.size).Scan(&last).Error
		})
		if err != nil {
			return 0, translate(err)
		}
		b = &referenceBlock{next: last - r.size + 1, last: last}
		r.blocks[scope] = b
	}
	n := b.next
	b.next++
	return n, nil
}

// Reserve takes n numbers of scope in one statement, past any block a process holds: an import's
// numbers, so that numbering a large file is one round trip rather than one per block.
func (r *ReferenceBlocks) Reserve(ctx context.Context, scope string, n int64) (int64, error) {
	var last int64
	err := r.s.writers.alone(ctx, func() error {
		return r.s.db.WithContext(ctx).Raw(r.s.takeBlockSQL(), scope, n, n).Scan(&last).Error
	})
	if err != nil {
		return 0, translate(err)
	}
	return last - n + 1, nil
}

// takeBlockSQL moves a scope's counter on by a block. On PostgreSQL its commit does not wait for
// the WAL to reach disk (synchronous_commit off for this statement's transaction alone): under
// load that wait was as long as a whole create's, and every create after the block ran out
// queued behind it. Nothing is lost by it: any referral numbered from the block commits after
// the counter did, and its own (synchronous) commit flushes the WAL up to and past the counter's
// record, so a number in a committed record is never handed out again; a crash before any such
// commit loses only numbers nobody holds.
func (s *Store) takeBlockSQL() string {
	if s.dialect != Postgres {
		return `INSERT INTO reference_counters (scope, value) VALUES (?, ?)
			ON CONFLICT (scope) DO UPDATE SET value = reference_counters.value + ? RETURNING value`
	}
	return `INSERT INTO reference_counters (scope, value) SELECT ?, ? WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL
			ON CONFLICT (scope) DO UPDATE SET value = reference_counters.value + ? RETURNING value`
}
