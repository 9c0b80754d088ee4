package redact_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/redact"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The personal details seeded into every failure below; none may reach a log line.
const (
	nhsNumber = "9434765919"
	given     = "Zebedee"
	family    = "Quartermaine"
	born      = "2014-03-02"
)

var personal = []string{nhsNumber, given, family, born}

// logLine logs err the way the server does and returns the JSON line.
func logLine(t *testing.T, err error) string {
	t.Helper()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).LogAttrs(t.Context(), slog.LevelError, "request failed", redact.Err(err))
	t.Log(buf.String())
	return buf.String()
}

// assertRedacted checks that raw (the error's own text, or what it carries) held at least one of
// the personal details, so the failure is one that could leak, that line holds none, and that
// line still says what class of failure it was.
func assertRedacted(t *testing.T, raw, line string, want ...string) {
	t.Helper()
	leaked := false
	for _, p := range personal {
		leaked = leaked || strings.Contains(raw, p)
	}
	if !leaked {
		t.Fatalf("the failure carried no personal detail, so proves nothing: %s", raw)
	}
	for _, p := range personal {
		if strings.Contains(line, p) {
			t.Fatalf("the log line holds %q:\n%s", p, line)
		}
	}
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Fatalf("the log line lacks %s:\n%s", w, line)
		}
	}
}

// probeDB is a fresh, empty database on backend b, opened as the store opens its own (GORM
// translating errors), with a table whose constraints and trigger refuse the seeded child.
func probeDB(t *testing.T, b storetest.Backend) *gorm.DB {
	t.Helper()
	dsn := b.Empty(t)
	cfg := &gorm.Config{Logger: logger.Discard, TranslateError: true, SkipDefaultTransaction: true}
	var dial gorm.Dialector
	if store.DialectOf(dsn) == store.Postgres {
		dial = postgres.Open(dsn)
	} else {
		dial = sqlite.Open("file:" + dsn + "?_pragma=foreign_keys(1)")
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	stmts := []string{
		`CREATE TABLE probe_people (id integer PRIMARY KEY, nhs_number text, given_name text, date_of_birth date,
			CONSTRAINT probe_people_nhs_number_key UNIQUE (nhs_number), CHECK (given_name <> 'Refused ` + given + `'))`,
	}
	if store.DialectOf(dsn) == store.Postgres {
		stmts = append(stmts,
			`CREATE FUNCTION probe_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
				IF NEW.given_name = 'Trigger `+given+`' THEN RAISE EXCEPTION 'refused % born %', NEW.nhs_number, NEW.date_of_birth; END IF;
				RETURN NEW; END $$`,
			`CREATE TRIGGER probe_refuse BEFORE INSERT ON probe_people FOR EACH ROW EXECUTE FUNCTION probe_refuse()`)
	} else {
		stmts = append(stmts, `CREATE TRIGGER probe_refuse BEFORE INSERT ON probe_people WHEN NEW.given_name = 'Trigger `+given+`'
			BEGIN SELECT RAISE(ABORT, 'refused `+nhsNumber+` born `+born+`'); END`)
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db
}

// raw is everything an error could put in a log: its text and, for PostgreSQL, the fields pgx
// keeps beside the message (Detail: "Key (nhs_number)=(...) already exists").
func raw(err error) string {
	out := err.Error()
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		out += " " + pg.Message + " " + pg.Detail + " " + pg.Where
	}
	return out
}

func TestDatabaseFailuresAreLoggedByClassOnly(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := probeDB(t, b)
			pg := b.Name == store.Postgres
			insert := func(id int, nhs, name, dob string) error {
				return db.Exec("INSERT INTO probe_people (id, nhs_number, given_name, date_of_birth) VALUES (?, ?, ?, ?)", id, nhs, name, dob).Error
			}
			if err := insert(1, nhsNumber, given+" "+family, born); err != nil {
				t.Fatal(err)
			}

			t.Run("unique key on an NHS number", func(t *testing.T) {
				err := insert(2, nhsNumber, given+" "+family, born)
				if err == nil {
					t.Fatal("a second row with the same NHS number was taken")
				}
				line := logLine(t, err)
				if pg {
					// pgx keeps the row's values in Detail ("Key (nhs_number)=(9434765919) already exists").
					assertRedacted(t, raw(err), line, `"class":"postgres"`, `"sqlstate":"23505"`, `"condition":"unique_violation"`,
						`"constraint":"probe_people_nhs_number_key"`, `"table":"probe_people"`)
				} else {
					// SQLite names the column, and GORM translates it to its sentinel; nothing to leak, but
					// the line must still say what happened.
					for _, p := range personal {
						if strings.Contains(line, p) {
							t.Fatalf("the log line holds %q: %s", p, line)
						}
					}
					if !strings.Contains(line, `"class":"gorm duplicated key"`) {
						t.Fatalf("the log line lacks the class: %s", line)
					}
				}
			})

			t.Run("check constraint", func(t *testing.T) {
				err := insert(3, "9434765870", "Refused "+given, born)
				if err == nil {
					t.Fatal("the check constraint let the row in")
				}
				line := logLine(t, err)
				if pg {
					// Detail: "Failing row contains (3, 9434765870, Refused Zebedee, 2014-03-02)".
					assertRedacted(t, raw(err), line, `"sqlstate":"23514"`, `"condition":"check_violation"`, `"constraint":"probe_people_given_name_check"`)
				} else {
					// SQLite quotes an unnamed check's expression, literal and all.
					assertRedacted(t, raw(err), line, `"class":"sqlite"`, `"sqlite_result":"SQLITE_CONSTRAINT_CHECK"`)
				}
			})

			t.Run("a trigger's message quoting the row", func(t *testing.T) {
				err := insert(4, nhsNumber+"0", "Trigger "+given, born)
				if err == nil {
					t.Fatal("the trigger let the row in")
				}
				line := logLine(t, err)
				if pg {
					assertRedacted(t, raw(err), line, `"sqlstate":"P0001"`, `"condition":"raise_exception"`)
				} else {
					assertRedacted(t, raw(err), line, `"class":"sqlite"`, `"sqlite_result":"SQLITE_CONSTRAINT_TRIGGER"`)
				}
			})

			if !pg {
				return
			}
			t.Run("a value PostgreSQL cannot read", func(t *testing.T) {
				// PostgreSQL quotes the refused text in its message: `invalid input syntax for type date: "..."`.
				err := db.Exec("SELECT CAST(? AS date)", given+" "+family).Error
				if err == nil {
					t.Fatal("a name was read as a date")
				}
				assertRedacted(t, raw(err), logLine(t, err), `"class":"postgres"`, `"sqlstate":"22007"`)
			})
			t.Run("a command's last word", func(t *testing.T) {
				// A migration that cannot read an existing value, as `oneplan serve` would print it.
				err := fmt.Errorf("migrate: 0042 dates: %w", db.Exec("SELECT CAST(? AS date)", given+" "+family).Error)
				text := redact.Text(err)
				assertRedacted(t, raw(err), text, "migrate: 0042 dates: [class=postgres sqlstate=22007 condition=invalid_datetime_format")
			})
			t.Run("a value pgx cannot encode", func(t *testing.T) {
				// pgx's "failed to encode args[0]: unable to encode <the value, %#v> into binary format for int8".
				type record struct{ GivenName, FamilyName string }
				err := db.Exec("SELECT CAST(? AS bigint) + 1", record{given, family}).Error
				if err == nil {
					t.Fatal("a name was sent as a number")
				}
				assertRedacted(t, raw(err), logLine(t, err), `"class":"pgx encode"`, `"arg":"0"`)
			})
		})
	}
}

func TestParseFailuresAreLoggedByClassOnly(t *testing.T) {
	var person struct {
		DateOfBirth time.Time `json:"date_of_birth"`
		NHSNumber   string    `json:"nhs_number"`
	}
	jsonErr := json.Unmarshal([]byte(`{"date_of_birth": "`+given+` `+family+`"}`), &person)
	typeErr := json.Unmarshal([]byte(`{"nhs_number": `+nhsNumber+`}`), &person)
	syntaxErr := json.Unmarshal([]byte(`{"given_name": "`+given+`" "family_name": "`+family+`"}`), &person)
	_, numErr := strconv.Atoi(given)
	_, csvErr := csv.NewReader(strings.NewReader("nhs_number,given_name\n" + nhsNumber + `,"` + given + `"x` + "\n")).ReadAll()
	for _, c := range []struct {
		name string
		err  error
		raw  string
		want []string
	}{
		{"a date that is a name", jsonErr, jsonErr.Error(), []string{`"class":"time parse"`, `"layout":"2006-01-02T15:04:05Z07:00"`}},
		// The number itself is in the error's Value in some Go releases: asserted through the seeded
		// JSON, which the error came from.
		{"an NHS number as a number", typeErr, `{"nhs_number": ` + nhsNumber + `}`, []string{`"class":"json type"`, `"field":"nhs_number"`, `"go_type":"string"`}},
		{"malformed JSON", syntaxErr, given, []string{`"class":"json syntax"`, `"offset":`}},
		{"a name as a number", numErr, numErr.Error(), []string{`"class":"number parse"`, `"cause":"number syntax"`, `"func":"Atoi"`}},
		{"a CSV cell", csvErr, nhsNumber + given, []string{`"class":"csv"`, `"cause":"csv quote"`, `"line":"2"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil {
				t.Fatal("no error")
			}
			assertRedacted(t, c.raw, logLine(t, c.err), c.want...)
		})
	}
}

func TestWrappedErrorsKeepTheirOperationsNotTheirArguments(t *testing.T) {
	childID := "c0ffee00-" + nhsNumber
	err := error(fault.New(fault.Conflict, "A record with the same unique value already exists."))
	casework.Wrap(&err, "create young person %s", childID)
	casework.Wrap(&err, "import row %d", 7)
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), childID) {
		t.Fatalf("Wrap changed the error itself: %v", err)
	}
	line := logLine(t, err)
	assertRedacted(t, err.Error(), line, `"class":"fault"`, `"kind":"conflict"`, `"ops":"import row %d > create young person %s"`)

	// An outage keeps its cause for the log, which is classified rather than quoted.
	joined := errors.Join(fmt.Errorf("settle %s: %w", given, err), &fault.Error{Kind: fault.Unavailable, Detail: "down", Cause: fmt.Errorf("ping %s", family)})
	assertRedacted(t, joined.Error(), logLine(t, joined), `"kind":"unavailable, conflict"`)
}

func TestPanicsAreLoggedByType(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	l.Error("panic", redact.Panic(fmt.Errorf("bad record for %s %s", given, family)))
	l.Error("panic", redact.Panic(given+" "+nhsNumber))
	func() {
		defer func() { l.Error("panic", redact.Panic(recover())) }()
		var names []string
		_ = names[len(given)] // a runtime error: its message names sizes, not values
	}()
	out := buf.String()
	assertRedacted(t, given+family, out, `"type":"*errors.errorString"`, `"type":"string"`, `"runtime":"runtime error: index out of range [7] with length 0"`)
}

func TestServerLogKeepsOnlyTheFixedWords(t *testing.T) {
	var buf bytes.Buffer
	sl := redact.ServerLog(slog.New(slog.NewJSONHandler(&buf, nil)))
	sl.Printf("http: panic serving 10.1.2.3:5555: record %s %s\ngoroutine 7 [running]:", given, nhsNumber)
	sl.Printf("something else about %s", family)
	assertRedacted(t, given+family, buf.String(), `"complaint":"http: panic serving"`, `"complaint":"http server complaint"`)
	if strings.Contains(buf.String(), "10.1.2.3") {
		t.Fatalf("the client's address is logged: %s", buf.String())
	}
}

func TestTextKeepsTheExplanation(t *testing.T) {
	_, numErr := strconv.Atoi(nhsNumber + "x")
	hook := &url.Error{Op: "Post", URL: "https://receiver.example/hook?child=" + given, Err: context.DeadlineExceeded}
	err := fmt.Errorf("ONEPLAN_RETENTION_YEARS: %w; and %w", numErr, hook)
	text := redact.Text(err)
	assertRedacted(t, err.Error(), text, "ONEPLAN_RETENTION_YEARS: [class=number parse cause=number syntax func=Atoi]; and [class=http client cause=deadline exceeded http_op=Post timeout=true]")
	if redact.Text(nil) != "" || redact.Text(errors.New("no database configured")) != "no database configured" {
		t.Fatal("Text changes what quotes nothing")
	}
}

func TestReporterLogsAtWarning(t *testing.T) {
	var buf bytes.Buffer
	report := redact.Reporter(slog.New(slog.NewJSONHandler(&buf, nil)), "event dispatch")
	report(nil)
	if buf.Len() != 0 {
		t.Fatalf("a nil error was logged: %s", buf.String())
	}
	report(fmt.Errorf("deliver to %s: %w", given, errors.New(family)))
	assertRedacted(t, given, buf.String(), `"level":"WARN"`, `"msg":"event dispatch"`, `"class":"unclassified"`)
}
