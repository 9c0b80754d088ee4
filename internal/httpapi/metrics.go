package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// metricsRoute serves Prometheus metrics at /metrics to admin keys, on the API's own address: one
// port to run and secure, and Prometheus sends the key as a bearer token (authorization in its
// scrape config). The metrics hold counts and timings by event type and status code, nothing
// about any child, but they do describe the council's activity, so they are not public.
func (s *Server) metricsRoute(e *echo.Echo, h http.Handler) {
	e.GET("/metrics", echo.WrapHandler(h), s.adminOnly("Metrics"))
}
