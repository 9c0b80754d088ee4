package redact_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/redact"
)

// benchErr is a failure as the error handler sees one: a PgError under a use case's wrapper.
func benchErr() error {
	err := error(&pgconn.PgError{Severity: "ERROR", Code: "23514", Message: `new row for relation "young_people" violates check constraint "x"`,
		Detail: "Failing row contains (...)", TableName: "young_people", ConstraintName: "young_people_given_name_check", Routine: "ExecConstraints"})
	casework.Wrap(&err, "create young person")
	return err
}

// BenchmarkLogError compares a "request failed" line written the old way (the error's text)
// with the redacted one, to show what describing the error costs on the error path.
func BenchmarkLogError(b *testing.B) {
	l := slog.New(slog.NewJSONHandler(io.Discard, nil))
	err := benchErr()
	ctx := context.Background()
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelError, "request failed", slog.String("request_id", "r"), slog.String("error", err.Error()))
		}
	})
	b.Run("redacted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelError, "request failed", slog.String("request_id", "r"), redact.Err(err))
		}
	})
}
