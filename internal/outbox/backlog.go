package outbox

import "time"

// Backlog is how far delivery of the outbox is behind, read for the metrics at scrape time.
type Backlog struct {
	// Unpublished is the number of committed events not yet given a sequence number (published);
	// OldestUnpublished is when the oldest of them occurred (zero when there are none).
	Unpublished       int64
	OldestUnpublished time.Time
	// PendingDeliveries is the number of webhook deliveries not yet made (or given up);
	// OldestPending is when the event of the oldest of them occurred (zero when there are none).
	PendingDeliveries int64
	OldestPending     time.Time
}
