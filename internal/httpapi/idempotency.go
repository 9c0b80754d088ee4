package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/idempotency"
	"github.com/oneplan-send/oneplan/internal/redact"
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
		if isStreamed(c) {
			return s.idempotentStream(c, next, idempotencyOwner(p), key)
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
			return answerTaken(c, prev, hash)
		}
		c.SetRequest(c.Request().WithContext(idempotency.WithClaim(ctx, idempotency.Claim{Owner: owner, Key: key})))
		return s.keepAnswer(c, next, owner, key, nil)
	}
}

// answerTaken answers a request whose key an earlier request holds: 422 when that was another
// request, 409 while it is running or when its answer was not kept, else its answer replayed.
func answerTaken(c echo.Context, prev idempotency.Response, hash string) error {
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
	case prev.State == idempotency.Withheld:
		// Its answer held a secret shown once, which is kept nowhere in the clear: not here either.
		detail := "The request with this Idempotency-Key was carried out; its answer held a secret shown only once, which is not kept to be replayed."
		if prev.Location != "" {
			c.Response().Header().Set("Location", prev.Location)
			detail += " The record is at " + prev.Location + ": revoke or rotate it if the first answer was lost."
		}
		return fault.New(fault.Conflict, detail)
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

// keepAnswer runs a request holding (owner, key) and keeps its answer when it succeeded, or
// releases the key when it did not; claimed, when given, says whether the request took the claim
// (a streamed request takes it only once its body is read, and may not).
func (s *Server) keepAnswer(c echo.Context, next echo.HandlerFunc, owner, key string, claimed func() bool) error {
	ctx := c.Request().Context()
	rec := &recorder{ResponseWriter: c.Response().Writer}
	c.Response().Writer = rec
	err := next(c)
	var taken *idempotency.Taken
	if errors.As(err, &taken) {
		return answerTaken(c, taken.Prev, taken.Hash)
	}
	if err != nil {
		c.Error(err) // render now, so the outcome is known
	}
	if claimed != nil && !claimed() {
		return nil // the key was never this request's: nothing to keep or release
	}
	status := c.Response().Status
	if status >= 200 && status < 300 {
		h := c.Response().Header()
		r := idempotency.Response{StatusCode: status, ContentType: h.Get(echo.HeaderContentType), Location: h.Get("Location"), ETag: h.Get("ETag"),
			Body: rec.buf.Bytes()}
		if s.secretAnswers[c.Request().Method+" "+c.Path()] {
			r = idempotency.Response{State: idempotency.Withheld, StatusCode: status, Location: r.Location, ETag: r.ETag}
		}
		err = s.app.Idempotency.Complete(ctx, owner, key, r)
		if err != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "keep idempotent response", slog.String("request_id", requestID(c)), redact.Err(err))
		}
		return nil
	}
	if err := s.app.Idempotency.Release(ctx, owner, key); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "release idempotency key", slog.String("request_id", requestID(c)), redact.Err(err))
	}
	return nil
}

// idempotentStream is idempotency for a request whose body is a file streamed to the blob store
// (POST /v1/imports, POST /v1/documents): the body is hashed as it streams, never held whole
// here, and the key claimed once it has been read (the service calls idempotency.ClaimStreamed
// before its transaction). A
// key already answered (or being answered) is seen first, so a retry reads the body only to hash
// it, keeping nothing; of two first attempts at once, the one that claims second undoes what it
// kept. The hash covers the query too (an import's layout and choices, a document's record, kind
// and title are part of the request).
func (s *Server) idempotentStream(c echo.Context, next echo.HandlerFunc, owner, key string) error {
	req := c.Request()
	ctx := req.Context()
	sum := sha256.New()
	_, _ = io.WriteString(sum, req.Method+" "+req.URL.Path+"?"+req.URL.Query().Encode()+"\n")
	prev, found, err := s.app.Idempotency.Peek(ctx, owner, key)
	if err != nil {
		return err
	}
	if found && !prev.Lapsed(time.Now()) {
		if _, err := io.Copy(sum, req.Body); err != nil {
			return err
		}
		return answerTaken(c, prev, hex.EncodeToString(sum.Sum(nil)))
	}
	body := &hashedBody{ReadCloser: req.Body, sum: sum}
	var mu sync.Mutex
	claimed := false
	claim := func(ctx context.Context) (context.Context, error) {
		// The rest of the body, if the service stopped short of its end, is hashed too.
		if _, err := io.Copy(io.Discard, body); err != nil {
			return ctx, err
		}
		hash := hex.EncodeToString(sum.Sum(nil))
		ok, prev, err := s.app.Idempotency.Claim(ctx, owner, key, idempotency.Response{RequestHash: hash, Method: req.Method, Path: req.URL.Path})
		if err != nil {
			return ctx, err
		}
		if !ok {
			return ctx, &idempotency.Taken{Prev: prev, Hash: hash}
		}
		mu.Lock()
		claimed = true
		mu.Unlock()
		return idempotency.WithClaim(ctx, idempotency.Claim{Owner: owner, Key: key}), nil
	}
	req.Body = body
	c.SetRequest(req.WithContext(idempotency.WithStreamed(ctx, claim)))
	return s.keepAnswer(c, next, owner, key, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return claimed
	})
}

// hashedBody hashes a request body as it is read.
type hashedBody struct {
	io.ReadCloser
	sum hash.Hash
}

func (b *hashedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.sum.Write(p[:n])
	return n, err
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
