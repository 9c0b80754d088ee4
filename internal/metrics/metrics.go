// Package metrics holds the process's one Prometheus registry, served at /metrics, and the
// metrics registered on it. Each kind of metric lives in its own file.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry is every metric this process exposes. One registry (not the global default) so tests
// and several servers in one process do not collide.
type Registry struct {
	*prometheus.Registry
	Deliveries *Deliveries
	Requests   *Requests
}

// New returns a registry with the Go runtime and process collectors, the request metrics and the
// delivery metrics.
func New() *Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Registry{Registry: r, Deliveries: newDeliveries(r), Requests: newRequests(r)}
}
