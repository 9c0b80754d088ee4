// Package ratelimit decides whether a caller (an API key, a signed-in user, a client address on
// the public routes) may make one more request now: a token bucket per caller, refilled at a
// sustained rate up to a burst. Local keeps the buckets in one process; Shared leases tokens in
// small batches from buckets every replica shares, so the limit holds across replicas.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter decides one request at a time.
type Limiter interface {
	// Allow takes one token for caller, or says how long to wait for one.
	Allow(ctx context.Context, caller string) (ok bool, retryAfter time.Duration, err error)
}

// Local holds a token bucket per caller in this process: right for one process on its own
// (the embedded SQLite deployment), not for replicas.
type Local struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*localBucket
}

type localBucket struct {
	l    *rate.Limiter
	seen time.Time
}

// NewLocal returns buckets refilling at perSecond up to burst.
func NewLocal(perSecond float64, burst int) *Local {
	return &Local{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*localBucket{}}
}

// Allow takes one token for caller.
func (l *Local) Allow(_ context.Context, caller string) (bool, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.buckets) > 10000 {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[caller]
	if !ok {
		b = &localBucket{l: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[caller] = b
	}
	b.seen = now
	r := b.l.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d, nil
	}
	return true, 0, nil
}

// Bank keeps the shared buckets (a table every replica reads and writes).
type Bank interface {
	// Take refills caller's bucket for the time passed, then takes up to want tokens from it. It
	// returns how many it took, and when none, how long until one is there.
	Take(ctx context.Context, caller string, want int, perSecond float64, burst int) (took int, wait time.Duration, err error)
}

// Shared limits across replicas: each process takes tokens from the shared bank a batch at a time
// and spends them locally, so only one request in a batch pays a database round trip, and all
// replicas together never spend more than the bank holds. Tokens a process has taken but not spent
// within a second are dropped, never given back: the limit errs on the strict side.
type Shared struct {
	bank  Bank
	rate  float64
	burst int
	batch int
	hold  time.Duration

	mu     sync.Mutex
	leases map[string]*lease
}

type lease struct {
	mu      sync.Mutex
	tokens  int
	expires time.Time
	seen    time.Time
}

// NewShared limits callers to perSecond sustained and burst at once, across every process that
// shares bank.
func NewShared(bank Bank, perSecond float64, burst int) *Shared {
	// A batch is a twentieth of a second's worth, within the burst: small enough that tokens
	// parked in one replica do not starve another, large enough to spare the database.
	batch := int(perSecond / 20)
	batch = max(1, min(batch, burst/4, 100))
	return &Shared{bank: bank, rate: perSecond, burst: burst, batch: batch, hold: time.Second, leases: map[string]*lease{}}
}

// Allow takes one token for caller, from this process's lease or a new batch from the bank.
func (s *Shared) Allow(ctx context.Context, caller string) (bool, time.Duration, error) {
	now := time.Now()
	l := s.lease(caller, now)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = now
	if l.tokens > 0 && now.Before(l.expires) {
		l.tokens--
		return true, 0, nil
	}
	took, wait, err := s.bank.Take(ctx, caller, s.batch, s.rate, s.burst)
	if err != nil {
		return false, 0, err
	}
	if took == 0 {
		return false, max(wait, time.Millisecond), nil
	}
	l.tokens, l.expires = took-1, now.Add(s.hold)
	return true, 0, nil
}

func (s *Shared) lease(caller string, now time.Time) *lease {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.leases) > 10000 {
		for k, l := range s.leases {
			if l.mu.TryLock() {
				if now.Sub(l.seen) > 10*time.Minute {
					delete(s.leases, k)
				}
				l.mu.Unlock()
			}
		}
	}
	l, ok := s.leases[caller]
	if !ok {
		l = &lease{}
		s.leases[caller] = l
	}
	return l
}
