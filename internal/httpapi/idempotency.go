package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/idempotency"
)

// idempotency makes a POST with an Idempotency-Key safe to retry: the first successful answer is
// kept per API key and replayed for a retry with the same body; the same key with another body
// is refused with 422; a retry while the first is still running gets 409.
func (s *Server) idempotency(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		p, authed := auth.FromContext(c.Request().Context())
		if c.Request().Method != http.MethodPost || key == "" || !authed {
			return next(c)
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request().Method+" "+c.Request().URL.Path+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		ctx := c.Request().Context()
		owner := idempotencyOwner(p)
		claimed, prev, err := s.app.Idempotency.Claim(ctx, owner, key, idempotency.Response{
			RequestHash: hash, Method: c.Request().Method, Path: c.Request().URL.Path})
		if err != nil {
			return err
		}
		if !claimed {
			switch {
			case prev.RequestHash != hash:
				return fault.Field(fault.Unprocessable, "/header/Idempotency-Key",
					"this key was already used for a different request; use a new key for a new request")
			case prev.State == idempotency.Pending:
				// The first request may still be running; its claim lapses after the lease, and a
				// retry then runs if it never committed.
				wait := time.Until(prev.ClaimedAt.Add(idempotency.Lease))
				return &fault.Error{Kind: fault.Conflict, RetryAfter: max(wait, time.Second),
					Detail: "A request with this Idempotency-Key is still being processed; retry after the Retry-After seconds."}
			case prev.State == idempotency.Committed:
				return fault.New(fault.Conflict, "The request with this Idempotency-Key was carried out, but its answer was not kept "+
					"(the server stopped before storing it); read the resource rather than retrying.")
			}
			h := c.Response().Header()
			h.Set("Idempotent-Replayed", "true")
			if prev.Location != "" {
				h.Set("Location", prev.Location)
			}
			if prev.ETag != "" {
				h.Set("ETag", prev.ETag)
			}
			return c.Blob(prev.StatusCode, prev.ContentType, prev.Body)
		}
		c.SetRequest(c.Request().WithContext(idempotency.WithClaim(ctx, idempotency.Claim{Owner: owner, Key: key})))
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err = next(c)
		if err != nil {
			c.Error(err) // render now, so the outcome is known
		}
		status := c.Response().Status
		if status >= 200 && status < 300 {
			h := c.Response().Header()
			err = s.app.Idempotency.Complete(ctx, owner, key, idempotency.Response{StatusCode: status,
				ContentType: h.Get(echo.HeaderContentType), Location: h.Get("Location"), ETag: h.Get("ETag"), Body: rec.buf.Bytes()})
			if err != nil {
				s.log.Error("keep idempotent response", "request_id", requestID(c), "error", err.Error())
			}
			return nil
		}
		if err := s.app.Idempotency.Release(ctx, owner, key); err != nil {
			s.log.Error("release idempotency key", "request_id", requestID(c), "error", err.Error())
		}
		return nil
	}
}

// signedInUsers is the namespace of the ids that stand for signed-in users' keys.
var signedInUsers = uuid.MustParse("6f1e5a0e-8c1b-4a57-9b7e-3c2d1e0f4a5b")

// idempotencyOwner is whose Idempotency-Keys a caller's are: their API key, or for a user signed
// in with a token, an id made from their subject, so one person's retry never replays another's
// answer (the keys are kept per API key id, a UUID).
func idempotencyOwner(p auth.Principal) string {
	if p.KeyID != "" {
		return p.KeyID
	}
	return uuid.NewSHA1(signedInUsers, []byte(p.Subject)).String()
}

// recorder copies the response body as it is written.
type recorder struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}
