package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// headAsGet answers HEAD on every GET route (RFC 9110 §9.3.2). The contract and the router
// know GET only, so the request goes through routing, authentication, validation and the
// handler as the GET it mirrors: a HEAD of a child's record is a read, and is audited as one.
// The status and headers (ETag included) are the GET's; the body is dropped. Content-Length is
// there where the GET's encoder declared it (fastJSON, a page of referrals), and otherwise
// omitted, as a HEAD answer may.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead {
			return next(c)
		}
		// Echo routes on this very request, so the method changes in place. net/http reads it
		// again when it finishes the answer: put HEAD back by then.
		r.Method = http.MethodGet
		defer func() { r.Method = http.MethodHead }()
		c.Response().Writer = bodyless{c.Response().Writer}
		return next(c)
	}
}

// bodyless keeps a response's status and headers and drops its body.
type bodyless struct{ http.ResponseWriter }

func (b bodyless) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap lets http.ResponseController reach the connection's writer.
func (b bodyless) Unwrap() http.ResponseWriter { return b.ResponseWriter }
