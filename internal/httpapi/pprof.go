package httpapi

import (
	"net/http"
	"net/http/pprof"

	"github.com/labstack/echo/v4"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// profiling serves Go's profiler at /debug/pprof/ for an admin key, when the operator turns it on
// (ONEPLAN_PPROF): a council can profile production without a rebuild. Profiles hold no request
// data, only where the process spends its time and memory; they are still for admins only.
func (s *Server) profiling(e *echo.Echo) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	e.Any("/debug/pprof/*", echo.WrapHandler(mux), s.adminOnly("Profiles"))
}

// adminOnly lets only admin keys through to what lies outside the contract (profiles, metrics).
func (s *Server) adminOnly(what string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			token, ok := bearerToken(c.Request().Header.Get("Authorization"))
			if !ok {
				return fault.New(fault.Unauthenticated, "Send an admin API key as 'Authorization: Bearer <key>'.")
			}
			p, err := s.app.Keys.Authenticate(c.Request().Context(), token)
			if err != nil {
				return err
			}
			if p.Role != auth.RoleAdmin {
				return fault.New(fault.Forbidden, what+" are for admin keys only.")
			}
			return next(c)
		}
	}
}
