package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oneplan-send/oneplan/internal/outbox"
)

// BacklogReader reads how far delivery of the outbox is behind (store.Store.OutboxBacklog).
type BacklogReader func(ctx context.Context) (outbox.Backlog, error)

// outboxCollector reads the outbox backlog from the database at each scrape, so every replica
// reports the same figures and a stuck dispatcher on any of them shows up.
type outboxCollector struct {
	read    BacklogReader
	now     func() time.Time
	timeout time.Duration

	unpublished, unpublishedAge, pending, pendingAge *prometheus.Desc
	errors                                           prometheus.Counter
}

// WatchOutbox exposes the outbox lag, read from the database at scrape time:
//
//	oneplan_outbox_unpublished_events               committed events not yet published (sequenced)
//	oneplan_outbox_oldest_unpublished_age_seconds   age of the oldest of them (0 when none)
//	oneplan_webhook_pending_deliveries              webhook deliveries not yet made
//	oneplan_webhook_oldest_pending_age_seconds      age of the event of the oldest of them (0 when none)
//	oneplan_outbox_backlog_read_errors_total        scrapes whose read failed (the gauges are then left out)
func (r *Registry) WatchOutbox(read BacklogReader) {
	r.MustRegister(newOutboxCollector(read, time.Now))
}

func newOutboxCollector(read BacklogReader, now func() time.Time) *outboxCollector {
	return &outboxCollector{
		read: read, now: now, timeout: 2 * time.Second,
		unpublished: prometheus.NewDesc("oneplan_outbox_unpublished_events",
			"Committed outbox events not yet published (given their feed sequence number).", nil, nil),
		unpublishedAge: prometheus.NewDesc("oneplan_outbox_oldest_unpublished_age_seconds",
			"Age of the oldest unpublished outbox event (0 when there is none): the outbox lag.", nil, nil),
		pending: prometheus.NewDesc("oneplan_webhook_pending_deliveries",
			"Webhook deliveries not yet made (pending, including those waiting to retry).", nil, nil),
		pendingAge: prometheus.NewDesc("oneplan_webhook_oldest_pending_age_seconds",
			"Age of the event behind the oldest pending webhook delivery (0 when there is none).", nil, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "oneplan_outbox_backlog_read_errors_total",
			Help: "Scrapes whose read of the outbox backlog failed (the backlog gauges are left out of that scrape)."}),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.unpublished
	ch <- c.unpublishedAge
	ch <- c.pending
	ch <- c.pendingAge
	c.errors.Describe(ch)
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	b, err := c.read(ctx)
	if err != nil {
		// A database outage must not take the rest of /metrics with it: count it and move on.
		c.errors.Inc()
		c.errors.Collect(ch)
		return
	}
	now := c.now()
	age := func(t time.Time) float64 {
		if t.IsZero() || !now.After(t) {
			return 0
		}
		return now.Sub(t).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.unpublished, prometheus.GaugeValue, float64(b.Unpublished))
	ch <- prometheus.MustNewConstMetric(c.unpublishedAge, prometheus.GaugeValue, age(b.OldestUnpublished))
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(b.PendingDeliveries))
	ch <- prometheus.MustNewConstMetric(c.pendingAge, prometheus.GaugeValue, age(b.OldestPending))
	c.errors.Collect(ch)
}
