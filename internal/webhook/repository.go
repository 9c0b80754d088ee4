package webhook

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Attempt is one try at delivering an event to a subscription.
type Attempt struct {
	ID             string
	SubscriptionID string
	EventID        string
	EventType      string
	Attempt        int // 1 for the first
	AttemptedAt    time.Time
	ResponseCode   int // 0: no HTTP answer (refused address, connection failed, timed out)
	Latency        time.Duration
	Error          string // a short code-like reason, never the receiver's body
	NextRetryAt    *time.Time
}

// Succeeded reports whether the receiver accepted the event (any 2xx).
func (a Attempt) Succeeded() bool { return a.ResponseCode >= 200 && a.ResponseCode < 300 }

// Result is an attempt made, and whether the delivery was given up with it.
type Result struct {
	Attempt      Attempt
	GaveUp       bool
	Subscription Subscription // the subscription as claimed, to tell of it turning failing
	// LeasedUntil is the lease the attempt was made under: only a delivery still held under it is
	// settled by this result (another process may have taken over a lapsed lease).
	LeasedUntil time.Time
}

// Job is one due delivery, claimed by one process for a while (its lease).
type Job struct {
	Subscription Subscription
	Event        outbox.Published
	Attempts     int        // attempts made before this one
	FirstAttempt *time.Time // when the first attempt was made, if any
	LeasedUntil  time.Time  // the claim's lease: the job is this process's until then, no longer
	// Unsigned is why the subscription's secret could not be read (sealed, and the key missing
	// or changed): the job is not sent, and waits out its lease to be tried again.
	Unsigned error
}

// Filter selects subscriptions.
type Filter struct {
	OrganisationID string
	UpdatedSince   *time.Time
}

// Replay says which events to send again: those after an event, or since an instant.
type Replay struct {
	AfterEventID string
	Since        *time.Time
}

// Repository keeps subscriptions and their delivery history. The store implements it.
type Repository interface {
	CreateSubscription(s Subscription) error
	Subscription(id string) (Subscription, error)
	// UpdateSubscription writes s if s.Version-1 is still current.
	UpdateSubscription(s Subscription) error
	Subscriptions(f Filter, p paging.Page) ([]Subscription, string, error)
	// Attempts lists a subscription's attempts, newest first.
	Attempts(subscriptionID string, p paging.Page) ([]Attempt, string, error)
	// Replay queues again the events r names that the subscription may receive (its types and
	// view, as at each event) and reports how many.
	Replay(s Subscription, r Replay, now time.Time) (int, error)
}

// Queue is the delivery machinery the dispatcher runs in the background. The store implements it.
type Queue interface {
	// Sequence gives up to max committed events without a sequence number theirs, in order, and
	// queues a delivery of each to every active subscription that wants it and may see it. It
	// reports how many it sequenced, and false when another process is sequencing.
	Sequence(now time.Time, max int) (int, bool, error)
	// Claim takes up to max due deliveries of active subscriptions for this process until
	// now+lease, oldest due first, at most perSubscription less busy[id] of any one subscription
	// (busy: what this process already has in flight to each), so one subscription's backlog
	// cannot fill a claim.
	Claim(now time.Time, lease time.Duration, max, perSubscription int, busy map[string]int) ([]Job, error)
	// Release gives back claimed jobs not sent (their lease could not cover an attempt), so any
	// process may claim them at once; a job whose lease is no longer this claim's is left alone.
	Release(jobs []Job) error
	// Settle records attempts and settles their deliveries, however many, in a few statements:
	// each delivered, due again at its NextRetryAt, or failed (given up). A delivery no longer
	// held under the result's lease (taken over by another process) is not settled by it. It
	// reports the subscriptions that turned from healthy to failing.
	Settle(rs []Result) (failing []string, err error)
	// Prune deletes events published before cutoff that no delivery still waits for, and attempts
	// and settled deliveries older than cutoff, and reports how many events it deleted.
	Prune(cutoff time.Time, max int) (int64, error)
}

// CanSend reports whether an attempt at j starting at now, taking up to need (the attempt's
// timeout and the time to record it), ends before j's lease does. One that would not must not be
// sent: once the lease lapses another process may claim the delivery and send it too.
func (j Job) CanSend(now time.Time, need time.Duration) bool {
	return !now.Add(need).After(j.LeasedUntil)
}
