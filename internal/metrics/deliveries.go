package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Deliveries are the webhook delivery metrics. Labels hold event types and status codes only:
// never a subscription's URL or anything about a child.
type Deliveries struct {
	attempts *prometheus.CounterVec
	failures *prometheus.CounterVec
	gaveUp   *prometheus.CounterVec
	lag      prometheus.Histogram
	latency  prometheus.Histogram
}

func newDeliveries(r prometheus.Registerer) *Deliveries {
	d := &Deliveries{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oneplan_webhook_attempts_total",
			Help: "Webhook delivery attempts, by event type and response code (0: no answer)."}, []string{"event_type", "code"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oneplan_webhook_failures_total",
			Help: "Webhook delivery attempts that failed (to be retried or given up), by event type."}, []string{"event_type"}),
		gaveUp: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oneplan_webhook_given_up_total",
			Help: "Webhook deliveries given up after the retry period, by event type."}, []string{"event_type"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "oneplan_webhook_delivery_lag_seconds",
			Help:    "From the change to a successful delivery of its event.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400}}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "oneplan_webhook_attempt_seconds",
			Help: "How long a receiver took to answer an attempt.", Buckets: prometheus.DefBuckets}),
	}
	r.MustRegister(d.attempts, d.failures, d.gaveUp, d.lag, d.latency)
	return d
}

// Attempted counts one attempt (webhooks.Observer).
func (d *Deliveries) Attempted(eventType string, code int, ok bool, latency, lag time.Duration) {
	d.attempts.WithLabelValues(eventType, strconv.Itoa(code)).Inc()
	d.latency.Observe(latency.Seconds())
	if ok {
		d.lag.Observe(lag.Seconds())
	} else {
		d.failures.WithLabelValues(eventType).Inc()
	}
}

// GaveUp counts a delivery given up (webhooks.Observer).
func (d *Deliveries) GaveUp(eventType string) { d.gaveUp.WithLabelValues(eventType).Inc() }
