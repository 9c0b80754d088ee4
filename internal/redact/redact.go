// Package redact describes errors and panics for the log without their text. Children's data is
// special category personal data, and error text routinely carries it: PostgreSQL quotes the
// value it could not parse, SQLite a trigger's message, pgx the argument it could not encode,
// time and strconv the input they refused, and a wrapped error whatever its wrappers formatted
// in. So the log gets the class of a failure (its SQLSTATE and constraint, the driver's result
// code, the Go types in its chain, the operations it passed through) and never Error().
//
// Every log line the server writes about an error goes through Err; the caller still gets the
// full, field-naming problem, which is built from the error itself and not from the log.
package redact

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Err is the attribute to log err under: a group named "error" describing it by class only.
func Err(err error) slog.Attr { return slog.Any("error", Error{Err: err}) }

// Error logs as a description of Err that holds none of its text.
type Error struct{ Err error }

// LogValue describes the error when a line is actually written.
func (e Error) LogValue() slog.Value {
	if e.Err == nil {
		return slog.GroupValue()
	}
	return slog.GroupValue(describe(e.Err).attrs()...)
}

// Panic is the attribute to log a recovered panic under: its type, and the runtime's own message
// for a runtime error (an index out of range or a nil map names types and sizes, never values). A
// value panicked by code (an error, a string, a record) is named by its type only.
func Panic(v any) slog.Attr {
	attrs := []any{slog.String("type", fmt.Sprintf("%T", v))}
	var re runtime.Error
	if err, ok := v.(error); ok && errors.As(err, &re) {
		attrs = append(attrs, slog.String("runtime", re.Error()))
	}
	return slog.Group("panic", attrs...)
}

// Warn logs a background worker's failure at warning level under msg (what was being done), by
// class only.
func Warn(l *slog.Logger, msg string, err error) {
	if err != nil {
		l.LogAttrs(context.Background(), slog.LevelWarn, msg, Err(err))
	}
}

// Reporter is Warn as a worker's error callback.
func Reporter(l *slog.Logger, msg string) func(error) {
	return func(err error) { Warn(l, msg, err) }
}

// ServerLog is a standard logger for net/http's own complaints (http.Server.ErrorLog), which
// interpolate a panic's value or a client's address: only their fixed opening words are kept.
func ServerLog(l *slog.Logger) *log.Logger {
	return log.New(serverLogWriter{l}, "", 0)
}

type serverLogWriter struct{ l *slog.Logger }

// serverLead is the fixed start of net/http's messages ("http: panic serving", "http: TLS
// handshake error from", "http2: server connection error from").
var serverLead = regexp.MustCompile(`^http2?: [A-Za-z ]*[A-Za-z]`)

func (w serverLogWriter) Write(p []byte) (int, error) {
	msg := serverLead.FindString(string(p))
	if msg == "" {
		msg = "http server complaint"
	}
	w.l.LogAttrs(context.Background(), slog.LevelWarn, "http server", slog.String("complaint", msg))
	return len(p), nil
}

// Text is err's message with the parts that may quote values (a database's message, pgx's
// encoding failure, a parse error's input, a URL) replaced by their class, for the one place an
// error's words are still printed: the command's last word on standard error when it stops (a
// migration that failed at start-up, a configuration refused), where an operator needs the
// surrounding explanation.
func Text(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, n := range chain(err) {
		if !quotes(n) {
			continue
		}
		if t := n.Error(); t != "" && strings.Contains(s, t) {
			s = strings.ReplaceAll(s, t, "["+summary(n)+"]")
		}
	}
	return s
}

// quotes reports whether e's own text may quote a value.
func quotes(e error) bool {
	switch e.(type) { //nolint:errorlint // this very node
	case *pgconn.PgError, *gosqlite.Error, *time.ParseError, *strconv.NumError, *json.UnmarshalTypeError, *url.Error:
		return true
	}
	return pgxArg(e) != ""
}

// summary is e's description on one line, without the Go types.
func summary(e error) string {
	d := describe(e)
	d.types = nil
	parts := make([]string, 0, 8)
	for _, a := range d.attrs() {
		parts = append(parts, a.Key+"="+a.Value.String())
	}
	return strings.Join(parts, " ")
}

// Op is implemented by errors that wrap another with a fixed description of what was being done
// (casework.Wrap's format, before its arguments are put in): safe to log, unlike the arguments.
type Op interface{ LogOp() string }

// description is what is logged of an error.
type description struct {
	class string
	cause string // a sentinel found beneath the class's error
	kinds []string
	ops   []string
	types []string
	extra []slog.Attr
	seen  map[string]bool
}

func (d *description) add(key, value string) {
	if value == "" || d.seen[key] {
		return
	}
	d.seen[key] = true
	d.extra = append(d.extra, slog.String(key, value))
}

func (d *description) classify(class string) {
	if d.class == "" {
		d.class = class
	}
}

func (d *description) kind(k string) {
	for _, have := range d.kinds {
		if have == k {
			return
		}
	}
	d.kinds = append(d.kinds, k)
}

func (d *description) attrs() []slog.Attr {
	class := d.class
	if class == "" {
		class = "unclassified"
	}
	out := make([]slog.Attr, 0, 4+len(d.extra))
	out = append(out, slog.String("class", class))
	if d.cause != "" && d.cause != class {
		out = append(out, slog.String("cause", d.cause))
	}
	if len(d.kinds) > 0 {
		out = append(out, slog.String("kind", strings.Join(d.kinds, ", ")))
	}
	out = append(out, d.extra...)
	if len(d.ops) > 0 {
		out = append(out, slog.String("ops", strings.Join(d.ops, " > ")))
	}
	if len(d.types) > 0 {
		out = append(out, slog.String("types", strings.Join(d.types, " > ")))
	}
	return out
}

// maxNodes bounds the walk of an error tree (errors.Join of many failures).
const maxNodes = 32

// describe walks err's chain outermost first; the innermost error of a recognised type names the
// class, since it is the one that says what actually failed (a wrapped PgError is a database
// failure whatever wrapped it), and a sentinel beneath it (strconv.ErrSyntax under a NumError) is
// its cause. Only an error with no recognised type is named by its sentinel.
func describe(err error) *description {
	d := &description{seen: map[string]bool{}}
	nodes := chain(err)
	for _, n := range nodes {
		if op, ok := n.(Op); ok { //nolint:errorlint // each node is looked at on its own
			d.ops = append(d.ops, op.LogOp())
		}
		if t := fmt.Sprintf("%T", n); !strings.HasPrefix(t, "*fmt.wrapError") && !d.seen["type "+t] {
			d.seen["type "+t] = true
			d.types = append(d.types, t)
		}
	}
	for i := len(nodes) - 1; i >= 0; i-- {
		d.node(nodes[i])
	}
	for i := len(nodes) - 1; i >= 0 && d.cause == ""; i-- {
		d.cause = sentinelName(nodes[i])
	}
	d.classify(d.cause)
	return d
}

// chain lists err and everything it wraps, outermost first, depth first through joins.
func chain(err error) []error {
	var nodes []error
	var walk func(error)
	walk = func(e error) {
		for e != nil && len(nodes) < maxNodes {
			nodes = append(nodes, e)
			switch u := e.(type) { //nolint:errorlint // walking the chain by hand, node by node
			case interface{ Unwrap() []error }:
				for _, inner := range u.Unwrap() {
					walk(inner)
				}
				return
			case interface{ Unwrap() error }:
				e = u.Unwrap()
			default:
				return
			}
		}
	}
	walk(err)
	return nodes
}

// node records what is safe to say of one error in the chain (not of what it wraps).
func (d *description) node(e error) {
	switch x := e.(type) { //nolint:errorlint // each node is looked at on its own
	case *pgconn.PgError:
		// Message, Detail, Hint, Where and InternalQuery may quote values ("Key (nhs_number)=(...)",
		// "Failing row contains (...)", `invalid input syntax for type date: "..."`); the rest
		// names the schema.
		d.classify("postgres")
		d.add("sqlstate", x.Code)
		d.add("condition", pgConditions[x.Code])
		d.add("table", x.TableName)
		d.add("column", x.ColumnName)
		d.add("constraint", x.ConstraintName)
		d.add("data_type", x.DataTypeName)
		d.add("routine", x.Routine)
	case *pgconn.ConnectError:
		d.classify("postgres connect") // its text names the user and database: not needed here
	case *pgconn.ParseConfigError:
		d.classify("postgres config") // its text holds the connection string
	case *gosqlite.Error:
		d.classify("sqlite")
		d.add("sqlite_code", strconv.Itoa(x.Code()))
		d.add("sqlite_result", sqliteResult(x.Code()))
		d.add("constraint", sqliteConstraint(x))
	case *json.SyntaxError:
		d.classify("json syntax")
		d.add("offset", strconv.FormatInt(x.Offset, 10))
	case *json.UnmarshalTypeError:
		// Value may be the number itself ("number 9434765919"): field and type only.
		d.classify("json type")
		d.add("field", x.Field)
		if x.Type != nil {
			d.add("go_type", x.Type.String())
		}
	case *csv.ParseError:
		d.classify("csv")
		d.add("line", strconv.Itoa(x.Line))
		d.add("column", strconv.Itoa(x.Column))
	case *time.ParseError:
		d.classify("time parse")
		d.add("layout", x.Layout)
	case *strconv.NumError:
		d.classify("number parse")
		d.add("func", x.Func)
	case *url.Error:
		// The URL is an external system's address (perhaps with a token in its query): not logged.
		d.classify("http client")
		d.add("http_op", x.Op)
		if x.Timeout() {
			d.add("timeout", "true")
		}
	case *net.OpError:
		d.classify("network")
		d.add("net_op", x.Op)
	case *net.DNSError:
		d.classify("dns") // Name is the host looked up
	case *fs.PathError:
		d.classify("file") // Path may name a child (an import file)
		d.add("file_op", x.Op)
	case *http.MaxBytesError:
		d.classify("body too large")
		d.add("limit", strconv.FormatInt(x.Limit, 10))
	case syscall.Errno:
		d.classify("system")
		d.add("errno", x.Error())
	case *fault.Error:
		// Detail is meant for the caller and its fields may echo what the caller sent (an unknown
		// property's name): the kind says which class of refusal it was.
		d.classify("fault")
		d.kind(x.Kind.String())
	}
	if i := pgxArg(e); i != "" {
		// pgx's "failed to encode args[3]: unable to encode ..." goes on to quote the value.
		d.classify("pgx encode")
		d.add("arg", i)
	}
}

// sentinels are errors whose text is fixed, so naming them is safe.
var sentinels = []struct {
	err  error
	name string
}{
	{context.Canceled, "context canceled"},
	{context.DeadlineExceeded, "deadline exceeded"},
	{io.EOF, "eof"},
	{io.ErrUnexpectedEOF, "unexpected eof"},
	{sql.ErrNoRows, "no rows"},
	{sql.ErrTxDone, "transaction done"},
	{sql.ErrConnDone, "connection done"},
	{driver.ErrBadConn, "bad connection"},
	{gorm.ErrRecordNotFound, "gorm record not found"},
	{gorm.ErrDuplicatedKey, "gorm duplicated key"},
	{gorm.ErrForeignKeyViolated, "gorm foreign key violated"},
	{gorm.ErrCheckConstraintViolated, "gorm check constraint violated"},
	{gorm.ErrInvalidField, "gorm invalid field"},
	{gorm.ErrInvalidTransaction, "gorm invalid transaction"},
	{gorm.ErrInvalidData, "gorm invalid data"},
	{gorm.ErrInvalidValue, "gorm invalid value"},
	{gorm.ErrMissingWhereClause, "gorm missing where clause"},
	{gorm.ErrUnsupportedDriver, "gorm unsupported driver"},
	{csv.ErrQuote, "csv quote"},
	{csv.ErrBareQuote, "csv bare quote"},
	{csv.ErrFieldCount, "csv field count"},
	{strconv.ErrSyntax, "number syntax"},
	{strconv.ErrRange, "number range"},
	{http.ErrHandlerTimeout, "handler timeout"},
	{fs.ErrNotExist, "not exist"},
}

// sentinelName names e if it is itself one of the sentinels (not merely wrapping one: the walk
// reaches those in turn).
func sentinelName(e error) string {
	for _, s := range sentinels {
		if e == s.err { //nolint:errorlint // identity of this very node, deliberately
			return s.name
		}
	}
	return ""
}

var pgxArgPattern = regexp.MustCompile(`^failed to encode args\[(\d+)\]`)

func pgxArg(e error) string {
	// Only pgx's own wrapper, which has no type of its own; its leading words are fixed.
	if fmt.Sprintf("%T", e) != "*fmt.wrapError" {
		return ""
	}
	msg := e.Error()
	if !strings.HasPrefix(msg, "failed to encode args[") {
		return ""
	}
	if m := pgxArgPattern.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

// sqliteExtended names the extended result codes the driver's table leaves out.
var sqliteExtended = map[int]string{
	275: "SQLITE_CONSTRAINT_CHECK", 531: "SQLITE_CONSTRAINT_COMMITHOOK", 787: "SQLITE_CONSTRAINT_FOREIGNKEY",
	1043: "SQLITE_CONSTRAINT_FUNCTION", 1299: "SQLITE_CONSTRAINT_NOTNULL", 1555: "SQLITE_CONSTRAINT_PRIMARYKEY",
	1811: "SQLITE_CONSTRAINT_TRIGGER", 2067: "SQLITE_CONSTRAINT_UNIQUE", 2579: "SQLITE_CONSTRAINT_ROWID",
	261: "SQLITE_BUSY_RECOVERY", 517: "SQLITE_BUSY_SNAPSHOT", 262: "SQLITE_LOCKED_SHAREDCACHE",
}

func sqliteResult(code int) string {
	if name, ok := sqliteExtended[code]; ok {
		return name
	}
	s := gosqlite.ErrorCodeString[code]
	if s == "" {
		s = gosqlite.ErrorCodeString[code&0xff] // the primary code of an extended one
	}
	if i := strings.LastIndex(s, "(SQLITE_"); i >= 0 && strings.HasSuffix(s, ")") {
		return s[i+1 : len(s)-1]
	}
	return ""
}

// sqliteIdentifiers is the tail of SQLite's constraint messages, "UNIQUE constraint failed:
// young_people.nhs_number": schema names only. A trigger's RAISE message is never read.
var sqliteIdentifiers = regexp.MustCompile(`(?:UNIQUE|CHECK|NOT NULL|PRIMARY KEY) constraint failed: ([A-Za-z0-9_.]+(?:, [A-Za-z0-9_.]+)*)(?: \(\d+\))?$`)

func sqliteConstraint(e *gosqlite.Error) string {
	switch e.Code() {
	case 275, 1299, 1555, 2067: // CHECK, NOTNULL, PRIMARYKEY, UNIQUE
	default:
		return ""
	}
	if m := sqliteIdentifiers.FindStringSubmatch(e.Error()); m != nil {
		return m[1]
	}
	return ""
}

// pgConditions names the SQLSTATEs most likely to be seen, for a reader without the appendix.
var pgConditions = map[string]string{
	"23505": "unique_violation", "23503": "foreign_key_violation", "23514": "check_violation",
	"23502": "not_null_violation", "23P01": "exclusion_violation", "22P02": "invalid_text_representation",
	"22001": "string_data_right_truncation", "22003": "numeric_value_out_of_range",
	"22007": "invalid_datetime_format", "22008": "datetime_field_overflow", "22012": "division_by_zero",
	"40001": "serialization_failure", "40P01": "deadlock_detected", "55P03": "lock_not_available", //nolint:misspell // PostgreSQL's own names
	"57014": "query_canceled", "P0001": "raise_exception", "42P01": "undefined_table",
	"42703": "undefined_column", "42601": "syntax_error", "25P02": "in_failed_sql_transaction",
	"53300": "too_many_connections", "57P01": "admin_shutdown", "08006": "connection_failure",
	"28P01": "invalid_password", "28000": "invalid_authorization_specification", "3D000": "invalid_catalog_name",
}
