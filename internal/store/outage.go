package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// RetryAfter is how long a caller is asked to wait when the database is unavailable.
const RetryAfter = 5 * time.Second

// unavailable reports whether err means the database cannot be reached or is refusing work for
// now (down, restarting, shutting down, out of connections, busy), as opposed to refusing this
// request: the one place where outages are told apart from faults, so every operation answers
// 503 with Retry-After rather than 500 while the database is away.
func unavailable(err error) bool {
	var (
		connect *pgconn.ConnectError
		pg      *pgconn.PgError
		op      *net.OpError
	)
	switch {
	case errors.As(err, &connect), errors.As(err, &op):
		return true
	case errors.As(err, &pg):
		// Class 08: connection exception; 57P01-03: admin or crash shutdown, cannot connect now;
		// 53300: too many connections.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03" || pg.Code == "53300"
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return true
	}
	// Messages of drivers that do not type these errors: pgx's closed connection, SQLite's busy
	// and locked database (its busy timeout has already been waited out).
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "connection reset") || sqliteBusy(err)
}

// sqliteBusy says whether err is SQLite's refusal of a write while another holds its one writer,
// or a write of this process that waited as long for its turn (errTurn).
func sqliteBusy(err error) bool {
	if errors.Is(err, errTurn) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"database is locked", "SQLITE_BUSY", "database table is locked"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// outage is the fault an unavailable database becomes; the cause stays for the log. A wait that
// ran out (the request's 30 s, or connecting) says so: the database may be reachable but busy,
// as when a report at a million referrals is still scanning when its request's time is up.
func outage(cause error) error {
	detail := "The database is not reachable at the moment; retry shortly."
	switch {
	case errors.Is(cause, context.DeadlineExceeded) || pgconn.Timeout(cause):
		detail = "The database did not answer in time; retry shortly."
	case sqliteBusy(cause):
		// SQLite has one writer: a long write (an import of a whole file, all or nothing) holds
		// it, and every other write waits out the busy timeout, then is told so.
		detail = "The database is busy with another write (an import, say) that did not finish in time; retry shortly."
	}
	return &fault.Error{Kind: fault.Unavailable, Detail: detail, RetryAfter: RetryAfter, Cause: cause}
}
