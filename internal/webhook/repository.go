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
}

// Job is one due delivery, claimed by one process for a while (its lease).
type Job struct {
	Subscription Subscription
	Event        outbox.Published
	Attempts     int        // attempts made before this one
	FirstAttempt *time.Time // when the first attempt was made, if any
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
	// Claim takes up to max due deliveries for this process until now+lease, none of them to a
	// subscription in skip (those this process already has deliveries in flight to).
	Claim(now time.Time, lease time.Duration, max int, skip []string) ([]Job, error)
	// Settle records attempts and settles their deliveries, however many, in a few statements:
	// each delivered, due again at its NextRetryAt, or failed (given up). A subscription whose
	// status changes with them (healthy to failing, or back) takes its next version, updated at
	// now. It reports the subscriptions that turned from healthy to failing.
	Settle(now time.Time, rs []Result) (failing []string, err error)
	// Prune deletes events published before cutoff that no delivery still waits for, and attempts
	// and settled deliveries older than cutoff, and reports how many events it deleted.
	Prune(cutoff time.Time, max int) (int64, error)
}
