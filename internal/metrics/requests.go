package metrics

import (
	"database/sql"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Requests are the HTTP request metrics. Labels hold the method, the route as the contract names
// it (/v1/referrals/:id, never the id itself) and the status: nothing about any child or caller.
type Requests struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	waiting  prometheus.Gauge
}

func newRequests(r prometheus.Registerer) *Requests {
	q := &Requests{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oneplan_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "oneplan_http_request_duration_seconds",
			Help:    "How long requests took to answer, by method and route template.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}}, []string{"method", "route"}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{Name: "oneplan_http_requests_waiting",
			Help: "API requests waiting for a place to work (ONEPLAN_MAX_ACTIVE_REQUESTS) now."}),
	}
	r.MustRegister(q.total, q.duration, q.waiting)
	return q
}

// ObserveRequest counts one answered request (httpapi.Options.Requests). A request that matched
// no route is counted under the route "unmatched", so a scan of random paths cannot grow the
// label set.
func (q *Requests) ObserveRequest(method, route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	q.total.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	q.duration.WithLabelValues(method, route).Observe(took.Seconds())
}

// Waiting moves the number of requests waiting for a place by delta (httpapi.Options.Waiting).
func (q *Requests) Waiting(delta int) { q.waiting.Add(float64(delta)) }

// WatchDB exposes the database pool's use (open, in use and idle connections, waits for one) as
// the go_sql_* metrics with db_name="oneplan".
func (r *Registry) WatchDB(db *sql.DB) {
	r.MustRegister(collectors.NewDBStatsCollector(db, "oneplan"))
}
